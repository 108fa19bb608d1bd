"""
Evaluation of the exported world model in dream mode (each model feeds on its own greedy
predictions after a start of 1 or 4 ground-truth frames, given the true camera poses and
actions), against copy-last-frame and the tokenizer-reconstruction ceiling on the same frames:

- test split (trajectory seed 2, never trained on): PSNR / SSIM / sharpness (image-gradient energy
  of the prediction over the truth's) at horizons 1, 4, 16, 32, 64, 128 for the shipped v3 student
  (copy path + atlas), the same with the atlas off and with the copy path off at inference (the
  ablations of the shipped weights), the v2 student it was fine-tuned from, and where their runs
  exist the v3 teacher (token by token) and v3 fine-tuned from the ground-truth-only v2 (the
  distillation's control; models/export/eval_rows.py adds these two to an existing eval.json); baselines: the tokenizer ceiling,
  copy the last frame, copy the nearest atlas frame (decoded);
- long tours: whole 256-frame test episodes dreamed from their first frame, mean PSNR over the
  steps against showing the start frame again;
- revisit split (scripted loops, trajectory seed 3: turns of 375 degrees and walks ~6.5 m out and
  back): loop closure, the returned frame's PSNR against the truth, beside copying the start frame,
  the nearest seen frame and the model's own h1, for turns and walks apart;
- the ablations (models/runs/ablate_*: equal steps, one idea off each) at h1, h16, h64;
- ms per frame in onnxruntime-node (models/export/benchOrt.ts) and FLOPs from the manifest.

    python3 -m models.export.evaluate --model models/wm-courtyard-v3 --runs models/runs --data data

Writes <model>/eval.json, eval.md, contact_sheet.png (a 128-step dream and loop closures) and
curves.png, and copies the metrics into <model>/manifest.json. The windows, the scores and the
dream tables are scoring.py's (quantize.py and sampling_eval.py use them too); eval.md and
curves.png are written by eval_report.py.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import time

import numpy as np
import torch
from PIL import Image

from models.common import JsonlLog, psnr
from models.data.contact_sheet import contact_sheet
from models.data.dataset import load
from models.export.dream import rollout_memory
from models.export.eval_report import plot, write_markdown
from models.export.scoring import (
    CONTROL,
    ME,
    NO_ATLAS,
    NO_COPY,
    TEACHER,
    V2,
    V3_FT,
    V3_KD,
    v3_rollouts,
    ATLAS_COPY,
    Windows,
    curve_points,
    decode,
    dream_table,
    nearest_seen,
    pick_windows,
    scores,
    tour,
)
from models.export.shipped import (
    CONTROL_V3_RUN,
    DISTILL_V3_RUNS,
    STUDENT_RUN,
    TEACHER_RUN,
    compute_summary,
    read_manifest,
    shipped_tokenizer,
    training_atlas,
    update_manifest,
)
from models.tokenizer.report import reconstruct
from models.world_model.memory_teacher import load_memory_teacher
from models.world_model.prepare import file_sha256 as sha256
from models.world_model.train_memory_student import load_memory_student

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HORIZONS = [1, 4, 16, 32, 64, 128]
ABLATION_HORIZONS = [1, 16, 64]


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v3"), help="the exported model folder")
    ap.add_argument("--runs", default=os.path.join(ROOT, "models", "runs"))
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    ap.add_argument("--v1", default="", help="v1 student weights (models/checkpoints/v1_student.pt; default: skipped)")
    ap.add_argument("--v2", default="", help="the v2 student (default <runs>/student_kd/student.pt; 'none' skips)")
    ap.add_argument(
        "--teacher",
        default="",
        help=f"v3 teacher weights (default <runs>/{TEACHER_RUN}/teacher.pt where it exists; 'none' skips: "
        "token by token over every window costs ~40 CPU-min)",
    )
    ap.add_argument(
        "--control",
        default="",
        help=f"v3 from the ground-truth-only v2 (default <runs>/{CONTROL_V3_RUN}/student.pt where it exists; 'none' skips)",
    )
    ap.add_argument(
        "--distill",
        default="",
        help=f"'none' skips v3 fine-tuned on the v3 teacher and on ground truth (<runs>/{DISTILL_V3_RUNS[0]}, {DISTILL_V3_RUNS[1]})",
    )
    ap.add_argument("--tours", type=int, default=12, help="whole test episodes dreamed from their first frame (0 skips)")
    ap.add_argument("--windows", type=int, default=24, help="dream rollouts on the test split")
    ap.add_argument("--horizons", default=",".join(map(str, HORIZONS)))
    ap.add_argument("--loops", type=int, default=32, help="revisit episodes scored for loop closure")
    ap.add_argument("--bench-frames", type=int, default=30, help="frames timed in onnxruntime-node (0 skips)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        a.horizons = sorted({int(h) for h in a.horizons.split(",")})
    except ValueError:
        ap.error(f"--horizons takes comma-separated integers, got {a.horizons!r}")
    if not a.horizons or a.horizons[0] < 1 or a.windows < 1 or a.loops < 0:
        ap.error("--horizons must be >= 1, --windows >= 1 and --loops >= 0")
    if not os.path.exists(os.path.join(a.model, "manifest.json")):
        ap.error(f"{a.model}: no manifest.json; run python3 -m models.export.export first")
    return a


def bench_ort(model_dir: str, frames: int) -> dict:
    """ms per predicted frame in onnxruntime-node on this CPU (a Node script, the runtime users get)."""
    out = os.path.join(model_dir, "bench-ort.json")
    cmd = ["npx", "tsx", "models/export/benchOrt.ts", "--model", model_dir, "--frames", str(frames), "--out", out]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return json.load(open(out))


def loop_closure(tok, w: Windows, start: int, roll, kinds: np.ndarray) -> tuple[dict, dict]:
    """Dream from `start` frames to each revisit episode's last frame (the return); scores for all
    loops and for each kind (turn, walk) apart."""
    T = w.frames.shape[1]
    H = T - start
    pred = decode(tok, roll(w.tokens[:, :start], w.poses, w.actions, H)[:, [0, H - 1]])  # the first and the returned frame
    truth = w.frames[:, -1]
    near = np.stack([w.frames[b, nearest_seen(w.poses[b, :start], w.poses[b, -1])] for b in range(len(truth))])
    first = w.frames[:, 0]

    def part(m):
        return {
            "returned_frame": scores(pred[m, -1], truth[m]),
            "copy_nearest_seen_frame": scores(near[m], truth[m]),
            "copy_start_frame": scores(first[m], truth[m]),
            "own_h1": scores(pred[m, 0], w.frames[m, start]),
            "tokenizer_ceiling": scores(decode(tok, w.tokens[m, -1]), truth[m]),
            "loops": int(m.sum()),
        }

    r = {**part(np.ones(len(truth), bool)), "steps_to_return": H}
    for k in ("turn", "walk"):
        if (kinds == k).any():
            r[k] = part(kinds == k)
    return r, {"pred": pred, "near": near}


def psnr_and_ms(dream: dict, bench: dict) -> dict:
    """The manifest metrics' dream PSNR by row and horizon and ms per frame by graph (eval.json's, summed up)."""
    return {
        "dream_psnr": {k: {n: {h: v[h]["psnr"] for h in v} for n, v in d.items()} for k, d in dream.items()},
        "ms_per_frame_onnxruntime_node": {
            k: v["ms_per_frame"] for k, v in bench.items() if isinstance(v, dict) and "ms_per_frame" in v
        },
    }


def comparison_rollouts(a: argparse.Namespace, atlas) -> dict:
    """The v3 teacher (token by token) and the v3 fine-tune from the ground-truth-only v2 student,
    where their runs exist (pipeline stages teacher_v3 and control_v3) and --teacher / --control are
    not 'none'; both retrieve from the atlas as the shipped student does."""
    out = {}
    tpath = a.teacher or os.path.join(a.runs, TEACHER_RUN, "teacher.pt")
    if a.teacher != "none" and os.path.exists(tpath):
        teacher = load_memory_teacher(tpath)
        out[TEACHER] = lambda s, p, act, h: rollout_memory(teacher, s, p, act, h, atlas=atlas)
    cpath = a.control or os.path.join(a.runs, CONTROL_V3_RUN, "student.pt")
    if a.control != "none" and os.path.exists(cpath):
        control = load_memory_student(cpath)
        out[CONTROL] = lambda s, p, act, h: rollout_memory(control, s, p, act, h, atlas=atlas)
    paths = [os.path.join(a.runs, r, "student.pt") for r in DISTILL_V3_RUNS]
    if getattr(a, "distill", "") != "none" and all(os.path.exists(p) for p in paths):
        for name, path in zip((V3_KD, V3_FT), paths):
            out[name] = (lambda m: lambda s, p, act, h: rollout_memory(m, s, p, act, h, atlas=atlas))(load_memory_student(path))
    return out


def comparison_targets(s1: dict, s4: dict) -> dict:
    """Teacher against student and distilled against ground-truth-only, at every horizon from 1 and 4
    frames, where both rows are there."""
    out = {}
    for key, better, worse in (
        ("teacher better than the student at every horizon", TEACHER, ME),
        ("distilled better than ground-truth-only at every horizon", ME, CONTROL),
        ("v3 fine-tuned on the v3 teacher better than on ground truth at every horizon", V3_KD, V3_FT),
    ):
        if better in s1 and worse in s1:
            out[key] = all(d[better][h]["psnr"] > d[worse][h]["psnr"] for d in (s1, s4) for h in d[worse])
    return out


def run(a: argparse.Namespace) -> dict:
    t_start = time.time()
    torch.set_num_threads(a.threads or os.cpu_count() or 1)
    manifest = read_manifest(a.model)
    eval_path = os.path.join(a.model, "eval.json")
    sources = {k: sha256(os.path.join(a.model, f["path"])) for k, f in manifest["files"].items() if f["path"].endswith(".onnx")}
    if os.path.exists(eval_path):
        prev = json.load(open(eval_path))
        if prev.get("onnx_sha256") == sources and prev.get("settings", {}).get("windows") == a.windows:
            print(f"[eval] {eval_path} is up to date with the exported models; delete it to re-evaluate", flush=True)
            return prev
    log = lambda msg: print(f"[eval] {msg}", flush=True)  # noqa: E731
    tok = shipped_tokenizer(a.runs)  # the lite decoder, as the app
    student = load_memory_student(os.path.join(a.runs, STUDENT_RUN, "student.pt"))
    H = max(a.horizons)
    atlas = training_atlas(a.model)
    models = v3_rollouts(student, atlas)
    if student.cfg.copy:
        models[NO_COPY] = lambda s, p, act, h: rollout_memory(student, s, p, act, h, atlas=atlas, copy=False)
    v2path = a.v2 or os.path.join(a.runs, "student_kd", "student.pt")
    if (
        a.v2 != "none"
        and os.path.exists(v2path)
        and os.path.abspath(v2path) != os.path.abspath(os.path.join(a.runs, STUDENT_RUN, "student.pt"))
    ):
        v2 = load_memory_student(v2path)
        models[V2] = lambda s, p, act, h: rollout_memory(v2, s, p, act, h)
    models.update(comparison_rollouts(a, atlas))
    if a.v1:
        # Only here: v1's code stays off every other path (models/pipeline.py imports this file).
        from models.world_model.v1_student import load_student, rollout_window

        v1 = load_student(a.v1)
        models["v1 student"] = lambda s, p, act, h: rollout_window(v1, s, act, h)

    ds = load(os.path.join(a.data, "test"))
    w = Windows(ds, tok, pick_windows(ds, 4 + H, a.windows, a.seed), 4 + H)
    log(f"{a.windows} test windows of up to 4 + {H} frames from {w.episodes} episodes")
    dream, curves, sheet = {}, {}, None
    for start in (1, 4):
        t0 = time.time()
        table, cur, rows = dream_table(tok, w, start, H, a.horizons, models, atlas)
        dream[f"start_{start}"], curves[f"start_{start}"] = table, cur
        if start == 1:
            sheet = rows
        log(
            f"dream from {start} frame(s): {time.time() - t0:.0f} s; "
            + ", ".join(f"{n} h16 {r.get('h16', {}).get('psnr')}" for n, r in table.items())
        )

    tours = {}
    if a.tours:
        t0 = time.time()
        ep = np.asarray(ds.episode)
        firsts = np.flatnonzero(np.r_[True, np.diff(ep) != 0])
        L = int(np.diff(np.r_[firsts, len(ep)]).min())
        pick = firsts[np.linspace(0, len(firsts) - 1, min(a.tours, len(firsts))).round().astype(int)]
        tw = Windows(ds, tok, pick, L)
        tours = tour(tok, tw, {k: v for k, v in models.items() if k in (ME, NO_ATLAS, V2)})
        log(
            f"tours ({len(pick)} x {L - 1} steps): {time.time() - t0:.0f} s; "
            + json.dumps({k: v["mean_psnr"] for k, v in tours.items() if isinstance(v, dict)})
        )

    loops, loop_pics = {}, {}
    if a.loops:
        rv = load(os.path.join(a.data, "revisit"))
        L = int(rv.meta["settings"]["episode_len"])
        starts = np.flatnonzero(np.r_[True, np.diff(np.asarray(rv.episode)) != 0])[: a.loops]
        starts = starts[[np.asarray(rv.episode)[s] == np.asarray(rv.episode)[s + L - 1] for s in starts]]
        lw = Windows(rv, tok, starts, L)
        reach = np.linalg.norm(lw.poses[:, :, [0, 2]] - lw.poses[:, :1, [0, 2]], axis=-1).max(1)
        kinds = np.where(reach > 2.0, "walk", "turn")  # the walks go ~6.5 m out; the turns stay on the spot
        for start in (1, 4):
            loops[f"start_{start}"] = {}
            for name, roll in models.items():
                if name in (TEACHER, NO_COPY, CONTROL, V3_KD, V3_FT, "v1 student"):  # the targets are the shipped student's
                    continue
                r, imgs = loop_closure(tok, lw, start, roll, kinds)
                loops[f"start_{start}"][name] = r
                if start == 1:
                    loop_pics[name] = imgs

            log(
                f"loop closure from {start}: "
                + json.dumps({n: r["returned_frame"]["psnr"] for n, r in loops[f"start_{start}"].items()})
            )

    ablations = {}
    for d in sorted(glob.glob(os.path.join(a.runs, "ablate_*", "student.pt"))):
        m = load_memory_student(d)
        name = os.path.basename(os.path.dirname(d))[len("ablate_") :]
        Ha = max(ABLATION_HORIZONS)
        p = decode(tok, rollout_memory(m, w.tokens[:, :1], w.poses[:, : 1 + Ha], w.actions[:, : 1 + Ha], Ha))
        done = json.load(open(os.path.join(os.path.dirname(d), "done.json")))
        ablations[name] = {
            "config": {k: done["config"]["model"][k] for k in ("warp", "retrieval")}
            | {k: done["config"][k] for k in ("max_level", "self_forcing", "steps", "batch")},
            "cpu_minutes": done.get("cpu_minutes"),
            **{f"h{h}": round(psnr(p[:, h - 1], w.frames[:, h]), 2) for h in ABLATION_HORIZONS},
        }
        log(f"ablation {name}: {ablations[name]}")

    all_test = np.stack([np.asarray(ds.frame(i)) for i in range(0, len(ds), max(1, len(ds) // 1024))])
    tok_metrics = scores(reconstruct(tok, all_test), all_test) | {"frames": len(all_test)}
    bench = bench_ort(a.model, a.bench_frames) if a.bench_frames else {}

    s1, s4 = dream["start_1"], dream["start_4"]
    me, copy, ceil = ME, "copy last frame", "tokenizer ceiling"
    hz = lambda d, h: h in d[me] and h in d[copy]  # noqa: E731
    targets = {
        "dream h16 at least 6 dB over copying the last frame": all(
            d[me]["h16"]["psnr"] >= d[copy]["h16"]["psnr"] + 6 for d in (s1, s4) if hz(d, "h16")
        ),
        "dream h64 at least 7 dB over copying the last frame": all(
            d[me]["h64"]["psnr"] >= d[copy]["h64"]["psnr"] + 7 for d in (s1, s4) if hz(d, "h64")
        ),
        "dream h128 at least 6 dB over copying the last frame": all(
            d[me]["h128"]["psnr"] >= d[copy]["h128"]["psnr"] + 6 for d in (s1, s4) if hz(d, "h128")
        ),
        "h1 within 2.5 dB of the tokenizer ceiling": all(d[me]["h1"]["psnr"] >= d[ceil]["h1"]["psnr"] - 2.5 for d in (s1, s4)),
        "sharpness at h64 at least 0.85": all(d[me]["h64"]["sharpness"] >= 0.85 for d in (s1, s4) if "h64" in d[me]),
    }
    if loops:
        lc = [loops[k][me] for k in loops]
        targets["loop closure within 2 dB of its own h1"] = all(
            r["returned_frame"]["psnr"] >= r["own_h1"]["psnr"] - 2 for r in lc
        )
        targets["loop closure above copying the nearest seen frame"] = all(
            r["returned_frame"]["psnr"] > r["copy_nearest_seen_frame"]["psnr"] for r in lc
        )
    if tours:
        targets["long tour at least 4 dB over showing the start frame again"] = (
            tours[me]["mean_psnr"] >= tours["start frame again"]["mean_psnr"] + 4
        )
    targets.update(comparison_targets(s1, s4))
    result = {
        "model": manifest["id"],
        "split": "test",
        "decoding": "greedy (temperature 0)",
        "settings": {
            "windows": a.windows,
            "horizons": a.horizons,
            "episodes": w.episodes,
            "seed": a.seed,
            "test_trajectory_seed": ds.meta["settings"]["seed"],
            "loops": a.loops,
        },
        "tokenizer": tok_metrics,
        "dream": dream,
        "psnr_by_horizon": curves,
        "loop_closure": loops,
        "tours": tours,
        "atlas": {"frames": len(atlas.poses)} if atlas is not None else None,
        "ablations": ablations,
        "ms_per_frame_onnxruntime_node": bench,
        "flops": manifest.get("flops", {}),
        "targets": targets,
        "onnx_sha256": sources,
        "eval_seconds": round(time.time() - t_start, 1),
    }
    with open(eval_path, "w") as f:
        json.dump(result, f, indent=2)
    write_markdown(result, os.path.join(a.model, "eval.md"))
    pts = sorted(set(curve_points(H)) | set(a.horizons))
    pick = [pts.index(h) for h in a.horizons]
    rows = [sheet[k][0][pick] for k in ("tokenizer ceiling", me, V2, TEACHER, ATLAS_COPY, copy) if k in sheet]
    rows += [sheet[k][1][pick] for k in ("tokenizer ceiling", me, V2) if k in sheet]
    Image.fromarray(contact_sheet(list(np.concatenate(rows)), len(pick))).save(os.path.join(a.model, "contact_sheet.png"))
    if loops:
        # start frame, true return, v3's return, v2's return, copy of the nearest seen frame
        loop_imgs = (
            [lw.frames[:, 0], lw.frames[:, -1], loop_pics[ME]["pred"][:, -1]]
            + ([loop_pics[V2]["pred"][:, -1]] if V2 in loop_pics else [])
            + [loop_pics[ME]["near"]]
        )
        n = min(6, len(loop_imgs[0]))
        cols = [np.stack([im[i] for im in loop_imgs]) for i in range(n)]
        Image.fromarray(contact_sheet(list(np.concatenate(cols)), len(loop_imgs))).save(os.path.join(a.model, "loop_closure.png"))
    plot(
        curves,
        {"v3 student": JsonlLog(os.path.join(a.runs, STUDENT_RUN, "log.jsonl")).rows()},
        os.path.join(a.model, "curves.png"),
        ME,
    )
    compute = compute_summary(a.runs) | {"eval_wall_minutes": round((time.time() - t_start) / 60, 2)}
    # stages.json adds up every eval run; the model's record is this one.
    compute["stage_wall_minutes"]["eval"] = compute["eval_wall_minutes"]
    metrics = {
        "eval": "eval.json",
        "tokenizer": tok_metrics,
        **psnr_and_ms(dream, bench),
        "targets": targets,
    }
    update_manifest(a.model, compute=compute, metrics=metrics)
    log(f"wrote {eval_path} in {time.time() - t_start:.0f} s")
    return result


def main(argv=None):
    run(parse_args(argv))


if __name__ == "__main__":
    main()
