"""PSNR as the app scores it (src/sim/frame.ts): an identical frame counts PSNR_CAP_DB (99 dB) in a mean.

    python3 -m pytest models/tests/test_psnr.py -q
"""
import math
import warnings

import numpy as np

from models.common import PSNR_CAP_DB, psnr


def test_identical_frames_count_the_apps_cap_and_others_their_psnr():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (3, 16, 16, 3)).astype(np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero warning for identical frames
        assert psnr(a, a) == PSNR_CAP_DB == 99.0
    b = a.copy()
    b[1, 0, 0, 0] ^= 1  # one level off in one byte of frame 1
    one = 10 * math.log10(255**2 / (1 / (16 * 16 * 3)))
    assert abs(psnr(a[1:2], b[1:2]) - one) < 1e-9
    # The mean over frames of min(psnr, 99), as the app's means: two identical frames and one not.
    assert abs(psnr(a, b) - (99 + one + 99) / 3) < 1e-9


def test_a_psnr_above_the_cap_is_capped_too():
    a = np.zeros((1, 256, 256, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0, 0] = 1  # 10 log10(255^2 * 196608) = 101.1 dB uncapped
    assert psnr(a, b) == PSNR_CAP_DB
