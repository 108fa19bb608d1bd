"""
Exports the tokenizer, the teacher and the student to ONNX with a manifest.json that describes every
file, tensor and convention, plus golden tensors for parity tests (PyTorch outputs on real frames).

    python3 -m models.export.export --runs models/runs --data data --out models/wm-courtyard-v3

Every graph is opset 17 with int32 token ids and fixed shapes, and is refused unless each of its ops
has a kernel in onnxruntime-web's WebGPU execution provider (webgpu_ops.json).
The manifest's words beyond the graphs' entries (conventions, loops, limitations, the atlas
entry) are manifest_content.py's; shipped.py writes the file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from models.data.dataset import load
from models.export.flops import count_flops
from models.export.fuse import fuse
from models.export.graphs import (
    DecoderGraph,
    EncoderGraph,
    MemoryStudentGraph,
    MemoryTeacherPrevGraph,
    MemoryTeacherStepGraph,
    StudentInputs,
)
from models.export.manifest_content import atlas_entry, build_manifest, sampler_section
from models.export.quantize import add_to_export
from models.export.rollout import (
    COHERENT,
    coherent_rollout,
    first_step_outputs,
    memory_rollout,
    teacher_first_logits,
    teacher_rollout,
)
from models.export.scoring import TEACHER
from models.export.shipped import (
    ATLAS_RUN,
    DECODER,
    SAMPLER_RUN,
    STUDENT_RUN,
    TEACHER_RUN,
    Golden,
    read_manifest,
    shipped_tokenizer,
    tensor,
    update_manifest,
)
from models.world_model import atlas as atlas_file
from models.world_model.memory_teacher import MemoryTeacher, load_memory_teacher
from models.world_model.noise_sampler import load_noise_sampler
from models.world_model.prepare import file_sha256 as sha256
from models.world_model.train_memory_student import load_memory_student

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))


def check_webgpu_ops(model: onnx.ModelProto, name: str) -> list[str]:
    """The ops of a graph; raises if one has no WebGPU kernel (it would silently run on the CPU)."""
    table = json.load(open(os.path.join(HERE, "webgpu_ops.json")))["ops"]
    ops = sorted({n.op_type for n in model.graph.node if n.domain in ("", "ai.onnx")})
    other = sorted({f"{n.domain}:{n.op_type}" for n in model.graph.node if n.domain not in ("", "ai.onnx")})
    missing = [o for o in ops if o not in table and o != "Constant"] + other  # Constant nodes become initializers
    if missing:
        raise ValueError(f"{name}: ops without a WebGPU kernel in onnxruntime-web: {missing}")
    return ops


def export_graph(
    module: torch.nn.Module, args: tuple, path: str, inputs: list[str], outputs: list[str], dynamic: dict | None = None
) -> list[str]:
    module.eval()
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            path,
            opset_version=OPSET,
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=dynamic or {},
            do_constant_folding=True,
        )
    model = onnx.load(path)
    if fold_constant_of_shape(model):
        onnx.save(model, path)
    onnx.checker.check_model(model)
    return check_webgpu_ops(model, os.path.basename(path))


def fold_constant_of_shape(model: onnx.ModelProto) -> int:
    """torch 1.13 leaves ConstantOfShape nodes on constant shapes (broadcasts of scalars), an op
    WebGPU has no kernel for: replace each by the Constant it always produces."""
    consts = {
        n.output[0]: numpy_helper.to_array(n.attribute[0].t)
        for n in model.graph.node
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"
    }
    consts.update({i.name: numpy_helper.to_array(i) for i in model.graph.initializer})
    folded = 0
    for i, n in enumerate(model.graph.node):
        if n.op_type != "ConstantOfShape" or n.input[0] not in consts:
            continue
        value = numpy_helper.to_array(n.attribute[0].t) if n.attribute else np.zeros(1, np.float32)
        arr = np.full([int(v) for v in consts[n.input[0]]], value.reshape(-1)[0], dtype=value.dtype)
        model.graph.node[i].CopyFrom(
            helper.make_node("Constant", [], [n.output[0]], name=n.name, value=numpy_helper.from_array(arr))
        )
        folded += 1
    if folded:  # the shape constants those nodes read are now unused
        used = {i for n in model.graph.node for i in n.input}
        dead = [n for n in model.graph.node if n.op_type == "Constant" and n.output[0] not in used]
        for n in dead:
            model.graph.node.remove(n)
    return folded


def export_teacher(teacher: MemoryTeacher, ex_s: StudentInputs, out: str, vocab: int) -> tuple[dict, torch.Tensor]:
    """teacher_prev.onnx and teacher_step.onnx into `out` from the export's example inputs ex_s; -> their
    manifest file entries (without bytes, sha256, flops) and teacher_prev's features on ex_s."""
    tc = teacher.cfg.student
    n, M, kv_shape = teacher.cfg.n, tc.slots, teacher.kv_shape
    tprev, tstep = MemoryTeacherPrevGraph(teacher), MemoryTeacherStepGraph(teacher)
    tcopy = tc.copy
    prev_args = ex_s.model_args() if tc.source else ex_s.teacher_args()
    files = {}
    files["teacher_prev"] = {
        "path": "teacher_prev.onnx",
        "ops": export_graph(
            tprev,
            prev_args,
            os.path.join(out, "teacher_prev.onnx"),
            StudentInputs.teacher_names(tc.source),
            MemoryTeacherPrevGraph.output_names(tcopy),
        ),
        "inputs": StudentInputs.describe(tc)[: 6 + int(tc.source)],
        "outputs": [
            tensor("features", "float32", [1, n, tc.d], "the teacher's view of every grid position of the frame to predict"),
            *(
                [
                    tensor(
                        "copy_ids",
                        "float32",
                        [1, M, n],
                        "each slot's nearest re-projected token id (an exact integer) at every position",
                    ),
                    tensor(
                        "copyable", "float32", [1, M, n], "1 where the slot sees the position (its token can be copied), else 0"
                    ),
                ]
                if tcopy
                else []
            ),
        ],
    }
    with torch.no_grad():
        prev_out = tprev(*prev_args)
    feats = prev_out[0] if tcopy else prev_out
    ex_t = (feats[:, :1], torch.zeros(1, 1, dtype=torch.int32), torch.zeros(1, dtype=torch.int32), teacher.empty_cache(1, feats))
    if tcopy:
        ex_t += (prev_out[1][:, :, :1], prev_out[2][:, :, :1])
    files["teacher_step"] = {
        "path": "teacher_step.onnx",
        "ops": export_graph(
            tstep,
            ex_t,
            os.path.join(out, "teacher_step.onnx"),
            MemoryTeacherStepGraph.input_names(tcopy),
            ["logits", "present_kv"],
        ),
        "inputs": [
            tensor("feature", "float32", [1, 1, tc.d], "row `position` of teacher_prev's features"),
            tensor("prev_token", "int32", [1, 1], "the token decoded at position - 1 (any value at position 0)"),
            tensor("position", "int32", [1], f"the raster position being decoded, 0..{n - 1}"),
            tensor("past_kv", "float32", kv_shape, "keys/values of the positions decoded so far (zeros at the start of a frame)"),
            *(
                [
                    tensor("copy_ids", "float32", [1, M, 1], "column `position` of teacher_prev's copy_ids"),
                    tensor("copyable", "float32", [1, M, 1], "column `position` of teacher_prev's copyable"),
                ]
                if tcopy
                else []
            ),
        ],
        "outputs": [
            tensor(
                "logits",
                "float32",
                [1, vocab],
                "log-probabilities of every token id at this position"
                + (" (of the copy mixture, digit by digit, as the student's)" if tcopy else ""),
            ),
            tensor("present_kv", "float32", kv_shape, "past_kv with this position written"),
        ],
    }
    return files, feats


