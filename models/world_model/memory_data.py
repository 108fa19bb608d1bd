"""
Training examples for the memory student: a target frame, a history of 1 to all earlier frames of
its episode (short histories are what a session has after a start, respawn or teleport), the
slots memory.retrieve picks from that history, and token corruption at a random level per slot
(the model is told the level: noise augmentation against drift).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
import torch

from .atlas import AtlasIndex, read
from .data import read_split_meta
from .memory import SLOTS, retrieve


@dataclass
class Batch:
    mem_tokens: torch.Tensor  # int64 [B, M, g, g]
    mem_poses: torch.Tensor  # float [B, M, 5]
    mem_level: torch.Tensor  # float [B, M]
    mem_valid: torch.Tensor  # float [B, M]
    target_pose: torch.Tensor  # float [B, 5]
    action: torch.Tensor  # float [B, 5]
    target: torch.Tensor  # int64 [B, g*g]
    mem_source: torch.Tensor | None = None  # float [B, M]: 1 for an atlas slot (v3 students only)

    def inputs(self):
        base = (self.mem_tokens, self.mem_poses, self.mem_level, self.mem_valid, self.target_pose, self.action)
        return base if self.mem_source is None else base + (self.mem_source,)


@dataclass
class TrainingAtlas:
    """The atlas as training sees it: tokens int [N, g, g], poses [N, 5], and for each frame its
    train-split episode (-1 when unknown), so an example never retrieves its own episode."""

    tokens: np.ndarray
    poses: np.ndarray
    episode: np.ndarray

    def __post_init__(self):
        self.index = AtlasIndex(self.poses)

    @staticmethod
    def load(folder: str) -> "TrainingAtlas":
        rec = json.load(open(os.path.join(folder, "atlas.json")))
        n = int(np.prod(rec["grid"]))
        tokens, poses = read(os.path.join(folder, "atlas.bin"), rec["frames"], n)
        return TrainingAtlas(tokens.reshape(-1, *rec["grid"]), poses, np.asarray(rec["episode"]))


class MemorySplit:
    def __init__(self, root: str, split: str, rule: str = "coverage"):
        self.rule = rule
        self.split = split
        self.meta = read_split_meta(root, split)
        load = lambda k: np.load(os.path.join(root, f"{split}.{k}.npy"))  # noqa: E731
        if not os.path.exists(os.path.join(root, f"{split}.poses.npy")):
            raise FileNotFoundError(
                f"{root}/{split}.poses.npy missing: these tokens were prepared before poses were kept; "
                "delete the folder and rerun prepare.py"
            )
        self.tokens = load("tokens")
        self.poses = load("poses").astype(np.float64)
        self.actions = load("actions").astype(np.float32)
        self.episode = load("episode")
        starts = np.r_[0, np.flatnonzero(np.diff(self.episode)) + 1]
        lengths = np.diff(np.r_[starts, len(self.episode)])
        self.ep_start = np.repeat(starts, lengths)
        self.targets = np.flatnonzero(np.arange(len(self.episode)) > self.ep_start)
        self.levels = self.meta["levels"]

    def __len__(self) -> int:
        return len(self.targets)

    def history(self, rng: np.random.Generator, t: int, short: float = 0.35) -> int:
        """How many earlier frames the example remembers: 1..4 with probability `short`, else 1..all."""
        most = t - int(self.ep_start[t])
        return int(rng.integers(1, min(4, most) + 1)) if rng.random() < short else int(rng.integers(1, most + 1))

    def slots(self, t: int, h: int, atlas: TrainingAtlas | None = None) -> list[tuple[bool, int]]:
        """The slots for target t remembering frames t-h .. t-1 (and, with atlas, atlas frames of
        other episodes): (from the atlas, absolute frame or atlas index) in slot order."""
        s = t - h
        extra = []
        if atlas is not None:
            own = atlas.episode == int(self.episode[t]) if self.split == "train" else None
            extra = atlas.index.candidates(self.poses[t], exclude=own)
        picks = retrieve(self.poses[s:t], self.poses[t], rule=self.rule, extra_poses=atlas.poses[extra] if extra else None)
        return [(False, s + i) if i < h else (True, extra[i - h]) for i in picks]

    def build(
        self,
        ts,
        hs,
        device,
        rng: np.random.Generator | None = None,
        max_level: float = 0.0,
        corrupt_p: float = 0.7,
        atlas: TrainingAtlas | None = None,
        use_atlas=None,
    ) -> Batch:
        """Examples for targets ts with history lengths hs; with rng, slots are corrupted at levels
        drawn from U(0, max_level) with probability corrupt_p (else kept clean). With atlas, the
        examples where use_atlas[b] (default all) also retrieve from it, and the batch carries
        mem_source."""
        B, g = len(ts), self.tokens.shape[1]
        mt = np.zeros((B, SLOTS, g, g), np.int64)
        mp = np.zeros((B, SLOTS, 5), np.float32)
        lv = np.zeros((B, SLOTS), np.float32)
        va = np.zeros((B, SLOTS), np.float32)
        so = np.zeros((B, SLOTS), np.float32)
        for b, (t, h) in enumerate(zip(ts, hs)):
            mp[b, :] = self.poses[t]
            use = atlas if atlas is not None and (use_atlas is None or use_atlas[b]) else None
            for k, (from_atlas, f) in enumerate(self.slots(int(t), int(h), use)):
                mt[b, k] = atlas.tokens[f] if from_atlas else self.tokens[f]
                mp[b, k] = atlas.poses[f] if from_atlas else self.poses[f]
                so[b, k] = float(from_atlas)
                va[b, k] = 1
                if rng is not None and max_level > 0 and rng.random() < corrupt_p:
                    lv[b, k] = rng.uniform(0, max_level)
                    mt[b, k] = corrupt(mt[b, k], lv[b, k], self.levels, rng)
        ts = np.asarray(ts)
        tt = lambda a: torch.from_numpy(a).to(device)  # noqa: E731
        return Batch(
            tt(mt),
            tt(mp),
            tt(lv),
            tt(va),
            tt(self.poses[ts].astype(np.float32)),
            tt(self.actions[ts - 1]),
            tt(self.tokens[ts].astype(np.int64).reshape(B, -1)),
            tt(so) if atlas is not None else None,
        )


def corrupt(tokens: np.ndarray, level: float, levels: list[int], rng: np.random.Generator) -> np.ndarray:
    """Each token with probability `level`: half the time one FSQ digit moves one level (a near
    miss, like the model's own errors), half the time a random token."""
    flat = tokens.reshape(-1).copy()
    hit = np.flatnonzero(rng.random(flat.size) < level)
    if len(hit) == 0:
        return tokens
    near = rng.random(len(hit)) < 0.5
    vocab = int(np.prod(levels))
    flat[hit[~near]] = rng.integers(0, vocab, int((~near).sum()))
    idx = hit[near]
    digit = rng.integers(0, len(levels), len(idx))
    basis = np.cumprod([1] + list(levels[:-1]))[digit]
    lv = np.asarray(levels)[digit]
    d = (flat[idx] // basis) % lv
    step = np.where(rng.random(len(idx)) < 0.5, -1, 1)
    nd = np.clip(d + step, 0, lv - 1)
    flat[idx] = flat[idx] + (nd - d) * basis
    return flat.reshape(tokens.shape)
