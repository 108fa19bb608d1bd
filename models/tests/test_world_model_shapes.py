"""World-model building blocks (v1 student, kept for the comparison in eval): shapes, action conditioning.

    python3 -m pytest models/tests/test_world_model_shapes.py -q
"""

import torch

from models.world_model.student import Student, StudentConfig


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
