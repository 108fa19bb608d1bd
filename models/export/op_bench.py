"""
What the student's operations cost in onnxruntime-web's WASM kernels (one thread), float against
the int8 and tanh-GELU forms quantize.py uses, and the shipped graphs a run each (inputs: a ramp;
the cost does not depend on the values): the measurements behind the int8 student. Each micro-graph chains 20 copies of one op at the student's shapes
(256 tokens x 128 channels, 4 heads); ms per op = the graph's p50 / 20.

    python3 -m models.export.op_bench --model models/wm-courtyard-v3 --out docs/op-bench.json
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

from models.export.quantize import weight_int8

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REPEAT = 20


def chain(path: str, shape: list[int], step) -> None:
    """REPEAT copies of step(x, i) -> (nodes, initializers, y), each feeding the next."""
    nodes, inits, x = [], [], "x"
    for i in range(REPEAT):
        n, w, x = step(x, i)
        nodes += n
        inits += w
    g = h.make_graph(
        nodes, "bench", [h.make_tensor_value_info("x", T.FLOAT, shape)], [h.make_tensor_value_info(x, T.FLOAT, None)], inits
    )
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    onnx.save(m, path)


def build(d: str) -> dict[str, str]:
    rng = np.random.default_rng(0)
    f = lambda a, n: nh.from_array(np.asarray(a, np.float32), n)  # noqa: E731
    w_up = [(rng.standard_normal((128, 512)) * 0.05).astype(np.float32) for _ in range(REPEAT)]
    w_dn = [(rng.standard_normal((512, 128)) * 0.05).astype(np.float32) for _ in range(REPEAT)]
    graphs = {}

    def add(name, shape, step):
        graphs[name] = os.path.join(d, name + ".onnx")
        chain(graphs[name], shape, step)

    def mm_pair(x, i):  # 128 -> 512 -> 128, float
        return (
            [h.make_node("MatMul", [x, f"u{i}"], [f"h{i}"]), h.make_node("MatMul", [f"h{i}", f"v{i}"], [f"y{i}"])],
            [nh.from_array(w_up[i], f"u{i}"), nh.from_array(w_dn[i], f"v{i}")],
            f"y{i}",
        )

    def dq_pair(x, i):  # the same products as DynamicQuantizeMatMul (int8 weights per column)
        out, inits, nodes = x, [], []
        for tag, w in (("u", w_up[i]), ("v", w_dn[i])):
            q, s = weight_int8(w)
            inits += [
                nh.from_array(q, f"{tag}{i}q"),
                nh.from_array(s, f"{tag}{i}s"),
                nh.from_array(np.zeros_like(s, np.int8), f"{tag}{i}z"),
            ]
            nodes.append(
                h.make_node(
                    "DynamicQuantizeMatMul",
                    [out, f"{tag}{i}q", f"{tag}{i}s", f"{tag}{i}z"],
                    [f"{tag}{i}o"],
                    domain="com.microsoft",
                )
            )
            out = f"{tag}{i}o"
        return nodes, inits, out

    add("matmul_pair_float", [256, 128], mm_pair)
    add("matmul_pair_int8", [256, 128], dq_pair)
    add(
        "gelu_erf_256x512",
        [256, 512],
        lambda x, i: (
            [
                h.make_node("Div", [x, "r2"], [f"d{i}"]),
                h.make_node("Erf", [f"d{i}"], [f"e{i}"]),
                h.make_node("Add", [f"e{i}", "one"], [f"a{i}"]),
                h.make_node("Mul", [x, f"a{i}"], [f"m{i}"]),
                h.make_node("Mul", [f"m{i}", "half"], [f"y{i}"]),
            ],
            [f(np.sqrt(2), "r2"), f(1, "one"), f(0.5, "half")] if i == 0 else [],
            f"y{i}",
        ),
    )
    add(
        "gelu_fast_256x512",
        [256, 512],
        lambda x, i: ([h.make_node("FastGelu", [x], [f"y{i}"], domain="com.microsoft")], [], f"y{i}"),
    )
    add(
        "layernorm_256x128",
        [256, 128],
        lambda x, i: (
            [h.make_node("LayerNormalization", [x, f"s{i}", f"b{i}"], [f"y{i}"], axis=-1)],
            [f(np.ones(128), f"s{i}"), f(np.zeros(128), f"b{i}")],
            f"y{i}",
        ),
    )
    add("softmax_4x256x256", [4, 256, 256], lambda x, i: ([h.make_node("Softmax", [x], [f"y{i}"], axis=-1)], [], f"y{i}"))
    add(
        "depthwise_conv5_128x16x16",
        [1, 128, 16, 16],
        lambda x, i: (
            [h.make_node("Conv", [x, f"w{i}", f"b{i}"], [f"y{i}"], group=128, pads=[2, 2, 2, 2], kernel_shape=[5, 5])],
            [f(rng.standard_normal((128, 1, 5, 5)) * 0.2, f"w{i}"), f(np.zeros(128), f"b{i}")],
            f"y{i}",
        ),
    )
    add(
        "attention_products_4x256x32",
        [4, 256, 32],
        lambda x, i: (
            [
                h.make_node("Transpose", [x], [f"t{i}"], perm=[0, 2, 1]),
                h.make_node("MatMul", [x, f"t{i}"], [f"s{i}"]),
                h.make_node("MatMul", [f"s{i}", x], [f"y{i}"]),
            ],
            [],
            f"y{i}",
        ),
    )
    return graphs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v3"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--out", default="")
    a = ap.parse_args(argv)
    if a.runs < 3:
        ap.error("--runs must be at least 3")
    with tempfile.TemporaryDirectory() as d:
        graphs = build(d)
        shipped = {f"shipped {k}": os.path.join(a.model, k + ".onnx") for k in ("student", "student_int8", "decoder")}
        cmd = ["npx", "tsx", "models/export/timeGraphs.ts", "--runs", str(a.runs), *graphs.values(), *shipped.values()]
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd[:3])} failed:\n{r.stderr[-2000:]}")
        t = json.loads(r.stdout.strip().splitlines()[-1])
    ops = {
        k: {"ms_per_op_p50": round(v["p50"] / REPEAT, 3), "ms_per_op_min": round(v["min"] / REPEAT, 3)}
        for k, v in t.items()
        if k in graphs
    }
    runs = {k: t[os.path.basename(p)[:-5]] for k, p in shipped.items()}
    fl = 2 * 2 * 256 * 128 * 512
    report = {
        "what": f"onnxruntime-web WASM (Node, 1 thread, optimization 'basic'): ms per op, chains of {REPEAT} at the student's shapes "
        "(a matmul pair is 256x128 @ 128x512 then @ 512x128)",
        "ops": ops,
        "matmul_pair_gflop_per_s": {
            k: round(fl / (ops[k]["ms_per_op_p50"] / 1000) / 1e9, 1) for k in ("matmul_pair_float", "matmul_pair_int8")
        },
        "int8_speedup": round(ops["matmul_pair_float"]["ms_per_op_p50"] / ops["matmul_pair_int8"]["ms_per_op_p50"], 2),
        "fast_gelu_speedup": round(ops["gelu_erf_256x512"]["ms_per_op_p50"] / ops["gelu_fast_256x512"]["ms_per_op_p50"], 2),
        "shipped_graphs_ms_per_run": runs,
        "shipped_note": "student.onnx holds the decoder (fuse.py) and runs all of it: compare it with student_int8 + decoder",
    }
    print(json.dumps(report, indent=2))
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(report, fh, indent=2)


if __name__ == "__main__":
    main()
