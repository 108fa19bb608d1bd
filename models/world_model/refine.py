"""
Sharp imagination: a sampled frame in a few passes instead of the average of the futures.

The one-pass student gives every token's digits independently, so greedy decoding shows the
average of the futures it cannot tell apart (a smear) and sampling each token on its own gives
speckle. MaskGIT's answer (Chang et al. 2022; Mask-Predict for translation) is to decode in a few
passes: each pass samples every token not yet decided, keeps the most confident ones, and the
next pass conditions on what is kept, so the rest of the frame agrees with it.

Here the student's trunk runs once per frame. A small refiner (two layers.GridBlocks) reads the
trunk's features plus the digits decided so far (a learned "undecided" vector elsewhere) and
gives new generator logits; the trunk's copy gate mixes them with the remembered tokens exactly
as in the student, so a token the gate copies is near-certain and is decided in the first pass.
The number of tokens decided after pass s of S follows MaskGIT's cosine schedule,
n (1 - cos(pi/2 (s + 1) / S)). Training (train_refiner.py) keeps the trunk frozen and teaches the
refiner the masked-token task on true frames: a random fraction cos(pi/2 u) of tokens hidden,
the loss on the hidden ones.

`masked_decode` is written with comparisons and sums only (no TopK, ArgMax or int64), like
sample_digits, so that the exported sampler graph (graphs.MemorySamplerGraph) runs every pass
inside one onnxruntime-web run; eval and the graph run this same function.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from .layers import GridBlock, sample_digits
from .memory_student import MemoryStudent, pose_features


@dataclass
class RefinerConfig:
    layers: int = 2
    passes: int = 4  # student runs per frame: the trunk's pass + passes - 1 refiner passes


def decided_after(n: int, s: int, passes: int) -> int:
    """Tokens decided after pass s (0-based) of `passes`: MaskGIT's cosine schedule, all at the last."""
    return n if s >= passes - 1 else int(math.floor(n * (1 - math.cos(math.pi / 2 * (s + 1) / passes))))


class Refiner(nn.Module):
    def __init__(self, student: MemoryStudent, cfg: RefinerConfig):
        super().__init__()
        self.cfg = cfg
        sc = student.cfg
        nd, L = student.pad.shape
        self.tok = nn.Linear(nd * L, sc.d)
        self.undecided = nn.Parameter(torch.zeros(1, 1, sc.d))
        self.blocks = nn.ModuleList([GridBlock(sc) for _ in range(cfg.layers)])
        # the head starts as the trunk's, and the blocks start as identities (AdaLN-zero): before
        # training the refiner returns the trunk's logits for every undecided token. (`tok` keeps
        # its random init: zero there as well would leave the blocks' gates no signal to grow on.)
        self.norm = nn.LayerNorm(sc.d)
        self.head = nn.Linear(sc.d, nd * L)
        self.norm.load_state_dict(student.norm.state_dict())
        self.head.load_state_dict(student.head.state_dict())
        self.register_buffer("lvl_idx", torch.arange(L, dtype=torch.float32), persistent=False)

    def forward(self, x, c, digits, decided, pad):
        """x [B, n, d] trunk features, c [B, d] conditioning, digits float [B, n, D] (read where
        decided), decided [B, n] 0/1 -> generator logits [B, n, D, L]."""
        nd, L = pad.shape
        oh = (digits[..., None] == self.lvl_idx).to(x.dtype).flatten(2)  # [B, n, D * L]
        k = decided[..., None]
        z = x + self.tok(oh) * k + self.undecided * (1 - k)
        for blk in self.blocks:
            z = blk(z, c)
        return self.head(self.norm(z)).view(x.shape[0], -1, nd, L) + pad


def trunk_parts(student: MemoryStudent, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source=None):
    """What the passes share: (trunk features [B, n, d], conditioning c [B, d], the first pass's
    mixed log-probabilities [B, n, D, L], gate logits or None, copy ids or None)."""
    x, copy_ids, copyable = student._trunk(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source)
    c = student.act(torch.cat([pose_features(target_pose), action], -1))
    if not student.cfg.copy:
        return x, c, student.logits(x), None, None
    gate_logits = student.gate_logits(x, copyable)
    return x, c, student.mix_logits(student.logits(x), gate_logits, copy_ids), gate_logits, copy_ids


def refined_logits(student: MemoryStudent, refiner: Refiner, x, c, digits, decided, gate_logits, copy_ids):
    """A refiner pass's output distribution: its generator logits through the trunk's copy gate."""
    gen = refiner(x, c, digits, decided, student.pad)
    return gen if gate_logits is None else student.mix_logits(gen, gate_logits, copy_ids)


def log_softmax(x: torch.Tensor) -> torch.Tensor:  # written out: WebGPU has no LogSoftmax kernel
    return x - torch.logsumexp(x, -1, keepdim=True)


def masked_decode(student: MemoryStudent, refiner: Refiner, inputs: tuple, temperature, top_k, uniforms, passes: int):
    """inputs: the student's (mem_tokens .. action[, mem_source]); temperature [1], top_k int [1];
    uniforms [B, passes, n, D, L] (the noise that draws every pass's digits: a seed reproduces a
    frame). -> (float digits [B, n, D] of the decoded frame, the first pass's log-probs)."""
    x, c, logits, gate_logits, copy_ids = trunk_parts(student, *inputs)
    first = logits
    B, n = x.shape[:2]
    digits = x.new_zeros(B, n, len(student.cfg.levels))
    decided = x.new_zeros(B, n)
    lvl = refiner.lvl_idx
    for s in range(passes):
        if s > 0:
            logits = refined_logits(student, refiner, x, c, digits, decided, gate_logits, copy_ids)
        drawn = sample_digits(logits, temperature, top_k, uniforms[:, s])
        logp = (log_softmax(logits) * (drawn[..., None] == lvl).to(x.dtype)).sum(-1).sum(-1)  # [B, n]
        k = decided[..., None]
        digits = digits * k + drawn * (1 - k)
        conf = logp * (1 - decided) + 1e4 * decided
        keep = decided_after(n, s, passes)
        # rank = how many tokens are strictly more confident; ties may decide a few more than `keep`
        rank = (conf[:, None, :] > conf[:, :, None]).to(x.dtype).sum(-1)
        decided = (rank < keep).to(x.dtype)
    return digits, first
