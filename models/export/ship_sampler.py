"""
Ships a trained shared-noise sampler (noise_sampler.py) into an exported model folder without
re-exporting the rest: student.onnx (the decoder fused in) and student_int8.onnx again, now with
the sampler inside and the input shared_noise (export.export_student and quantize.add_to_export,
the code a full export runs), the golden tensors of its frames (student_coherent,
student_int8_coherent), and the manifest's student entries, sources and compute.

    python3 -m models.export.ship_sampler --model models/wm-courtyard-v3 --sampler models/checkpoints/noise_sampler.pt

Before anything is written it checks that the folder's student is this student: the graph with
shared_noise 0 must reproduce the folder's golden greedy and sampled rollouts token for token.
Greedy decoding and shared_noise 0 compute what the old graph did, so the student's evaluation
still holds; a full `models.export.export` with <runs>/noise_sampler/sampler.pt writes the same graphs.
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import torch

from models.export.export import example_inputs, export_student
from models.export.flops import count_flops
from models.export.graphs import MemoryStudentGraph
from models.export.manifest_content import LIMITATIONS, sampler_section
from models.export.quantize import add_to_export
from models.export.rollout import COHERENT, coherent_rollout, memory_rollout
from models.export.shipped import Golden, load_atlas, read_golden, read_manifest, update_manifest, with_training_record
from models.world_model.noise_sampler import load_noise_sampler
from models.world_model.prepare import file_sha256
from models.world_model.train_memory_student import load_memory_student

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v3"))
    ap.add_argument("--sampler", default=os.path.join(ROOT, "models", "checkpoints", "noise_sampler.pt"))
    ap.add_argument(
        "--student", default=os.path.join(ROOT, "models", "checkpoints", "student_v3.pt"), help="the folder's student"
    )
    a = ap.parse_args(argv)
    if read_manifest(a.model) is None:
        ap.error(f"{a.model}: no manifest.json; export the model first")
    for k in ("sampler", "student"):
        if not os.path.exists(getattr(a, k)):
            ap.error(f"--{k} {getattr(a, k)}: no such file")
    return a


def ship(a: argparse.Namespace) -> dict:
    out = a.model
    manifest = read_manifest(out)
    index, arrays = read_golden(out)
    student = load_memory_student(a.student)
    sampler = load_noise_sampler(a.sampler, student)
    if not sampler.cfg.noise:
        raise SystemExit(f"{a.sampler}: a sequence-level control (no noise input); only a shared-noise sampler ships")
    torch.set_num_threads(os.cpu_count() or 1)
    T = lambda k: torch.from_numpy(np.array(arrays[k]))  # noqa: E731
    start, poses, actions, uniforms = T("encoded")[:1], np.array(arrays["poses"]), T("actions"), T("student_uniforms")
    atlas = load_atlas(out)
    stu = MemoryStudentGraph(student, sampler)
    Lmax = max(student.cfg.levels)
    with torch.no_grad():
        for key, temp, k in (("student_greedy", 0.0, Lmax), ("student_sampled_t1_k4", 1.0, 4)):
            again = memory_rollout(stu, start, poses, actions, temp, k, uniforms, atlas, shared_noise=0.0)[0]
            if not torch.equal(again.to(torch.int32), T(key).to(torch.int32)):
                raise SystemExit(f"{a.student} is not {out}'s student: its {key} rollout differs from golden.bin's")
    H, W = manifest["frame"]["height"], manifest["frame"]["width"]
    entry = export_student(stu, example_inputs(start[0], torch.from_numpy(poses), actions, student.cfg.slots, True), out, H, W)
    p = os.path.join(out, entry["path"])
    entry.update(bytes=os.path.getsize(p), sha256=file_sha256(p), flops=count_flops(p))

    gold = Golden()
    for k, v in arrays.items():
        if "coherent" not in k:
            gold.add(k, np.array(v))
    with torch.no_grad():
        gold.add("student_coherent", coherent_rollout(stu, start, poses, actions, uniforms, atlas))
    meta = {k: v for k, v in index.items() if k != "tensors"}
    meta["student"] = {**meta["student"], "coherent": COHERENT}
    gold.write(out, meta)
    files = {**manifest["files"], "student": {**manifest["files"]["student"], **entry}}
    for name in ("golden.json", "golden.bin"):
        p = os.path.join(out, name)
        files[name.replace(".", "_")] = {**files[name.replace(".", "_")], "bytes": os.path.getsize(p), "sha256": file_sha256(p)}
    sources = {**manifest["sources"], "sampler": file_sha256(a.sampler)}
    compute = with_training_record(manifest["compute"], a.sampler)
    student_part = {**manifest["student"], **sampler_section(sampler)}
    update_manifest(out, files=files, sources=sources, compute=compute, student=student_part, limitations=LIMITATIONS)
    add_to_export(out, "", student, sampler)  # student_int8.onnx, its goldens and entry from the new student.onnx
    manifest = read_manifest(out)
    print(
        f"[ship_sampler] {out}: student.onnx {manifest['files']['student']['bytes'] / 1e6:.1f} MB, student_int8.onnx "
        f"{manifest['files']['student_int8']['bytes'] / 1e6:.1f} MB, {manifest['files']['student_int8']['flops'] / 1e9:.3f} GFLOP",
        flush=True,
    )
    return manifest


if __name__ == "__main__":
    ship(parse_args())
