"""
Multiply-add FLOPs of an ONNX graph from its static shapes: 2 per multiply-add in Conv, MatMul and
Gemm (the ops that dominate these models; elementwise ops, norms and softmax are left out, so the
figure is a slight undercount). bench.json divides it by the measured time of a frame.

    python3 models/export/flops.py models/wm-courtyard-v1/decoder.onnx
"""
import sys
from math import prod

import onnx
from onnx import shape_inference


def _shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    g = shape_inference.infer_shapes(model, data_prop=True).graph
    out = {}
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        dims = [d.dim_value if d.HasField("dim_value") else 0 for d in vi.type.tensor_type.shape.dim]
        out[vi.name] = dims
    for init in g.initializer:
        out[init.name] = list(init.dims)
    return out


def count_flops(path: str) -> int:
    model = onnx.load(path)
    shapes = _shapes(model)
    total = 0
    for node in model.graph.node:
        ins = [shapes.get(n) for n in node.input]
        outs = [shapes.get(n) for n in node.output]
        if not outs or not outs[0] or 0 in outs[0]:
            continue
        if node.op_type == "Conv" and ins[1]:
            w = ins[1]  # [Cout, Cin/groups, kh, kw]
            total += 2 * prod(outs[0]) * prod(w[1:])
        elif node.op_type == "MatMul" and ins[0]:
            total += 2 * prod(outs[0]) * ins[0][-1]
        elif node.op_type == "Gemm" and ins[0]:
            trans_a = next((a.i for a in node.attribute if a.name == "transA"), 0)
            k = ins[0][0] if trans_a else ins[0][-1]
            total += 2 * prod(outs[0]) * k
    return int(total)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: flops.py FILE.onnx [...]")
    for p in sys.argv[1:]:
        print(f"{p}: {count_flops(p) / 1e9:.3f} GFLOP")
