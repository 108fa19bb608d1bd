"""
Tokenizer report: PSNR/SSIM on a split, the curve of validation dB against CPU-minutes for one or
more runs, and a sheet of originals above their reconstructions.

    python3 -m models.tokenizer.report --ckpt models/runs/tokenizer/tokenizer.pt --data data/test \
        --runs models/runs/tokenizer models/runs/sweep/levels-8,5,5,5 --out models/runs/tokenizer/report
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from models.common import JsonlLog, frames_to_tensor, psnr, ssim, tensor_to_frames
from models.data.contact_sheet import contact_sheet
from models.data.dataset import load
from models.tokenizer.model import Tokenizer, TokenizerConfig


def load_tokenizer(path: str) -> Tokenizer:
    ck = torch.load(path, map_location="cpu")
    tok = Tokenizer(TokenizerConfig(**ck["config"]))
    tok.load_state_dict(ck["model"])
    return tok.eval()


@torch.no_grad()
def reconstruct(tok: Tokenizer, frames: np.ndarray, batch: int = 64) -> np.ndarray:
    out = [
        tensor_to_frames(tok.decode(tok.encode(frames_to_tensor(frames[i : i + batch], "cpu"))))
        for i in range(0, len(frames), batch)
    ]
    return np.concatenate(out)


def plot_curves(runs: list[str], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for r in runs:
        rows = JsonlLog(os.path.join(r, "log.jsonl")).rows()
        if rows:
            ax.plot(
                [x["cpu_minutes"] for x in rows],
                [x["val_psnr"] for x in rows],
                marker="o",
                ms=3,
                label=os.path.basename(r.rstrip("/")),
            )
    ax.axhline(30, color="gray", ls="--", lw=1, label="target 30 dB")
    ax.set_xlabel("CPU-minutes (process time, 2 cores)")
    ax.set_ylabel("validation PSNR (dB)")
    ax.set_title("Tokenizer reconstruction vs compute")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--runs", nargs="*", default=[])
    ap.add_argument("--frames", type=int, default=1024)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    tok = load_tokenizer(a.ckpt)
    ds = load(a.data)
    idx = np.linspace(0, len(ds) - 1, min(a.frames, len(ds))).round().astype(int)
    frames = np.stack([np.asarray(ds.frame(int(i))) for i in idx])
    recon = reconstruct(tok, frames)
    result = {
        "split": a.data,
        "frames": len(frames),
        "psnr": round(psnr(frames, recon), 3),
        "ssim": round(ssim(frames, recon), 4),
        "vocab_size": tok.vocab_size,
        "grid": tok.cfg.grid,
        "levels": tok.cfg.levels,
        "params": sum(p.numel() for p in tok.parameters()),
    }
    with open(os.path.join(a.out, "tokenizer_eval.json"), "w") as f:
        json.dump(result, f, indent=2)
    from PIL import Image

    pick = np.linspace(0, len(frames) - 1, 8).round().astype(int)
    Image.fromarray(contact_sheet([*frames[pick], *recon[pick]], cols=8)).save(os.path.join(a.out, "reconstructions.png"))
    if a.runs:
        plot_curves(a.runs, os.path.join(a.out, "psnr_vs_cpu_minutes.png"))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
