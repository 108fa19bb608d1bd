"""
The lite decoder against the tokenizer's own, on the same tokens of the test split: reconstruction
PSNR against the rendered frames, FLOPs per frame and CPU time per frame (PyTorch, batch 1).

    python3 -m models.tokenizer.compare_decoders --lite models/runs/lite_decoder/lite_decoder.pt \
        --tokenizer models/checkpoints/tokenizer.pt --data data/test --out models/reports/lite-decoder.json
"""
from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict

import numpy as np
import torch

from models.common import frames_to_tensor, psnr, tensor_to_frames
from models.data.dataset import load
from models.tokenizer.lite_decoder import conv_flops, load_lite_decoder
from models.tokenizer.report import load_tokenizer
from models.tokenizer.train import fixed_frames


def ms_per_frame(net, codes: torch.Tensor, runs: int = 20) -> float:
    with torch.no_grad():
        net(codes[:1])
        t = time.perf_counter()
        for i in range(runs):
            net(codes[i % len(codes) : i % len(codes) + 1])
    return 1000 * (time.perf_counter() - t) / runs


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lite", required=True)
    ap.add_argument("--tokenizer", default="models/checkpoints/tokenizer.pt")
    ap.add_argument("--data", default="data/test")
    ap.add_argument("--frames", type=int, default=1024)
    ap.add_argument("--out", default="models/reports/lite-decoder.json")
    a = ap.parse_args(argv)
    for p in (a.lite, a.tokenizer, a.data):
        if not os.path.exists(p):
            ap.error(f"{p} does not exist")
    torch.manual_seed(0)
    tok = load_tokenizer(a.tokenizer)
    lite = load_lite_decoder(a.lite)
    frames = fixed_frames(load(a.data), a.frames, seed=2)
    with torch.no_grad():
        codes = torch.cat(
            [
                tok.fsq.indices_to_codes(tok.encode(frames_to_tensor(frames[i : i + 64], "cpu"))).permute(0, 3, 1, 2)
                for i in range(0, len(frames), 64)
            ]
        )
        recon = {
            name: np.concatenate([tensor_to_frames(net(codes[i : i + 64])) for i in range(0, len(codes), 64)])
            for name, net in (("tokenizer_decoder", tok.decoder), ("lite_decoder", lite))
        }
    h, w = codes.shape[2:]
    out = {
        "what": "reconstruction of the test split's tokens by each decoder, PSNR (dB) against the rendered frames",
        "data": a.data,
        "frames": len(frames),
        "lite_checkpoint": a.lite,
        "lite_config": asdict(lite.cfg),
    }
    for name, net in (("tokenizer_decoder", tok.decoder), ("lite_decoder", lite)):
        out[name] = {
            "psnr": round(psnr(frames, recon[name]), 3),
            "gflop": round(conv_flops(net, h, w) / 1e9, 3),
            "params": sum(p.numel() for p in net.parameters()),
            "torch_cpu_ms": round(ms_per_frame(net, codes), 2),
        }
    out["psnr_gap"] = round(out["lite_decoder"]["psnr"] - out["tokenizer_decoder"]["psnr"], 3)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=2)
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
