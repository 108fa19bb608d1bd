"""
An int8 student for onnxruntime-web's WASM backend, and the proof that it predicts what the float
one does.

Measured in onnxruntime-web (WASM, one thread, Node): the student's four blocks are ~85% of its
time and their matrix products nearly all of their FLOPs; a [256, 128] x [128, 512] product runs
2.2x faster as com.microsoft DynamicQuantizeMatMul (uint8 activations quantized per run, int8
weights per output column, int32 sums) than as a float MatMul. So each block's linear layers
(depthwise conv's pointwise, q, kv, o, fc1, fc2) become that op; the slot input layer, the output
head, attention itself and the small conditioning layers stay float, since they carry the geometry
and the logits. The blocks' exact GELUs (Erf, 0.85 ms on [256, 512]) become FastGelu, the tanh
form (0.34 ms). WebGPU has no kernels for these com.microsoft ops: it keeps student.onnx.

`fake_quant` makes the PyTorch student compute exactly that arithmetic (up to float summation
order), so the dream evaluation of the int8 graph is the PyTorch rollout of the fake-quantized
student, and the parity test (models/export/parity.ts) checks the graph against its golden logits.

    python3 -m models.export.quantize --model models/wm-courtyard-v3 --runs models/runs --data data

writes <model>/student_int8.onnx and <model>/quant_eval.json (float vs int8 student, dream PSNR on
the test split at the eval's horizons, from 1 and 4 ground-truth frames).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import helper, numpy_helper

from models.data.dataset import load
from models.export.dream import rollout_memory
from models.export.flops import count_flops
from models.export.fuse import strip
from models.export.graphs import MemoryStudentGraph
from models.export.rollout import coherent_rollout, first_step_outputs, memory_rollout
from models.export.scoring import Windows, dream_table, pick_windows
from models.export.shipped import (
    STUDENT_RUN,
    Golden,
    load_atlas,
    read_golden,
    read_manifest,
    shipped_tokenizer,
    update_manifest,
)
from models.world_model.layers import DepthwiseConv2d, Mlp
from models.world_model.prepare import file_sha256
from models.world_model.train_memory_student import load_memory_student

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The block linears, by their ONNX node names (torch.onnx names a Linear's MatMul after its module).
BLOCK_LINEAR = re.compile(r"^/(student|sampler)/blocks\.\d+/(conv/pw|attn/q|attn/kv|attn/o|mlp/fc1|mlp/fc2)/MatMul$")
MODULE_LINEAR = re.compile(r"^blocks\.\d+\.(conv\.pw|attn\.q|attn\.kv|attn\.o|mlp\.fc1|mlp\.fc2)$")


def weight_int8(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """w [in, out] float -> (int8 [in, out], scale [out]): symmetric per output column."""
    scale = np.abs(w).max(0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.clip(np.rint(w / scale), -127, 127).astype(np.int8), scale


def tanh_gelu(g: onnx.GraphProto) -> int:
    """Each exact GELU in the blocks (Div by sqrt 2 -> Erf -> Add 1 -> Mul x -> Mul 0.5, as torch exports
    F.gelu) becomes one com.microsoft FastGelu (the tanh form): 0.34 ms instead of 0.90 ms on a
    [256, 512] tensor in WASM. -> how many."""
    users: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    only = lambda n, op: (lambda u: u[0] if len(u) == 1 and u[0].op_type == op else None)(
        users.get(n.output[0], [])
    )  # noqa: E731
    drop, count = set(), 0
    for erf in [n for n in g.node if n.op_type == "Erf" and "/blocks." in n.name]:
        div = next(n for n in g.node if erf.input[0] in n.output)
        add = only(erf, "Add")
        mul = add and only(add, "Mul")
        half = mul and only(mul, "Mul")
        if div.op_type != "Div" or not half or div.input[0] not in mul.input:
            raise ValueError(f"{erf.name}: not the GELU pattern torch exports")
        g.node.insert(
            list(g.node).index(div),
            helper.make_node(
                "FastGelu", [div.input[0]], [half.output[0]], name=erf.name.replace("/Erf", "/FastGelu"), domain="com.microsoft"
            ),
        )
        drop |= {id(div), id(erf), id(add), id(mul), id(half)}
        count += 1
    kept = [n for n in g.node if id(n) not in drop]
    used = {i for n in kept for i in n.input} | {o.name for o in g.output}
    kept = [n for n in kept if n.op_type != "Constant" or n.output[0] in used]  # the pattern's constants
    del g.node[:]
    g.node.extend(kept)
    return count


def quantize_graph(src: str, dst: str) -> str:
    """Rewrites every block-linear MatMul (+ its bias Add) of src as DynamicQuantizeMatMul and every
    block GELU as FastGelu; -> what was rewritten, in words."""
    model = strip(onnx.load(src))  # the student alone: on WASM a second worker decodes
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    users: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            users.setdefault(i, []).append(n)
    done, drop, new_inits = [], set(), []
    for n in list(g.node):
        if n.op_type != "MatMul" or not BLOCK_LINEAR.match(n.name) or n.input[1] not in inits:
            continue
        nxt = users.get(n.output[0], [])
        if len(nxt) != 1 or nxt[0].op_type != "Add":
            raise ValueError(f"{n.name}: expected its bias Add to follow")
        add = nxt[0]
        bias = next(i for i in add.input if i != n.output[0])
        if bias not in inits:
            raise ValueError(f"{n.name}: the bias of {add.name} is not a constant")
        q, s = weight_int8(numpy_helper.to_array(inits[n.input[1]]).astype(np.float32))
        base = n.name.strip("/").replace("/", "_")
        new_inits += [
            numpy_helper.from_array(q, base + "_w_int8"),
            numpy_helper.from_array(s, base + "_w_scale"),
            numpy_helper.from_array(np.zeros_like(s, dtype=np.int8), base + "_w_zero"),
        ]
        node = helper.make_node(
            "DynamicQuantizeMatMul",
            [n.input[0], base + "_w_int8", base + "_w_scale", base + "_w_zero", bias],
            [add.output[0]],
            name=n.name.replace("/MatMul", "/DynamicQuantizeMatMul"),
            domain="com.microsoft",
        )
        g.node.insert(list(g.node).index(n), node)
        drop |= {id(n), id(add)}
        done.append(n.name)
    if not done:  # a float graph named int8 would only show as a slow WASM student
        raise ValueError(f"{src}: no block linear MatMul matches {BLOCK_LINEAR.pattern}; did the graph's node names change?")
    kept = [n for n in g.node if id(n) not in drop]
    del g.node[:]
    g.node.extend(kept)
    gelus = tanh_gelu(g)
    used = {i for n in g.node for i in n.input}
    keep_inits = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep_inits + new_inits)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return (
        f"{len(done)} block linear layers as com.microsoft DynamicQuantizeMatMul (int8 weights per output column, uint8 "
        f"activations quantized per run), {gelus} GELUs as com.microsoft FastGelu (tanh form)"
    )


class FakeQuantLinear(nn.Module):
    """A Linear computing as DynamicQuantizeMatMul does: x -> uint8 (per-tensor scale and zero
    point over min(x, 0)..max(x, 0), round half to even), weights int8 per output row."""

    def __init__(self, lin: nn.Linear):
        super().__init__()
        q, s = weight_int8(lin.weight.detach().numpy().T.astype(np.float32))
        self.register_buffer("w", torch.from_numpy(q.T.astype(np.float32) * s[:, None]))
        self.register_buffer("b", lin.bias.detach().clone())

    def forward(self, x):
        lo, hi = x.min().clamp(max=0), x.max().clamp(min=0)
        scale = ((hi - lo) / 255).clamp(min=1e-12)
        zero = torch.round(-lo / scale).clamp(0, 255)
        xq = (torch.round(x / scale) + zero).clamp(0, 255)
        return nn.functional.linear((xq - zero) * scale, self.w, self.b)


def _tanh_gelu_forward(mod: nn.Module):
    """The forward of a block's Mlp or DepthwiseConv2d with GELU in its tanh form (as FastGelu)."""
    gelu = lambda x: nn.functional.gelu(x, approximate="tanh")  # noqa: E731
    if isinstance(mod, Mlp):
        return lambda x: mod.fc2(gelu(mod.fc1(x)))

    def conv(x):
        B, N, D = x.shape
        y = mod.conv(x.transpose(1, 2).reshape(B, D, mod.g, mod.g))
        return mod.pw(gelu(y.reshape(B, D, N).transpose(1, 2)))

    return conv


