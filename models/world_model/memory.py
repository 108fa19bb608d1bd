"""
Which remembered frames the student sees for a prediction (the retrieval rule; mirrored in
src/engine/memory.ts and checked against the same golden vectors).

Every frame the session has produced (ground truth at anchors, the model's own otherwise) stays in
memory with its camera pose. For a new camera pose the student gets SLOTS frames:
  slot 0: the newest frame;
  slots 1..: chosen greedily from the rest by field-of-view coverage of the new view, computed
  with the proxy scene of geometry.py on an 8 x 8 grid of rays: each pick maximises
      gain = (rays it covers that no chosen frame covers + 0.25 x all rays it covers) / 64
             x exp(-distance between the cameras / 6 m)
             x (1 - the frame's level): ground truth (level 0) wins over the model's own frames
  (ties go to the newer frame); a pick needs gain > 0.02, else the slot stays empty.
So turning around brings back the frames that saw the new view, walking back brings back the
frames taken near here, and nearly identical neighbours do not fill every slot.

v3: the atlas (atlas.py: training frames the model ships as long-term memory of its world) joins
the same rule as extra candidates after the session's own: a spatial index (a grid of
ATLAS["cell_m"] cells over x, z) gives the atlas frames within ATLAS["radius_m"] of the new
camera, ranked by distance + ATLAS["heading_m_per_rad"] x |heading difference| (+ the same for
pitch), ties to the lower index, and the best ATLAS["candidates"] of them enter the greedy cover
at level 0. The session's frames come first, so on equal gain they win.
"""
from __future__ import annotations

import numpy as np
import torch

from .geometry import coverage_rays

SLOTS = 4
ATLAS = {"cell_m": 4.0, "radius_m": 10.0, "heading_m_per_rad": 3.0, "candidates": 32}
RULE = {
    "slots": SLOTS,
    "coverage_grid": 8,
    "overlap_bonus": 0.25,
    "distance_scale_m": 6.0,
    "min_gain": 0.02,
    "first": "newest frame",
    "ties": "newer frame wins",
    "max_candidates": 1024,
    "trust": "gain x (1 - level)",
}


def retrieve(
    mem_poses: np.ndarray,
    target: np.ndarray,
    slots: int = SLOTS,
    rule: str = "coverage",
    levels: np.ndarray | None = None,
    extra_poses: np.ndarray | None = None,
) -> list[int]:
    """rule "recent" (the ablation) returns the newest `slots` frames, newest first. Otherwise: mem_poses float [N, 5] oldest first, target [5] -> indices into mem_poses, slot order
    (at most `slots`; fewer when memory is short or nothing else overlaps). Float64 throughout so
    that Python and TypeScript pick the same frames. levels [N] (default 0): how far each frame is
    from ground truth (the model's own frames are at LEVEL_PRED)."""
    n = len(mem_poses)
    if n == 0:
        return []
    if rule == "recent":
        return list(range(n - 1, max(-1, n - 1 - slots), -1))
    chosen = [n - 1]
    lo = max(0, n - 1 - RULE["max_candidates"])
    cand = np.arange(n - 2, lo - 1, -1)  # newest first: argmax keeps the first of equal gains
    all_poses = np.asarray(mem_poses, np.float64)
    all_levels = np.zeros(n) if levels is None else np.asarray(levels, np.float64)
    if extra_poses is not None and len(extra_poses):
        cand = np.concatenate([cand, n + np.arange(len(extra_poses))])
        all_poses = np.concatenate([all_poses, np.asarray(extra_poses, np.float64).reshape(-1, 5)])
        all_levels = np.concatenate([all_levels, np.zeros(len(extra_poses))])
    if slots <= 1 or len(cand) == 0:
        return chosen
    t = torch.as_tensor(np.asarray(target, np.float64))
    src = torch.as_tensor(all_poses)
    rays = coverage_rays(t[None], src[np.concatenate([[n - 1], cand])], RULE["coverage_grid"]).numpy()  # [1 + c, 64]
    covered, rays = rays[0].copy(), rays[1:]
    dist = np.sqrt(((all_poses[cand, :3] - np.asarray(target, np.float64)[:3]) ** 2).sum(1))
    weight = np.exp(-dist / RULE["distance_scale_m"]) * (1 - all_levels[cand])
    total = rays.sum(1).astype(np.float64)
    used = np.zeros(len(cand), bool)
    g2 = float(rays.shape[1])
    for _ in range(slots - 1):
        new = (rays & ~covered).sum(1).astype(np.float64)
        gain = (new + RULE["overlap_bonus"] * total) / g2 * weight
        gain[used] = -1.0
        k = int(np.argmax(gain))
        if gain[k] <= RULE["min_gain"]:
            break
        used[k] = True
        covered |= rays[k]
        chosen.append(int(cand[k]))
    return chosen
