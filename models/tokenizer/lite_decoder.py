"""
A decoder for the shipped token space at a third of the cost (the speed issue's target: at most
0.35 GFLOP a frame, from 1.04): the same shape as the tokenizer's decoder (3x3 residual convolutions
at 16x16, pixel shuffle to 32x32, residual convolutions there, each 32x32 feature emits its 4x4
pixel block) with fewer channels and blocks. Plain 3x3 convolutions rather than depthwise ones:
onnxruntime-web's WASM kernels run dense convolutions as GEMMs, which is what two cores do best.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch.nn as nn

from .model import ResBlock


@dataclass
class LiteDecoderConfig:
    code_dim: int = 4  # FSQ digits per token
    width_lo: int = 104  # channels at 16x16
    width_hi: int = 40  # channels at 32x32
    blocks_lo: int = 2
    blocks_hi: int = 2


class LiteDecoder(nn.Module):
    def __init__(self, cfg: LiteDecoderConfig):
        super().__init__()
        self.cfg = cfg
        self.inp = nn.Conv2d(cfg.code_dim, cfg.width_lo, 3, padding=1)
        self.lo = nn.Sequential(*[ResBlock(cfg.width_lo) for _ in range(cfg.blocks_lo)])
        self.up = nn.Sequential(nn.Conv2d(cfg.width_lo, cfg.width_hi * 4, 1), nn.PixelShuffle(2))
        self.hi = nn.Sequential(*[ResBlock(cfg.width_hi) for _ in range(cfg.blocks_hi)])
        self.out = nn.Sequential(nn.GroupNorm(8, cfg.width_hi), nn.SiLU(), nn.Conv2d(cfg.width_hi, 3 * 16, 1), nn.PixelShuffle(4))

    def forward(self, codes):  # [B, D, h, w] in [-1, 1] -> [B, 3, 8h, 8w]
        return self.out(self.hi(self.up(self.lo(self.inp(codes)))))


def conv_flops(model: nn.Module, h: int, w: int) -> int:
    """Multiply-add FLOPs (2 per MAC) of the convolutions for a [1, D, h, w] input, counted the way
    models/export/flops.py counts the exported graph."""
    total = 0
    size = {"lo": (h, w), "hi": (2 * h, 2 * w)}
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            hh, ww = size["hi"] if name.startswith(("hi", "out")) else size["lo"]
            total += 2 * m.in_channels * m.out_channels * m.kernel_size[0] * m.kernel_size[1] * hh * ww // m.groups
    return total


def load_lite_decoder(path: str) -> LiteDecoder:
    """Weights written by distill_decoder.py -> the decoder, in eval mode."""
    import torch

    ck = torch.load(path, map_location="cpu")
    m = LiteDecoder(LiteDecoderConfig(**ck["config"]))
    m.load_state_dict(ck["model"])
    return m.eval()


def with_lite_decoder(tok, path: str):
    """The tokenizer with its decoder replaced by the lite one (the same tokens in, the same pixel
    range out): what the app ships, so what export and eval use."""
    lite = load_lite_decoder(path)
    if lite.cfg.code_dim != len(tok.cfg.levels):
        raise ValueError(f"{path}: a decoder for {lite.cfg.code_dim} FSQ digits, the tokenizer has {len(tok.cfg.levels)}")
    tok.decoder = lite
    return tok
