"""The memory student's inputs are written once (export/graphs.py StudentInputs): the shipped graphs
and the shipped manifest list exactly its fields, in its order.

    python3 -m pytest models/tests/test_student_inputs.py -q
"""
import json
import os

import onnx
import torch

from models.export.graphs import StudentInputs
from models.world_model.memory_student import MemoryStudentConfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "wm-courtyard-v3")


def graph_inputs(name: str) -> list[str]:
    g = onnx.load(os.path.join(MODEL, name), load_external_data=False).graph
    weights = {i.name for i in g.initializer}
    return [i.name for i in g.input if i.name not in weights]


SAMPLER = "noise_sampler" in json.load(open(os.path.join(MODEL, "manifest.json")))["student"]


def test_the_shipped_graphs_take_exactly_the_dataclass_inputs_in_order():
    names = StudentInputs.graph_names(source=True, sampler=SAMPLER)
    assert names[:7] == ["mem_tokens", "mem_poses", "mem_level", "mem_valid", "target_pose", "action", "mem_source"]
    assert (names[-1] == "shared_noise") == SAMPLER
    assert graph_inputs("student.onnx") == names
    assert graph_inputs("student_int8.onnx") == names
    # the v3 teacher reads the same memory inputs, mem_source included
    assert graph_inputs("teacher_prev.onnx") == StudentInputs.teacher_names(source=True) == names[:7]


def test_the_shipped_manifest_describes_them_as_the_dataclass_does():
    files = json.load(open(os.path.join(MODEL, "manifest.json")))["files"]
    ck = torch.load(os.path.join(ROOT, "models", "checkpoints", "student_v3.pt"), map_location="cpu")
    described = StudentInputs.describe(MemoryStudentConfig(**ck["config"]), SAMPLER)
    assert files["student"]["inputs"] == described
    assert files["student_int8"]["inputs"] == described
    assert files["teacher_prev"]["inputs"] == described[:7]


def test_names_and_tuple_agree_with_or_without_mem_source_and_sampling():
    six = [torch.full((1,), float(i)) for i in range(6)]
    v2 = StudentInputs(*six)
    assert v2.names() == StudentInputs.teacher_names() and len(v2.as_tuple()) == len(v2.model_args()) == 6
    v3 = StudentInputs(*six, mem_source=torch.ones(1)).sampling(torch.zeros(1), torch.ones(1), torch.rand(1))
    assert v3.names() == StudentInputs.graph_names(source=True) and len(v3.model_args()) == 7
    back = StudentInputs.of(v3.as_tuple(), source=True)
    assert all(a is b for a, b in zip(back.as_tuple(), v3.as_tuple()))
    assert StudentInputs.of(v2.sampling(*six[:3]).as_tuple(), source=False).mem_source is None
