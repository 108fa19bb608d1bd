"""
Trains the shared-noise sampler (noise_sampler.py) on a frozen v3 student: the teacher's samples, the same noise.

    python3 -m models.world_model.train_noise_sampler --tokens data/tokens --student models/checkpoints/student_v3.pt \
        --teacher models/checkpoints/teacher_v3.pt --atlas models/runs/atlas --out models/runs/noise_sampler --steps 200
    python3 -m models.world_model.train_noise_sampler ... --no-noise --out models/runs/seq_sampler   # the control
    python3 -m models.world_model.train_noise_sampler ... --minutes 20      # wall-clock budget, resumable

Each example is the student's (train_memory_student.training_batch: random histories, corrupted
slots, self-forcing, atlas slots). Per example a fresh uniform tensor [n, D, L] drives the
teacher's token-by-token Gumbel-max sample of the frame (MemoryTeacher.generate at --temperature,
all levels) and the trunk's own one-pass draw, whose neighbours the sampler reads; the loss is the
cross-entropy of the sampler's copy-mixed distribution against the teacher's sampled digits.
--no-noise trains the same MLP without the neighbours' draws on the same samples (sequence-level
distillation). The trunk stays frozen.

<out>/log.jsonl records, on fixed validation examples with fixed noise (the teacher's samples of
them drawn once), the NLL of the teacher's sample and how many of its tokens one run reproduces
with that noise, beside the trunk's own (the shipped student's one-pass draw with the same noise);
<out>/sampler.pt is the finished model; rerun the command to resume.
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict, dataclass, field

import torch

from models import trainer
from models.common import setup
from models.world_model.layers import sample_digits
from models.world_model.losses import adamw
from models.world_model.memory_data import MemorySplit, TrainingAtlas
from models.world_model.memory_teacher import load_memory_teacher
from models.world_model.noise_sampler import NoiseSampler, NoiseSamplerConfig, noise_decode, sampler_logits
from models.world_model.refine import trunk_parts
from models.world_model.train_memory_student import load_memory_student, training_batch, validation_set


@dataclass
class TrainConfig:
    tokens: str = "data/tokens"
    student: str = "models/checkpoints/student_v3.pt"
    teacher: str = "models/checkpoints/teacher_v3.pt"
    atlas: str = ""
    out: str = "models/runs/noise_sampler"
    model: NoiseSamplerConfig = field(default_factory=NoiseSamplerConfig)
    steps: int = 400
    batch: int = 24
    lr: float = 6e-4
    warmup: int = 30
    weight_decay: float = 0.05
    eval_every: int = 100
    eval_windows: int = 64
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
    for k in ("tokens", "student", "teacher", "atlas", "out"):
        ap.add_argument(f"--{k}", default=getattr(d, k))
    for k in ("steps", "batch", "warmup", "eval_every", "eval_windows", "ckpt_every", "seed", "threads"):
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in ("lr", "weight_decay", "minutes", "max_level", "self_forcing", "short_history", "atlas_p"):
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    ap.add_argument("--hidden", type=int, default=d.model.hidden, help="the correction MLP's width")
    ap.add_argument("--temperature", type=float, default=d.model.temperature, help="the teacher's sampling temperature")
    ap.add_argument("--no-noise", action="store_true", help="the control: sequence-level distillation without the noise input")
    a = ap.parse_args(argv)
    if a.hidden < 1 or not 0 < a.temperature <= 2:
        ap.error("--hidden >= 1 and --temperature in (0, 2]")
    for k in ("student", "teacher"):
        if not os.path.exists(getattr(a, k)):
            ap.error(f"--{k} {getattr(a, k)}: no such file")
    if not os.path.exists(os.path.join(a.tokens, "meta.json")):
        ap.error(f"{a.tokens}: no meta.json; run python3 -m models.world_model.prepare first")
    if a.atlas and not os.path.exists(os.path.join(a.atlas, "atlas.json")):
        ap.error(f"--atlas {a.atlas}: no atlas.json there; run python3 -m models.world_model.atlas first")
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    trunk_d = torch.load(a.student, map_location="cpu")["config"]["d"]  # the sampler fits this student only
    model = NoiseSamplerConfig(hidden=a.hidden, noise=not a.no_noise, temperature=a.temperature, trunk_d=trunk_d)
    return TrainConfig(model=model, **vals)


def digit_nll(logp: torch.Tensor, digits: torch.Tensor) -> torch.Tensor:
    """log-probs [B, n, D, L], digits int [B, n, D] -> mean NLL per digit."""
    return -logp.log_softmax(-1).gather(-1, digits[..., None]).mean()


@torch.no_grad()
def teacher_samples(teacher, inputs: tuple, uniform: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's frame for this noise: ids [B, n]."""
    feats, copy = teacher.memory_view(*inputs)
    return teacher.generate(feats, copy=copy, uniform=uniform, temperature=temperature)


