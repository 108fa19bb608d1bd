"""
The designed tour, scored: the shipped student dreams the whole tour of the courtyard
(src/sim/tour.ts, rendered by `npm run data -- --style tour --out data/tour`) from its first frame,
with the atlas and without, beside v2; each against showing the start frame again. Writes
tour.json, tour.md and tour.png (PSNR along the tour, the path coloured by it, frames every 85
steps) into the model folder and the summary into the manifest's metrics.tour.

    python3 -m models.export.tour_eval --model models/wm-courtyard-v3 --data data/tour

Checkpoints default to the committed ones (models/checkpoints), which export's sources name.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch

from models.data.dataset import load
from models.export.dream import rollout_memory
from models.export.scoring import AGAIN, ME, NO_ATLAS, V2, Windows, decode, per_step_psnr, tour_row, v3_rollouts
from models.export.shipped import read_manifest, training_atlas, update_manifest
from models.tokenizer.lite_decoder import with_lite_decoder
from models.tokenizer.report import load_tokenizer
from models.world_model.prepare import file_sha256
from models.world_model.train_memory_student import load_memory_student

CK = os.path.join("models", "checkpoints")
SHEET_EVERY = 85


def path_stats(poses: np.ndarray, half_extent: float) -> dict:
    """How much of the courtyard the tour covers: its length, its extent, how far it turns."""
    xz = poses[:, [0, 2]]
    span = xz.max(0) - xz.min(0)
    return {
        "steps": int(len(poses) - 1),
        "path_m": round(float(np.linalg.norm(np.diff(xz, axis=0), axis=1).sum()), 1),
        "span_m": [round(float(v), 1) for v in span],
        "share_of_walkable_square": round(float(span[0] * span[1] / (2 * half_extent) ** 2), 3),
        "turned_deg": round(float(np.degrees(np.abs(np.diff(poses[:, 3])).sum())), 0),
    }


def figure(out: str, poses: np.ndarray, per_step: dict, frames: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = list(range(0, len(poses) - 1, SHEET_EVERY))
    fig = plt.figure(figsize=(13, 4 + 1.6 * len(frames)))
    grid = fig.add_gridspec(1 + len(frames), max(len(cols), 2), height_ratios=[2.6] + [1] * len(frames))
    ax = fig.add_subplot(grid[0, : max(len(cols), 2) // 2])
    for name, ys in per_step.items():
        ax.plot(np.arange(1, len(ys) + 1), ys, label=name, lw=1.2 if name != AGAIN else 0.8, ls="-" if name != AGAIN else "--")
    ax.set_xlabel("step of the tour (dreamed from its first frame)")
    ax.set_ylabel("PSNR vs truth (dB)")
    # where a look-around ends on the start view the start frame is exact (99 dB): off this scale
    ax.set_ylim(5, 35)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    mp = fig.add_subplot(grid[0, max(len(cols), 2) // 2 :])
    sc = mp.scatter(poses[1:, 0], poses[1:, 2], c=per_step[ME], cmap="viridis", s=6, vmin=8, vmax=28)
    mp.plot(poses[0, 0], poses[0, 2], "r*", ms=12)
    mp.set_aspect("equal")
    mp.set_xlim(-30, 30)
    mp.set_ylim(30, -30)
    mp.set_xlabel("x (m)")
    mp.set_ylabel("z (m)")
    mp.set_title("the path, coloured by the v3 student's PSNR (start: star)", fontsize=9)
    fig.colorbar(sc, ax=mp, fraction=0.04)
    for r, (name, arr) in enumerate(frames.items()):
        for c, h in enumerate(cols):
            a = fig.add_subplot(grid[1 + r, c])
            a.imshow(arr[h])
            a.set_xticks([])
            a.set_yticks([])
            if c == 0:
                a.set_ylabel(name, fontsize=7)
            if r == 0:
                a.set_title(f"step {h + 1}", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def run(a: argparse.Namespace) -> dict:
    t0 = time.time()
    torch.set_num_threads(a.threads or os.cpu_count() or 1)
    manifest = read_manifest(a.model)
    if manifest is None:
        raise SystemExit(f"{a.model} has no manifest.json")
    for key, path in (("tokenizer", a.tokenizer), ("student", a.student), ("decoder", a.decoder)):
        if file_sha256(path) != manifest["sources"][key]:
            raise SystemExit(f"{path} is not the {key} this folder was exported from (manifest sources.{key})")
    tok = with_lite_decoder(load_tokenizer(a.tokenizer), a.decoder)
    student = load_memory_student(a.student)
    models = v3_rollouts(student, training_atlas(a.model))
    if a.v2 != "none":
        v2 = load_memory_student(a.v2)
        models[V2] = lambda s, p, act, h: rollout_memory(v2, s, p, act, h)
    ds = load(a.data)
    if len(np.unique(np.asarray(ds.episode))) != 1:
        raise SystemExit(f"{a.data} is not one tour (npm run data -- --style tour --out {a.data})")
    L = len(ds.episode) if not a.steps else min(a.steps + 1, len(ds.episode))
    w = Windows(ds, tok, np.array([0]), L)
    H, truth = L - 1, w.frames[:, 1:]
    preds = {AGAIN: np.repeat(w.frames[:, :1], H, 1)}
    for name, roll in models.items():
        preds[name] = decode(tok, roll(w.tokens[:, :1], w.poses, w.actions, H))
        print(f"[tour] {name}: {time.time() - t0:.0f} s", flush=True)
    per = {name: per_step_psnr(p, truth) for name, p in preds.items()}
    rows = {name: tour_row(p, truth, per[name]) for name, p in preds.items()}
    per_step = {name: [round(v, 2) for v in ys] for name, ys in per.items()}
    bounds = json.load(open(os.path.join(a.data, "meta.json")))["contract"]["bounds"]
    stats = path_stats(w.poses[0], (bounds["x"][1] - bounds["x"][0]) / 2)
    result = {
        "what": "the designed tour (src/sim/tour.ts) dreamed from its first frame, greedy; PSNR vs the rendered truth",
        "tour": stats,
        "rows": rows,
        "over_start_frame_again_db": {
            n: round(r["mean_psnr"] - rows[AGAIN]["mean_psnr"], 2) for n, r in rows.items() if n != AGAIN
        },
        "per_step_psnr": per_step,
        "seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(a.model, "tour.json"), "w") as f:
        json.dump(result, f, indent=1)
    figure(
        os.path.join(a.model, "tour.png"),
        w.poses[0],
        per_step,
        {"truth": truth[0], **{n: preds[n][0] for n in (ME, NO_ATLAS, V2) if n in preds}},
    )
    lines = [
        "# The designed tour",
        "",
        f"{stats['steps']} steps, {stats['path_m']} m walked, spanning {stats['span_m'][0]} m x {stats['span_m'][1]} m "
        f"({100 * stats['share_of_walkable_square']:.0f}% of the walkable square) and turning {stats['turned_deg']:.0f} degrees; "
        "dreamed from its first frame (`python3 -m models.export.tour_eval`).",
        "",
        "| model | mean PSNR | over the start frame again | last step | sharpness |",
        "|---|---|---|---|---|",
    ]
    for n, r in rows.items():
        over = "" if n == AGAIN else f"{result['over_start_frame_again_db'][n]:+.2f} dB"
        lines.append(f"| {n} | {r['mean_psnr']:.2f} | {over} | {r['last_psnr']:.2f} | {r['mean_sharpness']:.3f} |")
    lines += ["", "![the tour](tour.png)", ""]
    with open(os.path.join(a.model, "tour.md"), "w") as f:
        f.write("\n".join(lines))
    metrics = {**manifest.get("metrics", {}), "tour": {k: v for k, v in result.items() if k != "per_step_psnr"}}
    update_manifest(a.model, metrics=metrics)
    return result


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="the model folder (manifest.json, atlas.bin)")
    ap.add_argument("--data", required=True, help="the rendered tour (npm run data -- --style tour --out DIR)")
    ap.add_argument("--tokenizer", default=os.path.join(CK, "tokenizer.pt"))
    ap.add_argument("--decoder", default=os.path.join(CK, "lite_decoder.pt"))
    ap.add_argument("--student", default=os.path.join(CK, "student_v3.pt"))
    ap.add_argument("--v2", default=os.path.join(CK, "student_kd.pt"), help="v2's student, or 'none'")
    ap.add_argument("--steps", type=int, default=0, help="score only the first N steps (0: the whole tour)")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args(argv)
    if not os.path.exists(os.path.join(a.data, "meta.json")):
        ap.error(f"{a.data}/meta.json is missing: render the tour first (npm run data -- --style tour --out {a.data})")
    return a


def main(argv=None) -> None:
    r = run(parse_args(argv))
    print(json.dumps({"tour": r["tour"], "over_start_frame_again_db": r["over_start_frame_again_db"]}, indent=1))


if __name__ == "__main__":
    main()
