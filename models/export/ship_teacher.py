"""
Ships a newly trained teacher into an exported model folder without re-exporting the rest:
teacher_prev.onnx and teacher_step.onnx from its weights (export.export_teacher, the code a full
export runs), its golden tensors on the folder's own golden inputs (export.teacher_golden), and the
manifest's teacher part, file entries, sources, limitations and compute. Every other file stays
byte for byte, so the student's evaluation still holds; the old teacher's figures are dropped from
the metrics (models/export/eval_rows.py measures the new one).

    python3 -m models.export.ship_teacher --model models/wm-courtyard-v3 --teacher models/checkpoints/teacher_v3.pt

A full `models.export.export` writes the same teacher graphs; this spares re-exporting a student
whose evaluation (~50 CPU-minutes) would then have to be run again.
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import torch

from models.export.export import example_inputs, export_teacher, teacher_golden, without_teacher
from models.export.flops import count_flops
from models.export.graphs import MemoryTeacherPrevGraph, MemoryTeacherStepGraph
from models.export.manifest_content import LIMITATIONS, teacher_section
from models.export.shipped import Golden, read_golden, read_manifest, update_manifest, with_training_record
from models.world_model import atlas as atlas_file
from models.world_model.memory_teacher import load_memory_teacher
from models.world_model.prepare import file_sha256

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEACHER_GOLDEN = ("teacher_features0", "teacher_greedy", "teacher_logits0")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v3"))
    ap.add_argument("--teacher", default=os.path.join(ROOT, "models", "checkpoints", "teacher_v3.pt"))
    a = ap.parse_args(argv)
    if read_manifest(a.model) is None:
        ap.error(f"{a.model}: no manifest.json; export the model first")
    if not os.path.exists(a.teacher):
        ap.error(f"--teacher {a.teacher}: no such file")
    return a


def ship(a: argparse.Namespace) -> dict:
    out = a.model
    manifest = read_manifest(out)
    index, arrays = read_golden(out)
    teacher = load_memory_teacher(a.teacher)
    tc, tok = teacher.cfg.student, manifest["tokens"]
    M = manifest["student"]["slots"]
    if tc.levels != tok["fsq_levels"] or [tc.grid, tc.grid] != tok["grid"] or tc.slots != M:
        raise SystemExit(f"{a.teacher}: levels {tc.levels}, grid {tc.grid}, {tc.slots} slots do not fit {out}'s model")
    torch.set_num_threads(os.cpu_count() or 1)
    ex = example_inputs(*(torch.from_numpy(np.array(arrays[k])) for k in ("encoded", "poses", "actions")), M, tc.source)
    files, feats = export_teacher(teacher, ex, out, tok["vocab_size"])
    for f in files.values():
        p = os.path.join(out, f["path"])
        f["bytes"], f["sha256"], f["flops"] = os.path.getsize(p), file_sha256(p), count_flops(p)

    gold = Golden()
    for k, v in arrays.items():
        if k not in TEACHER_GOLDEN:
            gold.add(k, np.array(v))
    n = tc.grid * tc.grid
    spec = manifest.get("atlas")
    atlas = None
    if spec:
        at, ap = atlas_file.read(os.path.join(out, spec["path"]), spec["frames"], n)
        atlas = (at.reshape(-1, tc.grid, tc.grid), ap, atlas_file.AtlasIndex(ap))
    with torch.no_grad():
        slots = teacher_golden(
            gold,
            MemoryTeacherPrevGraph(teacher),
            MemoryTeacherStepGraph(teacher),
            feats,
            torch.from_numpy(np.array(arrays["encoded"][:1])),
            np.array(arrays["poses"]),
            torch.from_numpy(np.array(arrays["actions"])),
            len(arrays["teacher_greedy"]),
            atlas,
        )
    meta = {k: v for k, v in index.items() if k != "tensors"}
    meta["teacher"] = {**meta["teacher"], "slots": slots}
    gold.write(out, meta)

    entries = dict(manifest["files"])
    entries.update({k: {**entries[k], **v} for k, v in files.items()})
    for name in ("golden.json", "golden.bin"):
        p = os.path.join(out, name)
        key = name.replace(".", "_")
        entries[key] = {**entries[key], "bytes": os.path.getsize(p), "sha256": file_sha256(p)}
    sources = {**manifest["sources"], "teacher": file_sha256(a.teacher)}
    same = manifest["sources"].get("teacher") == sources["teacher"]
    compute = with_training_record(manifest["compute"], a.teacher)
    manifest = update_manifest(
        out,
        files=entries,
        teacher=teacher_section(teacher),
        limitations=LIMITATIONS,
        sources=sources,
        compute=compute,
        # the same weights keep their measured figures (a rerun changes nothing); another teacher's are dropped
        metrics=manifest.get("metrics", {}) if same else without_teacher(manifest.get("metrics", {})),
    )
    print(
        f"[ship_teacher] {out}: teacher_prev {entries['teacher_prev']['bytes'] / 1e6:.1f} MB, teacher_step "
        f"{entries['teacher_step']['bytes'] / 1e6:.1f} MB, copy path {tc.copy}, mem_source {tc.source}",
        flush=True,
    )
    return manifest


if __name__ == "__main__":
    ship(parse_args())
