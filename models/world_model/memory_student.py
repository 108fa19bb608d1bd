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
The network after the input is the v1 student's: depthwise conv + attention with 2D relative
bias + MLP, AdaLN, one softmax per FSQ digit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from .geometry import warp_matrix
from .layers import ActionEncoder, FsqDigits, digit_pad, vocab_of
from .student import StudentBlock

LEVEL_PRED = 0.15   # the corruption level the model is told for its own predicted frames
N_FOURIER = 4       # position frequencies: 1, 2, 4, 8 cycles across the courtyard


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
    warp: bool = True          # ablation: False feeds the slots unwarped
    retrieval: str = "coverage"  # memory.retrieve's rule; "recent" (ablation): the newest frames only

    @property
    def vocab_size(self) -> int:
        return vocab_of(self.levels)

    @property
    def context(self) -> int:  # what StudentBlock reads
        return self.slots


def pose_features(pose: torch.Tensor) -> torch.Tensor:
    """[..., 5] camera pose -> [..., 6 + 4 * N_FOURIER] features the weights can map to places."""
    x, y, z, yaw, pitch = pose.unbind(-1)
    base = [x / 30, z / 30, (y - 2.25) / 1.25, torch.sin(yaw), torch.cos(yaw), pitch / 0.5]
    four = []
    for k in range(N_FOURIER):
        f = math.pi * (2 ** k) / 30
        four += [torch.sin(f * x), torch.cos(f * x), torch.sin(f * z), torch.cos(f * z)]
    return torch.stack(base + four, -1)


SLOT_SCALARS = 3  # distance / 6 m, corruption level, slot filled


class MemoryStudent(nn.Module):
    def __init__(self, cfg: MemoryStudentConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.grid * cfg.grid
        self.digits = FsqDigits(cfg.levels)
        self.slot_width = self.digits.width + 1 + SLOT_SCALARS
        self.inp = nn.Linear(cfg.slots * self.slot_width, cfg.d)
        self.pos = nn.Parameter(torch.randn(1, n, cfg.d) * 0.02)
        self.act = ActionEncoder(6 + 4 * N_FOURIER + cfg.n_action, cfg.d)
        self.blocks = nn.ModuleList([StudentBlock(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.d)
        nd, L = len(cfg.levels), max(cfg.levels)
        self.head = nn.Linear(cfg.d, nd * L)
        self.register_buffer("pad", digit_pad(cfg.levels), persistent=False)
        self.register_buffer("eye", torch.eye(n), persistent=False)

    def slot_inputs(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose):
        """-> [B, n, slots * slot_width]: per grid position, each slot's warped digits and scalars."""
        B, M = mem_tokens.shape[:2]
        n = self.cfg.grid * self.cfg.grid
        oh = self.digits(mem_tokens.reshape(B, M, n))                          # [B, M, n, W]
        if self.cfg.warp:
            w = warp_matrix(target_pose[:, None, :], mem_poses, self.cfg.grid)  # [B, M, n, n]
        else:
            w = self.eye.expand(B, M, n, n)
        valid = mem_valid[:, :, None, None]
        warped = (w @ oh) * valid
        cover = w.sum(-1, keepdim=True) * valid
        dist = (target_pose[:, None, :3] - mem_poses[..., :3]).norm(dim=-1) / 6
        scalars = torch.stack([dist * mem_valid, mem_level * mem_valid, mem_valid], -1)  # [B, M, 3]
        feats = torch.cat([warped, cover, scalars[:, :, None, :].expand(B, M, n, SLOT_SCALARS)], -1)
        return feats.permute(0, 2, 1, 3).reshape(B, n, M * self.slot_width)

    def forward(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action):
        """mem_tokens int [B, M, g, g] (slot order of memory.retrieve), mem_poses [B, M, 5],
        mem_level [B, M] in [0, 1], mem_valid [B, M] (0 = empty slot), target_pose [B, 5],
        action [B, 5] (normalized, the step into the target pose). -> digit logits [B, g*g, D, L]."""
        return self.logits(self.features(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action))

    def features(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action):
        """The same inputs -> the last block's output [B, g*g, d] (what the teacher builds on)."""
        if mem_tokens.shape[1] != self.cfg.slots:
            raise ValueError(f"expected {self.cfg.slots} memory slots, got {mem_tokens.shape[1]}")
        x = self.inp(self.slot_inputs(mem_tokens, mem_poses, mem_level, mem_valid, target_pose)) + self.pos
        c = self.act(torch.cat([pose_features(target_pose), action], -1))
        for blk in self.blocks:
            x = blk(x, c)
        return x

    def logits(self, x):
        """features [B, n, d] (any n) -> digit logits [B, n, D, L]."""
        nd, L = self.pad.shape
        return self.head(self.norm(x)).view(x.shape[0], -1, nd, L) + self.pad
