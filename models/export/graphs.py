"""
The exported graphs: thin wrappers that give each model the browser's interface (int32 token ids,
NHWC RGB pixels in 0..255, sampling inside the graph) using only ops that onnxruntime-web's
WebGPU kernels cover (webgpu_ops.json): no Round (floor(x + 0.5)), no int64 arithmetic, no TopK.
The same wrappers run in PyTorch for the golden files, so parity compares like with like.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import torch
import torch.nn as nn
import torch.nn.functional as F

from models.export.shipped import tensor
from models.tokenizer.model import Tokenizer
from models.world_model.layers import digits_to_ids, sample_digits
from models.world_model.memory_student import LEVEL_PRED, MemoryStudent, MemoryStudentConfig
from models.world_model.memory_teacher import MemoryTeacher, joint_table
from models.world_model.noise_sampler import NoiseSampler, sampler_digits


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


@dataclass
class StudentInputs:
    """The memory student's inputs, the fields in student.onnx's input order: the one list the graph,
    its rollouts (rollout.py, dream.py) and its manifest entry (describe) are written from.
    mem_source exists for v3 students only (cfg.source); the sampling three are the graph's, so the
    PyTorch rollouts leave them None; the teacher takes the first six (teacher_args)."""

    mem_tokens: torch.Tensor  # int [B, M, g, g], the slots memory.retrieve picked
    mem_poses: torch.Tensor  # [B, M, 5]
    mem_level: torch.Tensor  # [B, M]
    mem_valid: torch.Tensor  # [B, M]
    target_pose: torch.Tensor  # [B, 5]
    action: torch.Tensor  # [B, 5]
    mem_source: torch.Tensor | None = None  # [B, M], v3
    temperature: torch.Tensor | None = None  # [1]
    top_k: torch.Tensor | None = None  # int32 [1]
    uniform: torch.Tensor | None = None  # [B, g*g, D, L]
    shared_noise: torch.Tensor | None = None  # [1], a student shipped with a noise sampler only

    @staticmethod
    def graph_names(source: bool, sampler: bool = False) -> list[str]:
        """student.onnx's input names, in order, for a student with or without mem_source (and a sampler)."""
        skip = ({"mem_source"} if not source else set()) | ({"shared_noise"} if not sampler else set())
        return [f.name for f in fields(StudentInputs) if f.name not in skip]

    @staticmethod
    def teacher_names(source: bool = False) -> list[str]:
        """teacher_prev.onnx's input names: the student's first six, then mem_source for a v3 teacher."""
        return StudentInputs.graph_names(source)[: 6 + int(source)]

    @classmethod
    def of(cls, values: tuple, source: bool, sampler: bool = False) -> "StudentInputs":
        """The graph's positional inputs (as_tuple's order) back into fields."""
        names = cls.graph_names(source, sampler)
        if len(values) != len(names):
            raise ValueError(f"the student graph takes {len(names)} inputs ({', '.join(names)}), got {len(values)}")
        return cls(**dict(zip(names, values)))

    def names(self) -> list[str]:
        """The names of the inputs present (not None), in order: as_tuple's."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, n) for n in self.names())

    def model_args(self) -> tuple:
        """MemoryStudent's positional inputs: the first six, then mem_source where there is one."""
        return self.teacher_args() + (() if self.mem_source is None else (self.mem_source,))

    def teacher_args(self) -> tuple:
        return self.mem_tokens, self.mem_poses, self.mem_level, self.mem_valid, self.target_pose, self.action

    def sampling(self, temperature, top_k, uniform, shared_noise=None) -> "StudentInputs":
        return replace(self, temperature=temperature, top_k=top_k, uniform=uniform, shared_noise=shared_noise)

    @staticmethod
    def describe(cfg: MemoryStudentConfig, sampler: bool = False) -> list[dict]:
        """The manifest's files.student.inputs: each input's dtype, shape and meaning, in graph order."""
        M, g, nd, L = cfg.slots, cfg.grid, len(cfg.levels), max(cfg.levels)
        spec = {
            "mem_tokens": (
                "int32",
                [1, M, g, g],
                "the remembered frames' tokens, in the slot order of student.memory (zeros in empty slots)",
            ),
            "mem_poses": ("float32", [1, M, 5], "their camera poses (x, y, z, yaw, pitch); empty slots: any pose"),
            "mem_level": (
                "float32",
                [1, M],
                f"how much to trust each slot: 0 for encoded ground truth, {LEVEL_PRED} for the model's own frames",
            ),
            "mem_valid": ("float32", [1, M], "1 for a filled slot, 0 for an empty one"),
            "target_pose": ("float32", [1, 5], "the camera pose of the frame to predict"),
            "action": ("float32", [1, 5], "the normalized action that led into it"),
            "mem_source": (
                "float32",
                [1, M],
                "1 for a slot holding an atlas frame (the learned world's), 0 for the session's own",
            ),
            "temperature": ("float32", [1], "sampling temperature; 0 = greedy"),
            "top_k": ("int32", [1], f"levels kept per FSQ digit (1..{L}); {L} keeps all"),
            "uniform": (
                "float32",
                [1, g * g, nd, L],
                "uniform (0,1) noise, one per digit level (Gumbel-max sampling); any values when temperature is 0",
            ),
            "shared_noise": (
                "float32",
                [1],
                "with temperature > 0: 1 = the noise sampler draws the frame (the trunk's draw with uniform, then "
                "each token again given what that draw put at its earlier neighbours, with the same uniform, "
                "both at temperature and top_k; it learned the teacher's samples at temperature 1, all levels), "
                "0 = every token's digits drawn on its own",
            ),
        }
        return [tensor(n, *spec[n]) for n in StudentInputs.graph_names(cfg.source, sampler)]


