"""FLOP counting (manifest `flops`, bench.json's frame FLOP/s) against graphs whose count is known."""
import os
import sys
import tempfile

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from models.export.flops import count_flops  # noqa: E402
from models.probes.write_matmul import build  # noqa: E402


def test_matmul_probe_counts_two_n_cubed():
    with tempfile.TemporaryDirectory() as d:
        for n in (16, 64):
            path = os.path.join(d, f"m{n}.onnx")
            onnx.save(build(n), path)
            assert count_flops(path) == 2 * n ** 3


def test_shipped_student_and_decoder_have_counts_in_the_manifest():
    import json
    model = os.path.join(ROOT, "models", "wm-courtyard-v2")
    m = json.load(open(os.path.join(model, "manifest.json")))
    for key in ("student", "decoder"):
        f = m["files"][key]
        assert f["flops"] == count_flops(os.path.join(model, f["path"]))
        assert f["flops"] > 1e8  # a conv net and a transformer at these sizes: hundreds of MFLOP
    # The world model v2 budget: everything but the decoder (here: the student, re-projection inside) <= 0.4 GFLOP a frame.
    assert m["files"]["student"]["flops"] <= 0.4e9
