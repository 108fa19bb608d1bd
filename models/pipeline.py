"""
The training pipeline, stage by stage; each stage is cached (skipped once done), resumable after
an interruption, seeded, and timed into <runs>/stages.json.

    npm run train                                   # = python3 -m models.pipeline
    python3 -m models.pipeline --stages tokenizer   # one stage (earlier ones must be done)
    python3 -m models.pipeline --smoke --runs /tmp/smoke   # tiny data, few steps: catches breakage in minutes

Stages: data (train/val/test splits rendered by the generator; the test split uses its own
trajectory seed, so its start poses and trajectories never occur in training; the revisit split
holds scripted loops for loop closure), tokenizer, tokens (every split encoded once, with poses),
decoder (the lite decoder the app ships, for the same tokens), student (the memory student,
ground truth only), teacher (the memory teacher, token by token, starting from that student),
distill (the shipped student: the student fine-tuned on the teacher's distributions), control
(the same fine-tune on ground truth alone: what distillation is measured against), atlas (the
training frames chosen to cover the courtyard, shipped as the model's long-term memory), v3 (world
model v3: the distilled student fine-tuned with the copy path, the source input and atlas slots),
teacher_v3 (the shipped teacher: the v2 teacher's head on v3's trunk, with the copy path and atlas
slots), noise_sampler (sharp imagination: a small correction on the frozen v3 student that draws each
token given what the one-pass draw put at its earlier neighbours, fitted to the v3 teacher's samples
with the same noise; it ships inside student.onnx), export (ONNX + manifest + golden tensors) and eval (eval.json, eval.md, contact sheet, loop closure, ms
per frame in onnxruntime-node). Not run by default, the distillation's measurements for v3:
control_v3 (v3's fine-tune from the ground-truth-only v2 student: what v3's distilled lineage is
measured against), distill_v3 (the v3 student fine-tuned on the v3 teacher's distributions) and
distill_v3_control (the same fine-tune on ground truth alone), seq_sampler (noise_sampler's control:
the same correction without the neighbours' draws, sequence-level distillation), whose rows eval adds when they exist
(or models/export/eval_rows.py adds to an existing eval.json, with the teacher's):

    python3 -m models.pipeline --stages control_v3,distill_v3,distill_v3_control
    python3 -m models.export.eval_rows --model models/wm-courtyard-v3
    python3 -m models.pipeline --stages seq_sampler     # then models/export/sampling_eval.py --sampler ...

And ablations (four short students, one idea off
each, at equal steps; eval reads them when present):

    python3 -m models.pipeline --stages ablations,eval
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

from models.tokenizer import train as tokenizer_train
from models.world_model import prepare as token_prepare
from models import trainer
from models.export import evaluate, export, tour_eval
from models.export.shipped import DECODER, STUDENT_RUN
from models.tokenizer import distill_decoder
from models.world_model import atlas, train_memory_student, train_memory_teacher, train_noise_sampler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Plan:
    runs: str
    data: str
    train_frames: int
    val_frames: int
    test_frames: int
    res: int
    episode_len: int
    tokenizer_args: list[str]
    student_args: list[str]
    teacher_args: list[str]
    distill_args: list[str]
    v3_args: list[str]
    teacher_v3_args: list[str]
    sampler_args: list[str]
    decoder_args: list[list[str]]
    ablation_args: list[str]
    revisit_frames: int
    model_id: str
    eval_args: list[str]
    from_scratch: bool = False
    # the designed tour's steps the eval scores (0: all of it)
    tour_steps: int = 0


# Step counts sized for 2 CPU cores (models/README.md has the timings behind them).
FULL = dict(
    train_frames=60000,
    val_frames=2048,
    test_frames=4096,
    revisit_frames=4096,
    res=128,
    episode_len=256,
    tokenizer_args=[],
    student_args=["--steps", "2400", "--batch", "32", "--eval-every", "150", "--ckpt-every", "50"],
    teacher_args=["--steps", "400", "--batch", "32", "--eval-every", "50", "--ckpt-every", "25"],
    distill_args=[
        "--steps",
        "300",
        "--batch",
        "32",
        "--lr",
        "2e-4",
        "--warmup",
        "30",
        "--eval-every",
        "100",
        "--ckpt-every",
        "25",
    ],
    v3_args=["--steps", "800", "--batch", "24", "--lr", "4e-4", "--warmup", "30", "--eval-every", "100", "--ckpt-every", "20"],
    teacher_v3_args=[
        "--steps",
        "200",
        "--batch",
        "32",
        "--lr",
        "5e-4",
        "--warmup",
        "20",
        "--eval-every",
        "100",
        "--ckpt-every",
        "10",
    ],
    sampler_args=["--steps", "200", "--batch", "24", "--eval-every", "50"],
    # two schedules, the second from the first's weights (how the committed decoder was trained)
    decoder_args=[
        ["--steps", "3000", "--batch", "16", "--lr", "2e-3"],
        ["--steps", "4000", "--batch", "16", "--lr", "1e-3", "--warmup", "50"],
    ],
    ablation_args=[
        "--steps",
        "250",
        "--batch",
        "16",
        "--warmup",
        "50",
        "--eval-every",
        "250",
        "--eval-windows",
        "128",
        "--threads",
        "1",
    ],
    model_id="wm-courtyard-v3",
    eval_args=[],
)
SMOKE = dict(
    train_frames=512,
    val_frames=128,
    test_frames=256,
    revisit_frames=128,
    res=64,
    episode_len=64,
    tokenizer_args=[
        "--steps",
        "60",
        "--batch",
        "8",
        "--eval-every",
        "30",
        "--eval-frames",
        "64",
        "--ckpt-every",
        "30",
        "--width-hi",
        "16",
        "--width-lo",
        "32",
        "--blocks-hi",
        "1",
        "--blocks-lo",
        "1",
        "--levels",
        "8,5,5,5",
    ],
    student_args=[
        "--steps",
        "30",
        "--batch",
        "8",
        "--eval-every",
        "15",
        "--eval-windows",
        "32",
        "--ckpt-every",
        "15",
        "--d",
        "32",
        "--layers",
        "1",
        "--heads",
        "2",
    ],
    teacher_args=[
        "--steps",
        "4",
        "--batch",
        "2",
        "--eval-every",
        "4",
        "--eval-windows",
        "8",
        "--psnr-windows",
        "2",
        "--ckpt-every",
        "4",
        "--head-layers",
        "1",
        "--head-heads",
        "2",
    ],
    distill_args=[
        "--steps",
        "4",
        "--batch",
        "4",
        "--warmup",
        "1",
        "--eval-every",
        "4",
        "--eval-windows",
        "8",
        "--ckpt-every",
        "4",
    ],
    v3_args=["--steps", "4", "--batch", "4", "--warmup", "1", "--eval-every", "4", "--eval-windows", "8", "--ckpt-every", "4"],
    teacher_v3_args=[
        "--steps",
        "2",
        "--batch",
        "2",
        "--warmup",
        "1",
        "--eval-every",
        "2",
        "--eval-windows",
        "8",
        "--ckpt-every",
        "2",
    ],
    sampler_args=[
        "--steps",
        "2",
        "--batch",
        "2",
        "--warmup",
        "1",
        "--eval-every",
        "2",
        "--eval-windows",
        "4",
        "--ckpt-every",
        "2",
    ],
    decoder_args=[
        [
            "--steps",
            "3",
            "--batch",
            "2",
            "--eval-every",
            "3",
            "--eval-frames",
            "8",
            "--ckpt-every",
            "3",
            "--width-lo",
            "16",
            "--width-hi",
            "8",
            "--blocks-lo",
            "1",
            "--blocks-hi",
            "1",
        ],
        [
            "--steps",
            "2",
            "--batch",
            "2",
            "--eval-every",
            "2",
            "--eval-frames",
            "8",
            "--ckpt-every",
            "2",
            "--width-lo",
            "16",
            "--width-hi",
            "8",
            "--blocks-lo",
            "1",
            "--blocks-hi",
            "1",
        ],
    ],
    ablation_args=[
        "--steps",
        "4",
        "--batch",
        "4",
        "--eval-every",
        "4",
        "--eval-windows",
        "8",
        "--d",
        "32",
        "--layers",
        "1",
        "--heads",
        "2",
    ],
    model_id="wm-smoke",
    tour_steps=8,
    eval_args=["--windows", "4", "--horizons", "1,2,16", "--loops", "2", "--bench-frames", "2", "--v1", ""],
)
SPLIT_SEEDS = {"train": 0, "val": 1, "test": 2, "revisit": 3}


def stage_data(p: Plan) -> dict:
    out = {}
    for split, frames in [
        ("train", p.train_frames),
        ("val", p.val_frames),
        ("test", p.test_frames),
        ("revisit", p.revisit_frames),
    ]:
        d = os.path.join(p.data, split)
        # The revisit split: scripted loops of 128 frames (64 in the smoke test) that end where they began.
        length = min(p.episode_len, 128) if split == "revisit" else p.episode_len
        cmd = [
            "npx",
            "tsx",
            "models/data/generate.ts",
            "--out",
            d,
            "--frames",
            str(frames),
            "--res",
            str(p.res),
            "--seed",
            str(SPLIT_SEEDS[split]),
            "--episode-len",
            str(length),
        ] + (["--style", "loops"] if split == "revisit" else [])
        print(f"[data] {' '.join(cmd)}", flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True)
        out[split] = d
    # The designed tour (eval only): one long walk through the courtyard, src/sim/tour.ts.
    d = os.path.join(p.data, "tour")
    cmd = ["npx", "tsx", "models/data/generate.ts", "--out", d, "--res", str(p.res), "--style", "tour"]
    print(f"[data] {' '.join(cmd)}", flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)
    out["tour"] = d
    return out


COMMITTED = os.path.join(ROOT, "models", "checkpoints")


def same_config(saved: dict, now: dict) -> bool:
    """A committed model's config against today's (nested configs too); fields added since it was
    trained (v3's source, copy) match when they are off."""
    if any(k not in now for k in saved):
        return False
    for k, v in now.items():
        if isinstance(v, dict) and isinstance(saved.get(k), dict):
            if not same_config(saved[k], v):
                return False
        elif saved.get(k, False) != v:
            return False
    return True


def reuse_committed(name: str, weights: str, out: str, model_config: dict) -> dict | None:
    """Seeds <out> with a committed checkpoint of the same model config (its training record becomes
    done.json), so a fresh clone skips retraining; --from-scratch never calls this."""
    rec_path = os.path.join(COMMITTED, f"{name}.json")
    if not os.path.exists(rec_path) or os.path.exists(os.path.join(out, "done.json")):
        return None
    rec = json.load(open(rec_path))
    # Config fields added since a checkpoint was trained (v3's source, copy) match when at their off value.
    if not same_config(rec["config"]["model"], model_config):
        return None
    src = os.path.join(COMMITTED, rec["file"])
    if token_prepare.file_sha256(src) != rec["sha256"]:
        raise ValueError(f"{src} does not match the sha256 in {rec_path}; restore it or run with --from-scratch")
    os.makedirs(out, exist_ok=True)
    shutil.copyfile(src, os.path.join(out, weights))
    done = {"finished": True, "reused": rec_path, **{k: v for k, v in rec.items() if k not in ("file", "reuse")}}
    done["step"] = rec.get("steps", rec.get("step"))  # older records (lite_decoder.json) say "step"
    with open(os.path.join(out, "done.json"), "w") as f:
        json.dump(done, f, indent=2)
    print(f"[{name}] reusing the committed checkpoint {src} ({rec_path}); --from-scratch retrains", flush=True)
    return done


# committed name -> the weights file its run writes; RUN_OF: the run folder where it is not the name
WEIGHTS = {
    "tokenizer": "tokenizer.pt",
    "memory_student": "student.pt",
    "memory_teacher": "teacher.pt",
    "student_kd": "student.pt",
    "student_gt": "student.pt",
    "lite_decoder": "lite_decoder.pt",
    "student_v3": "student.pt",
    "teacher_v3": "teacher.pt",
    "noise_sampler": "sampler.pt",
    "seq_sampler": "sampler.pt",
    "student_v3_gt": "student.pt",
    "student_v3_kd": "student.pt",
    "student_v3_ft": "student.pt",
}
RUN_OF = {"lite_decoder": "lite_decoder_2"}


def save_committed(runs: str, name: str) -> None:
    """Copies a finished stage's weights and record into models/checkpoints (what reuse_committed reads)."""
    done = trainer.finished(os.path.join(runs, RUN_OF.get(name, name)))
    if not done or done.get("reused"):
        raise SystemExit(f"{name}: no finished training run in {runs} to save")
    src = os.path.join(runs, RUN_OF.get(name, name), WEIGHTS[name])
    dst = os.path.join(COMMITTED, f"{name}.pt")
    shutil.copyfile(src, dst)
    rec = {
        "what": f"{name} weights (no optimizer state), trained by `npm run train` stage {name}",
        "file": f"{name}.pt",
        "sha256": token_prepare.file_sha256(dst),
        **{k: v for k, v in done.items() if k != "finished"},
        "steps": done["step"],
    }
    with open(os.path.join(COMMITTED, f"{name}.json"), "w") as f:
        json.dump(rec, f, indent=2)
    print(f"saved {dst} ({os.path.getsize(dst) / 1e6:.1f} MB) and {name}.json", flush=True)


def stage_tokenizer(p: Plan) -> dict:
    args = [
        "--data",
        os.path.join(p.data, "train"),
        "--val",
        os.path.join(p.data, "val"),
        "--out",
        os.path.join(p.runs, "tokenizer"),
        "--res",
        str(p.res),
        *p.tokenizer_args,
    ]
    cfg = tokenizer_train.parse_args(args)
    if not p.from_scratch:
        reused = reuse_committed("tokenizer", "tokenizer.pt", cfg.out, asdict(cfg.model))
        if reused:
            return reused
    return tokenizer_train.train(cfg)


def stage_tokens(p: Plan) -> dict:
    return token_prepare.prepare(
        os.path.join(p.runs, "tokenizer", "tokenizer.pt"),
        p.data,
        ["train", "val", "test", "revisit"],
        os.path.join(p.runs, "tokens"),
    )


def train_or_reuse(p: Plan, name: str, weights: str, module, args: list[str]) -> dict:
    cfg = module.parse_args(args)
    if not p.from_scratch:
        reused = reuse_committed(name, weights, cfg.out, asdict(cfg.model))
        if reused:
            return reused
    return module.train(cfg)


def run_args(p: Plan, out: str, init: str = "", weights: str = "student.pt") -> list[str]:
    """The arguments every world-model training stage starts with: the tokens, <runs>/<out>, the run it
    starts from (<runs>/<init>/<weights>, if any) and the tokenizer (decoded PSNR in the log)."""
    start = ["--init", os.path.join(p.runs, init, weights)] if init else []
    return ["--tokens", os.path.join(p.runs, "tokens"), "--out", os.path.join(p.runs, out), *start] + [
        "--tokenizer",
        os.path.join(p.runs, "tokenizer", "tokenizer.pt"),
    ]


def stage_student(p: Plan) -> dict:
    """The memory student on ground truth (models/world_model/train_memory_student.py)."""
    args = run_args(p, "memory_student") + p.student_args
    return train_or_reuse(p, "memory_student", "student.pt", train_memory_student, args)


def stage_teacher(p: Plan) -> dict:
    """The memory teacher, its trunk starting as the student (models/world_model/train_memory_teacher.py)."""
    args = run_args(p, "memory_teacher", "memory_student") + p.teacher_args
    return train_or_reuse(p, "memory_teacher", "teacher.pt", train_memory_teacher, args)


def fine_tune(p: Plan, name: str, extra: list[str], init: str = "memory_student") -> dict:
    return train_or_reuse(p, name, "student.pt", train_memory_student, run_args(p, name, init) + p.distill_args + extra)


def stage_distill(p: Plan) -> dict:
    """The shipped student: the memory student fine-tuned on the teacher's distributions (kd weight 0.5)."""
    return fine_tune(p, "student_kd", ["--teacher", os.path.join(p.runs, "memory_teacher", "teacher.pt"), "--kd-weight", "0.5"])


def stage_control(p: Plan) -> dict:
    """The distillation's control: the same fine-tune on ground truth alone."""
    return fine_tune(p, "student_gt", [])


def stage_atlas(p: Plan) -> dict:
    """The atlas (models/world_model/atlas.py): train frames covering positions x headings."""
    out = os.path.join(p.runs, "atlas")
    if os.path.exists(os.path.join(out, "atlas.json")):
        print(f"[atlas] {out} exists; delete it to choose again", flush=True)
        return json.load(open(os.path.join(out, "atlas.json"))) | {"frame_index": None, "episode": None}
    return atlas.main(["--tokens", os.path.join(p.runs, "tokens"), "--out", out])


def stage_v3(p: Plan, name: str = "student_v3", init: str = "student_kd") -> dict:
    """World model v3: the shipped v2 student (distill's) with the copy path, the source input and atlas slots."""
    args = run_args(p, name, init) + v3_inputs(p) + p.v3_args
    return train_or_reuse(p, name, "student.pt", train_memory_student, args)


def v3_inputs(p: Plan) -> list[str]:
    """What a v3 student trains with: the copy path, the source input and atlas slots."""
    return ["--copy", "--source", "--atlas", os.path.join(p.runs, "atlas")]


# v3's distillation, at equal steps: the shipped v3 student fine-tuned on the v3 teacher's
# distributions, and the same fine-tune on ground truth alone (batch 24, as v3 trained)
V3_BATCH = ["--batch", "24"]


def stage_distill_v3(p: Plan) -> dict:
    """v3 distilled: the v3 student fine-tuned on the v3 teacher's distributions (kd weight 0.5), atlas slots as in training."""
    kd = ["--teacher", os.path.join(p.runs, "teacher_v3", "teacher.pt"), "--kd-weight", "0.5"]
    return fine_tune(p, "student_v3_kd", v3_inputs(p) + V3_BATCH + kd, "student_v3")


def stage_distill_v3_control(p: Plan) -> dict:
    """distill_v3's control: the same fine-tune of the v3 student on ground truth alone."""
    return fine_tune(p, "student_v3_ft", v3_inputs(p) + V3_BATCH, "student_v3")


def stage_control_v3(p: Plan) -> dict:
    """v3's fine-tune at equal steps from the ground-truth-only v2 student (control's): the distilled
    lineage against the ground-truth-only one."""
    return stage_v3(p, "student_v3_gt", "student_gt")


def stage_teacher_v3(p: Plan) -> dict:
    """The v3 teacher: v3's trunk (copy path, source input) under the v2 teacher's causal head, with atlas slots."""
    head = ["--head-init", os.path.join(p.runs, "memory_teacher", "teacher.pt"), "--atlas", os.path.join(p.runs, "atlas")]
    args = run_args(p, "teacher_v3", "student_v3") + head + p.teacher_v3_args
    return train_or_reuse(p, "teacher_v3", "teacher.pt", train_memory_teacher, args)


def sampler_run(p: Plan, name: str, more: list[str]) -> dict:
    args = [
        "--tokens",
        os.path.join(p.runs, "tokens"),
        "--out",
        os.path.join(p.runs, name),
        "--student",
        os.path.join(p.runs, "student_v3", "student.pt"),
        "--teacher",
        os.path.join(p.runs, "teacher_v3", "teacher.pt"),
        "--atlas",
        os.path.join(p.runs, "atlas"),
    ]
    return train_or_reuse(p, name, "sampler.pt", train_noise_sampler, args + p.sampler_args + more)


def stage_noise_sampler(p: Plan) -> dict:
    """The shared-noise sampler on the frozen v3 student: the v3 teacher's samples, its noise given (noise_sampler.py)."""
    return sampler_run(p, "noise_sampler", [])


def stage_seq_sampler(p: Plan) -> dict:
    """noise_sampler's control: the same network and samples without the noise (sequence-level distillation)."""
    return sampler_run(p, "seq_sampler", ["--no-noise"])


def stage_decoder(p: Plan) -> dict:
    """The lite decoder (models/tokenizer/distill_decoder.py), two schedules; the app ships it."""
    base = [
        "--tokenizer",
        os.path.join(p.runs, "tokenizer", "tokenizer.pt"),
        "--data",
        os.path.join(p.data, "train"),
        "--tokens",
        os.path.join(p.runs, "tokens"),
        "--val",
        os.path.join(p.data, "val"),
    ]
    first = base + ["--out", os.path.join(p.runs, "lite_decoder"), *p.decoder_args[0]]
    second = base + [
        "--out",
        os.path.join(p.runs, "lite_decoder_2"),
        "--init",
        os.path.join(p.runs, "lite_decoder", "lite_decoder.pt"),
        *p.decoder_args[1],
    ]
    cfg = distill_decoder.parse_args(first)  # the second's --init exists only after the first
    done = trainer.finished(os.path.join(p.runs, "lite_decoder_2"))
    if done and done.get("finished"):  # reused or trained already: the first schedule is not needed again
        return done
    if not p.from_scratch:
        reused = reuse_committed("lite_decoder", "lite_decoder.pt", os.path.join(p.runs, "lite_decoder_2"), asdict(cfg.model))
        if reused:
            return reused
    r = distill_decoder.train(cfg)
    if not r.get("finished"):
        return r
    return distill_decoder.train(distill_decoder.parse_args(second))


ABLATIONS = {
    "full": [],
    "no_warp": ["--no-warp"],
    "recent_only": ["--retrieval", "recent"],
    "no_noise_no_self_forcing": ["--max-level", "0", "--self-forcing", "0"],
}


def stage_ablations(p: Plan) -> dict:
    """Four short students at equal steps, one idea off each (eval.md's ablation table)."""
    out = {}
    for name, extra in ABLATIONS.items():
        args = [
            "--tokens",
            os.path.join(p.runs, "tokens"),
            "--out",
            os.path.join(p.runs, f"ablate_{name}"),
            *p.ablation_args,
            *extra,
        ]
        r = train_memory_student.train(train_memory_student.parse_args(args))
        if not r.get("finished"):
            return {"finished": False}
        out[name] = {k: r.get(k) for k in ("val_acc", "val_nll", "cpu_minutes")}
    return {"finished": True, **out}


def model_dir(p: Plan) -> str:
    return os.path.join(p.runs, p.model_id) if p.model_id == "wm-smoke" else os.path.join(ROOT, "models", p.model_id)


def stage_export(p: Plan) -> dict:
    return export.export(p.runs, p.data, model_dir(p), p.model_id)


def stage_eval(p: Plan) -> dict:
    args = ["--model", model_dir(p), "--runs", p.runs, "--data", p.data, *p.eval_args]
    out = evaluate.run(evaluate.parse_args(args))
    r = p.runs
    tour = tour_eval.run(
        tour_eval.parse_args(
            ["--model", model_dir(p), "--data", os.path.join(p.data, "tour"), "--steps", str(p.tour_steps)]
            + ["--tokenizer", os.path.join(r, "tokenizer", "tokenizer.pt"), "--decoder", os.path.join(r, DECODER)]
            + ["--student", os.path.join(r, STUDENT_RUN, "student.pt"), "--v2", os.path.join(r, "student_kd", "student.pt")]
        )
    )
    return {**out, "tour": {k: v for k, v in tour.items() if k != "per_step_psnr"}}


STAGES = {
    "data": stage_data,
    "tokenizer": stage_tokenizer,
    "tokens": stage_tokens,
    "decoder": stage_decoder,
    "student": stage_student,
    "teacher": stage_teacher,
    "distill": stage_distill,
    "control": stage_control,
    "atlas": stage_atlas,
    "v3": stage_v3,
    "teacher_v3": stage_teacher_v3,
    "noise_sampler": stage_noise_sampler,
    "seq_sampler": stage_seq_sampler,
    "control_v3": stage_control_v3,
    "distill_v3": stage_distill_v3,
    "distill_v3_control": stage_distill_v3_control,
    "export": stage_export,
    "eval": stage_eval,
    "ablations": stage_ablations,
}
DEFAULT_STAGES = [
    "data",
    "tokenizer",
    "tokens",
    "decoder",
    "student",
    "teacher",
    "distill",
    "control",
    "atlas",
    "v3",
    "teacher_v3",
    "noise_sampler",
    "export",
    "eval",
]
# Not run by default (about 75 wall-min more; eval reads them when present): EXTRA_STAGES.
EXTRA_STAGES = ["control_v3", "distill_v3", "distill_v3_control", "seq_sampler"]
TRAINED = (
    "tokenizer",
    "decoder",
    "student",
    "teacher",
    "distill",
    "control",
    "v3",
    "teacher_v3",
    "control_v3",
    "distill_v3",
    "distill_v3_control",
    "ablations",
)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default=os.path.join(ROOT, "models", "runs"), help="where checkpoints and logs go")
    ap.add_argument("--data", default=None, help="where the splits go (default: <repo>/data, or <runs>/data with --smoke)")
    ap.add_argument(
        "--stages",
        default="",
        help=f"comma-separated subset of {','.join(STAGES)} (default {','.join(DEFAULT_STAGES)}; --smoke adds {','.join(EXTRA_STAGES)})",
    )
    ap.add_argument("--smoke", action="store_true", help="tiny data and few steps, to test the pipeline itself")
    ap.add_argument("--from-scratch", action="store_true", help="retrain even where models/checkpoints has a matching model")
    ap.add_argument(
        "--save-checkpoints", default="", help="comma-separated trained stages to copy into models/checkpoints, then exit"
    )
    a = ap.parse_args(argv)
    if a.save_checkpoints:
        for name in a.save_checkpoints.split(","):
            if name not in WEIGHTS:
                ap.error(f"--save-checkpoints: {name} is not one of {list(WEIGHTS)}")
            save_committed(a.runs, name)
        return
    default = DEFAULT_STAGES[:-2] + EXTRA_STAGES + DEFAULT_STAGES[-2:] if a.smoke else DEFAULT_STAGES  # before export, eval
    wanted = [s for s in a.stages.split(",") if s] or default
    unknown = [s for s in wanted if s not in STAGES]
    if unknown:
        ap.error(f"unknown stage(s) {unknown}; the stages are {list(STAGES)}")
    preset = SMOKE if a.smoke else FULL
    data = a.data or (os.path.join(a.runs, "data") if a.smoke else os.path.join(ROOT, "data"))
    plan = Plan(runs=a.runs, data=data, from_scratch=a.from_scratch, **preset)
    os.makedirs(a.runs, exist_ok=True)
    times_path = os.path.join(a.runs, "stages.json")
    times = json.load(open(times_path)) if os.path.exists(times_path) else {}
    for name in wanted:
        c0, w0 = time.process_time(), time.time()
        print(f"== stage {name}", flush=True)
        result = STAGES[name](plan)
        if name in TRAINED and not result.get("finished"):
            print(f"{name} stopped before its last step; rerun to continue", flush=True)
            sys.exit(3)
        entry = times.get(name, {"wall_minutes": 0.0, "cpu_minutes_main_process": 0.0, "runs": 0})
        entry["wall_minutes"] = round(entry["wall_minutes"] + (time.time() - w0) / 60, 2)
        entry["cpu_minutes_main_process"] = round(entry["cpu_minutes_main_process"] + (time.process_time() - c0) / 60, 2)
        entry["runs"] += 1
        times[name] = entry
        with open(times_path, "w") as f:
            json.dump(times, f, indent=2)
        print(f"== stage {name} done in {(time.time() - w0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
