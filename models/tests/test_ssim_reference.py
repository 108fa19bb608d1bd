"""The SSIM that eval.md publishes (models.common.ssim) against scikit-image's reference
implementation (Wang et al. 2004 settings: Gaussian window, sigma 1.5, population covariance).

    python3 -m pytest models/tests/test_ssim_reference.py -q
"""
import numpy as np
import skimage.metrics as skm  # Debian python3-skimage (.ci/setup installs it)

from models.common import ssim


def test_ssim_matches_scikit_image():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (2, 64, 64, 3)).astype(np.uint8)
    smooth = np.clip(base.astype(float) * 0.6 + 50, 0, 255).astype(np.uint8)
    noisy = np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)
    for other in (smooth, noisy, base):
        ref = np.mean(
            [
                skm.structural_similarity(
                    base[i],
                    other[i],
                    gaussian_weights=True,
                    sigma=1.5,
                    use_sample_covariance=False,
                    data_range=255,
                    channel_axis=-1,
                )
                for i in range(len(base))
            ]
        )
        assert abs(ssim(base, other) - ref) < 1e-6, (ssim(base, other), ref)
