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
from models.world_model.student import digits_to_ids, sample_digits
from models.world_model.teacher import Teacher


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
    temperature [1], top_k int32 [1], uniform [1, g*g, D, L] -> tokens int32 [1, g, g] and digit
    logits [1, g*g, D, L]. The re-projection of the slots into the target camera happens inside."""

    def __init__(self, student: MemoryStudent):
        super().__init__()
        self.student = student

    def forward(self, mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action, temperature, top_k, uniform):
        logits = self.student(mem_tokens, mem_poses, mem_level, mem_valid, target_pose, action)
        digits = sample_digits(logits, temperature, top_k, uniform)
        g = self.student.cfg.grid
        return digits_to_ids(digits, self.student.cfg.levels).view(1, g, g).to(torch.int32), logits


class TeacherPrevGraph(nn.Module):
    """prev_tokens int32 [1, g, g] -> prev_features [1, g*g, d]: what the teacher's slots see of the
    previous frame (once per frame)."""

    def __init__(self, teacher: Teacher):
        super().__init__()
        self.teacher = teacher

    def forward(self, prev_tokens):
        return self.teacher.prev_features(prev_tokens)


class TeacherStepGraph(nn.Module):
    """Runs T slots of one frame against the KV cache. slot_tokens int32 [1, T] (the token each
    slot holds; ignored in a frame's action slot), positions int32 [T] (absolute sequence
    positions, all in one frame), action [1, 5] (the action leading into that frame),
    prev_features [1, g*g, d] (zeros for the window's first frame), past_kv
    [layers, 2, 1, heads, seq, d/heads] -> logits [1, T, vocab], present_kv."""

    def __init__(self, teacher: Teacher):
        super().__init__()
        self.teacher = teacher

    def forward(self, slot_tokens, positions, action, prev_features, past_kv):
        t = self.teacher
        L = t.cfg.frame_len
        # int32 index arithmetic in float (exact below 2^24): WebGPU has no int64 kernels to lean on.
        pos_f = positions.to(torch.float32)
        frame = torch.floor(pos_f / L)
        slot = (pos_f - frame * L).to(torch.int32)
        frame_i = frame.to(torch.int32)
        emb_tok = t.tok(F.embedding(slot_tokens[0], t.digits.onehot))          # [T, d]
        emb_act = t.act(action)                                                # [1, d]
        is_action = (slot == 0).unsqueeze(-1)
        x = torch.where(is_action, emb_act.expand_as(emb_tok), emb_tok)
        prev = torch.cat([prev_features[0], prev_features.new_zeros(1, t.cfg.d)], 0)  # slot 256 sees nothing
        x = x + t.slot_pos.index_select(0, slot) + t.age.index_select(0, frame_i) + prev.index_select(0, slot)
        c = t.cond(action).expand_as(x)
        logits, present = t.step(x.unsqueeze(0), c.unsqueeze(0), positions, past_kv)
        return logits, present
