"""FSQ and tokenizer unit tests.   python3 -m pytest models/tests/test_tokenizer.py -q"""

import pytest
import torch

from models.tokenizer.fsq import FSQ
from models.tokenizer.model import Tokenizer, TokenizerConfig


def test_fsq_ids_cover_the_vocabulary_and_round_trip():
    fsq = FSQ([8, 5, 3])
    assert fsq.vocab_size == 120
    ids = torch.arange(120)
    codes = fsq.indices_to_codes(ids)
    assert codes.min() >= -1 and codes.max() <= 1
    assert torch.equal(fsq.codes_to_indices(codes), ids)


def test_fsq_quantize_hits_every_level_and_passes_gradients():
    fsq = FSQ([8, 5])
    z = torch.linspace(-6, 6, 2001).unsqueeze(1).repeat(1, 2).requires_grad_(True)
    q = fsq.quantize(z)
    ids = fsq.codes_to_indices(q)
    assert set(((ids % 8)).tolist()) == set(range(8))
    assert set(((ids // 8)).tolist()) == set(range(5))
    q.sum().backward()
    assert z.grad is not None and z.grad.abs().sum() > 0


def test_fsq_rejects_bad_levels():
    with pytest.raises(ValueError):
        FSQ([8, 1])
    with pytest.raises(ValueError):
        FSQ([])


def test_tokenizer_shapes_and_decode_of_encode():
    cfg = TokenizerConfig(res=64, levels=[8, 5, 5, 5], width_hi=16, width_lo=32, blocks_hi=1, blocks_lo=1)
    tok = Tokenizer(cfg).eval()
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    ids = tok.encode(x)
    assert ids.shape == (2, 8, 8) and ids.dtype == torch.int64
    assert ids.min() >= 0 and ids.max() < tok.vocab_size == 1000
    recon, codes = tok(x)
    assert recon.shape == x.shape
    # decode(ids) equals the forward pass's decoder output on the same codes
    assert torch.allclose(tok.decode(ids), recon, atol=1e-5)


def test_tokenizer_rejects_bad_resolution():
    with pytest.raises(ValueError):
        Tokenizer(TokenizerConfig(res=100))