def fake_quant(student: nn.Module) -> nn.Module:
    """A copy of the memory student (or its noise sampler) that computes as student_int8.onnx: block linears
    in int8, block GELUs in tanh form."""
    m = copy.deepcopy(student)
    names = [n for n, mod in m.named_modules() if isinstance(mod, nn.Linear) and MODULE_LINEAR.match(n)]
    for name in names:
        parent, leaf = name.rsplit(".", 1)
        setattr(m.get_submodule(parent), leaf, FakeQuantLinear(m.get_submodule(name)))
    for mod in m.modules():
        if isinstance(mod, (Mlp, DepthwiseConv2d)):
            mod.forward = _tanh_gelu_forward(mod)
    return m.eval()


def evaluate(model_dir: str, runs: str, data: str, windows: int, horizons: list[int], seed: int) -> dict:
    """Dream PSNR of the float and the int8 student on the eval's test windows."""
    tok = shipped_tokenizer(runs)
    student = load_memory_student(os.path.join(runs, STUDENT_RUN, "student.pt"))
    q = fake_quant(student)
    H = max(horizons)
    ds = load(os.path.join(data, "test"))
    w = Windows(ds, tok, pick_windows(ds, 4 + H, windows, seed), 4 + H)
    models = {
        "float32": lambda s, p, a, h: rollout_memory(student, s, p, a, h),
        "int8": lambda s, p, a, h: rollout_memory(q, s, p, a, h),
    }
    out = {}
    for start in (1, 4):
        table, _, _ = dream_table(tok, w, start, H, horizons, models)
        out[f"start_{start}"] = {k: {h: v["psnr"] for h, v in table[k].items()} for k in ("float32", "int8")}
        out[f"start_{start}"]["int8_minus_float32"] = {
            h: round(table["int8"][h]["psnr"] - table["float32"][h]["psnr"], 2) for h in table["int8"]
        }
        print(f"[quantize] from {start}: {json.dumps(out[f'start_{start}'])}", flush=True)
    return out


