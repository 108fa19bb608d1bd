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


def tiny_copy(trained_head=True):
    """A v3 teacher: the trunk has the copy path and the source input."""
    torch.manual_seed(0)
    sc = MemoryStudentConfig(
        levels=[4, 3],
        grid=4,
        slots=2,
        d=16,
        layers=1,
        heads=2,
        conv_kernel=3,
        source=True,
        copy=True,
    )
    t = MemoryTeacher(MemoryTeacherConfig(sc, head_layers=2, head_heads=2)).eval()
    for blk in t.trunk.blocks:
        torch.nn.init.normal_(blk.mod.proj.weight, std=0.1)
    torch.nn.init.normal_(t.trunk.gate.weight, std=0.5)  # a gate that copies somewhere
    if trained_head:
        torch.nn.init.normal_(t.delta.weight, std=0.5)
        torch.nn.init.normal_(t.gate_delta.weight, std=0.5)
    else:
        torch.nn.init.zeros_(t.delta.weight)
    return t


def copy_inputs(B=2):
    # poses at the origin looking the same way: every slot re-projects onto the view, so it can be copied
    x = list(inputs(B))
    x[1] = torch.zeros(B, 2, 5)
    x[4] = torch.zeros(B, 5)
    return (*x, torch.tensor([[0.0, 1.0]] * B))


def test_a_v3_teacher_with_zero_corrections_is_its_copying_trunk():
    t = tiny_copy(trained_head=False)
    x = copy_inputs()
    prefix = torch.randint(0, 12, (2, 16))
    with torch.no_grad():
        _, cp = t.memory_view(*x)
        assert cp is not None and cp[1].sum() > 0  # some tokens are copyable
        assert torch.allclose(t(*x, prefix), t.trunk(*x), atol=1e-5)


def test_a_v3_teachers_cached_decoding_equals_teacher_forcing_and_reads_the_copy_path():
    t = tiny_copy()
    x = copy_inputs()
    with torch.no_grad():
        h, cp = t.memory_view(*x)
        ids = t.generate(h, copy=cp)
        forced, gate = t.decode_all(h, ids, cp, parts=True)
        assert torch.equal(t.digits.compose(forced.argmax(-1)), ids)
        # the prefix moves the gate: the correction reads the decoded tokens
        other, gate2 = t.decode_all(h, (ids + 1) % 12, cp, parts=True)
        assert (gate[:, 1:] - gate2[:, 1:]).abs().max() > 1e-3


def test_a_v2_teachers_head_loads_into_a_v3_teacher():
    from models.world_model.train_memory_teacher import load_head

    v2, v3 = tiny(), tiny_copy(trained_head=False)
    load_head(v3, {"model": v2.state_dict()})
    assert torch.equal(v3.delta.weight, v2.delta.weight)
    assert v3.gate_delta.weight.abs().sum() == 0  # the new part keeps its zero start
    assert not torch.equal(v3.trunk.gate.weight, torch.zeros_like(v3.trunk.gate.weight))  # the trunk is not touched
