"""
Trains the refiner (refine.py) on a frozen v3 student: MaskGIT's masked-token task on true frames.

    python3 -m models.world_model.train_refiner --tokens data/tokens --student models/checkpoints/student_v3.pt \
        --atlas models/runs/atlas --out models/runs/refiner --steps 600
    python3 -m models.world_model.train_refiner ... --minutes 20      # wall-clock budget, resumable

Each example is the student's (train_memory_student.training_batch: random histories, corrupted
slots, self-forcing, atlas slots), then a fraction cos(pi/2 u) of the frame's tokens (u ~ U(0, 1))
is hidden and the rest is given as decided; the loss is the cross-entropy of the refiner's
copy-mixed distribution on the hidden tokens. The trunk (and its copy gate) stays as shipped, so
the one-pass greedy frame does not change.

<out>/log.jsonl records, on fixed validation examples with half the tokens hidden, the refiner's
NLL and accuracy on the hidden tokens beside the trunk's own (what conditioning on decided tokens
buys); <out>/refiner.pt is the finished model; rerun the command to resume.
"""
from __future__ import annotations

import argparse
import json
import math
import os
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from models import trainer
from models.common import setup
from models.world_model.losses import adamw
from models.world_model.memory_data import MemorySplit, TrainingAtlas
from models.world_model.refine import Refiner, RefinerConfig, refined_logits, trunk_parts
from models.world_model.train_memory_student import load_memory_student, training_batch, validation_set


@dataclass
class TrainConfig:
    tokens: str = "data/tokens"
    student: str = "models/checkpoints/student_v3.pt"
    atlas: str = ""
    out: str = "models/runs/refiner"
    model: RefinerConfig = field(default_factory=RefinerConfig)
    steps: int = 600
    batch: int = 24
    lr: float = 6e-4
    warmup: int = 30
    weight_decay: float = 0.05
    eval_every: int = 100
    eval_windows: int = 128
    ckpt_every: int = 20
    minutes: float = 0.0
    seed: int = 0
    threads: int = 0
    # the student's example recipe (train_memory_student)
    max_level: float = 0.3
    self_forcing: float = 0.3
    short_history: float = 0.35
    atlas_p: float = 0.75


def parse_args(argv=None) -> TrainConfig:
    d = TrainConfig()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in ("tokens", "student", "atlas", "out"):
        ap.add_argument(f"--{k}", default=getattr(d, k))
    for k in ("steps", "batch", "warmup", "eval_every", "eval_windows", "ckpt_every", "seed", "threads"):
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in ("lr", "weight_decay", "minutes", "max_level", "self_forcing", "short_history", "atlas_p"):
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    ap.add_argument("--layers", type=int, default=d.model.layers, help="refiner blocks")
    ap.add_argument("--passes", type=int, default=d.model.passes, help="student runs per sampled frame (2..8)")
    a = ap.parse_args(argv)
    if not 2 <= a.passes <= 8 or a.layers < 1:
        ap.error("--passes must be in 2..8 and --layers >= 1")
    if not os.path.exists(a.student):
        ap.error(f"--student {a.student}: no such file")
    if not os.path.exists(os.path.join(a.tokens, "meta.json")):
        ap.error(f"{a.tokens}: no meta.json; run python3 -m models.world_model.prepare first")
    if a.atlas and not os.path.exists(os.path.join(a.atlas, "atlas.json")):
        ap.error(f"--atlas {a.atlas}: no atlas.json there; run python3 -m models.world_model.atlas first")
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=RefinerConfig(layers=a.layers, passes=a.passes), **vals)


def hide(rng: np.random.Generator, B: int, n: int, device, ratio: float | None = None) -> torch.Tensor:
    """decided [B, n] 0/1: per example a fraction cos(pi/2 u) hidden (MaskGIT's schedule), or `ratio`."""
    out = torch.zeros(B, n, device=device)
    for b in range(B):
        r = math.cos(math.pi / 2 * rng.random()) if ratio is None else ratio
        k = max(1, int(round(r * n)))
        out[b] = 1
        out[b, torch.as_tensor(rng.choice(n, k, replace=False), device=device)] = 0
    return out