@torch.no_grad()
def add_to_export(model_dir: str, runs: str, student=None, sampler=None) -> dict:
    """student_int8.onnx beside student.onnx, its golden tensors (the fake-quantized PyTorch student,
    and its noise sampler where student.onnx has one, on export's golden inputs) and its manifest
    entry. student: the shipped one (default <runs>/STUDENT_RUN). -> the entry."""
    dst = os.path.join(model_dir, "student_int8.onnx")
    done = quantize_graph(os.path.join(model_dir, "student.onnx"), dst)
    student = student or load_memory_student(os.path.join(runs, STUDENT_RUN, "student.pt"))
    index, g = read_golden(model_dir)
    Lmax = max(student.cfg.levels)
    T = torch.from_numpy
    graph = MemoryStudentGraph(fake_quant(student), None if sampler is None else fake_quant(sampler))
    greedy, _, _ = memory_rollout(
        graph,
        T(g["encoded"][:1].copy()),
        g["poses"].copy(),
        T(g["actions"].copy()),
        0.0,
        Lmax,
        T(g["student_uniforms"].copy()),
        load_atlas(model_dir),
    )
    # Rewrite golden.bin with the int8 tensors appended (replacing earlier ones).
    gold = Golden()
    for k, a in g.items():
        if not k.startswith("student_int8_"):
            gold.add(k, a)
    gold.add("student_int8_greedy", greedy)
    if sampler is not None:
        args = (T(g["encoded"][:1].copy()), g["poses"].copy(), T(g["actions"].copy()), T(g["student_uniforms"].copy()))
        gold.add("student_int8_coherent", coherent_rollout(graph, *args, load_atlas(model_dir)))
    first = first_step_outputs(
        graph,
        T(g["encoded"][:1].copy()),
        g["poses"].copy(),
        T(g["actions"].copy()),
        Lmax,
        T(g["student_uniforms"][:1].copy()),
    )
    gold.add("student_int8_logits0", first[1][0])
    if student.cfg.copy:
        gold.add("student_int8_copy_gate0", first[2][0])
    meta = {k: v for k, v in index.items() if k != "tensors"}
    meta["student_int8"] = "student_int8.onnx's PyTorch mirror (quantize.fake_quant) on the student's golden inputs, greedy"
    gold.write(model_dir, meta)

    files = read_manifest(model_dir)["files"]
    stu = files["student"]
    model = onnx.load(dst)
    files["student_int8"] = {
        "path": "student_int8.onnx",
        "backend": "wasm",
        "meaning": f"the student for the WASM backend: {done} (models/export/quantize.py); same inputs, outputs and loop",
        "ops": sorted({(n.domain + "." if n.domain not in ("", "ai.onnx") else "") + n.op_type for n in model.graph.node}),
        "inputs": stu["inputs"],
        "outputs": [t for t in stu["outputs"] if t["name"] in ("tokens", "logits", "copy_gate")],
        "bytes": os.path.getsize(dst),
        "sha256": file_sha256(dst),
        "flops": count_flops(dst),
    }
    for name in ("golden.json", "golden.bin"):
        p = os.path.join(model_dir, name)
        files[name.replace(".", "_")].update(bytes=os.path.getsize(p), sha256=file_sha256(p))
    update_manifest(model_dir, files=files)
    return files["student_int8"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v3"))
    ap.add_argument("--runs", default=os.path.join(ROOT, "models", "runs"))
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    ap.add_argument("--windows", type=int, default=24, help="test windows of the dream comparison (0 skips it)")
    ap.add_argument("--horizons", default="1,4,16,32,64,128")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    src = os.path.join(a.model, "student.onnx")
    if not os.path.exists(src):
        ap.error(f"{src} does not exist: run python3 -m models.export.export first")
    try:
        horizons = sorted({int(h) for h in a.horizons.split(",")})
    except ValueError:
        ap.error(f"--horizons takes comma-separated integers, got {a.horizons!r}")
    if a.windows < 0 or not horizons or horizons[0] < 1:
        ap.error("--windows must be >= 0 and --horizons >= 1")
    entry = add_to_export(a.model, a.runs)
    print(f"[quantize] {entry['meaning']}", flush=True)
    if a.windows:
        t0 = time.time()
        torch.set_num_threads(os.cpu_count() or 1)
        r = {
            "what": "dream PSNR (dB) of the float and the int8 student (fake-quantized PyTorch, the graph's arithmetic) on "
            "the test split, greedy, true poses and actions",
            "windows": a.windows,
            "seed": a.seed,
            "dream": evaluate(a.model, a.runs, a.data, a.windows, horizons, a.seed),
        }
        r["seconds"] = round(time.time() - t0, 1)
        with open(os.path.join(a.model, "quant_eval.json"), "w") as f:
            json.dump(r, f, indent=2)


if __name__ == "__main__":
    main()
