"""
Adds the comparison rows (the v3 teacher token by token, v3 fine-tuned from the ground-truth-only
v2, v3 fine-tuned on the v3 teacher's distributions and on ground truth) to an existing eval.json's
dream tables, on the same test windows, without re-running the rest of the evaluation (52 min): for
runs trained after the shipped model was evaluated (pipeline stages teacher_v3, control_v3,
distill_v3, distill_v3_control).

    python3 -m models.export.eval_rows --model models/wm-courtyard-v3 --runs models/runs --data data
    python3 -m models.export.eval_rows ... --teacher none      # the students only (the teacher costs ~40 CPU-min)
    python3 -m models.export.eval_rows ... --bench-frames 30   # and ms per frame again (after a new teacher export)
    python3 -m models.export.eval_rows ... --bench-only        # ms per frame only (after ship_sampler.py re-exports the student)

The baseline rows are recomputed and must equal eval.json's (the same windows, tokenizer and
decoder), or nothing is written. Rewrites eval.json's dream tables, curves and targets, eval.md and
the manifest's metrics.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import torch

from models.data.dataset import load
from models.export.eval_report import write_markdown
from models.export.evaluate import bench_ort, comparison_rollouts, comparison_targets, psnr_and_ms
from models.export.scoring import Windows, dream_table, pick_windows
from models.export.shipped import (
    read_manifest,
    shipped_tokenizer,
    training_atlas,
    update_manifest,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASELINES = ("tokenizer ceiling", "copy last frame")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v3"))
    ap.add_argument("--runs", default=os.path.join(ROOT, "models", "runs"))
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    ap.add_argument(
        "--teacher",
        default="",
        help="v3 teacher weights (default <runs>/teacher_v3/teacher.pt; 'none' skips)",
    )
    ap.add_argument(
        "--control",
        default="",
        help="v3 from the GT-only v2 (default <runs>/student_v3_gt/student.pt; 'none' skips)",
    )
    ap.add_argument("--distill", default="", help="'none' skips v3 fine-tuned on the v3 teacher and on ground truth")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument(
        "--bench-frames", type=int, default=0, help="re-measure ms per frame in onnxruntime-node (0: keep eval.json's)"
    )
    ap.add_argument(
        "--bench-only", action="store_true", help="re-measure ms per frame (30 frames unless --bench-frames), no rows"
    )
    a = ap.parse_args(argv)
    if not os.path.exists(os.path.join(a.model, "eval.json")):
        ap.error(f"{a.model}: no eval.json; run python3 -m models.export.evaluate first")
    return a


def run(a: argparse.Namespace) -> dict:
    t0 = time.time()
    torch.set_num_threads(a.threads or os.cpu_count() or 1)
    path = os.path.join(a.model, "eval.json")
    ev = json.load(open(path))
    if a.bench_only:
        ev["ms_per_frame_onnxruntime_node"] = bench_ort(a.model, a.bench_frames or 30)
        return write(a, ev, path, t0)
    atlas = training_atlas(a.model)
    models = comparison_rollouts(a, atlas)
    if not models:
        raise SystemExit(
            f"no comparison run under {a.runs} (teacher_v3, student_v3_gt, student_v3_kd + student_v3_ft): nothing to add"
        )
    s = ev["settings"]
    tok = shipped_tokenizer(a.runs)
    ds = load(os.path.join(a.data, "test"))
    H = max(s["horizons"])
    w = Windows(ds, tok, pick_windows(ds, 4 + H, s["windows"], s["seed"]), 4 + H)
    for start in (1, 4):
        key = f"start_{start}"
        table, curves, _ = dream_table(tok, w, start, H, s["horizons"], models, atlas)
        for b in BASELINES:  # the same windows as the stored evaluation, or the rows do not compare
            old, new = ev["dream"][key][b], table[b]
            if any(abs(old[h]["psnr"] - new[h]["psnr"]) > 0.02 for h in old):
                raise SystemExit(f"{b} from {start}: {new} differs from eval.json's {old}; re-run the whole evaluate.py")
        for name in models:
            ev["dream"][key][name] = table[name]
            ev["psnr_by_horizon"][key][name] = {str(h): v for h, v in curves[name].items()}
        print(
            f"[eval_rows] from {start}: " + json.dumps({n: table[n]["h16"]["psnr"] for n in models}),
            flush=True,
        )
    ev["targets"].update(comparison_targets(ev["dream"]["start_1"], ev["dream"]["start_4"]))
    if a.bench_frames:
        ev["ms_per_frame_onnxruntime_node"] = bench_ort(a.model, a.bench_frames)
    ev["comparison_rows_seconds"] = round(time.time() - t0, 1)
    return write(a, ev, path, t0)


def write(a: argparse.Namespace, ev: dict, path: str, t0: float) -> dict:
    """eval.json, eval.md and the manifest's metrics from ev."""
    with open(path, "w") as f:
        json.dump(ev, f, indent=2)
    write_markdown(ev, os.path.join(a.model, "eval.md"))
    metrics = read_manifest(a.model).get("metrics", {})
    metrics.update(psnr_and_ms(ev["dream"], ev.get("ms_per_frame_onnxruntime_node", {})), targets=ev["targets"])
    update_manifest(a.model, metrics=metrics)
    print(f"[eval_rows] wrote {path} in {time.time() - t0:.0f} s", flush=True)
    return ev


if __name__ == "__main__":
    run(parse_args())
