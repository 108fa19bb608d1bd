"""
The student: every token of the next frame in one forward pass, from the last K frames' tokens
and the actions.

What makes it cheap and accurate on a small budget (measured against the first try's 17 dB):
- Tokens go in and come out by their FSQ digits. The input of a grid position is the one-hot
  digits of that position in each of the K frames, mapped by one linear layer (ages kept apart
  by their own columns); the output is one small softmax per digit (4 x 8 for [8, 8, 8, 8]), not
  one over 4,096 ids. Copying a token is then as easy as copying its digits, and a wrong guess is
  usually one level off in one latent channel rather than an unrelated code, which the decoder
  turns into a small colour error instead of a blotch.
- The next frame is mostly the newest one shifted by a token or two, so each block mixes locally
  (depthwise 5x5 convolution on the token grid) and globally (self-attention with a learned 2D
  relative bias), and the actions modulate every sublayer (AdaLN).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn

from .layers import (
    ActionEncoder,
    Attention,
    DepthwiseConv2d,
    FsqDigits,
    Mlp,
    Modulation,
    PlainLayerNorm,
    RelPosBias2d,
    digit_pad,
    modulate,
    vocab_of,
)


@dataclass
class StudentConfig:
    levels: list[int] = field(default_factory=lambda: [8, 8, 8, 8])
    grid: int = 16
    context: int = 4  # frames of context; the prediction is frame context + 1
    n_action: int = 5
    d: int = 128
    layers: int = 4
    heads: int = 4
    conv_kernel: int = 5

    @property
    def vocab_size(self) -> int:
        return vocab_of(self.levels)


class StudentBlock(nn.Module):
    def __init__(self, cfg: StudentConfig):
        super().__init__()
        d = cfg.d
        self.mod = Modulation(d, 3)
        self.n = nn.ModuleList([PlainLayerNorm(d) for _ in range(3)])
        self.conv = DepthwiseConv2d(d, cfg.grid, cfg.conv_kernel)
        self.attn = Attention(d, cfg.heads)
        self.bias = RelPosBias2d(cfg.grid, cfg.heads)
        self.mlp = Mlp(d)

    def forward(self, x, c):
        (s0, b0, g0), (s1, b1, g1), (s2, b2, g2) = self.mod(c)
        x = x + g0 * self.conv(modulate(self.n[0](x), s0, b0))
        x = x + g1 * self.attn(modulate(self.n[1](x), s1, b1), bias=self.bias())
        return x + g2 * self.mlp(modulate(self.n[2](x), s2, b2))


class Student(nn.Module):
    def __init__(self, cfg: StudentConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.grid * cfg.grid
        self.digits = FsqDigits(cfg.levels)
        self.inp = nn.Linear(cfg.context * self.digits.width, cfg.d)
        self.pos = nn.Parameter(torch.randn(1, n, cfg.d) * 0.02)
        self.act = ActionEncoder(cfg.context * cfg.n_action, cfg.d)
        self.blocks = nn.ModuleList([StudentBlock(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.d)
        nd, L = len(cfg.levels), max(cfg.levels)
        self.head = nn.Linear(cfg.d, nd * L)
        self.register_buffer("pad", digit_pad(cfg.levels), persistent=False)

    def forward(self, ctx: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """ctx int [B, K, g, g] (oldest first); actions [B, K, 5], actions[:, k] taken after frame k
        (the last one leads to the predicted frame). Returns digit logits [B, g*g, n_digits, max(levels)]."""
        B, K = ctx.shape[:2]
        if K != self.cfg.context:
            raise ValueError(f"expected {self.cfg.context} context frames, got {K}")
        oh = self.digits(ctx.reshape(B, K, -1))  # [B, K, n, W]
        x = self.inp(oh.permute(0, 2, 1, 3).reshape(B, oh.shape[2], -1)) + self.pos
        c = self.act(actions.reshape(B, -1))
        for blk in self.blocks:
            x = blk(x, c)
        nd, L = self.pad.shape
        return self.head(self.norm(x)).view(B, -1, nd, L) + self.pad


def load_student(path: str) -> Student:
    """A v1 student checkpoint (models/checkpoints/v1_student.pt) for evaluate.py's --v1 row."""
    ck = torch.load(path, map_location="cpu")
    m = Student(StudentConfig(**ck["config"]))
    m.load_state_dict(ck["model"])
    return m.eval()


def sample_digits(logits: torch.Tensor, temperature: torch.Tensor, top_k: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """Draws one level per digit: Gumbel-max over the top_k most likely levels at `temperature`
    (0 = greedy). logits and uniform [.., L]; temperature and top_k are 1-element tensors.
    Written with comparisons and sums only (no TopK, ArgMax, Round or int64), so the exported
    graph runs whole on onnxruntime-web's WebGPU kernels; returns float levels [..]."""
    L = logits.shape[-1]
    # rank[i] = how many levels are strictly more likely than level i
    rank = (logits.unsqueeze(-2) > logits.unsqueeze(-1)).float().sum(-1)
    u = uniform.clamp(1e-6, 1 - 1e-6)
    score = logits + temperature * -torch.log(-torch.log(u))
    score = torch.where(rank < top_k.float(), score, torch.full_like(score, -1e9))
    is_max = (score.unsqueeze(-2) <= score.unsqueeze(-1)).float().prod(-1)  # 1 where nothing beats level i
    first = is_max * (torch.cumsum(is_max, -1) <= 1).float()  # ties: the lowest level
    return (first * torch.arange(L, dtype=logits.dtype, device=logits.device)).sum(-1)


def digits_to_ids(levels_f: torch.Tensor, levels: list[int]) -> torch.Tensor:
    """float digits [.., n_digits] -> float ids [..] (exact: ids < 2^24)."""
    basis, out = 1.0, torch.zeros_like(levels_f[..., 0])
    for i, l in enumerate(levels):
        out = out + levels_f[..., i] * basis
        basis *= l
    return out