class MemoryStudentGraph(nn.Module):
    """The memory student: StudentInputs in graph order (int32 mem_tokens) -> tokens int32 [1, g, g]
    and digit logits [1, g*g, D, L] (v3: log-probabilities of the copy mixture), and with the copy
    path copy_gate [1, g*g, 1 + M]: each token's gate, the share of "generate" then of each slot
    (what the app's copy view shows). The re-projection of the slots into the target camera
    happens inside. With a noise sampler (noise_sampler.py) the graph takes shared_noise too and,
    where it is 1 and the temperature above 0, its tokens are the sampler's frame; the logits stay
    the trunk's."""

    def __init__(self, student: MemoryStudent, sampler: NoiseSampler | None = None):
        super().__init__()
        self.student = student
        self.sampler = sampler

    def forward(self, *inputs):
        x = StudentInputs.of(inputs, self.student.cfg.source, self.sampler is not None)
        # through the module's __call__, not forward_parts: the ONNX node names keep their /student scope,
        # which quantize.py finds the block linears by
        logits, gate_logits, copy_ids, _, h, c = self.student(*x.model_args(), trunk=True)
        digits = sample_digits(logits, x.temperature, x.top_k, x.uniform)
        if self.sampler is not None:  # both frames are computed; shared_noise and temperature pick one
            parts = (h, c, logits, gate_logits, copy_ids)
            coherent = sampler_digits(self.student, self.sampler, parts, x.uniform, x.temperature, x.top_k)
            on = (x.shared_noise > 0.5).to(digits.dtype) * (x.temperature > 0).to(digits.dtype)
            digits = digits + (coherent - digits) * on
        g = self.student.cfg.grid
        ids = digits_to_ids(digits, self.student.cfg.levels).view(1, g, g).to(torch.int32)
        return (ids, logits) if gate_logits is None else (ids, logits, gate_logits.softmax(-1))

    @staticmethod
    def output_names(copy: bool) -> list[str]:
        return ["tokens", "logits", "copy_gate"] if copy else ["tokens", "logits"]


class MemoryTeacherPrevGraph(nn.Module):
    """The teacher's one pass per frame: the student's memory inputs (StudentInputs.model_args: the
    first six, int32 mem_tokens, and mem_source for a v3 teacher) -> features [1, g*g, d], the
    trunk's view of every grid position (re-projection inside, as in the student); a v3 teacher also
    -> copy_ids [1, M, g*g] (each slot's nearest re-projected token, exact integers as float) and
    copyable [1, M, g*g] (1 where the slot sees the token), which teacher_step takes a column of."""

    def __init__(self, teacher: MemoryTeacher):
        super().__init__()
        self.teacher = teacher

    def forward(self, mem_tokens, *rest):
        h, copy = self.teacher.memory_view(mem_tokens.long(), *rest)
        return h if copy is None else (h, copy[0], copy[1])

    @staticmethod
    def output_names(copy: bool) -> list[str]:
        return ["features", "copy_ids", "copyable"] if copy else ["features"]


class MemoryTeacherStepGraph(nn.Module):
    """One token: feature [1, 1, d] (row `position` of teacher_prev's features), prev_token int32
    [1, 1] (the token decoded at position - 1; any value at 0), position int32 [1], past_kv
    [layers, 2, 1, heads, g*g, d/heads] -> logits [1, vocab] (log-probabilities of every token id,
    digits independent given the prefix) and present_kv (past_kv with this position written)."""

    def __init__(self, teacher: MemoryTeacher):
        super().__init__()
        self.teacher = teacher
        self.register_buffer("table", joint_table(teacher.digits, *teacher.trunk.pad.shape), persistent=False)

    def forward(self, feature, prev_token, position, past_kv, copy_ids=None, copyable=None):
        """(v3: copy_ids, copyable [1, M, 1], column `position` of teacher_prev's)"""
        t = self.teacher
        copy = None if copy_ids is None else (copy_ids, copyable)
        digit_logits, present = t.step(feature, prev_token[0], position.to(torch.float32), past_kv, copy)
        x = digit_logits[:, 0]  # [1, D, L]; log-softmax written out: WebGPU has no LogSoftmax kernel
        logp = x - torch.logsumexp(x, -1, keepdim=True)
        return logp.flatten(1) @ self.table, present

    @staticmethod
    def input_names(copy: bool) -> list[str]:
        return ["feature", "prev_token", "position", "past_kv"] + (["copy_ids", "copyable"] if copy else [])
