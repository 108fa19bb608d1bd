"""
Sharp imagination by shared noise: one student run draws a frame whose tokens agree with each
other, as the token-by-token teacher's do.

The one-pass student gives every token's digits independently: greedy decoding shows the average
of the futures it cannot tell apart, and a one-pass sample draws each token without knowing what
its neighbours drew. The teacher knows: it decodes in raster order and token p reads the tokens
drawn before it. Distilled Decoding (Liu et al. 2024) and Di[M]O make one-step students by fixing
the teacher's noise, so that the teacher's sample is a function of that noise a student can learn.

Here the noise is the per-digit-level uniforms of the Gumbel-max draws (the tensor the exported
student already takes; MemoryTeacher.generate's `uniform` drives the teacher with the same one).
Within one run, in one graph:
1. the trunk's own draw with that noise (layers.sample_digits at `temperature`): what the one-pass
   student shows today, and already the teacher's token at most positions (88.5% of them on the
   validation examples with the shipped v3 student and teacher);
2. per grid position, the digits that draw picked at its four raster-causal neighbours (left, up,
   up-left, up-right: the tokens the teacher reads most), with the trunk's features there, through
   a small MLP that corrects the trunk's generator logits (zero at the start);
3. the corrected distribution, mixed with the remembered tokens by the trunk's copy gate as in the
   student, drawn again with the same noise.
Everything the correction reads at p is a function of the noise at positions before p, never of
p's own noise, so its output is a proper distribution for token p given what came before (the
teacher's own factorisation, one step deep) and cross-entropy on the teacher's samples can only
calibrate it; an earlier version that fed every position's noise to two GridBlocks and learned the
noise -> token map directly was rejected: cross-entropy hedged back toward the average and the
frames agreed with the teacher's less than the plain one-pass draw (eval.md).

With cfg.noise False the same MLP gets no neighbour draws (sequence-level distillation, Kim and
Rush 2016: the one-pass student fitted to the teacher's sampled frames instead of its per-token
distributions): the control that says what the neighbours' draws buy. The trunk stays as shipped
either way, so greedy decoding does not change.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import sample_digits
from .memory_student import MemoryStudent
from .refine import trunk_parts

NEIGHBOURS = ((0, -1), (-1, 0), (-1, -1), (-1, 1))  # (row, column) offsets: left, up, up-left, up-right


@dataclass
class NoiseSamplerConfig:
    hidden: int = 256
    noise: bool = True  # False: sequence-level distillation (no neighbour draws)
    temperature: float = 1.0  # the teacher's sampling temperature whose samples it learns
    trunk_d: int = 0  # the frozen student's width: a sampler fits only a student of this width (0: not recorded)


def neighbour_digits(onehot: torch.Tensor, g: int) -> torch.Tensor:
    """onehot [B, g*g, F] (each token's drawn digits, one-hot) -> [B, g*g, 4 F]: at each position the
    rows of its NEIGHBOURS (zeros past the grid's edge), by shifts: no gather, so the graph stays WebGPU's."""
    B, n, Fw = onehot.shape
    grid = onehot.view(B, g, g, Fw)
    out = []
    for dr, dc in NEIGHBOURS:
        t = grid
        if dr:
            t = torch.cat([t.new_zeros(B, -dr, g, Fw), t[:, : g + dr]], 1)
        if dc < 0:
            t = torch.cat([t.new_zeros(B, g, -dc, Fw), t[:, :, : g + dc]], 2)
        elif dc > 0:
            t = torch.cat([t[:, :, dc:], t.new_zeros(B, g, dc, Fw)], 2)
        out.append(t.reshape(B, n, Fw))
    return torch.cat(out, -1)


class NoiseSampler(nn.Module):
    def __init__(self, student: MemoryStudent, cfg: NoiseSamplerConfig):
        super().__init__()
        self.cfg = cfg
        sc = student.cfg
        nd, L = student.pad.shape
        self.grid = sc.grid
        if cfg.trunk_d and cfg.trunk_d != sc.d:
            raise ValueError(f"this noise sampler was trained on a student of width {cfg.trunk_d}, not {sc.d}")
        width = sc.d + (len(NEIGHBOURS) * nd * L if cfg.noise else 0)
        self.norm = nn.LayerNorm(sc.d)
        self.fc1 = nn.Linear(width, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, nd * L)
        nn.init.zeros_(self.fc2.weight)  # untrained, the sampler is the trunk's own draw
        nn.init.zeros_(self.fc2.bias)
        self.register_buffer("lvl_idx", torch.arange(L, dtype=torch.float32), persistent=False)

    def forward(self, x, first_digits):
        """x [B, n, d] trunk features, first_digits float [B, n, D] (the trunk's draw) -> the correction
        to the trunk's generator logits [B, n, D, L]."""
        B, n, _ = x.shape
        nd, L = first_digits.shape[-1], self.lvl_idx.shape[0]
        h = self.norm(x)
        if self.cfg.noise:
            onehot = (first_digits[..., None] == self.lvl_idx).to(x.dtype).flatten(2)
            h = torch.cat([h, neighbour_digits(onehot, self.grid)], -1)
        return self.fc2(F.gelu(self.fc1(h))).view(B, n, nd, L)


def sampler_logits(student: MemoryStudent, sampler: NoiseSampler, parts: tuple, uniform, temperature=None, top_k=None):
    """trunk_parts' tuple + the noise -> the sampler's distribution [B, n, D, L] (log-probabilities of
    the copy mixture, as the student's): the trunk's generator logits plus the correction, through
    the trunk's copy gate. temperature [1] and top_k [1] of the first draw: by default the teacher's
    (cfg.temperature, every level), what the sampler was trained on."""
    x, _, mixed, gate_logits, copy_ids = parts
    t, k = draw_settings(sampler, mixed, temperature, top_k)
    first = sample_digits(mixed, t, k, uniform) if sampler.cfg.noise else mixed[..., 0] * 0
    gen = student.logits(x) + sampler(x, first)
    return gen if gate_logits is None else student.mix_logits(gen, gate_logits, copy_ids)


def sampler_digits(student: MemoryStudent, sampler: NoiseSampler, parts: tuple, uniform, temperature=None, top_k=None):
    """The sampled frame: float digits [B, n, D], drawn from sampler_logits with the same noise (and
    the same temperature and top_k: the app's controls apply to both draws)."""
    logits = sampler_logits(student, sampler, parts, uniform, temperature, top_k)
    return sample_digits(logits, *draw_settings(sampler, logits, temperature, top_k), uniform)


def draw_settings(sampler: NoiseSampler, logits: torch.Tensor, temperature, top_k) -> tuple:
    t = torch.tensor([sampler.cfg.temperature]) if temperature is None else temperature
    return t, torch.tensor([logits.shape[-1]]) if top_k is None else top_k


def noise_decode(student: MemoryStudent, sampler: NoiseSampler, inputs: tuple, uniform: torch.Tensor) -> torch.Tensor:
    """The student's inputs (mem_tokens .. action[, mem_source]), uniform [B, n, D, L] -> float digits
    [B, n, D] of one sampled frame (a noise tensor reproduces it)."""
    return sampler_digits(student, sampler, trunk_parts(student, *inputs), uniform)


def load_noise_sampler(path: str, student: MemoryStudent) -> NoiseSampler:
    ck = torch.load(path, map_location="cpu")
    s = NoiseSampler(student, NoiseSamplerConfig(**ck["config"]))
    s.load_state_dict(ck["model"])
    return s.eval()
