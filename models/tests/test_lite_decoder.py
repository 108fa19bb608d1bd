"""The lite decoder (the shipped one): shape, and its FLOP count against the exported graph's counter."""
import json
import os

import torch

from models.tokenizer.lite_decoder import LiteDecoder, LiteDecoderConfig, conv_flops

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_shape_and_budget():
    m = LiteDecoder(LiteDecoderConfig())
    y = m(torch.zeros(1, 4, 16, 16))
    assert y.shape == (1, 3, 128, 128)
    assert conv_flops(m, 16, 16) <= 0.35e9  # the speed issue's decoder budget


def test_flop_count_agrees_with_the_shipped_decoder_graph():
    manifest = json.load(open(os.path.join(ROOT, "models", "wm-courtyard-v3", "manifest.json")))
    ck = torch.load(os.path.join(ROOT, "models", "checkpoints", "lite_decoder.pt"), map_location="cpu")
    shipped = LiteDecoder(LiteDecoderConfig(**ck["config"]))
    assert conv_flops(shipped, 16, 16) == manifest["files"]["decoder"]["flops"]
