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
from models.common import Clock, JsonlLog, cosine_lr, load_checkpoint, save_checkpoint, setup  # noqa: E402
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


@torch.no_grad()
def evaluate(model: Student, split: TokenSplit, idx: np.ndarray, device) -> dict:
    model.eval()
    correct = copy = total = 0
    nll = 0.0
    for i in range(0, len(idx), 64):
        ctx, act, target = split.batch(idx[i:i + 64], device)
        logits = model(ctx, act)
        nll += F.cross_entropy(logits.flatten(0, 1), target.flatten(), reduction="sum").item()
        correct += (logits.argmax(-1) == target).sum().item()
        copy += (ctx[:, -1].flatten(1) == target).sum().item()
        total += target.numel()
    model.train()
    return {"val_acc": round(correct / total, 4), "copy_last_acc": round(copy / total, 4), "val_nll": round(nll / total, 4)}


def train(cfg: TrainConfig) -> dict:
    rt = setup(cfg.seed, cfg.threads or None)
    os.makedirs(cfg.out, exist_ok=True)
    done_path = os.path.join(cfg.out, "done.json")
    if os.path.exists(done_path):
        return json.load(open(done_path))
    tr = TokenSplit(cfg.tokens, "train", cfg.model.context)
    va = TokenSplit(cfg.tokens, "val", cfg.model.context)
    val_idx = np.sort(np.random.default_rng(1).choice(len(va), min(cfg.eval_windows, len(va)), replace=False))
    model = Student(cfg.model).to(rt.device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos" not in n and "age" not in n]
    other = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "pos" not in n and "age" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay}, {"params": other, "weight_decay": 0.0}],
                            lr=cfg.lr, betas=(0.9, 0.98))
    ckpt_path = os.path.join(cfg.out, "ckpt.pt")
    ck = load_checkpoint(ckpt_path)
    step, clock = 0, Clock()
    rng = np.random.default_rng(cfg.seed + 1000 * rt.rank)
    if ck:
        if ck["config"]["model"] != asdict(cfg.model):
            raise ValueError(f"{ckpt_path} was trained with another model config; use another --out")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step = ck["step"]
        rng.bit_generator.state = ck["rng"]
        clock = Clock(ck["cpu_seconds"], ck["wall_seconds"])
        print(f"resumed at step {step}", flush=True)
    net = torch.nn.parallel.DistributedDataParallel(model) if rt.ddp else model
    log = JsonlLog(os.path.join(cfg.out, "log.jsonl"), rt.master)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"student: {n_params / 1e6:.2f}M params, {len(tr)} training windows", flush=True)

    def checkpoint():
        if rt.master:
            save_checkpoint(ckpt_path, model=model.state_dict(), opt=opt.state_dict(), step=step, rng=rng.bit_generator.state,
                            config=asdict(cfg), cpu_seconds=clock.cpu_minutes() * 60, wall_seconds=clock.wall_minutes() * 60)

    start = clock.wall_minutes()
    ema = None
    while step < cfg.steps:
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, cfg.steps, cfg.lr, cfg.warmup)
        ctx, act, target = tr.batch(rng.integers(0, len(tr), cfg.batch), rt.device)
        loss = F.cross_entropy(net(ctx, act).flatten(0, 1), target.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % cfg.eval_every == 0 or step == cfg.steps:
            ev = evaluate(model, va, val_idx, rt.device)
            log.write(step=step, loss=round(ema, 4), **ev, cpu_minutes=round(clock.cpu_minutes(), 2), wall_minutes=round(clock.wall_minutes(), 2))
            if rt.master:
                print(f"step {step}/{cfg.steps}  loss {ema:.3f}  val acc {ev['val_acc']:.3f} (copy-last {ev['copy_last_acc']:.3f})  "
                      f"{clock.wall_minutes():.1f} wall-min", flush=True)
        if step % cfg.ckpt_every == 0:
            checkpoint()
        if cfg.minutes and clock.wall_minutes() - start >= cfg.minutes:
            checkpoint()
            print(f"time budget reached at step {step}; rerun to continue", flush=True)
            return {"finished": False, "step": step}
    checkpoint()
    ev = evaluate(model, va, val_idx, rt.device)
    result = {"finished": True, "step": step, **ev, "params": n_params, "cpu_minutes": round(clock.cpu_minutes(), 2),
              "wall_minutes": round(clock.wall_minutes(), 2), "config": asdict(cfg)}
    if rt.master:
        torch.save({"model": model.state_dict(), "config": asdict(cfg.model)}, os.path.join(cfg.out, "student.pt"))
        json.dump(result, open(done_path, "w"), indent=2)
    return result


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
