"""
Closed-loop rollouts through the exported graphs' PyTorch wrappers, one step exactly as the
browser (and models/export/parity.ts in onnxruntime-node) runs it. The golden files come from
here; evaluate.py uses the batched models and a test checks both agree.
"""
from __future__ import annotations

import numpy as np
import torch

from models.export.graphs import MemoryStudentGraph, MemoryTeacherPrevGraph, MemoryTeacherStepGraph, StudentInputs
from models.world_model.memory import retrieve
from models.world_model.memory_student import LEVEL_PRED, MemoryStudentConfig


def memory_rollout(
    g: MemoryStudentGraph,
    start: torch.Tensor,
    poses: np.ndarray,
    actions: torch.Tensor,
    temperature: float,
    top_k: int,
    uniforms: torch.Tensor,
    atlas=None,
    shared_noise: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor, list[list[int]]]:
    """The engine's loop: start int32 [S, h, w] ground-truth frames (memory at level 0); poses
    [S + N, 5] camera poses of every frame; actions [S + N, 5] (actions[t] leads from frame t to
    t + 1); uniforms [N, h*w, D, L]. Each step retrieves its slots from everything remembered,
    predicts, and remembers the prediction at LEVEL_PRED. Returns tokens [N, h, w], the first
    step's logits and each step's slots (memory indices; with atlas = (tokens int [A, h, w], poses
    [A, 5], AtlasIndex), an atlas frame k is -1 - k). shared_noise: the graph's input of that name,
    where it has a noise sampler (1 = the sampler's coherent frames)."""
    S = start.shape[0]
    mem, levels, out, first, used = list(start), [0.0] * S, [], None, []
    temp, k = torch.tensor([temperature]), torch.tensor([top_k], dtype=torch.int32)
    for i in range(len(uniforms)):
        t = S + i
        inputs, slots = memory_inputs(mem, levels, poses, actions, t, g.student.cfg, atlas)
        tokens, logits = g(*inputs.sampling(temp, k, uniforms[i : i + 1], noise_switch(g, shared_noise)).as_tuple())[:2]
        first = logits if first is None else first
        mem.append(tokens[0])
        levels.append(LEVEL_PRED)
        out.append(tokens[0])
        used.append(slots)
    return torch.stack(out), first, used


COHERENT = "temperature 1, shared_noise 1 (the noise sampler's frames), uniform = student_uniforms[i]"


def coherent_rollout(g: MemoryStudentGraph, start, poses, actions, uniforms, atlas) -> torch.Tensor:
    """The golden rollout of the noise sampler's frames (student_coherent): temperature 1, shared_noise 1."""
    Lmax = max(g.student.cfg.levels)
    return memory_rollout(g, start, poses, actions, 1.0, Lmax, uniforms, atlas, shared_noise=1.0)[0]


def memory_inputs(
    mem: list, levels: list, poses: np.ndarray, actions: torch.Tensor, t: int, cfg: MemoryStudentConfig, atlas=None
):
    """The slots memory.retrieve picks for frame t from everything remembered (mem[i] int32 [h, w]
    at poses[i] and levels[i]) and, with atlas (tokens, poses, AtlasIndex), the atlas, as the graph's
    StudentInputs (batch 1, the action actions[t - 1] into frame t, mem_source where cfg.source;
    no sampling inputs yet), and the picked indices (atlas frame k as -1 - k)."""
    M, rule = cfg.slots, cfg.retrieval
    h, w = mem[0].shape
    target = poses[t].astype(np.float64)
    extra = atlas[2].candidates(target) if atlas is not None else []
    picks = retrieve(poses[:t].astype(np.float64), target, M, rule, np.asarray(levels), atlas[1][extra] if extra else None)
    mt = torch.zeros(1, M, h, w, dtype=torch.int32)
    mp = torch.from_numpy(np.repeat(poses[t : t + 1], M, 0).astype(np.float32)).unsqueeze(0)
    lv, va, so = torch.zeros(1, M), torch.zeros(1, M), torch.zeros(1, M)
    slots = []
    for j, f in enumerate(picks):
        if f < t:
            mt[0, j], mp[0, j], lv[0, j] = mem[f], torch.from_numpy(poses[f].astype(np.float32)), levels[f]
            slots.append(f)
        else:
            a = extra[f - t]
            mt[0, j], mp[0, j], so[0, j] = (
                torch.as_tensor(atlas[0][a], dtype=torch.int32),
                torch.from_numpy(atlas[1][a].astype(np.float32)),
                1.0,
            )
            slots.append(-1 - a)
        va[0, j] = 1.0
    tp = torch.from_numpy(poses[t : t + 1].astype(np.float32))
    return StudentInputs(mt, mp, lv, va, tp, actions[t - 1 : t], so if cfg.source else None), slots


