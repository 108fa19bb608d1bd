"""FSQ digits, in-graph sampling, and the exported graphs' wrappers against the models that evaluate.py
scores (so what is measured is what ships).

    python3 -m pytest models/tests/test_export_graphs.py -q
"""

from dataclasses import replace

import numpy as np
import pytest
import torch

from models.export.dream import rollout_memory
from models.export.graphs import MemoryStudentGraph, MemoryTeacherPrevGraph, MemoryTeacherStepGraph
from models.export.rollout import memory_rollout, teacher_rollout
from models.world_model.layers import FsqDigits
from models.world_model.memory_student import MemoryStudent, MemoryStudentConfig
from models.world_model.layers import sample_digits
from models.world_model.memory_teacher import MemoryTeacher, MemoryTeacherConfig


def test_digits_round_trip_and_marginals_sum_the_joint():
    d = FsqDigits([8, 5, 3])
    ids = torch.arange(120)
    assert torch.equal(d.compose(d.digits(ids)), ids)
    assert d(ids).sum(-1).eq(3).all() and d.width == 16
    p = torch.softmax(torch.randn(2, 120), -1)
    marg = d.marginals(p)
    assert marg.shape == (2, 3, 8)
    assert torch.allclose(marg.sum(-1), torch.ones(2, 3), atol=1e-5)
    # P(digit 1 == 2) by brute force
    brute = p[:, d.digits(ids)[:, 1] == 2].sum(-1)
    assert torch.allclose(marg[:, 1, 2], brute, atol=1e-6)
    assert marg[:, 2, 3:].abs().max() == 0  # padded levels of the 3-level digit


def test_sampling_greedy_top_k_and_seed():
    logits = torch.tensor([[0.0, 3.0, 2.0, 1.0]]).repeat(2000, 1)
    u = torch.rand(2000, 4, generator=torch.Generator().manual_seed(0))
    greedy = sample_digits(logits, torch.tensor([0.0]), torch.tensor([4]), u)
    assert greedy.eq(1).all()
    s = sample_digits(logits, torch.tensor([1.0]), torch.tensor([2]), u)
    assert set(s.long().tolist()) == {1, 2}
    freq = (s == 1).float().mean().item()
    assert abs(freq - 1 / (1 + torch.e**-1)) < 0.04  # softmax over the kept two: e^3 / (e^3 + e^2)
    assert torch.equal(s, sample_digits(logits, torch.tensor([1.0]), torch.tensor([2]), u))


def tiny_student():
    torch.manual_seed(0)
    m = MemoryStudent(MemoryStudentConfig(levels=[4, 3], grid=4, slots=3, d=16, layers=1, heads=2, conv_kernel=3)).eval()
    for blk in m.blocks:
        torch.nn.init.normal_(blk.mod.proj.weight, std=0.1)
    return m


def test_memory_student_graph_rollout_equals_the_evaluated_rollout():
    """The graph wrapper driven as the engine drives it (rollout.memory_rollout, batch 1) and the
    batched dream rollout that eval scores pick the same tokens, retrieval included."""
    m = tiny_student()
    start = torch.randint(0, 12, (2, 4, 4), dtype=torch.int32)
    steps = 5
    poses = np.array([[0.2 * t, 1.7, -0.1 * t, 0.08 * t, 0.0] for t in range(2 + steps)], np.float32)
    acts = torch.randn(2 + steps, 5)
    with torch.no_grad():
        graph, _, used = memory_rollout(MemoryStudentGraph(m), start, poses, acts, 0.0, 4, torch.rand(steps, 16, 2, 4))
        ref, ref_used = rollout_memory(
            m, start.long().unsqueeze(0), poses[None].astype(np.float64), acts.numpy()[None], steps, record_slots=True
        )
    assert torch.equal(graph.long(), ref[0])
    assert [u + [-1] * (3 - len(u)) for u in used] == ref_used[0].tolist()


