"""The v2 teacher: starts as the student, causal over the frame's tokens, cached decoding equal to
teacher forcing, id log-probabilities that match the digits.

    python3 -m pytest models/tests/test_memory_teacher.py -q
"""

import torch

from models.world_model.memory_student import MemoryStudentConfig
from models.world_model.memory_teacher import MemoryTeacher, MemoryTeacherConfig, joint_logits


def tiny(trained_head=True):
    torch.manual_seed(0)
    cfg = MemoryTeacherConfig(
        MemoryStudentConfig(levels=[4, 3], grid=4, slots=2, d=16, layers=1, heads=2, conv_kernel=3), head_layers=2, head_heads=2
    )
    t = MemoryTeacher(cfg).eval()
    for blk in t.trunk.blocks:
        torch.nn.init.normal_(blk.mod.proj.weight, std=0.1)
    torch.nn.init.normal_(t.delta.weight, std=0.5) if trained_head else torch.nn.init.zeros_(t.delta.weight)
    return t


def inputs(B=2):
    g = torch.Generator().manual_seed(3)
    return (
        torch.randint(0, 12, (B, 2, 4, 4), generator=g),
        torch.rand(B, 2, 5, generator=g),
        torch.zeros(B, 2),
        torch.ones(B, 2),
        torch.rand(B, 5, generator=g),
        torch.rand(B, 5, generator=g),
    )


def test_a_zero_correction_leaves_the_student_unchanged():
    t = tiny(trained_head=False)
    x = inputs()
    prefix = torch.randint(0, 12, (2, 16))
    with torch.no_grad():
        assert torch.allclose(t(*x, prefix), t.trunk(*x), atol=1e-6)


def test_position_p_sees_only_the_tokens_before_it():
    t = tiny()
    x = inputs()
    prefix = torch.randint(0, 12, (2, 16))
    changed = prefix.clone()
    changed[:, 7] = (changed[:, 7] + 5) % 12
    with torch.no_grad():
        a, b = t(*x, prefix), t(*x, changed)
    assert torch.allclose(a[:, :8], b[:, :8], atol=1e-6)  # positions 0..7 never read token 7
    assert (a[:, 8:] - b[:, 8:]).abs().max() > 1e-4  # later ones do


def test_cached_decoding_equals_teacher_forcing_on_its_own_output():
    t = tiny()
    with torch.no_grad():
        h = t.features(*inputs())
        ids = t.generate(h)
        forced = t.decode_all(h, ids)
    assert torch.equal(t.digits.compose(forced.argmax(-1)), ids)


def test_id_log_probabilities_are_the_digit_products():
    t = tiny()
    logits = torch.randn(3, 2, 4)
    logits[:, 1, 3:] = -1e4  # the 3-level digit's padding, as digit_pad adds
    lp = joint_logits(logits, t.digits)
    assert lp.shape == (3, 12)
    assert torch.allclose(lp.exp().sum(-1), torch.ones(3), atol=1e-5)
    assert torch.equal(lp.argmax(-1), t.digits.compose(logits.argmax(-1)))
