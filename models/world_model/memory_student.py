"""
The v2 student: every token of the next frame in one forward pass, from remembered frames
re-projected into the new camera.

Inputs are what a navigable world model knows exactly: the camera pose of the frame to predict and
the poses of the frames it remembers. memory.py picks SLOTS remembered frames (the newest, plus the
ones whose view covers the new one best); inside the graph geometry.py re-projects each of them
into the new camera (a bilinear warp through the proxy floor/walls/sky scene: exact for turns,
exact for floor and walls when walking). Each grid position then gets, per slot, the warped
FSQ digits, how much of it the slot covers, the distance between the cameras and how trustworthy
the slot is (its corruption level: 0 for ground truth, LEVEL_PRED for the model's own frames;
training corrupts slots at random levels and says which, GameNGen's noise augmentation in token
form). The camera pose itself (with Fourier features of the position) and the last action
modulate every block, so the weights can also recall the world where memory has nothing.
The network after the input is v1's (layers.GridBlock): depthwise conv + attention with 2D
relative bias + MLP, AdaLN, one softmax per FSQ digit.

v3 adds two things (config flags, so v2's checkpoints load unchanged):
- source: a fourth per-slot scalar, mem_source (1 for an atlas frame: a training frame the model
  ships as long-term memory of the world it learned; 0 for the session's own frames), so the
  model learns how far to trust each kind;
- copy: a pointer-generator head. Per output token a gate (softmax over "generate" and each slot)
  mixes the network's digit distributions with the exact digits of the slot's nearest
  re-projected token (geometry.warp_matrices); a slot that does not see the token cannot be
  picked. The output is the log of the mixture, so greedy decoding returns a remembered code
  exactly where the gate trusts memory, and every consumer of "logits" (sampling, entropy,
  parity) reads it unchanged. Training supervises the gate with where a slot's copy equals the truth.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from .geometry import warp_matrices
from .layers import ActionEncoder, FsqDigits, GridBlock, digit_pad, vocab_of

LEVEL_PRED = 0.15  # the corruption level the model is told for its own predicted frames
N_FOURIER = 4  # position frequencies: 1, 2, 4, 8 cycles across the courtyard


@dataclass
class MemoryStudentConfig:
    levels: list[int] = field(default_factory=lambda: [8, 8, 8, 8])
    grid: int = 16
    slots: int = 4
    n_action: int = 5
    d: int = 128
    layers: int = 4
    heads: int = 4
    conv_kernel: int = 5
    warp: bool = True  # ablation: False feeds the slots unwarped
    retrieval: str = "coverage"  # memory.retrieve's rule; "recent" (ablation): the newest frames only
    source: bool = False  # v3: per-slot mem_source input (1 = atlas frame)
    copy: bool = False  # v3: pointer-generator copy path over the slots' re-projected tokens

    @property
    def vocab_size(self) -> int:
        return vocab_of(self.levels)


def pose_features(pose: torch.Tensor) -> torch.Tensor:
    """[..., 5] camera pose -> [..., 6 + 4 * N_FOURIER] features the weights can map to places."""
    x, y, z, yaw, pitch = pose.unbind(-1)
    base = [x / 30, z / 30, (y - 2.25) / 1.25, torch.sin(yaw), torch.cos(yaw), pitch / 0.5]
    four = []
    for k in range(N_FOURIER):
        f = math.pi * (2**k) / 30
        four += [torch.sin(f * x), torch.cos(f * x), torch.sin(f * z), torch.cos(f * z)]
    return torch.stack(base + four, -1)


SLOT_SCALARS = 3  # distance / 6 m, corruption level, slot filled (+ source, with cfg.source)
COPY_MASK = 30.0  # gate logit penalty for a slot that does not see the token (exp(-30): never picked)
GEN_BIAS = 2.0  # the gate starts out trusting the generator (a fine-tune from v2 starts as v2)


class MemoryStudent(nn.Module):
    def __init__(self, cfg: MemoryStudentConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.grid * cfg.grid
        self.digits = FsqDigits(cfg.levels)
        self.slot_width = self.digits.width + 1 + SLOT_SCALARS + int(cfg.source)
        self.inp = nn.Linear(cfg.slots * self.slot_width, cfg.d)
        self.pos = nn.Parameter(torch.randn(1, n, cfg.d) * 0.02)
        self.act = ActionEncoder(6 + 4 * N_FOURIER + cfg.n_action, cfg.d)
        self.blocks = nn.ModuleList([GridBlock(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.d)
        nd, L = len(cfg.levels), max(cfg.levels)
        self.head = nn.Linear(cfg.d, nd * L)
        self.register_buffer("pad", digit_pad(cfg.levels), persistent=False)
        self.register_buffer("eye", torch.eye(n), persistent=False)
        if cfg.copy:
            self.gate = nn.Linear(cfg.d, 1 + cfg.slots)
            nn.init.zeros_(self.gate.weight)
            with torch.no_grad():
                self.gate.bias.zero_()
                self.gate.bias[0] = GEN_BIAS
            basis, b = [], 1
            for l in cfg.levels:
                basis.append(b)
                b *= int(l)
            self.register_buffer("basis", torch.tensor(basis, dtype=torch.float32), persistent=False)
            self.register_buffer("lv", torch.tensor([float(l) for l in cfg.levels]), persistent=False)
            self.register_buffer("lvl_idx", torch.arange(L, dtype=torch.float32), persistent=False)

    def slot_inputs(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, mem_source=None):
        """-> ([B, n, slots * slot_width]: per grid position, each slot's warped digits and scalars;
        copy ids [B, M, n] (float: the code of the slot's nearest re-projected token), copyable [B, M, n])."""
        B, M = mem_tokens.shape[:2]
        n = self.cfg.grid * self.cfg.grid
        flat = mem_tokens.reshape(B, M, n)
        oh = self.digits(flat)  # [B, M, n, W]
        if self.cfg.warp:
            w, near = warp_matrices(target_pose[:, None, :], mem_poses, self.cfg.grid)  # [B, M, n, n] each
        else:
            w = near = self.eye.expand(B, M, n, n)
        valid = mem_valid[:, :, None, None]
        warped = (w @ oh) * valid
        cover = w.sum(-1, keepdim=True) * valid
        dist = (target_pose[:, None, :3] - mem_poses[..., :3]).norm(dim=-1) / 6
        cols = [dist * mem_valid, mem_level * mem_valid, mem_valid]
        if self.cfg.source:
            src = mem_source if mem_source is not None else mem_valid * 0
            cols.append(src * mem_valid)
        scalars = torch.stack(cols, -1)  # [B, M, 3 or 4]
        feats = torch.cat([warped, cover, scalars[:, :, None, :].expand(B, M, n, scalars.shape[-1])], -1)
        feats = feats.permute(0, 2, 1, 3).reshape(B, n, M * self.slot_width)
        if not self.cfg.copy:
            return feats, None, None
        copy_ids = (near @ flat.to(near.dtype)[..., None])[..., 0]  # exact: one-hot rows, ids < 2^24
        copyable = near.sum(-1) * mem_valid[:, :, None]
        return feats, copy_ids, copyable

    def forward(
        self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source=None, parts=False, trunk=False
    ):
        """mem_tokens int [B, M, g, g] (slot order of memory.retrieve), mem_poses [B, M, 5],
        mem_level [B, M] in [0, 1], mem_valid [B, M] (0 = empty slot), target_pose [B, 5],
        action [B, 5] (normalized, the step into the target pose), mem_source [B, M] (v3: 1 = atlas
        frame). -> digit logits [B, g*g, D, L] (with the copy path: log-probabilities of the mixture);
        parts: forward_parts' tuple instead (training, through DDP's forward); trunk: that tuple plus
        the trunk's features [B, n, d] and conditioning [B, d] (what noise_sampler.py reads)."""
        out = self.forward_parts(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source, trunk)
        return out if parts or trunk else out[0]

    def forward_parts(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source=None, trunk=False):
        """-> (logits, gate logits [B, n, 1 + M] or None, copy ids [B, M, n] or None, copyable or None),
        and with trunk also (features, conditioning)."""
        x, copy_ids, copyable = self._trunk(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source)
        more = (x, self.act(torch.cat([pose_features(target_pose), action], -1))) if trunk else ()
        if not self.cfg.copy:
            return (self.logits(x), None, None, None) + more
        gate_logits = self.gate_logits(x, copyable)
        return (self.mix_logits(self.logits(x), gate_logits, copy_ids), gate_logits, copy_ids, copyable) + more

    def gate_logits(self, x, copyable):
        """features [B, n, d], copyable [B, M, n] -> gate logits [B, n, 1 + M] ("generate" first;
        a slot that does not see the token is pushed out by COPY_MASK)."""
        mask = torch.cat([copyable[:, :1].transpose(1, 2) * 0 + 1, copyable.transpose(1, 2)], -1)
        return self.gate(self.norm(x)) + (mask - 1) * COPY_MASK

    def mix_logits(self, gen_logits, gate_logits, copy_ids):
        """p = gate_gen x softmax(gen_logits) + sum_s gate_s x onehot(digits of copy_ids[s]); -> log p (+ pad).
        gen_logits [B, n, D, L]: the trunk's, or a refiner pass's (refine.py)."""
        nd, L = self.pad.shape
        B, M, n = copy_ids.shape
        gen = gen_logits.softmax(-1)  # [B, n, D, L]
        digit = torch.floor(copy_ids[..., None] / self.basis)  # [B, M, n, D]
        digit = digit - torch.floor(digit / self.lv) * self.lv
        onehot = (digit[..., None] == self.lvl_idx).to(gen.dtype)  # [B, M, n, D, L]
        gate = gate_logits.softmax(-1)  # [B, n, 1 + M]
        copied = gate[:, :, 1:, None] * onehot.permute(0, 2, 1, 3, 4).reshape(B, n, M, nd * L)
        p = gen * gate[..., :1, None] + copied.sum(2).view(B, n, nd, L)
        return torch.log(p + 1e-6) + self.pad

    def _trunk(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source=None):
        if mem_tokens.shape[1] != self.cfg.slots:
            raise ValueError(f"expected {self.cfg.slots} memory slots, got {mem_tokens.shape[1]}")
        feats, copy_ids, copyable = self.slot_inputs(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, mem_source)
        x = self.inp(feats) + self.pos
        c = self.act(torch.cat([pose_features(target_pose), action], -1))
        for blk in self.blocks:
            x = blk(x, c)
        return x, copy_ids, copyable

    def features(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source=None):
        """The same inputs -> the last block's output [B, g*g, d] (what the teacher builds on)."""
        return self._trunk(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source)[0]

    def logits(self, x):
        """features [B, n, d] (any n) -> digit logits [B, n, D, L]."""
        nd, L = self.pad.shape
        return self.head(self.norm(x)).view(x.shape[0], -1, nd, L) + self.pad
