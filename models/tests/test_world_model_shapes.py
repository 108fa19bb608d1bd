"""World-model building blocks: shapes, action conditioning, window cutting.

    python3 -m pytest models/tests/test_world_model_shapes.py -q
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from models.world_model.data import TokenSplit  # noqa: E402
from models.world_model.student import Student, StudentConfig  # noqa: E402


def tiny():
    return StudentConfig(levels=[5, 10], grid=4, context=3, d=32, layers=2, heads=2, conv_kernel=3)


def test_student_predicts_every_token_of_the_next_frame_in_one_pass():
    m = Student(tiny())
    ctx = torch.randint(0, 50, (2, 3, 4, 4))
    logits = m(ctx, torch.zeros(2, 3, 5))
    assert logits.shape == (2, 16, 2, 10)


def test_actions_change_the_prediction_once_modulation_has_learned():
    torch.manual_seed(0)
    m = Student(tiny())
    # Zero-initialized modulation makes the untrained net ignore actions; give it some weights.
    for blk in m.blocks:
        torch.nn.init.normal_(blk.mod.proj.weight, std=0.1)
    ctx = torch.randint(0, 50, (1, 3, 4, 4))
    a = m(ctx, torch.zeros(1, 3, 5))
    b = m(ctx, torch.ones(1, 3, 5))
    assert (a - b).abs().max() > 1e-3


def test_windows_never_cross_an_episode_boundary(tmp_path):
    ep = np.array([0] * 6 + [1] * 4, np.int32)
    tokens = np.arange(10 * 4, dtype=np.uint16).reshape(10, 2, 2)
    for k, arr in [("tokens", tokens), ("actions", np.arange(50, dtype=np.float32).reshape(10, 5)), ("episode", ep)]:
        np.save(tmp_path / f"train.{k}.npy", arr)
    json.dump({"splits": {"train": {"frames": 10}}}, open(tmp_path / "meta.json", "w"))
    s = TokenSplit(str(tmp_path), "train", context=3)
    # episode 0: targets at frames 3,4,5 (windows 1..4 etc.); episode 1: target at frame 9
    assert list(s.starts) == [2, 3, 4, 8]
    ctx, act, target = s.batch(np.array([0, 3]), "cpu")
    assert ctx.shape == (2, 3, 2, 2) and target.shape == (2, 4)
    assert ctx[0, 0, 0, 0].item() == 0 and target[0, 0].item() == 12  # frames 0,1,2 -> 3
    assert ctx[1, 0, 0, 0].item() == 24 and target[1, 0].item() == 36  # frames 6,7,8 -> 9
    assert act[1, -1, 0].item() == 40  # action taken at frame 8
