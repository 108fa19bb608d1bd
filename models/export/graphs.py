"""
The exported graphs: thin wrappers that give each model the browser's interface (int32 token ids,
NHWC RGB pixels in 0..255, sampling inside the graph) using only ops that onnxruntime-web's
WebGPU kernels cover (webgpu_ops.json): no Round (floor(x + 0.5)), no int64 arithmetic, no TopK.
The same wrappers run in PyTorch for the golden files, so parity compares like with like.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from models.tokenizer.model import Tokenizer
from models.world_model.memory_student import MemoryStudent
from models.world_model.layers import digits_to_ids, sample_digits
from models.world_model.memory_teacher import MemoryTeacher, joint_table


def ids_from_codes(tok: Tokenizer, codes: torch.Tensor) -> torch.Tensor:
    """FSQ codes in [-1, 1] [.., D] -> float ids (the mixed-radix number of the levels)."""
    half = (tok.fsq.levels // 2).to(codes.dtype)
    digits = torch.floor(codes * half + half + 0.5)
    return digits_to_ids(digits, tok.cfg.levels)


class EncoderGraph(nn.Module):
    """frame float32 [1, H, W, 3] RGB 0..255 -> tokens int32 [1, g, g]."""

    def __init__(self, tok: Tokenizer):
        super().__init__()
        self.tok = tok

    def forward(self, frame):
        x = frame.permute(0, 3, 1, 2) / 127.5 - 1.0
        z = self.tok.encoder(x).permute(0, 2, 3, 1)
        b = self.tok.fsq.bound(z)
        codes = torch.floor(b + 0.5) / (self.tok.fsq.levels // 2).to(b.dtype)
        return ids_from_codes(self.tok, codes).to(torch.int32)


class DecoderGraph(nn.Module):
    """tokens int32 [1, g, g] -> frame float32 [1, H, W, 3] RGB 0..255 (not rounded)."""

    def __init__(self, tok: Tokenizer):
        super().__init__()
        self.tok = tok
        self.register_buffer("codebook", tok.fsq.indices_to_codes(torch.arange(tok.vocab_size)), persistent=False)

    def forward(self, tokens):
        codes = F.embedding(tokens, self.codebook).permute(0, 3, 1, 2)
        x = self.tok.decoder(codes).clamp(-1.0, 1.0)
        return ((x + 1.0) * 127.5).permute(0, 2, 3, 1)


class MemoryStudentGraph(nn.Module):
    """The v2 student: mem_tokens int32 [1, M, g, g] (the slots memory.retrieve picked),
    mem_poses [1, M, 5], mem_level [1, M], mem_valid [1, M], target_pose [1, 5], action [1, 5],
    (v3: mem_source [1, M]), temperature [1], top_k int32 [1], uniform [1, g*g, D, L] -> tokens
    int32 [1, g, g] and digit logits [1, g*g, D, L] (v3: log-probabilities of the copy mixture). The re-projection of the slots into the target camera happens inside.
    """

    def __init__(self, student: MemoryStudent):
        super().__init__()
        self.student = student

    def forward(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, *rest):
        # v3 students (cfg.source) take mem_source [1, M] (1 = atlas slot) before the sampling inputs.
        mem_source = rest[0] if self.student.cfg.source else None
        temperature, top_k, uniform = rest[-3:]
        logits = self.student(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, mem_source)
        digits = sample_digits(logits, temperature, top_k, uniform)
        g = self.student.cfg.grid
        return digits_to_ids(digits, self.student.cfg.levels).view(1, g, g).to(torch.int32), logits


class MemoryTeacherPrevGraph(nn.Module):
    """The teacher's one pass per frame: the student's inputs (mem_tokens int32 [1, M, g, g],
    mem_poses, mem_level, mem_valid, target_pose, action) -> features [1, g*g, d], the trunk's
    view of every grid position (re-projection inside, as in the student)."""

    def __init__(self, teacher: MemoryTeacher):
        super().__init__()
        self.teacher = teacher

    def forward(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action):
        return self.teacher.features(mem_tokens.long(), mem_poses, mem_level, mem_valid, target_pose, action)


class MemoryTeacherStepGraph(nn.Module):
    """One token: feature [1, 1, d] (row `position` of teacher_prev's features), prev_token int32
    [1, 1] (the token decoded at position - 1; any value at 0), position int32 [1], past_kv
    [layers, 2, 1, heads, g*g, d/heads] -> logits [1, vocab] (log-probabilities of every token id,
    digits independent given the prefix) and present_kv (past_kv with this position written)."""

    def __init__(self, teacher: MemoryTeacher):
        super().__init__()
        self.teacher = teacher
        self.register_buffer("table", joint_table(teacher.digits, *teacher.trunk.pad.shape), persistent=False)

    def forward(self, feature, prev_token, position, past_kv):
        t = self.teacher
        digit_logits, present = t.step(feature, prev_token[0], position.to(torch.float32), past_kv)
        x = digit_logits[:, 0]  # [1, D, L]; log-softmax written out: WebGPU has no LogSoftmax kernel
        logp = x - torch.logsumexp(x, -1, keepdim=True)
        return logp.flatten(1) @ self.table, present
