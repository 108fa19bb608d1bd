"""
The atlas: long-term memory of the one world the model learned. A set of training frames (their
tokens and camera poses) chosen to cover the courtyard in positions x headings, shipped beside
the model and retrieved like the session's own frames (memory.retrieve's extra candidates).

    python3 -m models.world_model.atlas --tokens data/tokens --out models/runs/atlas   # choose + pack

Chosen, not the first N: the train split's poses are binned into CELL_M x CELL_M cells of the
floor and HEADINGS heading sectors; each occupied bin keeps one frame, the one nearest level pitch
and the cell's centre (ties: the lower frame index). If more bins are occupied than max_frames,
the bins are taken round-robin over headings in a fixed order, so coverage thins evenly.

File (atlas.bin, little-endian): the frames' token ids packed at 12 bits (two ids in three bytes:
b0 = a & 255, b1 = (a >> 8) | ((b & 15) << 4), b2 = b >> 4; a frame of g*g ids, g*g even), then
their poses float32 [N, 5]. atlas.json beside it (in the run folder) keeps the frame and episode
indices, which training uses so that an example never retrieves frames of its own episode.
"""
from __future__ import annotations

import argparse
import json
import math
import os

import numpy as np

from .memory import ATLAS

CELL_M = 1.5
HEADINGS = 12
MAX_FRAMES = 9000  # 9,000 x (384 + 20) bytes = 3.6 MB (budget 4 MB)


def choose(poses: np.ndarray, max_frames: int = MAX_FRAMES, cell: float = CELL_M, headings: int = HEADINGS) -> np.ndarray:
    """poses float [N, 5] -> sorted frame indices, one per occupied (cell, heading) bin."""
    cx = np.floor(poses[:, 0] / cell).astype(np.int64)
    cz = np.floor(poses[:, 2] / cell).astype(np.int64)
    h = np.floor(np.mod(poses[:, 3], 2 * math.pi) / (2 * math.pi) * headings).astype(np.int64) % headings
    centre_d = np.hypot(poses[:, 0] - (cx + 0.5) * cell, poses[:, 2] - (cz + 0.5) * cell)
    score = np.abs(poses[:, 4]) * 3 + centre_d  # level pitch first, then the cell's centre
    order = np.lexsort((np.arange(len(poses)), score, h, cz, cx))
    key = np.stack([cx[order], cz[order], h[order]], 1)
    first = np.r_[True, np.any(key[1:] != key[:-1], 1)]
    picks = order[first]
    if len(picks) > max_frames:  # round-robin over headings, cells in a fixed order
        by_h = [picks[h[picks] == k] for k in range(headings)]
        take, i = [], 0
        while len(take) < max_frames:
            for k in range(headings):
                if i < len(by_h[k]) and len(take) < max_frames:
                    take.append(by_h[k][i])
            i += 1
        picks = np.asarray(take)
    return np.sort(picks)


def pack_tokens(ids: np.ndarray) -> bytes:
    """int [N, n] ids < 4096 (n even) -> 1.5 bytes an id."""
    flat = np.asarray(ids, np.uint32).reshape(-1)
    if flat.size % 2 or (flat >= 4096).any():
        raise ValueError("pack_tokens needs an even number of ids, each < 4096")
    a, b = flat[0::2], flat[1::2]
    out = np.stack([a & 255, (a >> 8) | ((b & 15) << 4), b >> 4], 1).astype(np.uint8)
    return out.tobytes()