def example_inputs(encoded: torch.Tensor, poses: torch.Tensor, actions: torch.Tensor, M: int, source: bool) -> StudentInputs:
    """The export's example inputs (also the golden features0's): the first test frame's tokens
    encoded[0] in every slot, poses[0..M-1], target poses[M], the action into it (no sampling inputs)."""
    g = encoded.shape[-1]
    return StudentInputs(
        encoded[None, :1].expand(1, M, g, g).contiguous(),
        poses[None, :M],
        torch.zeros(1, M),
        torch.ones(1, M),
        poses[None, M],
        actions[None, M - 1],
        torch.zeros(1, M) if source else None,
    )


def has_sampler(runs: str) -> bool:
    return os.path.exists(os.path.join(runs, SAMPLER_RUN, "sampler.pt"))


def export_student(stu: MemoryStudentGraph, ex: StudentInputs, out: str, H: int, W: int) -> dict:
    """student.onnx (the student graph, with its noise sampler where stu has one, the decoder fused
    in) from the example inputs ex (no sampling inputs yet) -> its manifest entry (less bytes,
    sha256 and flops)."""
    sc = stu.student.cfg
    g, M, n = sc.grid, sc.slots, sc.grid * sc.grid
    nd, Lmax = len(sc.levels), max(sc.levels)
    noise = None if stu.sampler is None else torch.tensor([1.0])
    ex_s = ex.sampling(torch.tensor([1.0]), torch.tensor([Lmax], dtype=torch.int32), torch.rand(1, n, nd, Lmax), noise)
    logits_meaning = (
        "per-digit log-probabilities of the copy mixture: the gate's share for generating x the network's digit "
        "distribution + each slot's share x its nearest re-projected token's digits"
        if sc.copy
        else "per-digit logits"
    )
    entry = {
        "path": "student.onnx",
        "ops": export_graph(
            stu, ex_s.as_tuple(), os.path.join(out, "student.onnx"), ex_s.names(), MemoryStudentGraph.output_names(sc.copy)
        ),
        "inputs": StudentInputs.describe(sc, stu.sampler is not None),
        "outputs": [
            tensor("tokens", "int32", [1, g, g], "the predicted frame's token ids"),
            tensor(
                "logits",
                "float32",
                [1, n, nd, Lmax],
                f"{logits_meaning} (digit i of token id = (id / prod(levels[:i])) mod levels[i])"
                + ("; the trunk's, also when the noise sampler draws the frame" if stu.sampler is not None else ""),
            ),
            *(
                [
                    tensor(
                        "copy_gate",
                        "float32",
                        [1, n, 1 + M],
                        "each token's copy gate: the share of generating, then of copying each slot's nearest "
                        "re-projected token (0 where the slot does not see the token)",
                    )
                ]
                if sc.copy
                else []
            ),
            tensor(
                "frame",
                "float32",
                [1, H, W, 3],
                "the predicted frame decoded (the decoder inside: models/export/fuse.py), RGB 0..255 NHWC",
            ),
            tensor(
                "frame_tokens",
                "float32",
                [1, H * W * 3 + n],
                "frame's floats then the token ids as floats: both in one tensor, one readback from a GPU",
            ),
        ],
    }
    # One run per frame where the student decodes too (WebGPU): the decoder joins its graph.
    sp = os.path.join(out, "student.onnx")
    fused = fuse(onnx.load(sp), onnx.load(os.path.join(out, "decoder.onnx")))
    entry["ops"] = check_webgpu_ops(fused, "student.onnx (with the decoder)")
    onnx.save(fused, sp)
    return entry


