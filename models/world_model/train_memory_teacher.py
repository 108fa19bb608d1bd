"""
Trains the v2 teacher (memory_teacher.py) on prepared tokens with poses, starting from the
trained memory student as its trunk.

    python3 -m models.world_model.train_memory_teacher --tokens data/tokens --out models/runs/memory_teacher \
        --init models/checkpoints/memory_student.pt --tokenizer models/checkpoints/tokenizer.pt
    python3 -m models.world_model.train_memory_teacher ... --minutes 20     # wall-clock budget, resumable

Examples are the student's (memory_data.py: short and long histories, noise augmentation, and
self-forcing through the trunk's one-pass prediction), plus the frame's own tokens as the prefix
of teacher forcing, a random fraction (U(0, --prefix-swap) per example) swapped for the trunk's
guesses at those positions. The loss is the teacher's per-digit cross-entropy, plus
--trunk-weight x the trunk's own (so the trunk stays a usable one-pass model for self-forcing).

World model v3 (--init a v3 student: its copy path and source input; --atlas DIR): the teacher
gets the trunk's copy path with a gate correction read from the decoded prefix (memory_teacher.py),
atlas slots as the v3 student trains with them, and the gate loss beside the digits'. --head-init
takes the causal head (and its shape) from a trained v2 teacher, so only the new parts start fresh:

    python3 -m models.world_model.train_memory_teacher --tokens data/tokens --out models/runs/teacher_v3 \
        --init models/checkpoints/student_v3.pt --head-init models/checkpoints/memory_teacher.pt \
        --atlas models/runs/atlas --steps 200

<out>/log.jsonl: teacher-forced token accuracy and NLL beside the trunk's one-pass figures, and
decoded PSNR (against the tokenizer's reconstruction) of the teacher decoding greedily token by
token beside the one-pass trunk's, against CPU-minutes. Rerun the command to resume.
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from models import trainer
from models.tokenizer.report import load_tokenizer
from models.common import psnr, setup, tensor_to_frames
from models.world_model.memory_data import MemorySplit, TrainingAtlas
from models.world_model.memory_student import MemoryStudentConfig
from models.world_model.memory_teacher import MemoryTeacher, MemoryTeacherConfig
from models.world_model.train_memory_student import gate_loss, training_batch, validation_set
from models.world_model.losses import digit_nll, no_decay


@dataclass
class TeacherTrainConfig:
    tokens: str = "data/tokens"
    out: str = "models/runs/memory_teacher"
    model: MemoryTeacherConfig = field(default_factory=MemoryTeacherConfig)
    init: str = "models/checkpoints/memory_student.pt"
    head_init: str = ""  # a trained teacher whose causal head (everything but the trunk) to start from
    tokenizer: str = ""
    atlas: str = ""  # v3: atlas folder (atlas.py's atlas.bin + atlas.json)
    atlas_p: float = 0.75  # probability an example retrieves from the atlas too
    gate_weight: float = 0.5
    max_level: float = 0.3
    self_forcing: float = 0.3
    short_history: float = 0.35
    prefix_swap: float = 0.4
    trunk_weight: float = 0.25
    trunk_lr_scale: float = 0.2
    steps: int = 400
    batch: int = 32
    lr: float = 1e-3
    warmup: int = 50
    weight_decay: float = 0.05
    eval_every: int = 100
    eval_windows: int = 256
    psnr_windows: int = 32
    ckpt_every: int = 25
    minutes: float = 0.0
    seed: int = 0
    threads: int = 0


def parse_args(argv=None) -> TeacherTrainConfig:
    d = TeacherTrainConfig()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in ["tokens", "out", "init", "head_init", "tokenizer", "atlas"]:
        ap.add_argument(f"--{k.replace('_', '-')}", default=getattr(d, k))
    for k in ["steps", "batch", "warmup", "eval_every", "eval_windows", "psnr_windows", "ckpt_every", "seed", "threads"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in [
        "lr",
        "weight_decay",
        "minutes",
        "max_level",
        "self_forcing",
        "short_history",
        "prefix_swap",
        "trunk_weight",
        "trunk_lr_scale",
        "atlas_p",
        "gate_weight",
    ]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    ap.add_argument("--head-layers", type=int, default=d.model.head_layers)
    ap.add_argument("--head-heads", type=int, default=d.model.head_heads)
    a = ap.parse_args(argv)
    for k in ["max_level", "self_forcing", "short_history", "prefix_swap"]:
        if not 0 <= getattr(a, k) <= 1:
            ap.error(f"--{k.replace('_', '-')} must be in [0, 1]")
    if not os.path.exists(os.path.join(a.tokens, "meta.json")):
        ap.error(f"{a.tokens}: no meta.json; run python3 -m models.world_model.prepare first")
    if not os.path.exists(a.init):
        ap.error(f"--init {a.init}: no such file (the trained memory student the teacher starts from)")
    if a.head_init and not os.path.exists(a.head_init):
        ap.error(f"--head-init {a.head_init}: no such file (a trained teacher)")
    student = MemoryStudentConfig(**torch.load(a.init, map_location="cpu")["config"])
    if a.atlas and not os.path.exists(os.path.join(a.atlas, "atlas.json")):
        ap.error(f"--atlas {a.atlas}: no atlas.json there; run python3 -m models.world_model.atlas first")
    if a.atlas and not student.source:
        ap.error("--atlas needs a trunk with the source input (--init a v3 student)")
    if student.d % a.head_heads:
        ap.error(f"--head-heads {a.head_heads} must divide the student's width {student.d}")
    model = MemoryTeacherConfig(student=student, head_layers=a.head_layers, head_heads=a.head_heads)
    if a.head_init:  # the head's shape is the trained teacher's
        head = torch.load(a.head_init, map_location="cpu")["config"]
        model = MemoryTeacherConfig(student=student, head_layers=head["head_layers"], head_heads=head["head_heads"])
    vals = {k: getattr(a, k) for k in vars(a) if k in TeacherTrainConfig.__dataclass_fields__ and k != "model"}
    return TeacherTrainConfig(model=model, **vals)


def swapped_prefix(target: torch.Tensor, guess: torch.Tensor, most: float, rng: np.random.Generator) -> torch.Tensor:
    """The true tokens with a fraction U(0, most) per example replaced by the trunk's guesses."""
    B, n = target.shape
    rate = torch.as_tensor(rng.uniform(0, most, (B, 1)), dtype=torch.float32, device=target.device)
    hit = torch.as_tensor(rng.random((B, n)), dtype=torch.float32, device=target.device) < rate
    return torch.where(hit, guess, target)


