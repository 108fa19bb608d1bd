"""
Trains the lite decoder (lite_decoder.py) for the shipped token space: the tokenizer's own
decoder is the teacher, the rendered frames are the truth; the encoder and the token space stay
as they are, so every model trained on the tokens keeps working.

    python3 -m models.tokenizer.distill_decoder --tokenizer models/checkpoints/tokenizer.pt \
        --data data/train --tokens models/runs/tokens --val data/val --out models/runs/lite_decoder

Loss: MSE + 0.2 L1 against the rendered frame, plus `--teacher-weight` x MSE against the
teacher's reconstruction (what it can reach from the same tokens). Rerunning the same command
resumes from <out>/ckpt.pt; <out>/log.jsonl has validation PSNR (lite and teacher, against the
rendered frames) against CPU-minutes; <out>/done.json marks a finished run. `--init` starts a new
run (new schedule) from earlier weights of the same shape, e.g. models/checkpoints/lite_decoder.pt.
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
from models.tokenizer.lite_decoder import LiteDecoder, LiteDecoderConfig, conv_flops
from models.tokenizer.report import load_tokenizer
from models.tokenizer.train import fixed_frames


@dataclass
class DistillConfig:
    tokenizer: str = "models/checkpoints/tokenizer.pt"
    init: str = ""  # weights to start from (a new schedule); resuming <out>/ckpt.pt wins
    data: str = "data/train"
    tokens: str = "models/runs/tokens"
    val: str = "data/val"
    out: str = "models/runs/lite_decoder"
    model: LiteDecoderConfig = field(default_factory=LiteDecoderConfig)
    steps: int = 3000
    batch: int = 16
    lr: float = 2e-3
    warmup: int = 100
    teacher_weight: float = 0.5
    l1_weight: float = 0.2
    eval_every: int = 250
    eval_frames: int = 256
    ckpt_every: int = 50
    minutes: float = 0.0
    seed: int = 0
    threads: int = 0


def parse_args(argv=None) -> DistillConfig:
    d = DistillConfig()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in ["tokenizer", "data", "tokens", "val", "out", "init"]:
        ap.add_argument(f"--{k}", default=getattr(d, k))
    for k in ["steps", "batch", "warmup", "eval_every", "eval_frames", "ckpt_every", "seed", "threads"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in ["lr", "teacher_weight", "l1_weight", "minutes"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    for k in ["width_lo", "width_hi", "blocks_lo", "blocks_hi"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d.model, k))
    a = ap.parse_args(argv)
    if a.steps < 1 or a.batch < 1 or a.lr <= 0 or a.teacher_weight < 0:
        ap.error("--steps and --batch must be positive, --lr > 0, --teacher-weight >= 0")
    if a.width_lo % 8 or a.width_hi % 8:
        ap.error("--width-lo and --width-hi must be multiples of 8 (GroupNorm with 8 groups)")
    for p in [a.tokenizer, a.data, a.val, os.path.join(a.tokens, "train.tokens.npy")] + ([a.init] if a.init else []):
        if not os.path.exists(p):
            ap.error(f"{p} does not exist (run the pipeline's data, tokenizer and tokens stages first)")
    model = LiteDecoderConfig(width_lo=a.width_lo, width_hi=a.width_hi, blocks_lo=a.blocks_lo, blocks_hi=a.blocks_hi)
    vals = {k: getattr(a, k) for k in vars(a) if k in DistillConfig.__dataclass_fields__ and k != "model"}
    return DistillConfig(model=model, **vals)


def train(cfg: DistillConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    tok = load_tokenizer(cfg.tokenizer).to(rt.device).eval()
    for p in tok.parameters():
        p.requires_grad_(False)
    ds = load(cfg.data)
    ids = np.load(os.path.join(cfg.tokens, "train.tokens.npy"), mmap_mode="r")
    if len(ids) != len(ds):
        raise ValueError(f"{cfg.tokens}/train.tokens.npy has {len(ids)} rows, {cfg.data} has {len(ds)} frames")
    val = fixed_frames(load(cfg.val), cfg.eval_frames, seed=1)
    with torch.no_grad():
        val_codes = torch.cat(
            [
                tok.fsq.indices_to_codes(tok.encode(frames_to_tensor(val[i : i + 64], rt.device))).permute(0, 3, 1, 2)
                for i in range(0, len(val), 64)
            ]
        )
        teacher_psnr = psnr(
            val, np.concatenate([tensor_to_frames(tok.decoder(val_codes[i : i + 64])) for i in range(0, len(val), 64)])
        )
    model = LiteDecoder(cfg.model).to(rt.device)
    if cfg.init:
        ck = torch.load(cfg.init, map_location="cpu")
        if ck["config"] != asdict(cfg.model):
            raise ValueError(f"--init {cfg.init} has config {ck['config']}, this run {asdict(cfg.model)}")
        model.load_state_dict(ck["model"])  # overwritten by <out>/ckpt.pt when resuming
    h, w = ids.shape[1:]
    flops = conv_flops(model, h, w)
    print(
        f"lite decoder: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M params, {flops / 1e9:.3f} GFLOP a frame; "
        f"teacher decoder {conv_flops(tok.decoder, h, w) / 1e9:.3f} GFLOP, val PSNR {teacher_psnr:.2f} dB",
        flush=True,
    )
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=0.0)

    def loss_fn(net, rng):
        idx = np.sort(rng.integers(0, len(ds), cfg.batch))
        x = frames_to_tensor(np.stack([np.asarray(ds.frame(int(i))) for i in idx]), rt.device)
        codes = tok.fsq.indices_to_codes(torch.from_numpy(ids[idx].astype(np.int64)).to(rt.device)).permute(0, 3, 1, 2)
        y = net(codes)
        loss = F.mse_loss(y, x) + cfg.l1_weight * F.l1_loss(y, x)
        if cfg.teacher_weight:
            with torch.no_grad():
                t = tok.decoder(codes)
            loss = loss + cfg.teacher_weight * F.mse_loss(y, t)
        return loss

    def eval_fn(m):
        out = np.concatenate([tensor_to_frames(m(val_codes[i : i + 64])) for i in range(0, len(val), 64)])
        return {"val_psnr": round(psnr(val, out), 3), "teacher_val_psnr": round(teacher_psnr, 3)}

    def final_fn(m, result):
        result["flops"] = flops
        torch.save(
            {"model": m.state_dict(), "config": asdict(cfg.model), "flops": flops, "teacher_val_psnr": teacher_psnr},
            os.path.join(cfg.out, "lite_decoder.pt"),
        )

    return trainer.run(cfg, rt, model, opt, "lite decoder", loss_fn, eval_fn, final_fn)


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:2000])
