"""Building blocks of the world-model networks (v1's student, the memory student and teacher, the
refiner), and the in-graph sampling of FSQ digits every exported student uses."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class ActionEncoder(nn.Module):
    """Normalized action vectors -> one conditioning vector (what modulates every layer)."""

    def __init__(self, n_in: int, d: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, d), nn.SiLU(), nn.Linear(d, d))

    def forward(self, a):
        return self.net(a)


class Modulation(nn.Module):
    """AdaLN: the conditioning vector sets a scale, shift and gate per sublayer (zero-initialized gates)."""

    def __init__(self, d: int, n_sub: int):
        super().__init__()
        self.n_sub = n_sub
        self.proj = nn.Linear(d, 3 * d * n_sub)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, c):  # c [B, d] (per sample) or [B, T, d] (per token) -> (scale, shift, gate) x n_sub
        h = self.proj(F.silu(c))
        chunks = (h.unsqueeze(1) if h.dim() == 2 else h).chunk(3 * self.n_sub, dim=-1)
        return [(chunks[3 * i], chunks[3 * i + 1], chunks[3 * i + 2]) for i in range(self.n_sub)]


def modulate(x, scale, shift):
    return x * (1 + scale) + shift


class RelPosBias2d(nn.Module):
    """Learned per-head bias for every 2D offset on a g x g grid: attention starts out local-aware."""

    def __init__(self, g: int, heads: int):
        super().__init__()
        self.g = g
        self.table = nn.Parameter(torch.zeros(heads, (2 * g - 1) ** 2))
        ys, xs = torch.meshgrid(torch.arange(g), torch.arange(g), indexing="ij")
        ys, xs = ys.flatten(), xs.flatten()
        rel = (ys[:, None] - ys[None, :] + g - 1) * (2 * g - 1) + (xs[:, None] - xs[None, :] + g - 1)
        self.register_buffer("index", rel, persistent=False)

    def forward(self):  # [heads, g*g, g*g]
        return self.table[:, self.index]


class Attention(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.h = heads
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.o = nn.Linear(d, d)

    def forward(self, x, mem=None, bias=None):
        B, N, D = x.shape
        src = x if mem is None else mem
        q = self.q(x).view(B, N, self.h, D // self.h).transpose(1, 2)
        k, v = self.kv(src).view(B, src.shape[1], 2, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) * (D // self.h) ** -0.5
        if bias is not None:
            att = att + bias
        y = att.softmax(-1) @ v
        return self.o(y.transpose(1, 2).reshape(B, N, D))


class DepthwiseConv2d(nn.Module):
    """Mixes each token with its grid neighbours: most of one step's motion is a shift of a token or two."""

    def __init__(self, d: int, g: int, k: int = 5):
        super().__init__()
        self.g = g
        self.conv = nn.Conv2d(d, d, k, padding=k // 2, groups=d)
        self.pw = nn.Linear(d, d)

    def forward(self, x):  # [B, g*g, d]
        B, N, D = x.shape
        y = self.conv(x.transpose(1, 2).reshape(B, D, self.g, self.g))
        return self.pw(F.gelu(y.reshape(B, D, N).transpose(1, 2)))


class Mlp(nn.Module):
    def __init__(self, d: int, mult: int = 4):
        super().__init__()
        self.fc1 = nn.Linear(d, mult * d)
        self.fc2 = nn.Linear(mult * d, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


def digit_pad(levels: list[int]) -> torch.Tensor:
    """[n_digits, max(levels)]: -1e4 on the levels a digit does not have, added to per-digit logits
    so that digits with fewer levels than the widest one never pick a padded level."""
    pad = torch.zeros(len(levels), max(levels))
    for i, l in enumerate(levels):
        pad[i, int(l) :] = -1e4
    return pad


def vocab_of(levels: list[int]) -> int:
    """Number of FSQ token ids: the product of the levels."""
    v = 1
    for l in levels:
        v *= int(l)
    return v


class FsqDigits(nn.Module):
    """The FSQ structure of a token id: its digits (one level per latent channel). Token id
    -> concatenated one-hot digits [.., sum(levels)] through a constant table, so embedding a
    token costs a (sum(levels) x d) matrix instead of a (vocab x d) table: 32 x d rather than
    4096 x d for levels [8, 8, 8, 8], which keeps the shipped models small."""

    def __init__(self, levels: list[int]):
        super().__init__()
        self.levels = [int(l) for l in levels]
        self.vocab_size = vocab_of(self.levels)
        ids = torch.arange(self.vocab_size)
        cols, basis = [], 1
        for l in self.levels:
            cols.append(F.one_hot((ids // basis) % l, l).float())
            basis *= l
        self.register_buffer("onehot", torch.cat(cols, 1), persistent=False)  # [vocab, sum(levels)]

    @property
    def width(self) -> int:
        return sum(self.levels)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(ids, self.onehot)

    def marginals(self, probs: torch.Tensor) -> torch.Tensor:
        """probs over token ids [.., vocab] -> per-digit marginals [.., n_digits, max(levels)]
        (zero-padded): what a factorized head can match of a joint distribution."""
        lead = probs.shape[:-1]
        p = probs.reshape(*lead, *reversed(self.levels))  # id = d0 + l0*d1 + ...: the last axis is digit 0
        nd, L = len(self.levels), max(self.levels)
        out = probs.new_zeros(*lead, nd, L)
        axes = list(range(len(lead), len(lead) + nd))
        for i, l in enumerate(self.levels):
            axis = len(lead) + nd - 1 - i
            out[..., i, :l] = p.sum(dim=[a for a in axes if a != axis])
        return out

    def digits(self, ids: torch.Tensor) -> torch.Tensor:
        """ids [..] -> digits [.., n_digits] (int64)."""
        out, basis = [], 1
        for l in self.levels:
            out.append((ids.long() // basis) % l)
            basis *= l
        return torch.stack(out, -1)

    def compose(self, digits: torch.Tensor) -> torch.Tensor:
        """digits [.., n_digits] -> ids [..] (int64)."""
        ids, basis = torch.zeros_like(digits[..., 0]), 1
        for i, l in enumerate(self.levels):
            ids = ids + digits[..., i] * basis
            basis *= l
        return ids


class PlainLayerNorm(nn.Module):
    """LayerNorm without learned affine (AdaLN supplies scale and shift). Constant weight and bias
    buffers because torch 1.13 exports elementwise_affine=False as an invalid ONNX node."""

    def __init__(self, d: int):
        super().__init__()
        self.register_buffer("weight", torch.ones(d), persistent=False)
        self.register_buffer("bias", torch.zeros(d), persistent=False)

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class GridBlock(nn.Module):
    """One block of every student network (v1's, the memory student's, the refiner's): each token
    mixes with its grid neighbours (depthwise conv), with the whole grid (attention with a learned
    2D relative bias) and on its own (MLP), every sublayer modulated by the conditioning (AdaLN).
    cfg needs d, grid, heads and conv_kernel."""

    def __init__(self, cfg):
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
