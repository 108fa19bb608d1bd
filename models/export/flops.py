"""
Multiply-add FLOPs of an ONNX graph from its static shapes: 2 per multiply-add in Conv, MatMul,
Gemm and com.microsoft DynamicQuantizeMatMul (the ops that dominate these models; elementwise ops,
norms and softmax are left out, so the figure is a slight undercount). bench.json divides it by
the measured time of a frame.

ONNX shape inference stops at ops whose output shape depends on computed values (torch's chunk
exports as Slice with bounds computed from Shape), which once left 0.37 of the student's 0.61
GFLOP uncounted. So shapes are carried past such gaps: the small integer tensors computed from
static shapes are evaluated (a Slice then has its shape), an elementwise op takes the broadcast
of its inputs, a shape-keeping op its input's, a MatMul its product's (also for com.microsoft
ops, which onnx does not know); then inference runs again. A product whose shapes stay unknown
is an error, not a silent zero.

    python3 -m models.export.flops models/wm-courtyard-v3/student.onnx
"""
import sys
from math import prod

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

ELEMENTWISE = {
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Pow",
    "Where",
    "Equal",
    "Greater",
    "Less",
    "GreaterOrEqual",
    "LessOrEqual",
    "And",
    "Or",
}
SAME_SHAPE = {
    "Erf",
    "Sigmoid",
    "Tanh",
    "Relu",
    "Neg",
    "Abs",
    "Sqrt",
    "Log",
    "Exp",
    "Cast",
    "Softmax",
    "LayerNormalization",
    "FastGelu",
    "Gelu",
    "Clip",
    "Sin",
    "Cos",
    "Floor",
    "InstanceNormalization",
}
COMPARISONS = {"Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or"}
PRODUCTS = {"MatMul", "Gemm", "Conv", "DynamicQuantizeMatMul"}


def _static(vi) -> list[int] | None:
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    dims = [d.dim_value if d.HasField("dim_value") else 0 for d in t.shape.dim]
    return None if 0 in dims else dims


def _broadcast(shapes: list[list[int]]) -> list[int]:
    return list(np.broadcast_shapes(*[tuple(s) for s in shapes]))


def _int_values(g: onnx.GraphProto, known: dict) -> dict[str, np.ndarray]:
    """The values of the small integer tensors computed from static shapes (torch's chunk bounds)."""
    vals = {i.name: numpy_helper.to_array(i) for i in g.initializer if i.data_type == onnx.TensorProto.INT64}
    for n in g.node:
        v = [vals.get(i) for i in n.input]
        try:
            if n.op_type == "Constant":
                r = numpy_helper.to_array(n.attribute[0].t) if n.attribute[0].name == "value" else None
                r = r if r is not None and r.dtype.kind == "i" else None
            elif n.op_type == "Shape" and n.input[0] in known:
                r = np.array(known[n.input[0]], np.int64)
            elif any(x is None for x in v):
                continue
            elif n.op_type == "Gather":
                r = np.take(v[0], v[1], axis=next((a.i for a in n.attribute if a.name == "axis"), 0))
            elif n.op_type in ("Add", "Sub", "Mul", "Div"):
                r = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.floor_divide}[n.op_type](v[0], v[1])
            elif n.op_type == "Unsqueeze":
                r = np.expand_dims(v[0], tuple(v[1].tolist()))
            elif n.op_type == "Concat":
                r = np.concatenate(v, axis=n.attribute[0].i)
            elif n.op_type == "Cast":
                r = v[0]
            else:
                continue
        except (IndexError, ValueError, TypeError):
            continue
        if r is not None:
            vals[n.output[0]] = np.asarray(r)
    return vals


def _slices(rank: int, starts, ends, axes=None, steps=None) -> tuple:
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    sl = [slice(None)] * rank
    for a, b, e, st in zip(axes, starts, ends, steps):
        sl[int(a)] = slice(int(b), int(min(e, 2**62)), int(st))
    return tuple(sl)


def _shapes(model: onnx.ModelProto) -> dict[str, list[int]]:
    model = onnx.ModelProto.FromString(model.SerializeToString())
    for _ in range(50):
        g = shape_inference.infer_shapes(model, data_prop=True).graph
        known = {vi.name: s for vi in list(g.value_info) + list(g.input) + list(g.output) if (s := _static(vi)) is not None}
        known |= {i.name: list(i.dims) for i in g.initializer}
        values = _int_values(g, known)
        added = []
        for node in g.node:
            if not node.output or node.output[0] in known or not node.output[0]:
                continue
            ins = [known.get(i) for i in node.input if i]
            out = None
            if node.op_type == "Slice" and ins[0] is not None and all(i in values for i in node.input[1:]):
                out = list(np.empty(ins[0], np.int8)[_slices(len(ins[0]), *[values[i] for i in node.input[1:]])].shape)
            elif node.op_type in ELEMENTWISE and all(s is not None for s in ins):
                out = _broadcast(ins)
            elif node.op_type in SAME_SHAPE and ins and ins[0] is not None:
                out = ins[0]
            elif (
                node.op_type in ("MatMul", "DynamicQuantizeMatMul")
                and len(ins) >= 2
                and ins[0] is not None
                and ins[1] is not None
            ):
                a, b = ins[0], ins[1]
                out = _broadcast([a[:-2], b[:-2]]) + [a[-2], b[-1]] if len(a) >= 2 and len(b) >= 2 else None
            if out is not None:
                known[node.output[0]] = out
                kind = onnx.TensorProto.BOOL if node.op_type in COMPARISONS else onnx.TensorProto.FLOAT
                added.append(helper.make_tensor_value_info(node.output[0], kind, out))
        if not added:
            return known
        model.graph.value_info.extend(added)
    return known


def count_flops(path: str) -> int:
    model = onnx.load(path)
    shapes = _shapes(model)
    total, unknown = 0, []
    for node in model.graph.node:
        if node.op_type not in PRODUCTS:
            continue
        ins = [shapes.get(n) for n in node.input]
        out = shapes.get(node.output[0])
        if not out or not ins[0] or (len(ins) > 1 and not ins[1]):
            unknown.append(node.name or node.op_type)
            continue
        if node.op_type == "Conv":
            total += 2 * prod(out) * prod(ins[1][1:])  # weight [Cout, Cin/groups, kh, kw]
        elif node.op_type == "Gemm":
            trans_a = next((a.i for a in node.attribute if a.name == "transA"), 0)
            total += 2 * prod(out) * (ins[0][0] if trans_a else ins[0][-1])
        else:
            total += 2 * prod(out) * ins[0][-1]
    if unknown:
        raise ValueError(
            f"{path}: no static shapes for {', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}: FLOPs would be undercounted"
        )
    return int(total)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: flops.py FILE.onnx [...]")
    for p in sys.argv[1:]:
        print(f"{p}: {count_flops(p) / 1e9:.3f} GFLOP")
