"""
Finite scalar quantization (Mentzer et al. 2023), as in Cosmos' discrete tokenizers: each latent
channel is bounded and rounded to a few levels; a token is the tuple of levels, its id the
mixed-radix number they spell. No codebook to collapse, no commitment loss.
"""
from __future__ import annotations

import torch
import torch.nn as nn


class FSQ(nn.Module):
    def __init__(self, levels: list[int]):
        super().__init__()
        if not levels or any(int(l) < 2 for l in levels):
            raise ValueError(f"FSQ levels must be integers >= 2, got {levels}")
        lv = torch.tensor(levels, dtype=torch.int64)
        self.register_buffer("levels", lv, persistent=False)
        self.register_buffer("basis", torch.cumprod(torch.cat([torch.ones(1, dtype=torch.int64), lv[:-1]]), 0), persistent=False)
        self.dim = len(levels)
        self.vocab_size = int(torch.prod(lv))

    def bound(self, z: torch.Tensor) -> torch.Tensor:
        """Squashes each channel into the range its levels cover (even level counts sit half a step off)."""
        lv = self.levels.to(z.dtype)
        half = (lv - 1) * (1 - 1e-3) / 2
        offset = torch.where(self.levels % 2 == 0, 0.5, 0.0).to(z.dtype)
        shift = torch.atanh(offset / half)
        return torch.tanh(z + shift) * half - offset

    def quantize(self, z: torch.Tensor) -> torch.Tensor:
        """z [..., dim] -> codes [..., dim] in [-1, 1], with straight-through gradients."""
        b = self.bound(z)
        q = b + (torch.round(b) - b).detach()
        return q / (self.levels // 2).to(z.dtype)

    def codes_to_indices(self, codes: torch.Tensor) -> torch.Tensor:
        half = (self.levels // 2).to(codes.dtype)
        digits = torch.round(codes * half + half).long()
        return (digits * self.basis).sum(-1)

    def indices_to_codes(self, idx: torch.Tensor) -> torch.Tensor:
        digits = (idx.long().unsqueeze(-1) // self.basis) % self.levels
        half = (self.levels // 2).float()
        return (digits.float() - half) / half
