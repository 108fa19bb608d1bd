"""
The one training loop behind every model here: resume from <out>/ckpt.pt, cosine schedule with
warmup, gradient clipping, periodic evaluation logged against CPU-minutes, atomic checkpoints,
a wall-clock budget per invocation, and <out>/done.json when finished. DDP when under torchrun.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from typing import Callable

import numpy as np
import torch

from .common import Clock, JsonlLog, Runtime, cosine_lr, load_checkpoint, save_checkpoint


def finished(out: str) -> dict | None:
    """The result of a finished run in `out`, or None."""
    path = os.path.join(out, "done.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def ranks_agree(model: torch.nn.Module) -> bool:
    """Under DDP: every rank holds the same weights (a checksum of them, gathered from all ranks)."""
    import torch.distributed as dist

    with torch.no_grad():
        flat = torch.cat([p.detach().double().flatten() for p in model.parameters()])
        mine = torch.stack([flat.sum(), (flat * torch.arange(1, flat.numel() + 1, dtype=torch.float64)).sum() / flat.numel()])
    every = [torch.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(every, mine)
    return all(torch.equal(every[0], e) for e in every[1:])


def run(
    cfg,
    rt: Runtime,
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    name: str,
    loss_fn: Callable[[torch.nn.Module, np.random.Generator], torch.Tensor],
    eval_fn: Callable[[torch.nn.Module], dict],
    final_fn: Callable[[torch.nn.Module, dict], None],
) -> dict:
    """cfg needs out, steps, lr, warmup, eval_every, ckpt_every, minutes, seed and a dataclass `model`.
    loss_fn(net, rng) draws a batch and returns the loss; eval_fn(model) returns metrics; final_fn
    saves the finished model. Returns the result written to done.json (or {"finished": False})."""
    os.makedirs(cfg.out, exist_ok=True)
    done_path = os.path.join(cfg.out, "done.json")
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
        print(f"{name}: resumed at step {step} ({clock.cpu_minutes():.1f} CPU-min so far)", flush=True)
    net = torch.nn.parallel.DistributedDataParallel(model) if rt.ddp else model
    log = JsonlLog(os.path.join(cfg.out, "log.jsonl"), rt.master)
    n_params = sum(p.numel() for p in model.parameters())

    def checkpoint():
        if rt.master:
            save_checkpoint(
                ckpt_path,
                model=model.state_dict(),
                opt=opt.state_dict(),
                step=step,
                rng=rng.bit_generator.state,
                config=asdict(cfg),
                cpu_seconds=clock.cpu_minutes() * 60,
                wall_seconds=clock.wall_minutes() * 60,
            )

    def evaluate() -> dict:
        model.eval()
        with torch.no_grad():
            metrics = eval_fn(model)
        model.train()
        return metrics

    start = clock.wall_minutes()
    ema = None
    while step < cfg.steps:
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, cfg.steps, cfg.lr, cfg.warmup) * g.get("lr_scale", 1.0)
        loss = loss_fn(net, rng)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % cfg.eval_every == 0 or step == cfg.steps:
            m = evaluate()
            log.write(
                step=step,
                loss=round(ema, 5),
                **m,
                lr=opt.param_groups[0]["lr"],
                cpu_minutes=round(clock.cpu_minutes(), 2),
                wall_minutes=round(clock.wall_minutes(), 2),
            )
            if rt.master:
                shown = "  ".join(f"{k} {v}" for k, v in m.items())
                print(
                    f"{name} step {step}/{cfg.steps}  loss {ema:.4f}  {shown}  {clock.wall_minutes():.1f} wall-min  "
                    f"{clock.cpu_minutes():.1f} CPU-min",
                    flush=True,
                )
        if step % cfg.ckpt_every == 0:
            checkpoint()
        if cfg.minutes and clock.wall_minutes() - start >= cfg.minutes:
            checkpoint()
            print(f"{name}: time budget reached at step {step}; rerun the same command to continue", flush=True)
            return {"finished": False, "step": step}
    checkpoint()
    metrics = evaluate()
    if rt.ddp:
        metrics["ranks"], metrics["ranks_agree"] = rt.world_size, ranks_agree(model)
    result = {
        "finished": True,
        "step": step,
        **metrics,
        "params": n_params,
        "cpu_minutes": round(clock.cpu_minutes(), 2),
        "wall_minutes": round(clock.wall_minutes(), 2),
        "config": asdict(cfg),
    }
    if rt.master:
        final_fn(model, result)
        with open(done_path, "w") as f:
            json.dump(result, f, indent=2)
    return result
