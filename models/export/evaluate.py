"""
Evaluation on the test split (trajectory seed never seen in training): tokenizer PSNR/SSIM, and the
teacher's, the distilled student's and the ground-truth-only student's next-frame PSNR/SSIM in
closed loop (each feeds on its own predictions, given the ground-truth actions, after K encoded
ground-truth context frames), against copy-last-frame and the tokenizer-reconstruction ceiling on
the same frames; milliseconds per predicted frame in onnxruntime-node (models/export/benchOrt.ts).

    python3 models/export/evaluate.py --model models/wm-courtyard-v1 --runs models/runs --data data

Writes <model>/eval.json, <model>/eval.md, <model>/contact_sheet.png and <model>/curves.png, and
copies the metrics into <model>/manifest.json. Greedy decoding (temperature 0) throughout.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from models.common import JsonlLog, frames_to_tensor, psnr, ssim, tensor_to_frames  # noqa: E402
from models.data.contact_sheet import contact_sheet  # noqa: E402
from models.data.dataset import load  # noqa: E402
from models.export.export import compute_summary, load_student, sha256  # noqa: E402
from models.tokenizer.report import load_tokenizer, reconstruct  # noqa: E402
from models.world_model.kd_targets import load_teacher  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "wm-courtyard-v1"), help="the exported model folder")
    ap.add_argument("--runs", default=os.path.join(ROOT, "models", "runs"))
    ap.add_argument("--data", default=os.path.join(ROOT, "data"))
    ap.add_argument("--windows", type=int, default=24, help="closed-loop rollouts, spread over the test episodes (the teacher decodes 256 tokens a frame: ~20 s per frame for 24 windows on 2 cores)")
    ap.add_argument("--horizons", default="1,4,16,32")
    ap.add_argument("--bench-frames", type=int, default=30, help="student frames timed in onnxruntime-node (teacher: a third)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args(argv)
    try:
        a.horizons = sorted({int(h) for h in a.horizons.split(",")})
    except ValueError:
        ap.error(f"--horizons takes comma-separated integers, got {a.horizons!r}")
    if not a.horizons or a.horizons[0] < 1 or a.windows < 1:
        ap.error("--horizons must be >= 1 and --windows >= 1")
    if not os.path.exists(os.path.join(a.model, "manifest.json")):
        ap.error(f"{a.model}: no manifest.json; run models/export/export.py first")
    return a


def pick_windows(ds, length: int, count: int, seed: int) -> np.ndarray:
    """Start frames of `count` windows of `length` frames inside single episodes, spread evenly."""
    ep = np.asarray(ds.episode)
    starts = np.flatnonzero(ep[:len(ep) - length + 1] == ep[length - 1:])
    if len(starts) == 0:
        raise ValueError(f"no test episode is {length} frames long")
    rng = np.random.default_rng(seed)
    pos = np.linspace(0, len(starts) - 1, count).round().astype(int)
    jitter = rng.integers(0, max(1, len(starts) // (2 * count)), count)
    return starts[np.minimum(pos + jitter, len(starts) - 1)]


@torch.no_grad()
def encode(tok, frames: np.ndarray) -> torch.Tensor:
    return torch.cat([tok.encode(frames_to_tensor(frames[i:i + 64], "cpu")) for i in range(0, len(frames), 64)])


@torch.no_grad()
def decode(tok, tokens: torch.Tensor) -> np.ndarray:
    return np.concatenate([tensor_to_frames(tok.decode(tokens[i:i + 64])) for i in range(0, len(tokens), 64)])


@torch.no_grad()
def rollout_student(m, ctx: torch.Tensor, actions: torch.Tensor, H: int) -> torch.Tensor:
    """ctx [B, K, g, g]; actions [B, K + H - 1, 5] -> predictions [B, H, g, g], greedy."""
    K, out = ctx.shape[1], []
    for i in range(H):
        pred = m.digits.compose(m(ctx, actions[:, i:i + K]).argmax(-1)).view(ctx.shape[0], 1, *ctx.shape[2:])
        out.append(pred)
        ctx = torch.cat([ctx[:, 1:], pred], 1)
    return torch.cat(out, 1)


@torch.no_grad()
def rollout_teacher(m, ctx: torch.Tensor, actions: torch.Tensor, H: int, log=None) -> torch.Tensor:
    K, out = ctx.shape[1], []
    for i in range(H):
        acts = torch.cat([actions.new_zeros(len(ctx), 1, 5), actions[:, i:i + K]], 1)
        pred = m.generate(ctx, acts, temperature=0).unsqueeze(1)
        out.append(pred)
        ctx = torch.cat([ctx[:, 1:], pred], 1)
        if log:
            log(f"  teacher frame {i + 1}/{H}")
    return torch.cat(out, 1)


def scores(pred: np.ndarray, truth: np.ndarray) -> dict:
    return {"psnr": round(psnr(pred, truth), 2), "ssim": round(ssim(pred, truth), 4)}


def bench_ort(model_dir: str, frames: int) -> dict:
    """ms per predicted frame in onnxruntime-node on this CPU (a Node script, the runtime users get)."""
    out = os.path.join(model_dir, "bench-ort.json")
    cmd = ["npx", "tsx", "models/export/benchOrt.ts", "--model", model_dir, "--frames", str(frames), "--out", out]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return json.load(open(out))


def plot(curves: dict, train_logs: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.5))
    hs = np.arange(1, len(next(iter(curves.values()))) + 1)
    for name, ys in curves.items():
        ax[0].plot(hs, ys, label=name, lw=2 if name in ("student", "teacher") else 1.2,
                   ls="--" if name in ("copy last frame", "tokenizer ceiling") else "-")
    ax[0].set(xlabel="frames ahead (closed loop)", ylabel="PSNR dB vs rendered truth", title="Test split: PSNR by horizon")
    ax[0].grid(alpha=0.3)
    ax[0].legend()
    for name, rows in train_logs.items():
        rows = [r for r in rows if "val_psnr_vs_tok" in r]
        if rows:
            ax[1].plot([r["cpu_minutes"] for r in rows], [r["val_psnr_vs_tok"] for r in rows], marker="o", label=name)
    copy = [r["copy_psnr_vs_tok"] for rows in train_logs.values() for r in rows if "copy_psnr_vs_tok" in r]
    if copy:
        ax[1].axhline(np.mean(copy), color="gray", ls="--", label="copy last frame")
    ax[1].set(xlabel="training CPU-minutes", ylabel="val PSNR dB, 1 step (vs tokenizer recon.)", title="Students: dB against CPU-minutes")
    ax[1].grid(alpha=0.3)
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(a: argparse.Namespace) -> dict:
    t_start = time.time()
    torch.set_num_threads(a.threads or os.cpu_count() or 1)
    man_path = os.path.join(a.model, "manifest.json")
    manifest = json.load(open(man_path))
    eval_path = os.path.join(a.model, "eval.json")
    sources = {k: sha256(os.path.join(a.model, f["path"])) for k, f in manifest["files"].items() if f["path"].endswith(".onnx")}
    if os.path.exists(eval_path):
        prev = json.load(open(eval_path))
        if prev.get("onnx_sha256") == sources and prev.get("settings", {}).get("windows") == a.windows:
            print(f"[eval] {eval_path} is up to date with the exported models; delete it to re-evaluate", flush=True)
            return prev
    log = lambda msg: print(f"[eval] {msg}", flush=True)  # noqa: E731
    tok = load_tokenizer(os.path.join(a.runs, "tokenizer", "tokenizer.pt"))
    student = load_student(os.path.join(a.runs, "student", "student.pt"))
    student_gt = load_student(os.path.join(a.runs, "student_gt", "student.pt"))
    teacher = load_teacher(os.path.join(a.runs, "teacher", "teacher.pt"))
    K, Kt, H = student.cfg.context, teacher.cfg.frames - 1, max(a.horizons)
    if Kt != K:
        raise ValueError(f"teacher context {Kt} != student context {K}: the models would not see the same frames")
    ds = load(os.path.join(a.data, "test"))
    starts = pick_windows(ds, K + H, a.windows, a.seed)
    idx = starts[:, None] + np.arange(K + H)[None, :]
    frames = np.stack([np.stack([np.asarray(ds.frame(int(i))) for i in row]) for row in idx])  # [N, K+H, h, w, 3]
    actions = torch.from_numpy(ds.normalized_actions()[idx[:, :K + H - 1]].astype(np.float32))
    N = len(starts)
    log(f"{N} windows of {K} context + {H} predicted frames from {len(np.unique(np.asarray(ds.episode)[starts]))} test episodes")

    gt_tokens = encode(tok, frames.reshape(-1, *frames.shape[2:])).view(N, K + H, student.cfg.grid, student.cfg.grid)
    truth = frames[:, K:]                                                    # [N, H, ...]
    recon = decode(tok, gt_tokens[:, K:].reshape(-1, *gt_tokens.shape[2:])).reshape(truth.shape)
    ctx = gt_tokens[:, :K]
    preds, secs = {}, {}
    for name, roll in [("student", lambda: rollout_student(student, ctx, actions, H)),
                       ("student_gt", lambda: rollout_student(student_gt, ctx, actions, H)),
                       ("teacher", lambda: rollout_teacher(teacher, ctx, actions, H, log))]:
        t0 = time.time()
        p = roll()
        preds[name] = decode(tok, p.reshape(-1, *p.shape[2:])).reshape(truth.shape)
        secs[name] = round(time.time() - t0, 1)
        log(f"{name}: {N} x {H} frames in {secs[name]} s")
    copy = np.repeat(frames[:, K - 1:K], H, axis=1)

    rows = {"tokenizer ceiling": recon, "copy last frame": copy, "student": preds["student"],
            "student_gt": preds["student_gt"], "teacher": preds["teacher"]}
    table = {name: {f"h{h}": scores(arr[:, h - 1], truth[:, h - 1]) for h in a.horizons} for name, arr in rows.items()}
    curves = {name: [round(psnr(arr[:, h], truth[:, h]), 2) for h in range(H)] for name, arr in rows.items()}
    all_test = np.stack([np.asarray(ds.frame(i)) for i in range(0, len(ds), max(1, len(ds) // 1024))])
    tok_metrics = scores(reconstruct(tok, all_test), all_test) | {"frames": len(all_test)}
    log(f"tokenizer on {len(all_test)} test frames: {tok_metrics}")

    bench = bench_ort(a.model, a.bench_frames)
    ms_s, ms_t = bench["student"]["ms_per_frame"], bench["teacher"]["ms_per_frame"]
    h1, h16 = f"h{a.horizons[0]}", f"h{16 if 16 in a.horizons else a.horizons[-1]}"
    targets = {
        "tokenizer_psnr_ge_30": tok_metrics["psnr"] >= 30,
        "student_h1_within_3db_of_ceiling": table["student"][h1]["psnr"] >= table["tokenizer ceiling"][h1]["psnr"] - 3,
        "student_h16_4db_above_copy": table["student"][h16]["psnr"] >= table["copy last frame"][h16]["psnr"] + 4,
        "teacher_at_least_student": all(table["teacher"][h]["psnr"] >= table["student"][h]["psnr"] for h in table["student"]),
        "distilled_better_than_gt_only": all(table["student"][h]["psnr"] > table["student_gt"][h]["psnr"] for h in table["student"]),
        "student_10x_faster_than_teacher": ms_t >= 10 * ms_s,
    }
    result = {
        "model": manifest["id"], "split": "test", "decoding": "greedy (temperature 0)",
        "settings": {"windows": N, "context_frames": K, "horizons": a.horizons, "episodes": int(len(np.unique(np.asarray(ds.episode)[starts]))),
                     "seed": a.seed, "test_trajectory_seed": ds.meta["settings"]["seed"]},
        "tokenizer": tok_metrics, "closed_loop": table, "psnr_by_horizon": curves,
        "ms_per_frame_onnxruntime_node": bench, "targets": targets, "onnx_sha256": sources,
        "pytorch_rollout_seconds": secs, "eval_seconds": round(time.time() - t_start, 1),
    }
    with open(eval_path, "w") as f:
        json.dump(result, f, indent=2)
    write_markdown(result, os.path.join(a.model, "eval.md"))
    sheet_rows = [truth[0], preds["teacher"][0], preds["student"][0], preds["student_gt"][0], copy[0]]
    pick = [h - 1 for h in a.horizons]
    for w in range(1, min(3, N)):
        sheet_rows += [truth[w], preds["teacher"][w], preds["student"][w]]
    from PIL import Image
    Image.fromarray(contact_sheet(list(np.stack([r[pick] for r in sheet_rows]).reshape(-1, *truth.shape[2:])), len(pick))).save(
        os.path.join(a.model, "contact_sheet.png"))
    logs = {n: JsonlLog(os.path.join(a.runs, n, "log.jsonl")).rows() for n in ("student", "student_gt")}
    plot(curves, logs, os.path.join(a.model, "curves.png"))
    manifest["compute"] = compute_summary(a.runs) | {"eval_wall_minutes": round((time.time() - t_start) / 60, 2)}
    manifest["metrics"] = {"eval": "eval.json", "tokenizer": tok_metrics, "closed_loop_psnr": {k: {h: v[h]["psnr"] for h in v} for k, v in table.items()},
                           "ms_per_frame_onnxruntime_node": {"student": ms_s, "teacher": ms_t}, "targets": targets}
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=2)
    log(f"wrote {eval_path} in {time.time() - t_start:.0f} s")
    return result


def write_markdown(r: dict, path: str) -> None:
    hs = [f"h{h}" for h in r["settings"]["horizons"]]
    lines = [f"# {r['model']}: evaluation on the test split", "",
             f"{r['settings']['windows']} closed-loop rollouts from {r['settings']['episodes']} test episodes (trajectory seed "
             f"{r['settings']['test_trajectory_seed']}, never seen in training), {r['settings']['context_frames']} encoded ground-truth "
             f"context frames, then each model feeds on its own predictions given the true actions. {r['decoding']}. "
             "PSNR (dB) / SSIM against the rendered frames.", "",
             f"Tokenizer on {r['tokenizer']['frames']} test frames: **{r['tokenizer']['psnr']} dB**, SSIM {r['tokenizer']['ssim']}.", "",
             "| model | " + " | ".join(hs) + " |", "|---|" + "---|" * len(hs)]
    for name, row in r["closed_loop"].items():
        lines.append(f"| {name} | " + " | ".join(f"{row[h]['psnr']:.2f} / {row[h]['ssim']:.3f}" for h in hs) + " |")
    b = r["ms_per_frame_onnxruntime_node"]
    lines += ["", f"Milliseconds per predicted frame in onnxruntime-node on this CPU ({b['threads']} threads): "
              f"student {b['student']['ms_per_frame']:.1f} (+ decoder {b['decoder']['ms_per_frame']:.1f}), "
              f"teacher {b['teacher']['ms_per_frame']:.0f} ({b['teacher']['runs_per_frame']} runs a frame): "
              f"{b['teacher']['ms_per_frame'] / b['student']['ms_per_frame']:.0f}x.", "", "Targets:", ""]
    lines += [f"- {'met' if ok else 'MISSED'}: {k.replace('_', ' ')}" for k, ok in r["targets"].items()]
    lines += ["", "![contact sheet](contact_sheet.png)", "",
              "Contact sheet: columns are the horizons; rows: truth, teacher, student, ground-truth-only student, copy-last for "
              "window 0, then truth, teacher, student for two more windows.", "", "![curves](curves.png)", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main(argv=None):
    run(parse_args(argv))


if __name__ == "__main__":
    main()
