"""
Trains the one-pass student on prepared tokens, on ground truth alone (the ablation) or distilled
from the teacher (the shipped student).

    python3 models/world_model/train_student.py --tokens data/tokens --out models/runs/student_gt
    python3 models/world_model/train_student.py --tokens data/tokens --out models/runs/student \
        --kd models/runs/kd_targets --kd-weight 1.0                  # logit distillation
    python3 models/world_model/train_student.py ... --minutes 20      # wall-clock budget, resumable

Distillation: half of every batch comes from the windows in --kd (models/world_model/kd_targets.py:
the teacher's per-digit marginals on teacher-forced contexts) and adds kd_weight x their soft
cross-entropy; the other half are random training windows, so both students see the same data
diversity and the ground-truth loss on every sample. The head is factorized per FSQ digit, so the
student matches the teacher's per-digit marginals, which is the closest a factorized distribution
gets to the teacher's joint one in KL.

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
from models.common import psnr, setup, tensor_to_frames  # noqa: E402
from models.world_model.data import TokenSplit  # noqa: E402
from models.world_model.kd_targets import KdTargets  # noqa: E402
from models.world_model.student import Student, StudentConfig  # noqa: E402


@dataclass
class TrainConfig:
    tokens: str = "data/tokens"
    out: str = "models/runs/student_gt"
    model: StudentConfig = field(default_factory=StudentConfig)
    kd: str = ""              # a kd_targets.py folder; empty = ground truth only
    tokenizer: str = ""       # tokenizer.pt: adds decoded PSNR to the validation log
    kd_weight: float = 1.0
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
    ap.add_argument("--kd", default=d.kd, help="folder of teacher targets (kd_targets.py); omit for ground truth only")
    ap.add_argument("--tokenizer", default=d.tokenizer, help="tokenizer.pt, to log decoded PSNR during validation")
    for k in ["steps", "batch", "warmup", "eval_every", "eval_windows", "ckpt_every", "seed", "threads"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in ["lr", "weight_decay", "minutes", "kd_weight"]:
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
    model = StudentConfig(levels=meta["levels"], grid=meta["grid"][0], context=a.context, d=a.d, layers=a.layers,
                          heads=a.heads, conv_kernel=a.conv_kernel)
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=model, **vals)


def digit_nll(logits: torch.Tensor, digits: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """logits [B, n, D, L], digits int [B, n, D] -> cross-entropy per digit."""
    return F.cross_entropy(logits.flatten(0, 2), digits.flatten(), reduction=reduction)


def soft_nll(logits: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against soft per-digit targets probs [B, n, D, L] (KL up to a constant)."""
    return -(probs * logits.log_softmax(-1)).sum(-1).mean()


def evaluate(model: Student, split: TokenSplit, idx: np.ndarray, device, tokenizer=None, psnr_windows: int = 128) -> dict:
    """Token accuracy and NLL; with a tokenizer also the decoded prediction's PSNR against the
    decoded ground-truth tokens (so the dB-vs-CPU-minutes curve exists during training)."""
    correct = copy = total = 0
    nll, db, copy_db = 0.0, [], []
    for i in range(0, len(idx), 64):
        ctx, act, target = split.batch(idx[i:i + 64], device)
        logits = model(ctx, act)
        nll += digit_nll(logits, model.digits.digits(target), "sum").item()
        pred = model.digits.compose(logits.argmax(-1))
        correct += (pred == target).sum().item()
        copy += (ctx[:, -1].flatten(1) == target).sum().item()
        total += target.numel()
        if tokenizer is not None and i < psnr_windows:
            g = model.cfg.grid
            ref = tensor_to_frames(tokenizer.decode(target.view(-1, g, g).cpu()))
            db.append(psnr(tensor_to_frames(tokenizer.decode(pred.view(-1, g, g).cpu())), ref))
            copy_db.append(psnr(tensor_to_frames(tokenizer.decode(ctx[:, -1].cpu())), ref))
    out = {"val_acc": round(correct / total, 4), "copy_last_acc": round(copy / total, 4), "val_nll": round(nll / total, 4)}
    if db:
        out.update(val_psnr_vs_tok=round(float(np.mean(db)), 2), copy_psnr_vs_tok=round(float(np.mean(copy_db)), 2))
    return out


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

    if cfg.kd and not os.path.exists(os.path.join(cfg.kd, "meta.json")):
        raise FileNotFoundError(f"--kd {cfg.kd}: no meta.json; run models/world_model/kd_targets.py first")
    kd = KdTargets(cfg.kd, tr) if cfg.kd else None
    if kd:
        print(f"student: distilling from {cfg.kd} ({len(kd)} windows with teacher targets)", flush=True)

    def loss_fn(net, rng):
        if not kd:
            ctx, act, target = tr.batch(rng.integers(0, len(tr), cfg.batch), rt.device)
            return digit_nll(net(ctx, act), model.digits.digits(target))
        h = cfg.batch // 2
        rows = rng.integers(0, len(kd), h)
        idx = np.concatenate([kd.window[rows], rng.integers(0, len(tr), cfg.batch - h)])
        ctx, act, target = tr.batch(idx, rt.device)
        logits = net(ctx, act)
        soft = kd.probs(rows, rt.device)
        return digit_nll(logits, model.digits.digits(target)) + cfg.kd_weight * soft_nll(logits[:h], soft)

    def final_fn(m, result):
        torch.save({"model": m.state_dict(), "config": asdict(cfg.model)}, os.path.join(cfg.out, "student.pt"))

    tok = None
    if cfg.tokenizer:
        from models.tokenizer.report import load_tokenizer  # noqa: E402 (only when asked for)
        tok = load_tokenizer(cfg.tokenizer)
    return trainer.run(cfg, rt, model, opt, "student", loss_fn, lambda m: evaluate(m, va, val_idx, rt.device, tok), final_fn)


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