def train(cfg: TrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    student = load_memory_student(cfg.student).to(rt.device)
    teacher = load_memory_teacher(cfg.teacher).to(rt.device)
    for m in (student, teacher):
        for p in m.parameters():
            p.requires_grad_(False)
    if teacher.cfg.student.levels != student.cfg.levels or teacher.cfg.student.grid != student.cfg.grid:
        raise ValueError(f"{cfg.teacher}: the teacher's token space differs from the student's")
    tr = MemorySplit(cfg.tokens, "train", student.cfg.retrieval)
    va = MemorySplit(cfg.tokens, "val", student.cfg.retrieval)
    if cfg.atlas:
        tr.atlas = va.atlas = TrainingAtlas.load(cfg.atlas)
    sampler = NoiseSampler(student, cfg.model).to(rt.device)
    params = list(sampler.named_parameters())
    opt = adamw(params, cfg.lr, cfg.weight_decay)
    kind = "shared-noise sampler" if cfg.model.noise else "sequence-level control"
    print(f"{kind}: {sum(p.numel() for _, p in params) / 1e6:.2f}M params on a frozen {cfg.student}", flush=True)
    n = student.cfg.grid**2
    nd, L = student.pad.shape
    T = cfg.model.temperature

    def loss_fn(net, rng):
        b = training_batch(tr, student, cfg, rng, rt.device)
        gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
        u = torch.rand(len(b.target), n, nd, L, generator=gen).to(rt.device)
        target = student.digits.digits(teacher_samples(teacher, b.inputs(), u, T))
        with torch.no_grad():
            parts = trunk_parts(student, *b.inputs())
        return digit_nll(sampler_logits(student, net, parts, u), target)

    vts, vhs = validation_set(va, cfg.eval_windows)
    val = []  # (inputs, noise, the teacher's digits), drawn once

    def eval_fn(m):
        if not val:
            gen = torch.Generator().manual_seed(7)
            for i in range(0, len(vts), 32):
                b = va.build(vts[i : i + 32], vhs[i : i + 32], rt.device, atlas=getattr(va, "atlas", None))
                u = torch.rand(len(b.target), n, nd, L, generator=gen).to(rt.device)
                val.append((b.inputs(), u, student.digits.digits(teacher_samples(teacher, b.inputs(), u, T))))
        tot = {"nll": 0.0, "trunk_nll": 0.0, "same_tokens": 0.0, "trunk_same_tokens": 0.0}
        with torch.no_grad():
            for inputs, u, want in val:
                w = len(want) / len(vts)
                parts = trunk_parts(student, *inputs)
                tot["nll"] += digit_nll(sampler_logits(student, m, parts, u), want).item() * w
                tot["trunk_nll"] += digit_nll(parts[2], want).item() * w
                mine = noise_decode(student, m, inputs, u).long()
                trunk = sample_digits(parts[2], torch.tensor([T]), torch.tensor([L]), u).long()
                tot["same_tokens"] += (mine == want).all(-1).float().mean().item() * w
                tot["trunk_same_tokens"] += (trunk == want).all(-1).float().mean().item() * w
        return {f"val_{k}": round(v, 4) for k, v in tot.items()}

    def final_fn(m, result):
        torch.save(
            {"model": m.state_dict(), "config": asdict(cfg.model), "student": cfg.student, "kind": "noise_sampler"},
            os.path.join(cfg.out, "sampler.pt"),
        )

    return trainer.run(cfg, rt, sampler, opt, kind, loss_fn, eval_fn, final_fn)


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