def teacher_frame(
    prev_g: MemoryTeacherPrevGraph, step_g: MemoryTeacherStepGraph, inputs: StudentInputs, pick
) -> tuple[torch.Tensor, torch.Tensor]:
    """One predicted frame as the app runs it: teacher_prev once on the slots (the student's memory
    inputs), then teacher_step per token with the cache (a v3 teacher: with column p of the copy
    ids and copyable). pick(log-probs [vocab]) -> id. Returns tokens [h, w] and the first step's log-probs."""
    t = step_g.teacher
    g, n = t.cfg.student.grid, t.cfg.n
    outs = prev_g(*inputs.model_args())
    feats, copy = (outs[0], outs[1:]) if isinstance(outs, tuple) else (outs, None)
    cache = t.empty_cache(1, feats)
    out, first = torch.zeros(n, dtype=torch.int32), None
    for p in range(n):
        prev = out[p - 1 : p] if p > 0 else torch.zeros(1, dtype=torch.int32)
        at = () if copy is None else tuple(c[:, :, p : p + 1] for c in copy)
        logp, cache = step_g(feats[:, p : p + 1], prev.view(1, 1), torch.tensor([p], dtype=torch.int32), cache, *at)
        first = logp[0] if first is None else first
        out[p] = int(pick(logp[0]))
    return out.view(g, g), first


def teacher_rollout(
    prev_g: MemoryTeacherPrevGraph,
    step_g: MemoryTeacherStepGraph,
    start: torch.Tensor,
    poses: np.ndarray,
    actions: torch.Tensor,
    frames: int,
    atlas=None,
) -> tuple[torch.Tensor, torch.Tensor, list[list[int]]]:
    """Greedy closed loop for `frames` frames, remembering as memory_rollout does (same arguments;
    with an atlas the teacher gets the same slots as the student, and mem_source where it reads it)."""
    sc = step_g.teacher.cfg.student
    S = start.shape[0]
    mem, levels, out, first, used = list(start), [0.0] * S, [], None, []
    for i in range(frames):
        t = S + i
        inputs, slots = memory_inputs(mem, levels, poses, actions, t, sc, atlas)
        tokens, logp = teacher_frame(prev_g, step_g, inputs, lambda l: l.argmax())
        first = logp if first is None else first
        mem.append(tokens)
        levels.append(LEVEL_PRED)
        out.append(tokens)
        used.append(slots)
    return torch.stack(out), first, used


@torch.no_grad()
def first_step_outputs(
    g: MemoryStudentGraph, start: torch.Tensor, poses: np.ndarray, actions: torch.Tensor, top_k: int, uniform: torch.Tensor
):
    """The student's outputs for frame 1 from the start frame alone (slot 0; no atlas slots): the
    hand-built inputs parity.ts feeds the graph directly, apart from the engine's retrieval.
    -> (tokens, logits) and, with the copy path, copy_gate."""
    inputs, _ = memory_inputs(list(start[:1]), [0.0], poses, actions, 1, g.student.cfg)
    temp, k = torch.tensor([0.0]), torch.tensor([top_k], dtype=torch.int32)
    return g(*inputs.sampling(temp, k, uniform, noise_switch(g, 0.0)).as_tuple())


def noise_switch(g: MemoryStudentGraph, value: float) -> torch.Tensor | None:
    """The shared_noise input for a graph with a noise sampler; None (no such input) otherwise."""
    return None if g.sampler is None else torch.tensor([float(value)])


@torch.no_grad()
def teacher_first_logits(
    prev_g: MemoryTeacherPrevGraph, step_g: MemoryTeacherStepGraph, start: torch.Tensor, poses: np.ndarray, actions: torch.Tensor
) -> torch.Tensor:
    """The teacher's first-token log-probabilities for frame 1 on the same inputs as first_step_outputs."""
    inputs, _ = memory_inputs(list(start[:1]), [0.0], poses, actions, 1, step_g.teacher.cfg.student)
    return teacher_frame(prev_g, step_g, inputs, lambda l: l.argmax())[1]