@pytest.mark.parametrize("v3", [False, True])
def test_memory_teacher_graphs_reproduce_the_evaluated_rollout(v3):
    """teacher_prev + teacher_step driven token by token as the engine drives them, and the batched
    PyTorch rollout that evaluate.py scores, give the same frames (the same memory and retrieval);
    v3: with the copy path (teacher_step takes a column of teacher_prev's copy ids) and mem_source."""
    torch.manual_seed(1)
    cfg = replace(tiny_student().cfg, copy=v3, source=v3)
    t = MemoryTeacher(MemoryTeacherConfig(cfg, head_layers=2, head_heads=2)).eval()
    for blk in t.trunk.blocks:
        torch.nn.init.normal_(blk.mod.proj.weight, std=0.1)
    torch.nn.init.normal_(t.delta.weight, std=0.5)
    if v3:  # gates that copy somewhere, and a correction that moves them
        torch.nn.init.normal_(t.trunk.gate.weight, std=0.5)
        torch.nn.init.normal_(t.gate_delta.weight, std=0.5)
        with torch.no_grad():
            t.trunk.gate.bias[:] = torch.tensor([-2.0, 2.0, 2.0, 2.0])  # copying wins where a slot sees the token
    start = torch.randint(0, 12, (1, 4, 4), dtype=torch.int32)
    steps = 3
    poses = np.array([[0.2 * i, 1.7, -0.1 * i, 0.08 * i, 0.0] for i in range(1 + steps)], np.float32)
    acts = torch.randn(1 + steps, 5)
    with torch.no_grad():
        graph, logp0, _ = teacher_rollout(MemoryTeacherPrevGraph(t), MemoryTeacherStepGraph(t), start, poses, acts, steps)
        ref = rollout_memory(t, start.long().unsqueeze(0), poses[None].astype(np.float64), acts.numpy()[None], steps)
        if v3:  # the copy path is live: switched off, the same weights pick other tokens
            h, (ids, copyable) = t.memory_view(*teacher_inputs_of(t, start, poses, acts))
            assert copyable.sum() > 0
            assert not torch.equal(t.generate(h, copy=(ids, copyable)), t.generate(h))
    assert torch.equal(graph.long(), ref[0])
    assert torch.allclose(logp0.exp().sum(), torch.tensor(1.0), atol=1e-5)  # log-probabilities over all 12 ids


def teacher_inputs_of(t, start, poses, acts):
    """The first frame's memory inputs (the start frame in slot 0), as the rollouts build them."""
    from models.export.rollout import memory_inputs

    inputs, _ = memory_inputs(list(start[:1]), [0.0], poses, acts, 1, t.cfg.student)
    return (inputs.mem_tokens.long(), *inputs.model_args()[1:])


@torch.no_grad()
def test_the_student_graph_with_a_noise_sampler_switches_on_shared_noise_and_temperature():
    """shared_noise 0 is the plain graph (greedy or each digit drawn alone); 1 with temperature > 0 is
    the sampler's frame for that noise (noise_sampler.noise_decode); temperature 0 stays greedy."""
    from models.export.graphs import StudentInputs
    from models.world_model.noise_sampler import NoiseSampler, NoiseSamplerConfig, noise_decode

    m = tiny_student()
    s = NoiseSampler(m, NoiseSamplerConfig(hidden=8)).eval()
    torch.nn.init.normal_(s.fc2.weight, std=3.0)
    plain, with_s = MemoryStudentGraph(m), MemoryStudentGraph(m, s)
    pose = torch.tensor([[0.0, 2.25, 0.0, 0.3, 0.0]])
    base = StudentInputs(
        torch.randint(0, 12, (1, 3, 4, 4), generator=torch.Generator().manual_seed(1)),
        pose.repeat(1, 3, 1) + torch.tensor([0.2, 0.0, 0.1, 0.0, 0.0]),
        torch.zeros(1, 3),
        torch.tensor([[1.0, 1.0, 0.0]]),
        pose,
        torch.zeros(1, 5),
    )
    u = torch.rand(1, 16, 2, 4, generator=torch.Generator().manual_seed(2))
    k = torch.tensor([4], dtype=torch.int32)
    for t in (0.0, 1.0):
        want = plain(*base.sampling(torch.tensor([t]), k, u).as_tuple())[0]
        got = with_s(*base.sampling(torch.tensor([t]), k, u, torch.tensor([0.0])).as_tuple())[0]
        assert torch.equal(want, got)
    greedy = plain(*base.sampling(torch.tensor([0.0]), k, u).as_tuple())[0]
    assert torch.equal(with_s(*base.sampling(torch.tensor([0.0]), k, u, torch.tensor([1.0])).as_tuple())[0], greedy)
    coherent = with_s(*base.sampling(torch.tensor([1.0]), k, u, torch.tensor([1.0])).as_tuple())[0]
    digits = noise_decode(m, s, base.model_args(), u).long()  # temperature 1, every level: what the sampler learned
    assert torch.equal(coherent.long().flatten(), m.digits.compose(digits).flatten())
    with pytest.raises(ValueError, match="takes 10 inputs"):
        with_s(*base.sampling(torch.tensor([1.0]), k, u).as_tuple())
