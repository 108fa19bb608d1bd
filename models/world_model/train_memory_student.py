"""
Trains the v2 (memory) student on prepared tokens with poses.

    python3 -m models.world_model.train_memory_student --tokens data/tokens --out models/runs/memory_student
    python3 -m models.world_model.train_memory_student ... --minutes 20        # wall-clock budget, resumable
    python3 -m models.world_model.train_memory_student ... --no-warp --out models/runs/ablate_nowarp   # ablations
    python3 -m models.world_model.train_memory_student ... --init models/runs/memory_student/student.pt \
        --teacher models/runs/memory_teacher/teacher.pt --kd-weight 0.5 --out models/runs/student_kd   # distillation

Each example: a target frame, a random history of its episode (1..4 frames 35% of the time, else
1..all), the slots memory.retrieve picks, and noise augmentation (each slot, with probability 0.7,
corrupted at a level drawn from U(0, --max-level), which the model is told). Self-forcing: with
probability --self-forcing the newest slot is replaced by the model's own greedy prediction of
that frame (made from its own memory), marked at LEVEL_PRED as in the app, so the model learns
to continue from its own outputs; the target stays the ground truth (the world is static, every
frame is fixed by its pose).

Distillation (--teacher, --kd-weight w): the loss is (1 - w) x the cross-entropy against the true
tokens + w x the cross-entropy against the teacher's per-digit distributions on the same (corrupted,
self-forced) memory, the teacher reading the true tokens of the frame as its prefix. --init starts
from trained weights (a fine-tune; --kd-weight 0 with the same schedule is the ground-truth-only
control at equal steps).

World model v3 (--copy --source --atlas DIR): the student gets the copy path and the per-slot
source input (memory_student.py), starting from v2 weights with --init (the new inputs and the
gate start at zero/"generate", so step 0 behaves as v2); with probability --atlas-p an example also
retrieves atlas frames of other episodes (atlas.py). The loss adds --gate-weight x the gate's
cross-entropy against where each slot's copied token equals the truth (uniform over the slots
that are right, "generate" where none is).

    python3 -m models.world_model.train_memory_student --tokens data/tokens --out models/runs/student_v3 \
        --init models/checkpoints/student_kd.pt --copy --source --atlas models/runs/atlas --steps 600

<out>/log.jsonl records validation token accuracy, NLL and decoded PSNR against the tokenizer's
reconstruction (beside copy-the-newest-slot's) against CPU-minutes; <out>/done.json marks a
finished run; rerun the command to resume.
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
from models.world_model.memory_teacher import load_memory_teacher
from models.world_model.memory_student import LEVEL_PRED, MemoryStudent, MemoryStudentConfig
from models.world_model.losses import digit_nll, no_decay, soft_nll


@dataclass
class TrainConfig:
    tokens: str = "data/tokens"
    out: str = "models/runs/memory_student"
    model: MemoryStudentConfig = field(default_factory=MemoryStudentConfig)
    tokenizer: str = ""  # tokenizer.pt: adds decoded PSNR to the validation log
    init: str = ""  # start from these student weights (a fine-tune)
    teacher: str = ""  # memory_teacher.py weights to distil from
    kd_weight: float = 0.0
    max_level: float = 0.3
    self_forcing: float = 0.3
    short_history: float = 0.35
    steps: int = 2000
    batch: int = 32
    lr: float = 1e-3
    warmup: int = 100
    weight_decay: float = 0.05
    eval_every: int = 200
    eval_windows: int = 256
    ckpt_every: int = 50
    minutes: float = 0.0
    seed: int = 0
    threads: int = 0
    atlas: str = ""  # v3: atlas folder (atlas.py's atlas.bin + atlas.json)
    atlas_p: float = 0.75  # probability an example retrieves from the atlas too
    gate_weight: float = 0.5


def parse_args(argv=None) -> TrainConfig:
    d = TrainConfig()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", default=d.tokens)
    ap.add_argument("--out", default=d.out)
    ap.add_argument("--tokenizer", default=d.tokenizer, help="tokenizer.pt, to log decoded PSNR during validation")
    ap.add_argument("--init", default=d.init, help="student weights to start from (a fine-tune)")
    ap.add_argument("--teacher", default=d.teacher, help="memory teacher weights to distil from (with --kd-weight)")
    ap.add_argument("--atlas", default=d.atlas, help="v3: atlas folder (models/world_model/atlas.py) to retrieve from")
    ap.add_argument("--copy", action="store_true", help="v3: the pointer-generator copy path")
    ap.add_argument("--source", action="store_true", help="v3: the per-slot source input (1 = atlas frame)")
    for k in ["steps", "batch", "warmup", "eval_every", "eval_windows", "ckpt_every", "seed", "threads"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d, k))
    for k in [
        "lr",
        "weight_decay",
        "minutes",
        "max_level",
        "self_forcing",
        "short_history",
        "kd_weight",
        "atlas_p",
        "gate_weight",
    ]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=float, default=getattr(d, k))
    for k in ["d", "layers", "heads", "slots", "conv_kernel"]:
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=getattr(d.model, k))
    ap.add_argument("--no-warp", action="store_true", help="ablation: slots enter unwarped")
    ap.add_argument(
        "--retrieval", default="coverage", choices=["coverage", "recent"], help="ablation: recent = the newest frames"
    )
    a = ap.parse_args(argv)
    if a.d % a.heads:
        ap.error(f"--d {a.d} must be divisible by --heads {a.heads}")
    if not 0 <= a.self_forcing <= 1 or not 0 <= a.max_level <= 1 or not 0 <= a.short_history <= 1:
        ap.error("--self-forcing, --max-level and --short-history are probabilities/levels in [0, 1]")
    if not 0 <= a.kd_weight <= 1 or (a.kd_weight > 0) != bool(a.teacher):
        ap.error("--kd-weight (in [0, 1], > 0) and --teacher go together")
    if a.atlas and not os.path.exists(os.path.join(a.atlas, "atlas.json")):
        ap.error(f"--atlas {a.atlas}: no atlas.json there; run python3 -m models.world_model.atlas first")
    if a.atlas and not a.source:
        ap.error("--atlas needs --source (the model must be told which slots are atlas frames)")
    for k in ("init", "teacher"):
        if getattr(a, k) and not os.path.exists(getattr(a, k)):
            ap.error(f"--{k} {getattr(a, k)}: no such file")
    meta_path = os.path.join(a.tokens, "meta.json")
    if not os.path.exists(meta_path):
        ap.error(f"{a.tokens}: no meta.json; run python3 -m models.world_model.prepare first")
    meta = json.load(open(meta_path))
    model = MemoryStudentConfig(
        levels=meta["levels"],
        grid=meta["grid"][0],
        slots=a.slots,
        d=a.d,
        layers=a.layers,
        heads=a.heads,
        conv_kernel=a.conv_kernel,
        warp=not a.no_warp,
        retrieval=a.retrieval,
        source=a.source,
        copy=a.copy,
    )
    if a.init:  # a fine-tune keeps the network it starts from (v3's inputs and copy path may be added)
        base = {**torch.load(a.init, map_location="cpu")["config"]}
        base["source"] = base.get("source", False) or a.source
        base["copy"] = base.get("copy", False) or a.copy
        model = MemoryStudentConfig(**base)
    vals = {k: getattr(a, k) for k in vars(a) if k in TrainConfig.__dataclass_fields__ and k != "model"}
    return TrainConfig(model=model, **vals)


def greedy_ids(model: MemoryStudent, logits: torch.Tensor) -> torch.Tensor:
    return model.digits.compose(logits.argmax(-1))


@torch.no_grad()
def self_force(model: MemoryStudent, split: MemorySplit, batch, ts, hs, device, use_atlas=None) -> None:
    """Replaces slot 0 (frame t-1) of the examples with history >= 2 by the model's own greedy
    prediction of frame t-1 from its memory of t-h .. t-2 (and the atlas, where the example uses
    it), at LEVEL_PRED."""
    rows = [i for i, h in enumerate(hs) if h >= 2]
    if not rows:
        return
    atlas = getattr(split, "atlas", None)
    prev = split.build(
        [ts[i] - 1 for i in rows],
        [hs[i] - 1 for i in rows],
        device,
        atlas=atlas,
        use_atlas=None if use_atlas is None else np.asarray(use_atlas)[rows],
    )
    was = model.training
    model.eval()
    pred = greedy_ids(model, model(*prev.inputs()))
    model.train(was)
    g = model.cfg.grid
    idx = torch.as_tensor(rows, device=device)
    batch.mem_tokens[idx, 0] = pred.view(-1, g, g)
    batch.mem_level[idx, 0] = LEVEL_PRED


def training_batch(split: MemorySplit, student: MemoryStudent, cfg, rng: np.random.Generator, device):
    """cfg.batch training examples: random targets and histories (short ones with probability
    cfg.short_history), slots corrupted up to cfg.max_level, and with probability cfg.self_forcing
    the newest slot replaced by `student`'s own prediction of it."""
    ts = rng.choice(split.targets, cfg.batch)
    hs = [split.history(rng, int(t), cfg.short_history) for t in ts]
    atlas = getattr(split, "atlas", None)
    use = rng.random(cfg.batch) < cfg.atlas_p if atlas is not None else None
    b = split.build(ts, hs, device, rng, cfg.max_level, atlas=atlas, use_atlas=use)
    if cfg.self_forcing > 0:
        pick = [i for i in range(len(ts)) if rng.random() < cfg.self_forcing]
        if pick:
            sub = split.build(
                ts[pick],
                [hs[i] for i in pick],
                device,
                rng,
                cfg.max_level,
                atlas=atlas,
                use_atlas=None if use is None else use[pick],
            )
            self_force(student, split, sub, ts[pick], [hs[i] for i in pick], device, None if use is None else use[pick])
            for name in ("mem_tokens", "mem_level"):
                getattr(b, name)[torch.as_tensor(pick)] = getattr(sub, name)
    return b