def masked_nll(logp: torch.Tensor, digits: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
    """log-probs [B, n, D, L], true digits [B, n, D], hidden [B, n] -> mean NLL per hidden digit."""
    nll = -logp.log_softmax(-1).gather(-1, digits[..., None])[..., 0].sum(-1)  # [B, n]
    return (nll * hidden).sum() / (hidden.sum() * digits.shape[-1])


def train(cfg: TrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    student = load_memory_student(cfg.student).to(rt.device)
    for p in student.parameters():
        p.requires_grad_(False)
    tr = MemorySplit(cfg.tokens, "train", student.cfg.retrieval)
    va = MemorySplit(cfg.tokens, "val", student.cfg.retrieval)
    if cfg.atlas:
        tr.atlas = va.atlas = TrainingAtlas.load(cfg.atlas)
    refiner = Refiner(student, cfg.model).to(rt.device)
    params = list(refiner.named_parameters())
    opt = adamw(params, cfg.lr, cfg.weight_decay)
    print(f"refiner: {sum(p.numel() for _, p in params) / 1e6:.2f}M params on a frozen {cfg.student}", flush=True)
    n = student.cfg.grid**2

    def step_inputs(b, decided):
        with torch.no_grad():
            x, c, first, gate_logits, copy_ids = trunk_parts(student, *b.inputs())
        digits = student.digits.digits(b.target).to(x.dtype)
        return x, c, first, gate_logits, copy_ids, digits

    def loss_fn(net, rng):
        b = training_batch(tr, student, cfg, rng, rt.device)
        decided = hide(rng, b.target.shape[0], n, rt.device)
        x, c, _, gate_logits, copy_ids, digits = step_inputs(b, decided)
        logp = refined_logits(student, net, x, c, digits * decided[..., None], decided, gate_logits, copy_ids)
        return masked_nll(logp, digits.long(), 1 - decided)

    vts, vhs = validation_set(va, cfg.eval_windows)

    def eval_fn(m):
        rng = np.random.default_rng(2)
        tot = {"nll": 0.0, "trunk_nll": 0.0, "acc": 0.0, "trunk_acc": 0.0}
        for i in range(0, len(vts), 32):
            b = va.build(vts[i : i + 32], vhs[i : i + 32], rt.device, atlas=getattr(va, "atlas", None))
            decided = hide(rng, b.target.shape[0], n, rt.device, 0.5)
            x, c, first, gate_logits, copy_ids, digits = step_inputs(b, decided)
            logp = refined_logits(student, m, x, c, digits * decided[..., None], decided, gate_logits, copy_ids)
            hidden, dl = 1 - decided, digits.long()
            w = len(b.target) / len(vts)
            tot["nll"] += masked_nll(logp, dl, hidden).item() * w
            tot["trunk_nll"] += masked_nll(first, dl, hidden).item() * w
            for key, lp in (("acc", logp), ("trunk_acc", first)):
                right = (lp.argmax(-1) == dl).all(-1).float()
                tot[key] += ((right * hidden).sum() / hidden.sum()).item() * w
        return {f"val_hidden_{k}": round(v, 4) for k, v in tot.items()}

    def final_fn(m, result):
        torch.save(
            {"model": m.state_dict(), "config": asdict(cfg.model), "student": cfg.student, "kind": "refiner"},
            os.path.join(cfg.out, "refiner.pt"),
        )

    return trainer.run(cfg, rt, refiner, opt, "refiner", loss_fn, eval_fn, final_fn)


def load_refiner(path: str, student) -> Refiner:
    ck = torch.load(path, map_location="cpu")
    r = Refiner(student, RefinerConfig(**ck["config"]))
    r.load_state_dict(ck["model"])
    return r.eval()


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
