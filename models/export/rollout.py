"""
Closed-loop rollouts through the exported graphs' PyTorch wrappers, one step exactly as the
browser (and models/export/parity.ts in onnxruntime-node) runs it. The golden files come from
here; eval.py uses the batched models and a test checks both agree.
"""
from __future__ import annotations

import numpy as np
import torch

from models.export.graphs import MemoryStudentGraph, TeacherPrevGraph, TeacherStepGraph
from models.world_model.memory import retrieve
from models.world_model.memory_student import LEVEL_PRED


def memory_rollout(g: MemoryStudentGraph, start: torch.Tensor, poses: np.ndarray, actions: torch.Tensor, temperature: float,
                   top_k: int, uniforms: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[list[int]]]:
    """The engine's loop: start int32 [S, h, w] ground-truth frames (memory at level 0); poses
    [S + N, 5] camera poses of every frame; actions [S + N, 5] (actions[t] leads from frame t to
    t + 1); uniforms [N, h*w, D, L]. Each step retrieves its slots from everything remembered,
    predicts, and remembers the prediction at LEVEL_PRED. Returns tokens [N, h, w], the first
    step's logits and each step's slots (memory indices)."""
    S, M = start.shape[0], g.student.cfg.slots
    h, w = start.shape[1:]
    mem, levels, out, first, used = list(start), [0.0] * S, [], None, []
    temp, k = torch.tensor([temperature]), torch.tensor([top_k], dtype=torch.int32)
    for i in range(len(uniforms)):
        t = S + i
        slots = retrieve(poses[:t].astype(np.float64), poses[t].astype(np.float64), M, g.student.cfg.retrieval, np.asarray(levels))
        mt = torch.zeros(1, M, h, w, dtype=torch.int32)
        mp = torch.from_numpy(np.repeat(poses[t:t + 1], M, 0).astype(np.float32)).unsqueeze(0)
        lv, va = torch.zeros(1, M), torch.zeros(1, M)
        for j, f in enumerate(slots):
            mt[0, j], mp[0, j], lv[0, j], va[0, j] = mem[f], torch.from_numpy(poses[f].astype(np.float32)), levels[f], 1.0
        tp = torch.from_numpy(poses[t:t + 1].astype(np.float32))
        tokens, logits = g(mt, mp, lv, va, tp, actions[t - 1:t], temp, k, uniforms[i:i + 1])
        first = logits if first is None else first
        mem.append(tokens[0])
        levels.append(LEVEL_PRED)
        out.append(tokens[0])
        used.append(slots)
    return torch.stack(out), first, used


def teacher_frame(prev_g: TeacherPrevGraph, step_g: TeacherStepGraph, context: torch.Tensor, actions_in: torch.Tensor,
                  pick) -> tuple[torch.Tensor, torch.Tensor]:
    """One predicted frame. context int32 [1, K, h, w]; actions_in [1, K + 1, 5] (the action leading
    into each frame, the first zero); pick(logits [V]) -> token id. Returns tokens [h, w] and the
    logits of the first decode step."""
    t = step_g.teacher
    K, L, n = context.shape[1], t.cfg.frame_len, t.cfg.tokens_per_frame
    cache = t.empty_cache(1)
    zeros = torch.zeros(1, n, t.cfg.d)
    flat = context.reshape(1, K, n)
    for k in range(K):  # prefill: one run per context frame
        prev = prev_g(context[:, k - 1]) if k > 0 else zeros
        slots = torch.cat([torch.zeros(1, 1, dtype=torch.int32), flat[:, k]], 1)
        _, cache = step_g(slots, torch.arange(k * L, (k + 1) * L, dtype=torch.int32), actions_in[:, k], prev, cache)
    prev = prev_g(context[:, -1])
    out, first = torch.zeros(n, dtype=torch.int32), None
    for p in range(n):
        slot = out[p - 1:p] if p > 0 else torch.zeros(1, dtype=torch.int32)
        logits, cache = step_g(slot.view(1, 1), torch.tensor([K * L + p], dtype=torch.int32), actions_in[:, K], prev, cache)
        first = logits[0, 0] if first is None else first
        out[p] = int(pick(logits[0, 0]))
    return out.view(t.cfg.grid, t.cfg.grid), first


def teacher_rollout(prev_g: TeacherPrevGraph, step_g: TeacherStepGraph, context: torch.Tensor, actions: torch.Tensor,
                    frames: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy closed loop for `frames` frames; actions [1, K + frames - 1, 5] as for the student."""
    K = context.shape[1]
    ctx, out, first = context, [], None
    for i in range(frames):
        acts = torch.cat([torch.zeros(1, 1, 5), actions[:, i:i + K]], 1)
        tokens, logits = teacher_frame(prev_g, step_g, ctx, acts, lambda l: l.argmax())
        first = logits if first is None else first
        out.append(tokens)
        ctx = torch.cat([ctx[:, 1:], tokens.view(1, 1, *tokens.shape)], 1)
    return torch.stack(out), first