def validation_set(split: MemorySplit, n: int):
    rng = np.random.default_rng(1)
    ts = np.sort(rng.choice(split.targets, min(n, len(split)), replace=False))
    return ts, [split.history(rng, int(t)) for t in ts]


def evaluate(model: MemoryStudent, split: MemorySplit, ts, hs, device, tokenizer=None, psnr_windows: int = 128) -> dict:
    correct = copy = total = 0
    nll, db, copy_db = 0.0, [], []
    g = model.cfg.grid
    for i in range(0, len(ts), 64):
        b = split.build(ts[i : i + 64], hs[i : i + 64], device, atlas=getattr(split, "atlas", None))
        logits = model(*b.inputs())
        nll += digit_nll(logits, model.digits.digits(b.target), "sum").item()
        pred = greedy_ids(model, logits)
        correct += (pred == b.target).sum().item()
        newest = b.mem_tokens[:, 0].flatten(1)
        copy += (newest == b.target).sum().item()
        total += b.target.numel()
        if tokenizer is not None and i < psnr_windows:
            ref = tensor_to_frames(tokenizer.decode(b.target.view(-1, g, g).cpu()))
            db.append(psnr(tensor_to_frames(tokenizer.decode(pred.view(-1, g, g).cpu())), ref))
            copy_db.append(psnr(tensor_to_frames(tokenizer.decode(newest.view(-1, g, g).cpu())), ref))
    out = {"val_acc": round(correct / total, 4), "copy_last_acc": round(copy / total, 4), "val_nll": round(nll / total, 4)}
    if db:
        out.update(val_psnr_vs_tok=round(float(np.mean(db)), 2), copy_psnr_vs_tok=round(float(np.mean(copy_db)), 2))
    return out


