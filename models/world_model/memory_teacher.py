"""
The v2 teacher: the memory student's view of the world, then the frame token by token.

It knows everything the student knows (the same remembered frames, re-projected into the new
camera, the camera pose and the action: the student's network is its trunk, initialised from the
trained student) and one thing more: the tokens of the frame decoded so far, in raster order. A
small causal transformer reads, at grid position p, the trunk's features for p plus the token
decoded at p-1, attending to every earlier position, and adds a correction to the student's
per-digit logits (small at initialisation, so the teacher starts close to the student and training
teaches it to use what it has decoded). Token by token with a fixed-shape KV cache, as the app
shows it filling in; one trunk pass per frame.

World model v3: with a copy-path trunk (memory_student.py's cfg.copy) the teacher mixes the same
way, its gate the trunk's plus a correction read from the decoded prefix (zero at initialisation):
knowing that the tokens left of and above p were copied from slot s is the evidence a one-pass
gate lacks for p.

Teacher forcing during training feeds the true tokens of the frame as the prefix, with a random
fraction swapped for the trunk's own one-pass guesses (what the decoded prefix looks like when it
is wrong: the exposure bias of autoregressive decoding, in the student's typical errors).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import FsqDigits, Mlp, RelPosBias2d, sample_digits
from .memory_student import MemoryStudent, MemoryStudentConfig


@dataclass
class MemoryTeacherConfig:
    student: MemoryStudentConfig = field(default_factory=MemoryStudentConfig)
    head_layers: int = 2
    head_heads: int = 4

    @property
    def n(self) -> int:
        return self.student.grid * self.student.grid


class CausalBlock(nn.Module):
    """Pre-LN self-attention over raster positions (an additive mask keeps it causal, a learned bias
    per 2D offset finds the left and upper neighbours from the first step) + MLP."""

    def __init__(self, d: int, heads: int, g: int):
        super().__init__()
        self.h = heads
        self.rel = RelPosBias2d(g, heads)
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.mlp = Mlp(d)

    def qkv_heads(self, x):
        B, T, D = x.shape
        return self.qkv(self.n1(x)).view(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)  # 3 x [B, H, T, dh]

    def attend(self, x, q, k, v, bias):
        B, T, D = x.shape
        att = (q @ k.transpose(-1, -2)) * (D // self.h) ** -0.5 + bias
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.o(y)
        return x + self.mlp(self.n2(x))

    def forward(self, x, causal):  # every position at once (teacher forcing); causal [n, n]
        q, k, v = self.qkv_heads(x)
        return self.attend(x, q, k, v, causal + self.rel())

    def step_inplace(self, x, kv, p: int, causal, rel):
        """step() for PyTorch decoding: writes position p of kv [2, B, H, n, dh] in place and takes
        the offset bias's row from rel [H, n, n] (computed once a frame). The same numbers as
        step()'s blend and one-hot product (x * 1 + 0 is exact), without their per-token cost."""
        q, k, v = self.qkv_heads(x)
        kv[0, :, :, p : p + 1] = k
        kv[1, :, :, p : p + 1] = v
        return self.attend(x, q, kv[0], kv[1], causal + rel[:, p : p + 1])

    def step(self, x, kv, write, causal):
        """x [B, 1, d] at one position; kv [2, B, H, n, dh] the cache; write [n, 1] one-hot of the
        position; causal [1, n] (-1e4 past the position). Blends the new key and value into the
        cache and picks the position's row of the offset bias by a one-hot product (static shapes,
        no scatter or gather: what the exported graph does) -> (x, updated kv)."""
        q, k, v = self.qkv_heads(x)
        keep = 1 - write
        k = kv[0] * keep + k * write
        v = kv[1] * keep + v * write
        rel = write.transpose(0, 1) @ self.rel()  # [H, 1, n]
        return self.attend(x, q, k, v, causal + rel), torch.stack([k, v])


