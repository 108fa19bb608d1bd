"""
Trains the FSQ image tokenizer on a generated split and evaluates PSNR on another.

    python3 models/tokenizer/train.py --data data/train --val data/val --out models/runs/tokenizer
    python3 models/tokenizer/train.py ... --minutes 40           # stop after 40 wall-minutes (resumable)
    torchrun --nproc_per_node 4 models/tokenizer/train.py ...    # several GPUs (DDP)

Rerunning the same command resumes from <out>/ckpt.pt. <out>/log.jsonl records loss and
validation PSNR against CPU-minutes; <out>/done.json marks a finished run.
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
from models.common import (Clock, JsonlLog, cosine_lr, frames_to_tensor, load_checkpoint, psnr,  # noqa: E402
                           save_checkpoint, setup, tensor_to_frames)
from models.data.dataset import load  # noqa: E402
from models.tokenizer.model import Tokenizer, TokenizerConfig  # noqa: E402

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
    minutes: float = 0.0      # wall-clock budget for this invocation; 0 = none
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
    model = TokenizerConfig(res=a.res, levels=levels, width_hi=a.width_hi, width_lo=a.width_lo, blocks_hi=a.blocks_hi, blocks_lo=a.blocks_lo)
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=model, **vals)


# ----------------------------------------------------------------------------- evaluation
@torch.no_grad()
def evaluate(model: Tokenizer, frames: np.ndarray, device, batch: int = 64) -> float:
    model.eval()
    recon = []
    for i in range(0, len(frames), batch):
        x = frames_to_tensor(frames[i:i + batch], device)
        recon.append(tensor_to_frames(model.decode(model.encode(x))))
    model.train()
    return psnr(frames, np.concatenate(recon))


def fixed_frames(ds, n: int, seed: int) -> np.ndarray:
    idx = np.sort(np.random.default_rng(seed).choice(len(ds), size=min(n, len(ds)), replace=False))
    return np.stack([np.asarray(ds.frame(int(i))) for i in idx])


# ----------------------------------------------------------------------------- training
def train(cfg: TrainConfig) -> dict:
    rt = setup(cfg.seed, cfg.threads or None)
    os.makedirs(cfg.out, exist_ok=True)
    done_path = os.path.join(cfg.out, "done.json")
    if os.path.exists(done_path):
        with open(done_path) as f:
            return json.load(f)
    ds = load(cfg.data)
    if ds.meta["resolution"][0] != cfg.model.res:
        raise ValueError(f"{cfg.data} is {ds.meta['resolution']}, the tokenizer is configured for {cfg.model.res}")
    val_frames = fixed_frames(load(cfg.val), cfg.eval_frames, seed=1)
    model = Tokenizer(cfg.model).to(rt.device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=cfg.weight_decay)
    ckpt_path = os.path.join(cfg.out, "ckpt.pt")
    ck = load_checkpoint(ckpt_path)
    step, rng_state = 0, None
    clock = Clock()
    if ck:
        if ck["config"]["model"] != asdict(cfg.model):
            raise ValueError(f"{ckpt_path} was trained with another model config; use another --out")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, rng_state = ck["step"], ck["rng"]
        clock = Clock(ck["cpu_seconds"], ck["wall_seconds"])
        print(f"resumed at step {step} ({clock.cpu_minutes():.1f} CPU-min so far)", flush=True)
    ddp_model = torch.nn.parallel.DistributedDataParallel(model) if rt.ddp else model
    rng = np.random.default_rng(cfg.seed + 1000 * rt.rank)
    if rng_state is not None:
        rng.bit_generator.state = rng_state
    log = JsonlLog(os.path.join(cfg.out, "log.jsonl"), rt.master)
    n_params = sum(p.numel() for p in model.parameters())
    if step == 0:
        print(f"tokenizer: {n_params / 1e6:.2f}M params, vocab {model.vocab_size}, grid {cfg.model.grid}x{cfg.model.grid}", flush=True)

    def checkpoint():
        if rt.master:
            save_checkpoint(ckpt_path, model=model.state_dict(), opt=opt.state_dict(), step=step, rng=rng.bit_generator.state,
                            config=asdict(cfg), cpu_seconds=clock.cpu_minutes() * 60, wall_seconds=clock.wall_minutes() * 60)

    start_wall = clock.wall_minutes()
    ema = None
    while step < cfg.steps:
        lr = cosine_lr(step, cfg.steps, cfg.lr, cfg.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        idx = np.sort(rng.integers(0, len(ds), cfg.batch))
        x = frames_to_tensor(np.stack([np.asarray(ds.frame(int(i))) for i in idx]), rt.device)
        recon, _ = ddp_model(x)
        loss = F.mse_loss(recon, x) + cfg.l1_weight * F.l1_loss(recon, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % cfg.eval_every == 0 or step == cfg.steps:
            val = evaluate(model, val_frames, rt.device)
            log.write(step=step, loss=round(ema, 5), val_psnr=round(val, 3), lr=lr,
                      cpu_minutes=round(clock.cpu_minutes(), 2), wall_minutes=round(clock.wall_minutes(), 2))
            if rt.master:
                print(f"step {step}/{cfg.steps}  loss {ema:.4f}  val PSNR {val:.2f} dB  "
                      f"{clock.wall_minutes():.1f} wall-min  {clock.cpu_minutes():.1f} CPU-min", flush=True)
        if step % cfg.ckpt_every == 0:
            checkpoint()
        if cfg.minutes and clock.wall_minutes() - start_wall >= cfg.minutes:
            checkpoint()
            print(f"time budget reached at step {step}; rerun the same command to continue", flush=True)
            return {"finished": False, "step": step}
    checkpoint()
    val = evaluate(model, val_frames, rt.device)
    result = {"finished": True, "step": step, "val_psnr": round(val, 3), "params": n_params, "vocab_size": model.vocab_size,
              "cpu_minutes": round(clock.cpu_minutes(), 2), "wall_minutes": round(clock.wall_minutes(), 2), "config": asdict(cfg)}
    if rt.master:
        torch.save({"model": model.state_dict(), "config": asdict(cfg.model)}, os.path.join(cfg.out, "tokenizer.pt"))
        with open(done_path, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:2000])
