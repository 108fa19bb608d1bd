"""
The teacher: an autoregressive next-token transformer. Each frame is [action slot, 256 tokens in
raster order]; attention is causal over a context of several frames, so it models
p(token | all earlier tokens and actions).

Inductive biases for a small CPU budget (the same lessons as the student): the slot that predicts
token p of frame k also receives the previous frame's tokens around p (a depthwise convolution
over their embeddings, computed once per frame), and the frame's action modulates every block
(AdaLN). A fixed-shape KV cache (one slot per sequence position, written by a one-hot mask)
makes a single decode step exportable to ONNX with static shapes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import FsqDigits, Mlp, Modulation, PlainLayerNorm, modulate, vocab_of


@dataclass
class TeacherConfig:
    levels: list[int] = field(default_factory=lambda: [8, 8, 8, 8])
    grid: int = 16
    frames: int = 5           # context frames + the predicted one
    n_action: int = 5
    d: int = 192
    layers: int = 4
    heads: int = 3
    conv_kernel: int = 5

    @property
    def vocab_size(self) -> int:
        return vocab_of(self.levels)

    @property
    def tokens_per_frame(self) -> int:
        return self.grid * self.grid

    @property
    def frame_len(self) -> int:
        return 1 + self.tokens_per_frame

    @property
    def seq_len(self) -> int:
        return self.frames * self.frame_len


class CausalSelfAttention(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.h = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)

    def forward(self, x, mask, cache=None, write=None, chunk=0):
        """x [B, T, d]; mask [T, S] bool (True = may attend). Without a cache S == T and queries may
        be processed `chunk` at a time (a causal mask never lets them see later chunks).
        With cache (k, v) [B, H, S, dh] and write [T, S] one-hot rows, new keys/values are placed
        at their positions and the updated cache is returned."""
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        if cache is not None and torch.onnx.is_in_onnx_export():
            # Static shapes for the graph: blend the new rows in with the one-hot write mask.
            w = write.to(x.dtype)  # [T, S]
            keep = 1 - w.sum(0)    # [S]
            k = cache[0] * keep[:, None] + torch.einsum("ts,bhtd->bhsd", w, k)
            v = cache[1] * keep[:, None] + torch.einsum("ts,bhtd->bhsd", w, v)
        elif cache is not None:
            # Same result written in place, without copying every slot (PyTorch evaluation decodes
            # 256 steps a frame); the caller's cache tensor is updated.
            pos = write.to(torch.int64).argmax(1)
            k, v = cache[0].index_copy_(2, pos, k), cache[1].index_copy_(2, pos, v)
        scale = (D // self.h) ** -0.5
        if cache is None and chunk:
            # Training: queries of one frame at a time against the keys up to that frame's end, so the
            # masked upper triangle is never computed (40% of the work for 5 frames).
            ys = []
            for s in range(0, T, chunk):
                e = min(T, s + chunk)
                att = (q[:, :, s:e] @ k[:, :, :e].transpose(-1, -2)) * scale
                ys.append(att.masked_fill(~mask[s:e, :e], float("-inf")).softmax(-1) @ v[:, :, :e])
            y = torch.cat(ys, 2)
        else:
            att = (q @ k.transpose(-1, -2)) * scale
            y = att.masked_fill(~mask, float("-inf")).softmax(-1) @ v
        return self.o(y.transpose(1, 2).reshape(B, T, D)), (k, v)


class TeacherBlock(nn.Module):
    def __init__(self, cfg: TeacherConfig):
        super().__init__()
        self.mod = Modulation(cfg.d, 2)
        self.n1 = PlainLayerNorm(cfg.d)
        self.n2 = PlainLayerNorm(cfg.d)
        self.attn = CausalSelfAttention(cfg.d, cfg.heads)
        self.mlp = Mlp(cfg.d)

    def forward(self, x, c, mask, cache=None, write=None, chunk=0):
        (s1, b1, g1), (s2, b2, g2) = self.mod(c)
        a, kv = self.attn(modulate(self.n1(x), s1, b1), mask, cache, write, chunk)
        x = x + g1 * a
        return x + g2 * self.mlp(modulate(self.n2(x), s2, b2)), kv


class Teacher(nn.Module):
    def __init__(self, cfg: TeacherConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d
        # Tokens are embedded by their FSQ digits (32 x d weights, not 4,096 x d): see FsqDigits.
        self.digits = FsqDigits(cfg.levels)
        self.tok = nn.Linear(self.digits.width, d)
        self.prev_tok = nn.Linear(self.digits.width, d)
        self.prev_conv = nn.Conv2d(d, d, cfg.conv_kernel, padding=cfg.conv_kernel // 2, groups=d)
        self.prev_proj = nn.Linear(d, d)
        self.act = nn.Sequential(nn.Linear(cfg.n_action, d), nn.SiLU(), nn.Linear(d, d))
        self.cond = nn.Sequential(nn.Linear(cfg.n_action, d), nn.SiLU(), nn.Linear(d, d))
        self.slot_pos = nn.Parameter(torch.randn(cfg.frame_len, d) * 0.02)
        self.age = nn.Parameter(torch.randn(cfg.frames, d) * 0.02)
        self.blocks = nn.ModuleList([TeacherBlock(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg.vocab_size)

    # --- pieces shared by the full pass and the cached step -------------------------------
    def prev_features(self, prev_tokens: torch.Tensor) -> torch.Tensor:
        """prev_tokens int [B, g, g] -> [B, g*g, d]: what each position's predicting slot sees of the
        previous frame (computed once per frame)."""
        e = self.prev_tok(self.digits(prev_tokens)).permute(0, 3, 1, 2)  # [B, d, g, g]
        return self.prev_proj(F.gelu(self.prev_conv(e)).flatten(2).transpose(1, 2))

    def slot_inputs(self, frame_idx: int, action: torch.Tensor, tokens: torch.Tensor, prev: torch.Tensor | None):
        """Embeddings of one frame's 257 slots. action [B, 5]; tokens int [B, n] (the frame's tokens,
        the slot after token p-1 predicts token p); prev [B, n, d] or None for the first frame."""
        B, n = tokens.shape
        x = torch.cat([self.act(action).unsqueeze(1), self.tok(self.digits(tokens))], 1)  # [B, n + 1, d]
        x = x + self.slot_pos + self.age[frame_idx]
        if prev is not None:
            x = x + torch.cat([prev, prev.new_zeros(B, 1, self.cfg.d)], 1)  # the last slot predicts nothing
        c = self.cond(action).unsqueeze(1).expand(B, n + 1, self.cfg.d)
        return x, c

    # --- training: every frame teacher-forced in one pass ----------------------------------
    def forward(self, tokens: torch.Tensor, actions: torch.Tensor, first: int = 0) -> torch.Tensor:
        """tokens int [B, F, g, g]; actions [B, F, 5] (the action leading into each frame; the first
        is zero). Returns logits [B, F - first, g*g, vocab]: row p of frame k predicts token p of
        frame first + k."""
        B, Fr = tokens.shape[:2]
        n = self.cfg.tokens_per_frame
        flat = tokens.reshape(B, Fr, n)
        xs, cs = [], []
        for k in range(Fr):
            prev = self.prev_features(tokens[:, k - 1]) if k > 0 else None
            x, c = self.slot_inputs(k, actions[:, k], flat[:, k], prev)
            xs.append(x)
            cs.append(c)
        x, c = torch.cat(xs, 1), torch.cat(cs, 1)
        S = x.shape[1]
        mask = torch.ones(S, S, dtype=torch.bool, device=x.device).tril()
        for blk in self.blocks:
            x, _ = blk(x, c, mask, chunk=self.cfg.frame_len)
        x = x.view(B, Fr, n + 1, -1)[:, first:, :n]  # the head (d x vocab) only where a loss is taken
        return self.head(self.norm(x))

    # --- inference: a fixed-shape KV cache ------------------------------------------------
    def empty_cache(self, batch: int, device=None) -> torch.Tensor:
        """[layers, 2, B, heads, seq_len, d/heads] zeros."""
        c = self.cfg
        return torch.zeros(c.layers, 2, batch, c.heads, c.seq_len, c.d // c.heads, device=device)

    def step(self, x: torch.Tensor, c: torch.Tensor, positions: torch.Tensor, cache: torch.Tensor):
        """Runs slot embeddings x [B, T, d] (conditioning c [B, T, d]) at sequence positions
        `positions` int [T] against the cache; returns logits [B, T, vocab] and the updated cache.
        T = 1 is one decode step; T > 1 prefills (e.g. a whole context frame at once)."""
        S = self.cfg.seq_len
        ar = torch.arange(S, device=x.device, dtype=positions.dtype)  # int32 positions stay int32 in the graph
        write = positions[:, None] == ar[None, :]  # [T, S]
        mask = ar[None, :] <= positions[:, None]  # causal over absolute positions
        new = []
        for i, blk in enumerate(self.blocks):
            x, kv = blk(x, c, mask, cache=(cache[i, 0], cache[i, 1]), write=write)
            new.append(kv)
        if not torch.onnx.is_in_onnx_export():
            return self.head(self.norm(x)), cache  # written in place
        return self.head(self.norm(x)), torch.stack([torch.stack(kv) for kv in new])

    @torch.no_grad()
    def generate(self, context: torch.Tensor, actions: torch.Tensor, temperature: float = 1.0, top_k: int = 0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Samples the next frame token by token. context int [B, F-1, g, g]; actions [B, F, 5]
        (into each context frame, then into the predicted one). temperature 0 = greedy."""
        cfg = self.cfg
        B, K = context.shape[:2]
        if K != cfg.frames - 1:
            raise ValueError(f"expected {cfg.frames - 1} context frames, got {K}")
        n, L = cfg.tokens_per_frame, cfg.frame_len
        cache = self.empty_cache(B, context.device)
        flat = context.reshape(B, K, n)
        for k in range(K):  # prefill every context frame in one call each
            prev = self.prev_features(context[:, k - 1]) if k > 0 else None
            x, c = self.slot_inputs(k, actions[:, k], flat[:, k], prev)
            _, cache = self.step(x, c, torch.arange(k * L, (k + 1) * L, device=x.device), cache)
        prev = self.prev_features(context[:, -1])
        out = torch.zeros(B, n, dtype=torch.long, device=context.device)
        a = actions[:, K]
        base = K * L
        for p in range(n):
            if p == 0:
                x = self.act(a).unsqueeze(1)
            else:
                x = self.tok(self.digits(out[:, p - 1])).unsqueeze(1)
            x = x + self.slot_pos[p] + self.age[K] + prev[:, p:p + 1]
            c = self.cond(a).unsqueeze(1)
            logits, cache = self.step(x, c, torch.tensor([base + p], device=x.device), cache)
            out[:, p] = sample(logits[:, 0], temperature, top_k, generator)
        return out.view(B, cfg.grid, cfg.grid)


def sample(logits: torch.Tensor, temperature: float, top_k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """logits [B, V] -> ids [B]. temperature <= 0 is greedy; top_k 0 keeps every token."""
    if temperature <= 0:
        return logits.argmax(-1)
    logits = logits / temperature
    if top_k > 0:
        kth = logits.topk(min(top_k, logits.shape[-1]), -1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0]