class MemoryTeacher(nn.Module):
    def __init__(self, cfg: MemoryTeacherConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.student.d
        if d % cfg.head_heads:
            raise ValueError(f"d {d} must be divisible by head_heads {cfg.head_heads}")
        self.trunk = MemoryStudent(cfg.student)
        self.digits = FsqDigits(cfg.student.levels)
        self.tok = nn.Linear(self.digits.width, d)
        # the trunk's features enter normalized and projected: at their raw scale (norm ~17 against
        # ~3 for a token embedding) they drowned the decoded tokens, and the head learned nothing
        self.hnorm = nn.LayerNorm(d)
        self.hin = nn.Linear(d, d)
        self.bos = nn.Parameter(torch.zeros(1, 1, d))
        self.blocks = nn.ModuleList([CausalBlock(d, cfg.head_heads, cfg.student.grid) for _ in range(cfg.head_layers)])
        self.norm = nn.LayerNorm(d)
        nd, L = len(cfg.student.levels), max(cfg.student.levels)
        self.delta = nn.Linear(d, nd * L)
        # small, not zero: a zero output layer would leave the blocks without a gradient
        nn.init.normal_(self.delta.weight, std=0.02)
        nn.init.zeros_(self.delta.bias)
        if cfg.student.copy:
            self.gate_delta = nn.Linear(d, 1 + cfg.student.slots)
            nn.init.zeros_(self.gate_delta.weight)
            nn.init.zeros_(self.gate_delta.bias)
        n = cfg.n
        causal = torch.triu(torch.full((n, n), -1e4), 1)
        self.register_buffer("causal", causal, persistent=False)
        self.register_buffer("ar", torch.arange(n, dtype=torch.float32), persistent=False)

    @property
    def kv_shape(self) -> list[int]:
        d, H = self.cfg.student.d, self.cfg.head_heads
        return [self.cfg.head_layers, 2, 1, H, self.cfg.n, d // H]

    def features(self, *mem_inputs):
        """The student's inputs (memory slots, poses, levels, valid, target pose, action) -> [B, n, d]."""
        return self.trunk.features(*mem_inputs)

    def memory_view(self, *mem_inputs):
        """The student's inputs (with mem_source for a v3 trunk) -> (features [B, n, d], copy): copy is
        None, or with the copy path (copy ids [B, M, n], copyable [B, M, n]) as the trunk computes them."""
        h, copy_ids, copyable = self.trunk._trunk(*mem_inputs)
        return h, (None if copy_ids is None else (copy_ids, copyable))

    def out(self, h, z, copy=None, parts: bool = False):
        """Digit logits at the positions of h / z [B, T, d]; with copy (ids, copyable [B, M, T]) the log
        of the mixture, and with parts also the gate logits [B, T, 1 + M]."""
        B, T, _ = h.shape
        nd, L = self.trunk.pad.shape
        zn = self.norm(z)
        gen = self.trunk.logits(h) + self.delta(zn).view(B, T, nd, L)
        if copy is None:
            return (gen, None) if parts else gen
        gate = self.trunk.gate_logits(h, copy[1]) + self.gate_delta(zn)
        mixed = self.trunk.mix_logits(gen, gate, copy[0])
        return (mixed, gate) if parts else mixed

    def one_pass(self, h, copy=None):
        """The trunk's own one-pass prediction from its features (what self-forcing uses)."""
        gen = self.trunk.logits(h)
        return gen if copy is None else self.trunk.mix_logits(gen, self.trunk.gate_logits(h, copy[1]), copy[0])

    def decode_all(self, h, prefix, copy=None, parts: bool = False):
        """Teacher forcing: h [B, n, d], prefix int [B, n] (the frame's tokens) -> digit logits
        [B, n, D, L], position p seeing prefix[:, :p] only (copy, parts: as out())."""
        B = h.shape[0]
        prev = torch.cat([self.bos.expand(B, 1, -1), self.tok(self.digits(prefix[:, :-1]))], 1)
        z = self.hin(self.hnorm(h)) + prev
        for blk in self.blocks:
            z = blk(z, self.causal)
        return self.out(h, z, copy, parts)

    def forward(self, *args):
        """(the student's inputs..., prefix int [B, n]) -> teacher-forced digit logits."""
        *mem_inputs, prefix = args
        h, copy = self.memory_view(*mem_inputs)
        return self.decode_all(h, prefix, copy)

    def step(self, h_p, prev_token, position, kv, copy=None):
        """One position: h_p [B, 1, d] the trunk's features there, prev_token int [B] (the token
        decoded at position - 1; ignored at 0), position float [1], kv [layers, 2, B, H, n, dh],
        copy (v3: memory_view's copy ids and copyable at this position, [B, M, 1] each)
        -> digit logits [B, 1, D, L] and the updated cache."""
        first = (position == 0).to(h_p.dtype).view(1, 1, 1)
        prev = self.tok(self.digits(prev_token)[:, None]) * (1 - first) + self.bos * first
        z = self.hin(self.hnorm(h_p)) + prev
        write = (self.ar == position).to(h_p.dtype)[:, None]  # [n, 1]
        bias = ((self.ar > position).to(h_p.dtype) * -1e4)[None, :]  # [1, n]
        new = []
        for i, blk in enumerate(self.blocks):
            z, layer_kv = blk.step(z, kv[i], write, bias)
            new.append(layer_kv)
        return self.out(h_p, z, copy), torch.stack(new)

    def empty_cache(self, batch: int, like: torch.Tensor) -> torch.Tensor:
        shape = list(self.kv_shape)
        shape[2] = batch
        return like.new_zeros(shape)

    @torch.no_grad()
    def generate(self, h, pick=None, copy=None, uniform=None, temperature: float = 1.0):
        """Token by token, as step() decodes (its in-place twin): h [B, n, d] -> ids [B, n].
        pick(digit logits [B, D, L]) -> digits [B, D] (greedy by default); copy: memory_view's;
        uniform [B, n, D, L]: draw position p's digits by Gumbel-max from uniform[:, p] at
        `temperature` instead (layers.sample_digits, all levels): the noise -> frame map a
        shared-noise student learns (noise_sampler.py)."""
        t, k = torch.tensor([float(temperature)]), torch.tensor([self.trunk.pad.shape[1]])
        B, n, _ = h.shape
        kv = self.empty_cache(B, h)
        ids = h.new_zeros(B, n, dtype=torch.long)
        prev = ids[:, 0]
        rels = [blk.rel() for blk in self.blocks]
        for p in range(n):
            first = float(p == 0)
            z = self.hin(self.hnorm(h[:, p : p + 1])) + self.tok(self.digits(prev)[:, None]) * (1 - first) + self.bos * first
            causal = ((self.ar > p).to(h.dtype) * -1e4)[None, :]
            for i, blk in enumerate(self.blocks):
                z = blk.step_inplace(z, kv[i], p, causal, rels[i])
            at = None if copy is None else (copy[0][:, :, p : p + 1], copy[1][:, :, p : p + 1])
            logits = self.out(h[:, p : p + 1], z, at)
            if uniform is not None:
                digits = sample_digits(logits[:, 0], t, k, uniform[:, p]).long()
            else:
                digits = logits[:, 0].argmax(-1) if pick is None else pick(logits[:, 0])
            prev = self.digits.compose(digits)
            ids[:, p] = prev
        return ids


def load_memory_teacher(path: str) -> MemoryTeacher:
    ck = torch.load(path, map_location="cpu")
    cfg = dict(ck["config"])
    cfg["student"] = MemoryStudentConfig(**cfg["student"])
    m = MemoryTeacher(MemoryTeacherConfig(**cfg))
    m.load_state_dict(ck["model"])
    return m.eval()


def joint_table(digits: FsqDigits, nd: int, L: int) -> torch.Tensor:
    """[nd * L, vocab] 0/1: column id has a 1 at (i, digit i of id) for every digit i, so that
    flattened per-digit log-probabilities [.., nd * L] @ table = log-probability of every id."""
    ids = torch.arange(digits.vocab_size)
    dg = digits.digits(ids)
    table = torch.zeros(nd * L, digits.vocab_size)
    for i in range(nd):
        table[i * L + dg[:, i], ids] = 1.0
    return table


def joint_logits(digit_logits: torch.Tensor, digits: FsqDigits) -> torch.Tensor:
    """Per-digit logits [.., D, L] -> log-probabilities of every token id [.., vocab] (digits
    independent given the prefix): what the app's id sampler (temperature, top-k) reads."""
    nd, L = digit_logits.shape[-2:]
    return F.log_softmax(digit_logits, -1).flatten(-2) @ joint_table(digits, nd, L).to(digit_logits)
