"""v1's student (world_model/v1_student.py, kept for evaluate.py's --v1 row): shapes, action conditioning.

    python3 -m pytest models/tests/test_world_model_shapes.py -q
"""

import os
import subprocess
import sys

import numpy as np
import torch

from models.world_model.v1_student import Student, StudentConfig, load_student, rollout_window


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


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_nothing_that_ships_imports_v1():
    """The export, the shipped students, the teacher, the refiner and their training import no v1 code."""
    shipped = [
        "models.export.export",
        "models.export.quantize",
        "models.export.sampling_eval",
        "models.pipeline",
        "models.world_model.refine",
        "models.world_model.train_memory_student",
        "models.world_model.train_memory_teacher",
    ]
    code = f"import sys; import {', '.join(shipped)}; print('models.world_model.v1_student' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "False"


def test_the_v1_checkpoint_still_dreams_for_evaluates_v1_row():
    m = load_student(os.path.join(ROOT, "models", "checkpoints", "v1_student.pt"))
    start = torch.randint(0, m.cfg.vocab_size, (1, 1, m.cfg.grid, m.cfg.grid))
    pred = rollout_window(m, start, np.zeros((1, 3, 5), np.float32), 2)
    assert pred.shape == (1, 2, m.cfg.grid, m.cfg.grid) and int(pred.max()) < m.cfg.vocab_size
