"""FLOP counting (manifest `flops`, bench.json's frame FLOP/s) against graphs whose count is known."""
import os
import tempfile

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from models.export.flops import count_flops
from models.probes.write_matmul import build


def test_matmul_probe_counts_two_n_cubed():
    with tempfile.TemporaryDirectory() as d:
        for n in (16, 64):
            path = os.path.join(d, f"m{n}.onnx")
            onnx.save(build(n), path)
            assert count_flops(path) == 2 * n**3


def test_products_behind_a_slice_with_computed_bounds_are_counted():
    """torch's chunk exports as Slice with bounds computed from Shape: shape inference stops there,
    and the MatMul after it once counted as nothing (a third of the student's FLOPs went missing)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    c = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)  # noqa: E731
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "two"], ["d"], axis=0),
        helper.make_node("Div", ["d", "two1"], ["half"]),
        helper.make_node("Unsqueeze", ["half", "zero"], ["end"]),
        helper.make_node("Slice", ["x", "start", "end", "axis"], ["h"]),
        helper.make_node("MatMul", ["h", "w"], ["y"]),
    ]
    inits = [
        c("two", 2),
        c("two1", 2),
        c("zero", [0]),
        c("start", [0]),
        c("axis", [2]),
        numpy_helper.from_array(np.zeros((64, 32), np.float32), "w"),
    ]
    g = helper.make_graph(
        nodes,
        "chunk",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 256, 128])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        inits,
    )
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "chunk.onnx")
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
        assert count_flops(path) == 2 * 256 * 64 * 32


def test_shipped_graphs_have_their_counts_in_the_manifest():
    import json

    model = os.path.join(ROOT, "models", "wm-courtyard-v3")
    m = json.load(open(os.path.join(model, "manifest.json")))
    for key in ("student", "decoder", "student_int8"):
        f = m["files"][key]
        assert f["flops"] == count_flops(os.path.join(model, f["path"]))
        assert f["flops"] > 1e8  # a conv net and a transformer at these sizes: hundreds of MFLOP
    # student.onnx holds the decoder (fuse.py); the int8 student is the student alone, same products.
    assert m["files"]["student"]["flops"] == m["files"]["student_int8"]["flops"] + m["files"]["decoder"]["flops"]
    # The world model v2 budget was 0.4 GFLOP a frame for the student with its re-projection; it is
    # 0.61 (the count that said 0.24 missed the blocks' q, kv and MLP products). Reported, not hidden.
    # The noise sampler's correction (an MLP over 256 positions, run every frame) adds 0.038.
    sampler = 0.0377e9 if "noise_sampler" in m["student"] else 0
    assert 0.6e9 + sampler < m["files"]["student_int8"]["flops"] < 0.62e9 + sampler
