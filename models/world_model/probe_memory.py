"""
Two measurements behind the memory student's design, rerunnable:
- the re-projection alone: the previous frame's tokens warped into the new camera (geometry.py,
  per-digit argmax of the warped one-hot digits, the plain copy where coverage < 0.5) against the
  plain copy, decoded and scored against the decoded true tokens, on validation steps;
- the level the model is told for its own frames (LEVEL_PRED) swept over a 32-step dream.

    python3 -m models.world_model.probe_memory --tokens data/tokens --data data \
        --student models/runs/memory_student/student.pt --out models/reports/memory-probe.json
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

import models.export.dream as dream
from models.common import psnr, tensor_to_frames
from models.data.dataset import load
from models.export.scoring import Windows, decode, pick_windows
from models.tokenizer.report import load_tokenizer
from models.world_model.geometry import warp_matrix
from models.world_model.layers import FsqDigits
from models.world_model.memory_data import MemorySplit
from models.world_model.train_memory_student import load_memory_student


@torch.no_grad()
def warped_copy(tok, split: MemorySplit, n: int, seed: int) -> dict:
    ts = np.random.default_rng(seed).choice(split.targets, n)
    d = FsqDigits(split.levels)
    prev = torch.from_numpy(split.tokens[ts - 1].astype(np.int64)).view(n, -1)
    tgt = torch.from_numpy(split.tokens[ts].astype(np.int64)).view(n, -1)
    w = warp_matrix(torch.from_numpy(split.poses[ts]).float(), torch.from_numpy(split.poses[ts - 1]).float(), tok.cfg.grid)
    soft = w @ d(prev)
    digits = torch.stack(
        [soft[..., sum(split.levels[:i]) : sum(split.levels[: i + 1])].argmax(-1) for i in range(len(split.levels))], -1
    )
    warped = torch.where(w.sum(-1) > 0.5, d.compose(digits), prev)
    g = tok.cfg.grid
    ref = tensor_to_frames(tok.decode(tgt.view(-1, g, g)))
    return {
        "steps": n,
        "copy_psnr": round(psnr(tensor_to_frames(tok.decode(prev.view(-1, g, g))), ref), 2),
        "warped_copy_psnr": round(psnr(tensor_to_frames(tok.decode(warped.view(-1, g, g))), ref), 2),
        "copy_token_acc": round((prev == tgt).float().mean().item(), 4),
        "warped_copy_token_acc": round((warped == tgt).float().mean().item(), 4),
    }


@torch.no_grad()
def level_sweep(tok, student, ds, windows: int, H: int, levels: list[float]) -> dict:
    w = Windows(ds, tok, pick_windows(ds, 1 + H, windows, 5), 1 + H)
    out, keep = {}, dream.LEVEL_PRED
    try:
        for lv in levels:
            dream.LEVEL_PRED = lv
            p = decode(tok, dream.rollout_memory(student, w.tokens[:, :1], w.poses, w.actions, H))
            out[str(lv)] = {f"h{h}": round(psnr(p[:, h - 1], w.frames[:, h]), 2) for h in (1, 4, 16, H)}
    finally:
        dream.LEVEL_PRED = keep
    out["copy"] = {f"h{h}": round(psnr(w.frames[:, 0], w.frames[:, h]), 2) for h in (1, 4, 16, H)}
    return {"windows": windows, "start_frames": 1, **out}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", default="data/tokens")
    ap.add_argument("--data", default="data")
    ap.add_argument("--tokenizer", default="models/checkpoints/tokenizer.pt")
    ap.add_argument("--student", default="models/checkpoints/memory_student.pt")
    ap.add_argument("--out", default="models/reports/memory-probe.json")
    ap.add_argument("--steps", type=int, default=128)
    ap.add_argument("--windows", type=int, default=12)
    a = ap.parse_args(argv)
    for f in (a.tokenizer, a.student, os.path.join(a.tokens, "meta.json")):
        if not os.path.exists(f):
            ap.error(f"{f} is missing")
    torch.set_num_threads(os.cpu_count() or 1)
    tok = load_tokenizer(a.tokenizer)
    result = {
        "what": __doc__.strip().splitlines()[0],
        "reprojection": warped_copy(tok, MemorySplit(a.tokens, "val"), a.steps, 0),
        "level_pred_sweep": level_sweep(
            tok, load_memory_student(a.student), load(os.path.join(a.data, "val")), a.windows, 32, [0.0, 0.15, 0.3, 0.45]
        ),
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
