"""
World model v1's student, kept apart: nothing that ships imports this file. Its one use is
evaluate.py's optional v1 row (--v1 models/checkpoints/v1_student.pt), which needs this network
and its window rollout to score v1's weights beside v3; the shipped students build on its block,
which lives in layers.py (GridBlock).

v1 predicts every token of the next frame in one forward pass, from the last K frames' tokens and
the actions.

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

import numpy as np
import torch
import torch.nn as nn

from .layers import ActionEncoder, FsqDigits, GridBlock, digit_pad, vocab_of


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


class Student(nn.Module):
    def __init__(self, cfg: StudentConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.grid * cfg.grid
        self.digits = FsqDigits(cfg.levels)
        self.inp = nn.Linear(cfg.context * self.digits.width, cfg.d)
        self.pos = nn.Parameter(torch.randn(1, n, cfg.d) * 0.02)
        self.act = ActionEncoder(cfg.context * cfg.n_action, cfg.d)
        self.blocks = nn.ModuleList([GridBlock(cfg) for _ in range(cfg.layers)])
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


@torch.no_grad()
def rollout_window(m: Student, start_tokens: torch.Tensor, actions: np.ndarray, H: int) -> torch.Tensor:
    """Dream mode for v1: start_tokens [N, S, g, g]; actions [N, S + H, 5]. It keeps a window of the
    last K = m.cfg.context frames and the actions between them; a shorter start fills the window with
    copies of the first frame and zero actions, as v1's engine did."""
    N, S = start_tokens.shape[:2]
    K = m.cfg.context
    acts = torch.from_numpy(actions.astype(np.float32))
    if S >= K:
        ctx, win_act = start_tokens[:, S - K :], acts[:, S - K : S]
    else:  # pad the window with the first frame, standing still
        pad = start_tokens[:, :1].expand(N, K - S, *start_tokens.shape[2:])
        ctx = torch.cat([pad, start_tokens], 1)
        win_act = torch.cat([torch.zeros(N, K - S, 5), acts[:, :S]], 1)
    out = []
    for h in range(H):
        pred = m.digits.compose(m(ctx, win_act).argmax(-1)).view(N, 1, *ctx.shape[2:])
        out.append(pred)
        ctx = torch.cat([ctx[:, 1:], pred], 1)
        win_act = torch.cat([win_act[:, 1:], acts[:, S + h : S + h + 1]], 1)
    return torch.cat(out, 1)
