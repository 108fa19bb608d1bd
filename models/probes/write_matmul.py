"""
A plain large MatMul as an ONNX graph: the yardstick for how close a model frame comes to what the
runtime can do on a backend (bench.json's flops section).

    python3 -m models.probes.write_matmul --n 1024

x [1] -> A = ones(n, n) + x; B = 0.001 * ones(n, n) (a constant, folded into a weight when the session
is built); y = sum(A @ B). Nearly all of its 2 n^3 FLOPs are the MatMul, and only a scalar is read back.
"""
import argparse
import os

import onnx
from onnx import TensorProto, helper


def build(n: int) -> onnx.ModelProto:
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [n, n])
    one = helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
    small = helper.make_tensor("small", TensorProto.FLOAT, [1], [0.001])
    nodes = [
        helper.make_node("Constant", [], ["shape"], value=shape),
        helper.make_node("Constant", [], ["one"], value=one),
        helper.make_node("Constant", [], ["small"], value=small),
        helper.make_node("Expand", ["one", "shape"], ["ones"]),
        helper.make_node("Expand", ["small", "shape"], ["b"]),
        helper.make_node("Add", ["ones", "x"], ["a"]),
        helper.make_node("MatMul", ["a", "b"], ["c"]),
        helper.make_node("ReduceSum", ["c"], ["y"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        f"matmul{n}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="world-model-playground")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    if a.n < 16 or a.n > 8192:
        ap.error("--n must be from 16 to 8192")
    path = os.path.join(a.out, f"matmul-{a.n}.onnx")
    onnx.save(build(a.n), path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {2 * a.n ** 3 / 1e9:.2f} GFLOP a run)")


if __name__ == "__main__":
    main()
