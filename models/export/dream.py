"""
Dream-mode rollouts in PyTorch, as the app runs them: after a start of 1 or K ground-truth frames
each model feeds on its own greedy predictions. The memory student and teacher remember every frame
with its pose (ground truth at level 0, its own at LEVEL_PRED) and retrieve their slots by memory.retrieve.
(v1's window rollout is world_model/v1_student.py's.)
"""
from __future__ import annotations

import numpy as np
import torch

from models.export.graphs import StudentInputs
from models.world_model.memory import retrieve
from models.world_model.memory_student import LEVEL_PRED, MemoryStudent
from models.world_model.memory_teacher import MemoryTeacher


@torch.no_grad()
def rollout_memory(
    m: MemoryStudent | MemoryTeacher,
    start_tokens: torch.Tensor,
    poses: np.ndarray,
    actions: np.ndarray,
    H: int,
    record_slots: bool = False,
    atlas=None,
    copy: bool = True,
    decode=None,
):
    """start_tokens int [N, S, g, g] (ground truth); poses [N, S + H, 5]; actions [N, S + H, 5] normalized,
    actions[:, t] leads from frame t to t + 1. The student predicts a frame in one pass, the teacher
    token by token (greedy, with its cache). Returns predictions [N, H, g, g] (and, with
    record_slots, the frame indices each prediction's slots held: [N, H, slots], -1 empty, an atlas
    frame k as -2 - k). atlas: a memory_data.TrainingAtlas to retrieve from too (v3 students);
    copy=False switches a v3 student's copy path off (the gate forced to "generate").
    decode(inputs, h) -> ids [N, g, g] replaces greedy decoding (sampling: sampling_eval.py); inputs
    are the StudentInputs of the batch (mem_source where the student has it, no sampling inputs)."""
    N, S = start_tokens.shape[:2]
    cfg = m.cfg.student if isinstance(m, MemoryTeacher) else m.cfg
    M, g = cfg.slots, cfg.grid
    mem = [start_tokens[:, i] for i in range(S)]
    levels = [0.0] * S
    out, used = [], np.full((N, H, M), -1, np.int64)
    for h in range(H):
        t = S + h
        mt = torch.zeros(N, M, g, g, dtype=torch.int64)
        mp = torch.from_numpy(np.repeat(poses[:, t : t + 1], M, 1).astype(np.float32))
        lv = torch.zeros(N, M)
        va = torch.zeros(N, M)
        so = torch.zeros(N, M)
        for b in range(N):
            target = poses[b, t].astype(np.float64)
            extra = atlas.index.candidates(target) if atlas is not None else []
            picks = retrieve(
                poses[b, :t].astype(np.float64),
                target,
                M,
                cfg.retrieval,
                np.asarray(levels),
                atlas.poses[extra] if extra else None,
            )
            for k, f in enumerate(picks):
                if f < t:
                    mt[b, k] = mem[f][b]
                    mp[b, k] = torch.from_numpy(poses[b, f].astype(np.float32))
                    lv[b, k] = levels[f]
                    used[b, h, k] = f
                else:
                    a = extra[f - t]
                    mt[b, k] = torch.as_tensor(atlas.tokens[a])
                    mp[b, k] = torch.from_numpy(atlas.poses[a].astype(np.float32))
                    so[b, k] = 1
                    used[b, h, k] = -2 - a
                va[b, k] = 1
        tp = torch.from_numpy(poses[:, t].astype(np.float32))
        act = torch.from_numpy(actions[:, t - 1].astype(np.float32))
        inputs = StudentInputs(mt, mp, lv, va, tp, act, so if cfg.source else None)
        if decode is not None:
            pred = decode(inputs, h).view(N, g, g)
        elif isinstance(m, MemoryTeacher):  # a v3 teacher reads mem_source and copies as its trunk does
            h, cp = m.memory_view(*inputs.model_args())
            pred = m.generate(h, copy=cp).view(N, g, g)
        elif cfg.copy and not copy:
            x = m.features(*inputs.model_args())
            pred = m.digits.compose(m.logits(x).argmax(-1)).view(N, g, g)
        else:
            pred = m.digits.compose(m(*inputs.model_args()).argmax(-1)).view(N, g, g)
        mem.append(pred)
        levels.append(LEVEL_PRED)
        out.append(pred)
    preds = torch.stack(out, 1)
    return (preds, used) if record_slots else preds
