"""
Reads a dataset written by the generator (models/data/generate.ts) with plain numpy.

    python3 -c "from models.data.dataset import load; d = load('data/train'); print(d.frames.shape)"

Shards are memory-mapped, so a 100,000-frame split (4.9 GB at 128x128) opens instantly.
The contract (action semantics, normalization) comes from the dataset's own meta.json.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

KINDS = ("frames", "poses", "actions", "commands", "episode")


@dataclass
class Dataset:
    meta: dict
    frames: list[np.ndarray]  # per shard, uint8 [n, H, W, 3]
    poses: np.ndarray  # float32 [N, 5] x, y, z, yaw, pitch
    actions: np.ndarray  # float32 [N, 5] effective action from t to t+1
    commands: np.ndarray  # float32 [N, 5]
    episode: np.ndarray  # int32 [N]
    shard_start: np.ndarray  # int64 [S + 1] global index of each shard's first frame

    def __len__(self) -> int:
        return int(self.shard_start[-1])

    def frame(self, i: int) -> np.ndarray:
        s = int(np.searchsorted(self.shard_start, i, side="right") - 1)
        return self.frames[s][i - self.shard_start[s]]

    def normalized_actions(self) -> np.ndarray:
        """Actions as the models see them: action / max, clipped to [-1, 1]."""
        mx = np.asarray(self.meta["contract"]["action"]["max"], dtype=np.float32)
        return np.clip(self.actions / mx, -1.0, 1.0)


def load(path: str, mmap: bool = True) -> Dataset:
    meta_path = os.path.join(path, "meta.json")
    if not os.path.exists(meta_path):
        raise FileNotFoundError(f"{path}: no meta.json; generate it with `npm run data -- --out {path}`")
    with open(meta_path) as f:
        meta = json.load(f)
    incomplete = [s["index"] for s in meta["shards"] if not s["complete"]]
    if incomplete:
        raise ValueError(f"{path}: shards {incomplete} are not complete; rerun the generator command to resume")
    arrays: dict[str, list[np.ndarray]] = {k: [] for k in KINDS}
    for s in meta["shards"]:
        for k in KINDS:
            a = np.load(os.path.join(path, s["files"][k]), mmap_mode="r" if mmap else None)
            if a.shape[0] != s["frames"]:
                raise ValueError(f"{path}: {s['files'][k]} has {a.shape[0]} rows, meta.json says {s['frames']}")
            arrays[k].append(a)
    sizes = [s["frames"] for s in meta["shards"]]
    return Dataset(
        meta=meta,
        frames=arrays["frames"],
        poses=np.concatenate(arrays["poses"]),
        actions=np.concatenate(arrays["actions"]),
        commands=np.concatenate(arrays["commands"]),
        episode=np.concatenate(arrays["episode"]),
        shard_start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
    )


def action_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The contract's actionBetween in numpy: pose rows [.., 5] -> action rows [.., 5]."""
    yaw = a[..., 3]
    fx, fz = -np.sin(yaw), -np.cos(yaw)
    rx, rz = np.cos(yaw), -np.sin(yaw)
    dx, dz = b[..., 0] - a[..., 0], b[..., 2] - a[..., 2]
    dyaw = (b[..., 3] - a[..., 3] + np.pi) % (2 * np.pi) - np.pi
    return np.stack([dx * fx + dz * fz, dx * rx + dz * rz, b[..., 1] - a[..., 1], dyaw, b[..., 4] - a[..., 4]], -1)