def evaluate(model: MemoryTeacher, split: MemorySplit, ts, hs, device, tokenizer=None, psnr_windows: int = 32) -> dict:
    t_ok = s_ok = total = 0
    t_nll = s_nll = 0.0
    db, trunk_db = [], []
    g = model.cfg.student.grid
    for i in range(0, len(ts), 64):
        b = split.build(ts[i : i + 64], hs[i : i + 64], device, atlas=getattr(split, "atlas", None))
        h, cp = model.memory_view(*b.inputs())
        digits = model.digits.digits(b.target)
        base = model.one_pass(h, cp)
        full = model.decode_all(h, b.target, cp)
        t_nll += digit_nll(full, digits, "sum").item()
        s_nll += digit_nll(base, digits, "sum").item()
        t_ok += (model.digits.compose(full.argmax(-1)) == b.target).sum().item()
        one_pass = model.digits.compose(base.argmax(-1))
        s_ok += (one_pass == b.target).sum().item()
        total += b.target.numel()
        if tokenizer is not None and i < psnr_windows:
            k = min(64, psnr_windows - i)
            ref = tensor_to_frames(tokenizer.decode(b.target[:k].view(-1, g, g).cpu()))
            gen = model.generate(h[:k], copy=None if cp is None else (cp[0][:k], cp[1][:k]))
            db.append(psnr(tensor_to_frames(tokenizer.decode(gen.view(-1, g, g).cpu())), ref))
            trunk_db.append(psnr(tensor_to_frames(tokenizer.decode(one_pass[:k].view(-1, g, g).cpu())), ref))
    out = {
        "forced_acc": round(t_ok / total, 4),
        "trunk_acc": round(s_ok / total, 4),
        "forced_nll": round(t_nll / total, 4),
        "trunk_nll": round(s_nll / total, 4),
    }
    if db:
        out.update(greedy_psnr_vs_tok=round(float(np.mean(db)), 2), trunk_psnr_vs_tok=round(float(np.mean(trunk_db)), 2))
    return out


