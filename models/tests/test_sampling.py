"""Sharp imagination's pieces: the masked decoding schedule and its invariants (refine.py), and the
distances sampling_eval.py reports.

    python3 -m pytest models/tests/test_sampling.py -q
"""
import numpy as np
import torch

from models.export.sampling_eval import code_tv, frechet
from models.world_model.layers import sample_digits
from models.world_model.memory_student import MemoryStudent, MemoryStudentConfig
from models.world_model.refine import Refiner, RefinerConfig, decided_after, masked_decode, refined_logits, trunk_parts


def tiny():
    torch.manual_seed(0)
    s = MemoryStudent(MemoryStudentConfig(grid=4, slots=2, d=32, layers=1, heads=2, source=True, copy=True)).eval()
    B, M = 3, 2
    pose = torch.tensor([0.0, 2.25, 0.0, 0.0, 0.0])
    inputs = (
        torch.randint(0, 4096, (B, M, 4, 4)),
        pose.repeat(B, M, 1),
        torch.zeros(B, M),
        torch.ones(B, M),
        pose.repeat(B, 1),
        torch.zeros(B, 5),
        torch.zeros(B, M),
    )
    return s, inputs


def test_schedule_is_cosine_and_decides_everything_at_the_end():
    assert [decided_after(256, s, 4) for s in range(4)] == [19, 74, 158, 256]
    assert decided_after(16, 0, 2) == 4 and decided_after(16, 1, 2) == 16


@torch.no_grad()
def test_untrained_refiner_is_the_trunk_and_greedy_masked_decoding_is_greedy():
    s, inputs = tiny()
    r = Refiner(s, RefinerConfig(layers=1, passes=3)).eval()
    x, c, first, gate, copy_ids = trunk_parts(s, *inputs)
    assert torch.allclose(first, s(*inputs), atol=1e-5)
    n = x.shape[1]
    again = refined_logits(s, r, x, c, torch.zeros(3, n, 4), torch.zeros(3, n), gate, copy_ids)
    assert torch.allclose(again, first, atol=1e-5)  # blocks start as identities, the head as the trunk's
    u = torch.rand(3, 3, n, 4, 8)
    digits, logp = masked_decode(s, r, inputs, torch.tensor([0.0]), torch.tensor([8]), u, 3)
    assert torch.equal(digits.long(), first.argmax(-1))


@torch.no_grad()
def test_a_seed_reproduces_a_sample_and_another_seed_differs():
    s, inputs = tiny()
    r = Refiner(s, RefinerConfig(layers=1, passes=3)).eval()
    n = 16

    def draw(seed):
        u = torch.rand(3, 3, n, 4, 8, generator=torch.Generator().manual_seed(seed))
        return masked_decode(s, r, inputs, torch.tensor([1.0]), torch.tensor([8]), u, 3)[0]

    assert torch.equal(draw(1), draw(1))
    assert not torch.equal(draw(1), draw(2))


def test_distances():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 4))
    assert frechet(a, a) < 1e-6
    assert frechet(a, a + 3) > 30  # a shifted mean: |3|^2 x 4 dims = 36
    t = torch.tensor([[1, 2, 2, 3]])
    assert code_tv(t, t, 8) == 0.0
    assert abs(code_tv(torch.tensor([[1, 1, 1, 1]]), torch.tensor([[2, 2, 2, 2]]), 8) - 1.0) < 1e-12


def tiny_teacher(student):
    from models.world_model.memory_teacher import MemoryTeacher, MemoryTeacherConfig

    torch.manual_seed(1)
    t = MemoryTeacher(MemoryTeacherConfig(student=student.cfg, head_layers=1, head_heads=2)).eval()
    t.trunk.load_state_dict(student.state_dict())
    return t


@torch.no_grad()
def test_the_teacher_sample_is_a_function_of_its_noise():
    s, inputs = tiny()
    t = tiny_teacher(s)
    h, copy = t.memory_view(*inputs)
    u1, u2 = (torch.rand(3, 16, 4, 8, generator=torch.Generator().manual_seed(k)) for k in (1, 2))
    a = t.generate(h, copy=copy, uniform=u1)
    assert torch.equal(a, t.generate(h, copy=copy, uniform=u1))
    assert not torch.equal(a, t.generate(h, copy=copy, uniform=u2))
    assert torch.equal(t.generate(h, copy=copy, uniform=u1, temperature=0.0), t.generate(h, copy=copy))  # 0 = greedy


@torch.no_grad()
def test_an_untrained_sampler_is_the_trunks_draw_and_the_correction_reads_only_earlier_draws():
    from models.world_model.noise_sampler import NoiseSampler, NoiseSamplerConfig, neighbour_digits, noise_decode

    s, inputs = tiny()
    parts = trunk_parts(s, *inputs)
    u = torch.rand(3, 16, 4, 8, generator=torch.Generator().manual_seed(3))
    trunk = sample_digits(parts[2], torch.tensor([1.0]), torch.tensor([8]), u)
    for noise in (True, False):
        fresh = NoiseSampler(s, NoiseSamplerConfig(hidden=16, noise=noise)).eval()
        assert torch.equal(noise_decode(s, fresh, inputs, u), trunk)
    # each position sees its left, up, up-left and up-right neighbours' rows, zeros past the edge
    ids = torch.arange(16.0).view(1, 16, 1)
    nb = neighbour_digits(ids + 1, 4)[0]  # +1: 0 means "no neighbour"
    assert nb[5].tolist() == [5.0, 2.0, 1.0, 3.0]  # (1, 1): left (1, 0) = 4, up (0, 1) = 1, up-left 0, up-right 2
    assert nb[0].tolist() == [0.0, 0.0, 0.0, 0.0] and nb[7].tolist() == [7.0, 4.0, 3.0, 0.0]
    # a trained correction changes the frame, and the same noise gives the same frame
    noisy = NoiseSampler(s, NoiseSamplerConfig(hidden=16)).eval()
    torch.nn.init.normal_(noisy.fc2.weight, std=3.0)
    a = noise_decode(s, noisy, inputs, u)
    assert torch.equal(a, noise_decode(s, noisy, inputs, u)) and not torch.equal(a, trunk)
