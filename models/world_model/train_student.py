"""
Trains the one-pass student on prepared tokens. Ground truth only for now (the ablation baseline);
distillation from the teacher's logits is added with the teacher.

    python3 models/world_model/train_student.py --tokens data/tokens --out models/runs/student_gt
    python3 models/world_model/train_student.py ... --minutes 20      # wall-clock budget, resumable

<out>/log.jsonl records validation token accuracy (and copy-last-frame's, the baseline to beat)
against CPU-minutes; <out>/done.json marks a finished run; rerun the command to resume.
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
from models.world_model.student import Student, StudentConfig  # noqa: E402


@dataclass
class TrainConfig:
    tokens: str = "data/tokens"
    out: str = "models/runs/student_gt"
    model: StudentConfig = field(default_factory=StudentConfig)
    steps: int = 4000
    batch: int = 32
    lr: float = 1e-3
    warmup: int = 200
    weight_decay: float = 0.05
    eval_every: int = 250
    eval_windows: int = 512
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
    for k in ["d", "layers", "heads", "context", "conv_kernel"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d.model, k))
    a = ap.parse_args(argv)
    if a.d % a.heads:
        ap.error(f"--d {a.d} must be divisible by --heads {a.heads}")
    meta_path = os.path.join(a.tokens, "meta.json")
    if not os.path.exists(meta_path):
        ap.error(f"{a.tokens}: no meta.json; run models/world_model/prepare.py first")
    meta = json.load(open(meta_path))
    model = StudentConfig(vocab_size=meta["vocab_size"], grid=meta["grid"][0], context=a.context, d=a.d, layers=a.layers,
                          heads=a.heads, conv_kernel=a.conv_kernel)
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=model, **vals)


def evaluate(model: Student, split: TokenSplit, idx: np.ndarray, device) -> dict:
    correct = copy = total = 0
    nll = 0.0
    for i in range(0, len(idx), 64):
        ctx, act, target = split.batch(idx[i:i + 64], device)
        logits = model(ctx, act)
        nll += F.cross_entropy(logits.flatten(0, 1), target.flatten(), reduction="sum").item()
        correct += (logits.argmax(-1) == target).sum().item()
        copy += (ctx[:, -1].flatten(1) == target).sum().item()
        total += target.numel()
    return {"val_acc": round(correct / total, 4), "copy_last_acc": round(copy / total, 4), "val_nll": round(nll / total, 4)}


def no_decay(name: str, p: torch.Tensor) -> bool:
    return p.dim() < 2 or "pos" in name or "age" in name


def train(cfg: TrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    tr = TokenSplit(cfg.tokens, "train", cfg.model.context)
    va = TokenSplit(cfg.tokens, "val", cfg.model.context)
    val_idx = np.sort(np.random.default_rng(1).choice(len(va), min(cfg.eval_windows, len(va)), replace=False))
    model = Student(cfg.model).to(rt.device)
    params = list(model.named_parameters())
    opt = torch.optim.AdamW([{"params": [p for n, p in params if not no_decay(n, p)], "weight_decay": cfg.weight_decay},
                             {"params": [p for n, p in params if no_decay(n, p)], "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.98))
    print(f"student: {sum(p.numel() for _, p in params) / 1e6:.2f}M params, {len(tr)} training windows", flush=True)

    def loss_fn(net, rng):
        ctx, act, target = tr.batch(rng.integers(0, len(tr), cfg.batch), rt.device)
        return F.cross_entropy(net(ctx, act).flatten(0, 1), target.flatten())

    def final_fn(m, result):
        torch.save({"model": m.state_dict(), "config": asdict(cfg.model)}, os.path.join(cfg.out, "student.pt"))

    return trainer.run(cfg, rt, model, opt, "student", loss_fn, lambda m: evaluate(m, va, val_idx, rt.device), final_fn)


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