def teacher_golden(gold: Golden, tprev, tstep, feats, start, poses, actions, frames: int, atlas) -> list:
    """The teacher's golden tensors (what parity.ts and the engine's tests check the exported graphs
    against): teacher_prev's features on the export's example inputs, a greedy token-by-token rollout
    of `frames` frames from `start` (retrieving from the atlas too) and its first step's log-probs;
    -> the rollout's slots."""
    tgreedy, _, tslots = teacher_rollout(tprev, tstep, start, poses, actions, frames, atlas)
    gold.add("teacher_features0", feats[0])
    gold.add("teacher_greedy", tgreedy)
    gold.add("teacher_logits0", teacher_first_logits(tprev, tstep, start, poses, actions))
    return tslots


def export(runs: str, data: str, out: str, model_id: str, golden_frames: int = 3, teacher_frames: int = 2) -> dict:
    t0 = time.time()
    os.makedirs(out, exist_ok=True)
    sources = {
        k: sha256(os.path.join(runs, d, f"{f}.pt"))
        for k, d, f in (
            ("tokenizer", "tokenizer", "tokenizer"),
            ("student", STUDENT_RUN, "student"),
            ("teacher", TEACHER_RUN, "teacher"),
        )
    }
    sources["decoder"] = sha256(os.path.join(runs, DECODER))
    if os.path.exists(os.path.join(runs, ATLAS_RUN, "atlas.bin")):
        sources["atlas"] = sha256(os.path.join(runs, ATLAS_RUN, "atlas.bin"))
    if has_sampler(runs):
        sources["sampler"] = sha256(os.path.join(runs, SAMPLER_RUN, "sampler.pt"))
    # The export code is a source too: a new output must re-export unchanged weights.
    here = os.path.dirname(os.path.abspath(__file__))
    graph_code = [os.path.join(here, f) for f in ("graphs.py", "export.py", "manifest_content.py", "flops.py", "rollout.py")] + [
        os.path.join(here, "..", "world_model", f)
        for f in (
            "geometry.py",
            "layers.py",
            "memory.py",
            "memory_student.py",
            "memory_teacher.py",
            "atlas.py",
            "noise_sampler.py",
            "refine.py",
        )
    ]
    code = hashlib.sha256(b"".join(open(f, "rb").read() for f in graph_code))
    sources["export_code"] = code.hexdigest()
    old = read_manifest(out)
    if old:
        if old.get("sources") == sources and all(
            os.path.exists(os.path.join(out, f["path"])) and sha256(os.path.join(out, f["path"])) == f["sha256"]
            for f in old["files"].values()
        ):
            print(f"[export] {out} is up to date with the checkpoints; delete its manifest.json to export again", flush=True)
            return old
    tok = shipped_tokenizer(runs)
    student = load_memory_student(os.path.join(runs, STUDENT_RUN, "student.pt"))
    teacher = load_memory_teacher(os.path.join(runs, TEACHER_RUN, "teacher.pt"))
    sc, tc = student.cfg, teacher.cfg.student
    if (
        sc.levels != tok.cfg.levels
        or tc.levels != tok.cfg.levels
        or sc.grid != tok.cfg.grid
        or tc.grid != sc.grid
        or tc.slots != sc.slots
    ):
        raise ValueError(
            f"tokenizer levels/grid {tok.cfg.levels}/{tok.cfg.grid} disagree with the student's "
            f"{sc.levels}/{sc.grid}/{sc.slots} slots or the teacher's {tc.levels}/{tc.grid}/{tc.slots}"
        )
    H = W = tok.cfg.res
    g, M, n = sc.grid, sc.slots, sc.grid * sc.grid
    nd, Lmax = len(sc.levels), max(sc.levels)
    enc, dec, stu = EncoderGraph(tok), DecoderGraph(tok), MemoryStudentGraph(student)
    tprev, tstep = MemoryTeacherPrevGraph(teacher), MemoryTeacherStepGraph(teacher)

    # Real frames for the example inputs and the golden tensors: the start of the first test episode.
    ds = load(os.path.join(data, "test"))
    steps = max(M + 1, 1 + max(golden_frames, teacher_frames))  # the example inputs use poses[0..M]
    frames = np.stack([np.asarray(ds.frame(i)) for i in range(steps)])
    actions = torch.from_numpy(ds.normalized_actions()[:steps].astype(np.float32)).unsqueeze(0)
    poses = np.asarray(ds.poses[:steps], np.float32)
    pix = torch.from_numpy(frames.astype(np.float32))
    with torch.no_grad():
        ctx_all = torch.cat([enc(pix[i : i + 1]) for i in range(steps)]).unsqueeze(0)  # [1, steps, g, g]

    files = {}
    print("[export] encoder, decoder", flush=True)
    files["encoder"] = {
        "path": "encoder.onnx",
        "ops": export_graph(enc, (pix[:1],), os.path.join(out, "encoder.onnx"), ["frame"], ["tokens"]),
        "inputs": [tensor("frame", "float32", [1, H, W, 3], "RGB pixels 0..255, top row first (NHWC)")],
        "outputs": [tensor("tokens", "int32", [1, g, g], "token ids in raster order")],
    }
    files["decoder"] = {
        "path": "decoder.onnx",
        "ops": export_graph(dec, (ctx_all[:, 0],), os.path.join(out, "decoder.onnx"), ["tokens"], ["frame"]),
        "inputs": [tensor("tokens", "int32", [1, g, g], "token ids")],
        "outputs": [tensor("frame", "float32", [1, H, W, 3], "RGB 0..255 (round and clamp for display), NHWC")],
    }
    print("[export] student", flush=True)
    T = torch.from_numpy
    sampler = load_noise_sampler(os.path.join(runs, SAMPLER_RUN, "sampler.pt"), student) if has_sampler(runs) else None
    stu = MemoryStudentGraph(student, sampler)
    # Example inputs: the first test frame in every slot, the next M poses, the pose after them.
    ex_s = example_inputs(ctx_all[0], T(poses), actions[0], M, sc.source)
    files["student"] = export_student(stu, ex_s, out, H, W)
    print("[export] teacher", flush=True)
    tfiles, feats = export_teacher(teacher, ex_s, out, sc.vocab_size)
    files.update(tfiles)
    for f in files.values():
        p = os.path.join(out, f["path"])
        f["bytes"], f["sha256"] = os.path.getsize(p), sha256(p)
        f["flops"] = count_flops(p)

    world_seed = json.load(open(os.path.join(data, "train", "meta.json")))["settings"]["world_seed"]
    atlas_spec = (
        atlas_entry(runs, out, world_seed) if sc.source and os.path.exists(os.path.join(runs, ATLAS_RUN, "atlas.json")) else None
    )
    atlas = None
    if atlas_spec:
        at, ap = atlas_file.read(os.path.join(out, atlas_spec["path"]), atlas_spec["frames"], n)
        atlas = (at.reshape(-1, g, g), ap, atlas_file.AtlasIndex(ap))
    print("[export] golden tensors", flush=True)
    gold = Golden()
    gen = torch.Generator().manual_seed(0)
    uniforms = torch.rand(golden_frames, n, nd, Lmax, generator=gen)
    with torch.no_grad():
        gold.add("frames", frames[:steps])
        gold.add("actions", actions[0])
        gold.add("encoded", ctx_all[0])
        start = ctx_all[0, :1]
        greedy, _, slots = memory_rollout(stu, start, poses, actions[0], 0.0, Lmax, uniforms, atlas)
        sampled, _, _ = memory_rollout(stu, start, poses, actions[0], 1.0, 4, uniforms, atlas)
        gold.add("poses", poses)
        gold.add("student_uniforms", uniforms)
        gold.add("student_greedy", greedy)
        first = first_step_outputs(stu, start, poses, actions[0], Lmax, uniforms[:1])
        gold.add("student_logits0", first[1][0])
        if sc.copy:
            gold.add("student_copy_gate0", first[2][0])
        gold.add("student_sampled_t1_k4", sampled)
        if sampler is not None:
            gold.add("student_coherent", coherent_rollout(stu, start, poses, actions[0], uniforms, atlas))
        gold.add("decoded0", dec(greedy[:1])[0])
        tslots = teacher_golden(gold, tprev, tstep, feats, start, poses, actions[0], teacher_frames, atlas)
    gold.write(
        out,
        {
            "what": "PyTorch outputs of the exported graphs on the first test-episode frames, for parity tests",
            "student": {
                "start": 1,
                "rollout": "memory = [encoded[0] at pose poses[0], level 0]; step i predicts frame i+1 at "
                "poses[i+1] with action actions[i], slots by student.memory's rule, and remembers it at level_pred; "
                "greedy = temperature 0, top_k max",
                "slots": slots,
                "sampled": "temperature 1, top_k 4, uniform = student_uniforms[i]",
                **({"coherent": COHERENT} if sampler is not None else {}),
            },
            "teacher": {
                "start": 1,
                "rollout": "as the student's, greedy, token by token",
                "slots": tslots,
                "features0": "teacher_prev on the export's example inputs (encoded[0] in every slot, poses[0..M-1], target poses[M])",
            },
        },
    )
    for name in ("golden.json", "golden.bin"):
        p = os.path.join(out, name)
        files[name.replace(".", "_")] = {
            "path": name,
            "bytes": os.path.getsize(p),
            "sha256": sha256(p),
            "meaning": "parity-test data (not needed to run the model)",
        }

    manifest = build_manifest(model_id, files, tok, student, teacher, runs, data, opset=OPSET)
    if sampler is not None:
        manifest["student"].update(sampler_section(sampler))
    if atlas_spec:
        manifest["atlas"] = atlas_spec
    manifest["sources"] = sources
    weights = ("tokenizer", "decoder", "student")
    if old and all(old.get("sources", {}).get(k) == sources[k] for k in weights):
        # The same student, so its evaluation still holds: keep it rather than silently drop it; a
        # new teacher loses its own figures (models/export/eval_rows.py measures them again).
        manifest["metrics"] = old.get("metrics", {})
        if old.get("sources", {}).get("teacher") != sources["teacher"]:
            manifest["metrics"] = without_teacher(manifest["metrics"])
        if "eval_wall_minutes" in old.get("compute", {}):
            manifest["compute"]["eval_wall_minutes"] = old["compute"]["eval_wall_minutes"]
    update_manifest(out, fresh=True, **manifest)
    print("[export] the int8 student for WASM", flush=True)
    add_to_export(out, runs, student, sampler)
    manifest = read_manifest(out)
    print(
        f"[export] {out}: {sum(f['bytes'] for f in manifest['files'].values()) / 1e6:.1f} MB in {time.time() - t0:.0f} s",
        flush=True,
    )
    return manifest


def without_teacher(metrics: dict) -> dict:
    """The manifest's metrics less what was measured of the teacher (its dream rows, its target, its ms)."""
    m = json.loads(json.dumps(metrics))
    for d in m.get("dream_psnr", {}).values():
        d.pop(TEACHER, None)
    m.get("targets", {}).pop("teacher better than the student at every horizon", None)
    m.get("ms_per_frame_onnxruntime_node", {}).pop("teacher", None)
    return m


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default=os.path.join(ROOT, "models", "runs"))
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "wm-courtyard-v3"))
    ap.add_argument("--id", default="wm-courtyard-v3")
    a = ap.parse_args(argv)
    for need in ("tokenizer/tokenizer.pt", DECODER, f"{STUDENT_RUN}/student.pt", f"{TEACHER_RUN}/teacher.pt"):
        if not os.path.exists(os.path.join(a.runs, need)):
            ap.error(f"{os.path.join(a.runs, need)} is missing; run the earlier pipeline stages first")
    torch.set_num_threads(os.cpu_count() or 1)
    export(a.runs, a.data, a.out, a.id)


if __name__ == "__main__":
    main()