def unpack_tokens(buf: bytes, frames: int, n: int) -> np.ndarray:
    raw = np.frombuffer(buf, np.uint8, count=frames * n * 3 // 2).reshape(-1, 3).astype(np.uint32)
    a = raw[:, 0] | ((raw[:, 1] & 15) << 8)
    b = (raw[:, 1] >> 4) | (raw[:, 2] << 4)
    return np.stack([a, b], 1).reshape(frames, n).astype(np.int64)


def write(path: str, tokens: np.ndarray, poses: np.ndarray) -> None:
    with open(path, "wb") as f:
        f.write(pack_tokens(tokens.reshape(len(tokens), -1)))
        f.write(np.asarray(poses, "<f4").tobytes())


def read(path: str, frames: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    buf = open(path, "rb").read()
    tb = frames * n * 3 // 2
    if len(buf) != tb + frames * 20:
        raise ValueError(f"{path}: {len(buf)} bytes, expected {tb + frames * 20} for {frames} frames of {n} tokens")
    return unpack_tokens(buf[:tb], frames, n), np.frombuffer(buf[tb:], "<f4").reshape(frames, 5).astype(np.float64)


class AtlasIndex:
    """A grid over x, z for the atlas's poses: candidates(target) in a few microseconds' worth of
    cells instead of a scan of every frame. Mirrored in src/engine/atlas.ts (golden vectors)."""

    def __init__(self, poses: np.ndarray, cell: float = ATLAS["cell_m"]):
        self.poses = np.asarray(poses, np.float64)
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = {}
        for i, p in enumerate(self.poses):
            self.cells.setdefault((math.floor(p[0] / cell), math.floor(p[2] / cell)), []).append(i)

    def candidates(
        self, target, k: int = ATLAS["candidates"], radius: float = ATLAS["radius_m"], exclude: np.ndarray | None = None
    ) -> list[int]:
        """Atlas indices within `radius` m (x, z) of target, best first by distance + heading cost.
        exclude: bool [N] (training: frames of the example's own episode)."""
        x, z = float(target[0]), float(target[2])
        r = math.ceil(radius / self.cell)
        cx, cz = math.floor(x / self.cell), math.floor(z / self.cell)
        found = []
        for i in range(cx - r, cx + r + 1):
            for j in range(cz - r, cz + r + 1):
                found += self.cells.get((i, j), [])
        if not found:
            return []
        idx = np.asarray(sorted(found))
        if exclude is not None:
            idx = idx[~exclude[idx]]
        p = self.poses[idx]
        d = np.hypot(p[:, 0] - x, p[:, 2] - z)
        keep = d <= radius
        idx, p, d = idx[keep], p[keep], d[keep]
        dyaw = np.abs(np.mod(p[:, 3] - float(target[3]) + math.pi, 2 * math.pi) - math.pi)
        cost = d + ATLAS["heading_m_per_rad"] * (dyaw + np.abs(p[:, 4] - float(target[4])))
        order = np.lexsort((idx, cost))[:k]
        return [int(i) for i in idx[order]]


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", default="data/tokens", help="prepare.py's output (train.tokens.npy, train.poses.npy)")
    ap.add_argument("--out", default="models/runs/atlas")
    ap.add_argument("--max-frames", type=int, default=MAX_FRAMES)
    a = ap.parse_args(argv)
    if a.max_frames < 1:
        ap.error("--max-frames must be at least 1")
    for f in ("train.tokens.npy", "train.poses.npy", "train.episode.npy"):
        if not os.path.exists(os.path.join(a.tokens, f)):
            ap.error(f"{a.tokens}/{f} missing: run python3 -m models.world_model.prepare first")
    poses = np.load(os.path.join(a.tokens, "train.poses.npy")).astype(np.float64)
    tokens = np.load(os.path.join(a.tokens, "train.tokens.npy"))
    episode = np.load(os.path.join(a.tokens, "train.episode.npy"))
    picks = choose(poses, a.max_frames)
    os.makedirs(a.out, exist_ok=True)
    write(os.path.join(a.out, "atlas.bin"), tokens[picks].astype(np.int64), poses[picks])
    rec = {
        "frames": int(len(picks)),
        "grid": list(tokens.shape[1:]),
        "frame_index": picks.tolist(),
        "episode": episode[picks].tolist(),
        "cell_m": CELL_M,
        "headings": HEADINGS,
        "from_frames": int(len(poses)),
        "bytes": os.path.getsize(os.path.join(a.out, "atlas.bin")),
    }
    with open(os.path.join(a.out, "atlas.json"), "w") as f:
        json.dump(rec, f)
    print(f"atlas: {rec['frames']} of {len(poses)} train frames, {rec['bytes'] / 1e6:.2f} MB", flush=True)
    return rec


if __name__ == "__main__":
    main()