def train(cfg: TeacherTrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    tr = MemorySplit(cfg.tokens, "train", cfg.model.student.retrieval)
    va = MemorySplit(cfg.tokens, "val", cfg.model.student.retrieval)
    if cfg.atlas:
        tr.atlas = va.atlas = TrainingAtlas.load(cfg.atlas)
    vts, vhs = validation_set(va, cfg.eval_windows)
    model = MemoryTeacher(cfg.model).to(rt.device)
    # the trunk starts as the trained student (a resumed run's checkpoint then replaces everything)
    model.trunk.load_state_dict(torch.load(cfg.init, map_location="cpu")["model"])
    if cfg.head_init:
        load_head(model, torch.load(cfg.head_init, map_location="cpu"))
    params = list(model.named_parameters())
    # The trunk is trained already: it moves at --trunk-lr-scale of the head's learning rate.
    groups = []
    for trunk in (False, True):  # the head first: the log reports group 0's learning rate
        for decay in (True, False):
            ps = [p for n, p in params if n.startswith("trunk.") == trunk and no_decay(n, p) != decay]
            groups.append(
                {
                    "params": ps,
                    "weight_decay": cfg.weight_decay if decay else 0.0,
                    "lr_scale": cfg.trunk_lr_scale if trunk else 1.0,
                }
            )
    opt = torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.98))
    print(
        f"memory teacher: {sum(p.numel() for _, p in params) / 1e6:.2f}M params "
        f"({sum(p.numel() for p in model.trunk.parameters()) / 1e6:.2f}M trunk from {cfg.init})",
        flush=True,
    )

    def loss_fn(net, rng):
        b = training_batch(tr, model.trunk, cfg, rng, rt.device)
        h, cp = model.memory_view(*b.inputs())
        base = model.one_pass(h, cp)
        guess = model.digits.compose(base.detach().argmax(-1))
        logits, gate = model.decode_all(h, swapped_prefix(b.target, guess, cfg.prefix_swap, rng), cp, parts=True)
        digits = model.digits.digits(b.target)
        loss = digit_nll(logits, digits) + cfg.trunk_weight * digit_nll(base, digits)
        return loss if cp is None else loss + cfg.gate_weight * gate_loss(gate, cp[0], cp[1], b.target)

    def final_fn(m, result):
        torch.save(
            {"model": m.state_dict(), "config": asdict(cfg.model), "kind": "memory_teacher"}, os.path.join(cfg.out, "teacher.pt")
        )

    tok = None
    if cfg.tokenizer:
        tok = load_tokenizer(cfg.tokenizer)
    return trainer.run(
        cfg,
        rt,
        model,
        opt,
        "memory teacher",
        loss_fn,
        lambda m: evaluate(m, va, vts, vhs, rt.device, tok, cfg.psnr_windows),
        final_fn,
    )


def load_head(model: MemoryTeacher, ck: dict) -> None:
    """The causal head of a trained teacher (every weight outside the trunk) into `model`; the copy
    path's gate correction, which a v2 teacher lacks, keeps its zero start."""
    head = {k: v for k, v in ck["model"].items() if not k.startswith("trunk.")}
    missing, unexpected = model.load_state_dict(head, strict=False)
    allowed = {"gate_delta.weight", "gate_delta.bias"}
    if unexpected or {k for k in missing if not k.startswith("trunk.")} - allowed:
        raise ValueError(f"--head-init does not fit the teacher: missing {missing}, unexpected {unexpected}")


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
