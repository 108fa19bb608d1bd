"""
Trains the FSQ image tokenizer on a generated split and evaluates PSNR on another.

    python3 -m models.tokenizer.train --data data/train --val data/val --out models/runs/tokenizer
    python3 -m models.tokenizer.train ... --minutes 40           # stop after 40 wall-minutes (resumable)
    torchrun --nproc_per_node 4 -m models.tokenizer.train ...    # several GPUs (DDP)

Rerunning the same command resumes from <out>/ckpt.pt. <out>/log.jsonl records loss and
validation PSNR against CPU-minutes; <out>/done.json marks a finished run.
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from models import trainer
from models.common import frames_to_tensor, psnr, setup, tensor_to_frames
from models.data.dataset import load
from models.tokenizer.model import Tokenizer, TokenizerConfig


# ----------------------------------------------------------------------------- defaults
@dataclass
class TrainConfig:
    data: str = "data/train"
    val: str = "data/val"
    out: str = "models/runs/tokenizer"
    model: TokenizerConfig = field(default_factory=TokenizerConfig)
    steps: int = 2800
    batch: int = 24
    lr: float = 2e-3
    warmup: int = 200
    weight_decay: float = 0.0
    l1_weight: float = 0.2
    eval_every: int = 250
    eval_frames: int = 256
    ckpt_every: int = 250
    minutes: float = 0.0  # wall-clock budget for this invocation; 0 = none
    seed: int = 0
    threads: int = 0


def parse_args(argv=None) -> TrainConfig:
    d = TrainConfig()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in ["data", "val", "out"]:
        ap.add_argument(f"--{k}", default=getattr(d, k))
    for k in ["steps", "batch", "warmup", "eval_every", "eval_frames", "ckpt_every", "seed", "threads"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in ["lr", "weight_decay", "l1_weight", "minutes"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    ap.add_argument("--levels", default=",".join(map(str, d.model.levels)), help="FSQ levels, e.g. 8,8,8,8")
    ap.add_argument("--res", type=int, default=d.model.res, help="frame size of the data (a multiple of 8)")
    ap.add_argument("--width-hi", type=int, default=d.model.width_hi)
    ap.add_argument("--width-lo", type=int, default=d.model.width_lo)
    ap.add_argument("--blocks-hi", type=int, default=d.model.blocks_hi)
    ap.add_argument("--blocks-lo", type=int, default=d.model.blocks_lo)
    a = ap.parse_args(argv)
    try:
        levels = [int(v) for v in a.levels.split(",")]
    except ValueError:
        ap.error(f"--levels must be comma-separated integers, got '{a.levels}'")
    if a.steps < 1 or a.batch < 1 or a.lr <= 0:
        ap.error("--steps and --batch must be positive, --lr > 0")
    if a.res < 16 or a.res % 8:
        ap.error(f"--res must be a multiple of 8 and >= 16, got {a.res}")
    model = TokenizerConfig(
        res=a.res, levels=levels, width_hi=a.width_hi, width_lo=a.width_lo, blocks_hi=a.blocks_hi, blocks_lo=a.blocks_lo
    )
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=model, **vals)


# ----------------------------------------------------------------------------- evaluation
@torch.no_grad()
def evaluate(model: Tokenizer, frames: np.ndarray, device, batch: int = 64) -> float:
    recon = [
        tensor_to_frames(model.decode(model.encode(frames_to_tensor(frames[i : i + batch], device))))
        for i in range(0, len(frames), batch)
    ]
    return psnr(frames, np.concatenate(recon))


def fixed_frames(ds, n: int, seed: int) -> np.ndarray:
    idx = np.sort(np.random.default_rng(seed).choice(len(ds), size=min(n, len(ds)), replace=False))
    return np.stack([np.asarray(ds.frame(int(i))) for i in idx])


# ----------------------------------------------------------------------------- training
def train(cfg: TrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    ds = load(cfg.data)
    if ds.meta["resolution"][0] != cfg.model.res:
        raise ValueError(f"{cfg.data} is {ds.meta['resolution']}, the tokenizer is configured for {cfg.model.res}")
    val_frames = fixed_frames(load(cfg.val), cfg.eval_frames, seed=1)
    model = Tokenizer(cfg.model).to(rt.device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=cfg.weight_decay)
    print(
        f"tokenizer: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M params, vocab {model.vocab_size}, "
        f"grid {cfg.model.grid}x{cfg.model.grid}",
        flush=True,
    )

    def loss_fn(net, rng):
        idx = np.sort(rng.integers(0, len(ds), cfg.batch))
        x = frames_to_tensor(np.stack([np.asarray(ds.frame(int(i))) for i in idx]), rt.device)
        recon, _ = net(x)
        return F.mse_loss(recon, x) + cfg.l1_weight * F.l1_loss(recon, x)

    def final_fn(m, result):
        result["vocab_size"] = m.vocab_size
        torch.save({"model": m.state_dict(), "config": asdict(cfg.model)}, os.path.join(cfg.out, "tokenizer.pt"))

    return trainer.run(
        cfg, rt, model, opt, "tokenizer", loss_fn, lambda m: {"val_psnr": round(evaluate(m, val_frames, rt.device), 3)}, final_fn
    )


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:2000])
