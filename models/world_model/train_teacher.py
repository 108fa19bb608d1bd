"""
Trains the autoregressive teacher on prepared tokens, every frame of a window teacher-forced in
one pass (each window of F frames teaches F-1 next-frame predictions).

    python3 models/world_model/train_teacher.py --tokens data/tokens --out models/runs/teacher
    python3 models/world_model/train_teacher.py ... --minutes 30    # wall-clock budget, resumable

<out>/log.jsonl records validation token accuracy on the last frame of each window (and
copy-last-frame's) against CPU-minutes; rerun the command to resume.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from models import trainer  # noqa: E402
from models.common import setup  # noqa: E402
from models.world_model.data import TokenSplit  # noqa: E402
from models.world_model.teacher import Teacher, TeacherConfig  # noqa: E402
from models.world_model.train_student import no_decay  # noqa: E402


@dataclass
class TrainConfig:
    tokens: str = "data/tokens"
    out: str = "models/runs/teacher"
    model: TeacherConfig = field(default_factory=TeacherConfig)
    steps: int = 3000
    batch: int = 8
    lr: float = 1e-3
    warmup: int = 200
    weight_decay: float = 0.05
    eval_every: int = 250
    eval_windows: int = 128
    ckpt_every: int = 250
    minutes: float = 0.0
    seed: int = 0
    threads: int = 0


def parse_args(argv=None) -> TrainConfig:
    d = TrainConfig()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", default=d.tokens)
    ap.add_argument("--out", default=d.out)
    for k in ["steps", "batch", "warmup", "eval_every", "eval_windows", "ckpt_every", "seed", "threads"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in ["lr", "weight_decay", "minutes"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    for k in ["d", "layers", "heads", "frames", "conv_kernel"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d.model, k))
    a = ap.parse_args(argv)
    if a.d % a.heads:
        ap.error(f"--d {a.d} must be divisible by --heads {a.heads}")
    if a.frames < 5:
        ap.error("--frames must be >= 5: at least 4 context frames before the predicted one")
    meta_path = os.path.join(a.tokens, "meta.json")
    if not os.path.exists(meta_path):
        ap.error(f"{a.tokens}: no meta.json; run models/world_model/prepare.py first")
    meta = json.load(open(meta_path))
    model = TeacherConfig(levels=meta["levels"], grid=meta["grid"][0], frames=a.frames, d=a.d, layers=a.layers,
                          heads=a.heads, conv_kernel=a.conv_kernel)
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=model, **vals)


def teacher_batch(split: TokenSplit, idx: np.ndarray, device):
    """-> tokens [B, F, g, g] (context + target) and actions [B, F, 5] leading into each frame (first zero)."""
    ctx, act, target = split.batch(idx, device)
    B, K = ctx.shape[:2]
    tokens = torch.cat([ctx, target.view(B, 1, *ctx.shape[2:])], 1)
    actions = torch.cat([act.new_zeros(B, 1, act.shape[-1]), act], 1)
    return tokens, actions


def evaluate(model: Teacher, split: TokenSplit, idx: np.ndarray, device) -> dict:
    correct = copy = total = 0
    for i in range(0, len(idx), 16):
        tokens, actions = teacher_batch(split, idx[i:i + 16], device)
        pred = model(tokens, actions, first=tokens.shape[1] - 1)[:, -1].argmax(-1)  # teacher-forced within the last frame
        target = tokens[:, -1].flatten(1)
        correct += (pred == target).sum().item()
        copy += (tokens[:, -2].flatten(1) == target).sum().item()
        total += target.numel()
    return {"val_acc_forced": round(correct / total, 4), "copy_last_acc": round(copy / total, 4)}


def train(cfg: TrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    K = cfg.model.frames - 1
    tr, va = TokenSplit(cfg.tokens, "train", K), TokenSplit(cfg.tokens, "val", K)
    val_idx = np.sort(np.random.default_rng(1).choice(len(va), min(cfg.eval_windows, len(va)), replace=False))
    model = Teacher(cfg.model).to(rt.device)
    params = list(model.named_parameters())
    opt = torch.optim.AdamW([{"params": [p for n, p in params if not no_decay(n, p)], "weight_decay": cfg.weight_decay},
                             {"params": [p for n, p in params if no_decay(n, p)], "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.98))
    print(f"teacher: {sum(p.numel() for _, p in params) / 1e6:.2f}M params, sequence {cfg.model.seq_len}, "
          f"{len(tr)} training windows", flush=True)

    def loss_fn(net, rng):
        tokens, actions = teacher_batch(tr, rng.integers(0, len(tr), cfg.batch), rt.device)
        logits = net(tokens, actions, first=1)  # the first frame has no previous frame to go on
        return F.cross_entropy(logits.flatten(0, 2), tokens[:, 1:].flatten())

    def final_fn(m, result):
        torch.save({"model": m.state_dict(), "config": asdict(cfg.model)}, os.path.join(cfg.out, "teacher.pt"))

    return trainer.run(cfg, rt, model, opt, "teacher", loss_fn, lambda m: evaluate(m, va, val_idx, rt.device), final_fn)


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
