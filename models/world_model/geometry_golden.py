"""
Golden vectors for the camera geometry and memory retrieval, read by both test suites
(models/tests/test_geometry.py and src/engine/memory.test.ts), so the Python rule the model was
trained with and the TypeScript rule the browser runs pick the same frames.

    python3 -m models.world_model.geometry_golden            # rewrites geometry_golden.json
"""
from __future__ import annotations

import json
import math
import os

import numpy as np
import torch

from models.world_model.geometry import SPEC, coverage_rays
from models.world_model.atlas import AtlasIndex, pack_tokens
from models.world_model.memory import ATLAS, RULE, retrieve

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "geometry_golden.json")


def trajectories(seed: int = 7) -> list[np.ndarray]:
    """A spin on the spot, an out-and-back walk and a random walk (poses [T, 5])."""
    rng = np.random.default_rng(seed)
    spin = np.array([[3.0, 1.7, -4.0, 0.3 + 0.09 * t, -0.05] for t in range(80)])
    out = [[-10.0, 1.6, 5.0, 1.0, 0.0]]
    for t in range(90):
        x, y, z, yaw, pitch = out[-1]
        if t < 25 or 60 <= t < 85:
            x, z = x - 0.25 * math.sin(yaw), z - 0.25 * math.cos(yaw)
        elif t < 60:
            yaw += math.pi / 35
        out.append([x, y, z, yaw, pitch])
    walk = [[0.0, 2.0, 0.0, 0.0, 0.0]]
    for _ in range(60):
        x, y, z, yaw, pitch = walk[-1]
        yaw += rng.uniform(-0.09, 0.09)
        f = rng.uniform(0, 0.25)
        walk.append(
            [
                x - f * math.sin(yaw),
                float(np.clip(y + rng.uniform(-0.1, 0.1), 1, 3.5)),
                z - f * math.cos(yaw),
                yaw,
                float(np.clip(pitch + rng.uniform(-0.05, 0.05), -0.5, 0.35)),
            ]
        )
    return [spin, np.array(out), np.array(walk)]


def build() -> dict:
    cases = []
    for k, traj in enumerate(trajectories()):
        for t in range(1, len(traj), 7):
            # Every other case as a dream: the first frame ground truth, the rest the model's own.
            levels = None if t % 2 else np.r_[0.0, np.full(t - 1, 0.15)]
            cases.append(
                {
                    "trajectory": k,
                    "memory": traj[:t].tolist(),
                    "target": traj[t].tolist(),
                    "levels": None if levels is None else levels.tolist(),
                    "slots": retrieve(traj[:t], traj[t], levels=levels),
                }
            )
    rng = np.random.default_rng(3)
    cover = []
    for _ in range(12):
        a = [rng.uniform(-25, 25), rng.uniform(1, 3.5), rng.uniform(-25, 25), rng.uniform(-3.1, 3.1), rng.uniform(-0.5, 0.35)]
        b = [a[0] + rng.normal(0, 2), a[1], a[2] + rng.normal(0, 2), a[3] + rng.normal(0, 0.6), a[4] + rng.normal(0, 0.1)]
        rays = coverage_rays(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64), RULE["coverage_grid"])
        cover.append({"target": a, "source": b, "rays": rays.int().tolist()})
    return {
        "what": "retrieval picks and coverage rays from models/world_model (memory.retrieve, geometry.coverage_rays), "
        "and retrieval over session memory + atlas (atlas.AtlasIndex, memory.retrieve with extra_poses)",
        "rule": {**RULE, "rule": "coverage"},
        "geometry": SPEC,
        "retrieval": cases,
        "coverage": cover,
        "atlas": atlas_cases(),
    }


def atlas_cases() -> dict:
    """A random atlas over the courtyard, session memories from the trajectories, and what the one
    rule picks from both; plus a packed-token round trip."""
    rng = np.random.default_rng(11)
    A = 400
    poses = np.stack(
        [
            rng.uniform(-30, 30, A),
            rng.uniform(1, 3.5, A),
            rng.uniform(-30, 30, A),
            rng.uniform(-math.pi, math.pi, A),
            rng.uniform(-0.4, 0.3, A),
        ],
        1,
    )
    poses = poses.astype(np.float32).astype(np.float64)  # the file keeps float32 poses
    index = AtlasIndex(poses)
    cases = []
    for k, traj in enumerate(trajectories()):
        for t in range(1, len(traj), 11):
            target = traj[t]
            extra = index.candidates(target)
            levels = None if t % 2 else np.r_[0.0, np.full(t - 1, 0.15)]
            picks = retrieve(traj[:t], target, levels=levels, extra_poses=poses[extra] if extra else None)
            cases.append(
                {
                    "trajectory": k,
                    "memory": traj[:t].tolist(),
                    "target": target.tolist(),
                    "levels": None if levels is None else levels.tolist(),
                    "candidates": extra,
                    "slots": picks,
                }
            )
    ids = rng.integers(0, 4096, (3, 8))
    return {
        "rule": ATLAS,
        "poses": poses.tolist(),
        "cases": cases,
        "packed": {"ids": ids.tolist(), "bytes": list(pack_tokens(ids))},
    }


if __name__ == "__main__":
    with open(PATH, "w") as f:
        json.dump(build(), f)
    print(f"wrote {PATH}")
