"""Teacher: causality, cached decoding equal to the full pass, sampling.

    python3 -m pytest models/tests/test_teacher.py -q
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from models.world_model.teacher import Teacher, TeacherConfig, sample  # noqa: E402


def tiny(**kw):
    torch.manual_seed(0)
    cfg = TeacherConfig(levels=[5, 8], grid=3, frames=3, d=32, layers=2, heads=4, conv_kernel=3, **kw)
    m = Teacher(cfg).eval()
    for blk in m.blocks:  # non-zero modulation, so actions matter in these tests
        torch.nn.init.normal_(blk.mod.proj.weight, std=0.05)
    return m


def batch(m, B=2):
    c = m.cfg
    return torch.randint(0, c.vocab_size, (B, c.frames, c.grid, c.grid)), torch.randn(B, c.frames, 5)


@torch.no_grad()
def test_logits_never_depend_on_later_tokens():
    m = tiny()
    tokens, actions = batch(m)
    base = m(tokens, actions)
    changed = tokens.clone()
    changed[:, 1, 1, 2] = (changed[:, 1, 1, 2] + 1) % 40  # frame 1, token 5
    out = m(changed, actions)
    # Earlier frames and frame 1's tokens 0..5 are unchanged; token 6 of frame 1 onwards may change.
    assert torch.allclose(out[:, 0], base[:, 0], atol=1e-6)
    assert torch.allclose(out[:, 1, :6], base[:, 1, :6], atol=1e-6)
    assert not torch.allclose(out[:, 1, 6:], base[:, 1, 6:], atol=1e-6)
    assert not torch.allclose(out[:, 2], base[:, 2], atol=1e-6)  # frame 2 sees frame 1 (and its prev features)


@torch.no_grad()
def test_cached_stepping_reproduces_the_full_pass():
    m = tiny()
    tokens, actions = batch(m, B=1)
    full = m(tokens, actions)  # [1, F, n, V]
    c = m.cfg
    n, L = c.tokens_per_frame, c.frame_len
    cache = m.empty_cache(1)
    flat = tokens.reshape(1, c.frames, n)
    for k in range(c.frames):
        prev = m.prev_features(tokens[:, k - 1]) if k > 0 else None
        x, cond = m.slot_inputs(k, actions[:, k], flat[:, k], prev)
        for j in range(L):  # one slot at a time, as the browser decodes
            logits, cache = m.step(x[:, j:j + 1], cond[:, j:j + 1], torch.tensor([k * L + j]), cache)
            if j < n:
                assert torch.allclose(logits[0, 0], full[0, k, j], atol=1e-4), (k, j)


@torch.no_grad()
def test_greedy_generation_matches_argmax_of_teacher_forcing_on_its_own_output():
    m = tiny()
    tokens, actions = batch(m, B=2)
    gen = m.generate(tokens[:, :-1], actions, temperature=0)
    forced = m(torch.cat([tokens[:, :-1], gen.unsqueeze(1)], 1), actions)
    assert torch.equal(forced[:, -1].argmax(-1), gen.flatten(1))


def test_sampling_respects_top_k_and_seed():
    logits = torch.tensor([[0.0, 1.0, 5.0, 4.0]]).repeat(500, 1)
    s = sample(logits, 1.0, 2, torch.Generator().manual_seed(3))
    assert set(s.tolist()) <= {2, 3} and len(set(s.tolist())) == 2
    assert torch.equal(s, sample(logits, 1.0, 2, torch.Generator().manual_seed(3)))
    assert torch.equal(sample(logits, 0.0, 0), torch.full((500,), 2))
