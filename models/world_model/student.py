"""
The student: all tokens of the next frame in one forward pass, from the last K frames' tokens and
the actions. The newest frame is the main stream (the next frame is mostly it, shifted); every
block mixes locally (depthwise conv), globally (self-attention with a 2D relative bias), looks
back at older frames (cross-attention; their keys/values depend only on those frames), and is
modulated by the actions (AdaLN).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from .layers import ActionEncoder, Attention, DepthwiseConv2d, Mlp, Modulation, RelPosBias2d, modulate


@dataclass
class StudentConfig:
    vocab_size: int = 1000
    grid: int = 16
    context: int = 4          # frames of context; the prediction is frame context + 1
    n_action: int = 5
    d: int = 192
    layers: int = 6
    heads: int = 6
    conv_kernel: int = 5


class StudentBlock(nn.Module):
    def __init__(self, cfg: StudentConfig):
        super().__init__()
        d = cfg.d
        self.mod = Modulation(d, 4)
        self.n = nn.ModuleList([nn.LayerNorm(d, elementwise_affine=False) for _ in range(4)])
        self.conv = DepthwiseConv2d(d, cfg.grid, cfg.conv_kernel)
        self.self_attn = Attention(d, cfg.heads)
        self.bias = RelPosBias2d(cfg.grid, cfg.heads)
        self.cross = Attention(d, cfg.heads)
        self.mlp = Mlp(d)

    def forward(self, x, mem, c):
        (s0, b0, g0), (s1, b1, g1), (s2, b2, g2), (s3, b3, g3) = self.mod(c)
        x = x + g0 * self.conv(modulate(self.n[0](x), s0, b0))
        x = x + g1 * self.self_attn(modulate(self.n[1](x), s1, b1), bias=self.bias())
        if mem is not None:
            x = x + g2 * self.cross(modulate(self.n[2](x), s2, b2), mem=mem)
        return x + g3 * self.mlp(modulate(self.n[3](x), s3, b3))


class Student(nn.Module):
    def __init__(self, cfg: StudentConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.grid * cfg.grid
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d)
        self.pos = nn.Parameter(torch.randn(1, n, cfg.d) * 0.02)
        self.age = nn.Parameter(torch.randn(cfg.context, 1, cfg.d) * 0.02)
        self.act = ActionEncoder(cfg.context * cfg.n_action, cfg.d)
        self.blocks = nn.ModuleList([StudentBlock(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.d)
        self.head = nn.Linear(cfg.d, cfg.vocab_size)

    def forward(self, ctx: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """ctx int [B, K, g, g] (oldest first); actions [B, K, 5], actions[:, k] taken after frame k
        (the last one leads to the predicted frame). Returns logits [B, g*g, vocab]."""
        B, K = ctx.shape[:2]
        if K != self.cfg.context:
            raise ValueError(f"expected {self.cfg.context} context frames, got {K}")
        e = self.tok(ctx.reshape(B, K, -1).long()) + self.pos.unsqueeze(1) + self.age  # [B, K, n, d]
        x = e[:, -1]
        mem = e[:, :-1].reshape(B, -1, self.cfg.d) if K > 1 else None
        c = self.act(actions.reshape(B, -1))
        for blk in self.blocks:
            x = blk(x, mem, c)
        return self.head(self.norm(x))