def train(cfg: TrainConfig) -> dict:
    done = trainer.finished(cfg.out)
    if done:
        return done
    rt = setup(cfg.seed, cfg.threads or None)
    tr = MemorySplit(cfg.tokens, "train", cfg.model.retrieval)
    va = MemorySplit(cfg.tokens, "val", cfg.model.retrieval)
    if cfg.atlas:
        tr.atlas = va.atlas = TrainingAtlas.load(cfg.atlas)
    vts, vhs = validation_set(va, cfg.eval_windows)
    model = MemoryStudent(cfg.model).to(rt.device)
    if cfg.init:  # a resumed run's checkpoint then replaces these
        load_upgraded(model, torch.load(cfg.init, map_location="cpu"))
    teacher = None
    if cfg.teacher:
        teacher = load_memory_teacher(cfg.teacher).to(rt.device)
        if teacher.cfg.student.levels != cfg.model.levels or teacher.cfg.student.grid != cfg.model.grid:
            raise ValueError(f"{cfg.teacher}: the teacher's token space differs from the student's")
    params = list(model.named_parameters())
    opt = torch.optim.AdamW(
        [
            {"params": [p for n, p in params if not no_decay(n, p)], "weight_decay": cfg.weight_decay},
            {"params": [p for n, p in params if no_decay(n, p)], "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=(0.9, 0.98),
    )
    print(f"memory student: {sum(p.numel() for _, p in params) / 1e6:.2f}M params, {len(tr)} training targets", flush=True)

    def loss_fn(net, rng):
        b = training_batch(tr, model, cfg, rng, rt.device)
        if cfg.model.copy:
            logits, gate_logits, copy_ids, copyable = net(*b.inputs(), parts=True)  # through DDP's forward
            hard = digit_nll(logits, model.digits.digits(b.target)) + cfg.gate_weight * gate_loss(
                gate_logits, copy_ids, copyable, b.target
            )
        else:
            logits = net(*b.inputs())
            hard = digit_nll(logits, model.digits.digits(b.target))
        if teacher is None:
            return hard
        with torch.no_grad():
            probs = teacher(*b.inputs(), b.target).softmax(-1)
        return (1 - cfg.kd_weight) * hard + cfg.kd_weight * soft_nll(logits, probs)

    def final_fn(m, result):
        torch.save(
            {"model": m.state_dict(), "config": asdict(cfg.model), "kind": "memory_student"}, os.path.join(cfg.out, "student.pt")
        )

    tok = None
    if cfg.tokenizer:
        tok = load_tokenizer(cfg.tokenizer)
    return trainer.run(
        cfg, rt, model, opt, "memory student", loss_fn, lambda m: evaluate(m, va, vts, vhs, rt.device, tok), final_fn
    )


def gate_loss(gate_logits, copy_ids, copyable, target) -> torch.Tensor:
    """Cross-entropy of the copy gate [B, n, 1 + M] against where slot s's copy equals the truth
    (uniform over the right slots; "generate" where none is)."""
    right = ((copy_ids == target[:, None, :].to(copy_ids.dtype)) & (copyable > 0.5)).float().transpose(1, 2)  # [B, n, M]
    none = (right.sum(-1, keepdim=True) == 0).float()
    want = torch.cat([none, right], -1)
    want = want / want.sum(-1, keepdim=True)
    return -(want * gate_logits.log_softmax(-1)).sum(-1).mean()


def load_upgraded(model: MemoryStudent, ck: dict) -> None:
    """Loads a checkpoint into `model`; a v2 checkpoint into a v3 model gets a zero column per slot
    for the source input (the new input starts with no effect) and keeps the fresh gate."""
    state = dict(ck["model"])
    old_cfg = ck.get("config", {})
    w = state["inp.weight"]
    want = model.inp.weight.shape[1]
    if w.shape[1] != want:
        M = model.cfg.slots
        old_w = w.shape[1] // M
        if not (model.cfg.source and not old_cfg.get("source", False) and old_w + 1 == want // M):
            raise ValueError(f"cannot load {w.shape[1]} input columns into {want}")
        w = w.view(w.shape[0], M, old_w)
        state["inp.weight"] = torch.cat([w, torch.zeros(w.shape[0], M, 1)], -1).reshape(w.shape[0], -1)
    missing, unexpected = model.load_state_dict(state, strict=False)
    allowed = {"gate.weight", "gate.bias"} if model.cfg.copy and not old_cfg.get("copy", False) else set()
    if unexpected or set(missing) - allowed:
        raise ValueError(f"checkpoint does not fit the model: missing {missing}, unexpected {unexpected}")


def load_memory_student(path: str) -> MemoryStudent:
    ck = torch.load(path, map_location="cpu")
    m = MemoryStudent(MemoryStudentConfig(**ck["config"]))
    m.load_state_dict(ck["model"])
    return m.eval()


if __name__ == "__main__":
    print(json.dumps(train(parse_args()), indent=2)[:1500])
