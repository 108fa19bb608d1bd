"""
Dreams scored against the truth on windows cut from a split, the part evaluate.py, quantize.py and
sampling_eval.py share: picking the windows (spread evenly over the split's episodes), their
frames, poses, actions and encoded tokens (`Windows`), decoding tokens back to frames, the scores
(PSNR / SSIM / sharpness: image-gradient energy of the prediction over the truth's) and
`dream_table`, every model's rollout from a start of ground-truth frames beside the tokenizer
ceiling and copying the last frame.

A library, not a script: it imports nothing from models/export, so every script there can import
it at the top without a circle.
"""
from __future__ import annotations

import numpy as np
import torch

from models.common import frames_to_tensor, psnr, ssim, tensor_to_frames
from models.export.dream import rollout_memory

ATLAS_COPY = "copy nearest atlas frame"  # dream_table's row with an atlas


def pick_windows(ds, length: int, count: int, seed: int) -> np.ndarray:
    """Start frames of `count` windows of `length` frames inside single episodes, spread evenly."""
    ep = np.asarray(ds.episode)
    starts = np.flatnonzero(ep[: len(ep) - length + 1] == ep[length - 1 :])
    if len(starts) == 0:
        raise ValueError(f"no episode is {length} frames long")
    rng = np.random.default_rng(seed)
    pos = np.linspace(0, len(starts) - 1, count).round().astype(int)
    jitter = rng.integers(0, max(1, len(starts) // (2 * count)), count)
    return starts[np.minimum(pos + jitter, len(starts) - 1)]


@torch.no_grad()
def encode(tok, frames: np.ndarray) -> torch.Tensor:
    return torch.cat([tok.encode(frames_to_tensor(frames[i : i + 64], "cpu")) for i in range(0, len(frames), 64)])


@torch.no_grad()
def decode(tok, tokens: torch.Tensor) -> np.ndarray:
    flat = tokens.reshape(-1, *tokens.shape[-2:])
    out = np.concatenate([tensor_to_frames(tok.decode(flat[i : i + 64])) for i in range(0, len(flat), 64)])
    return out.reshape(*tokens.shape[:-2], *out.shape[1:])


def gradient_energy(frames: np.ndarray) -> float:
    """Mean squared image gradient (forward differences, over RGB) of uint8 frames [..., H, W, 3]."""
    f = frames.astype(np.float64)
    gx = np.diff(f, axis=-2)
    gy = np.diff(f, axis=-3)
    return float((gx**2).mean() + (gy**2).mean())


def sharpness(pred: np.ndarray, truth: np.ndarray) -> float:
    """Gradient energy of the predictions over that of the truth: 1 = as sharp, < 1 = blurred."""
    return gradient_energy(pred) / max(gradient_energy(truth), 1e-9)


def scores(pred: np.ndarray, truth: np.ndarray) -> dict:
    return {
        "psnr": round(psnr(pred, truth), 2),
        "ssim": round(ssim(pred, truth), 4),
        "sharpness": round(sharpness(pred, truth), 3),
    }


class Windows:
    """Frames, poses, actions and ground-truth tokens of windows cut from a split."""

    def __init__(self, ds, tok, starts: np.ndarray, length: int):
        idx = starts[:, None] + np.arange(length)[None, :]
        self.frames = np.stack([np.stack([np.asarray(ds.frame(int(i))) for i in row]) for row in idx])
        self.poses = np.asarray(ds.poses)[idx].astype(np.float64)
        self.actions = ds.normalized_actions()[idx].astype(np.float32)
        N = len(starts)
        self.tokens = encode(tok, self.frames.reshape(-1, *self.frames.shape[2:])).view(N, length, *([tok.cfg.grid] * 2))
        self.episodes = int(len(np.unique(np.asarray(ds.episode)[starts])))


def curve_points(H: int) -> list[int]:
    """Horizons the curves are drawn through (decoding every frame of 24 x 128 costs minutes)."""
    return sorted({h for h in (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128) if h <= H} | {H})


def dream_table(tok, w: Windows, start: int, H: int, horizons: list[int], models: dict, atlas=None) -> tuple[dict, dict, dict]:
    """Rollouts of each model from `start` ground-truth frames; -> (table, curves {name: {h: psnr}},
    decoded predictions at the curve's horizons). atlas: adds the copy-nearest-atlas-frame baseline."""
    pts = sorted(set(curve_points(H)) | set(h for h in horizons if h <= H))
    cols = [start + h - 1 for h in pts]
    truth = w.frames[:, cols]
    rows = {
        "tokenizer ceiling": decode(tok, w.tokens[:, cols]),
        "copy last frame": np.repeat(w.frames[:, start - 1 : start], len(pts), axis=1),
    }
    if atlas is not None:
        near = torch.stack(
            [
                torch.stack([torch.as_tensor(atlas.tokens[nearest_seen(atlas.poses, w.poses[b, c])]) for c in cols])
                for b in range(len(w.poses))
            ]
        )
        rows[ATLAS_COPY] = decode(tok, near)
    for name, roll in models.items():
        pred = roll(w.tokens[:, :start], w.poses[:, : start + H], w.actions[:, : start + H], H)
        rows[name] = decode(tok, pred[:, [h - 1 for h in pts]])
    at = {h: i for i, h in enumerate(pts)}
    table = {n: {f"h{h}": scores(arr[:, at[h]], truth[:, at[h]]) for h in horizons if h in at} for n, arr in rows.items()}
    curves = {n: {h: round(psnr(arr[:, at[h]], truth[:, at[h]]), 2) for h in pts} for n, arr in rows.items()}
    return table, curves, rows


def nearest_seen(poses_seen: np.ndarray, pose: np.ndarray) -> int:
    """The seen frame whose camera is nearest: metres apart plus 3 m per radian of view direction."""
    d = np.linalg.norm(poses_seen[:, :3] - pose[:3], axis=1)
    yaw = np.abs(np.angle(np.exp(1j * (poses_seen[:, 3] - pose[3]))))
    return int(np.argmin(d + 3 * (yaw + np.abs(poses_seen[:, 4] - pose[4]))))


# The rows every eval table names (eval.json, tour.json, sampling.json read them by these names).
ME, NO_ATLAS, NO_COPY = "student (v3, copy + atlas)", "student (v3, atlas off)", "student (v3, copy path off)"
V2 = "student (v2, distilled)"
TEACHER, CONTROL = "teacher (v3, copy + atlas, token by token)", "student (v3, fine-tuned from the ground-truth-only v2)"
# v3 distilled from the v3 teacher, and the same fine-tune on ground truth alone (equal steps)
V3_KD, V3_FT = "student (v3 + fine-tune on the v3 teacher's distributions)", "student (v3 + the same fine-tune on ground truth)"
AGAIN = "start frame again"


def v3_rollouts(student, atlas) -> dict:
    """The shipped student's dream with the atlas (ME) and, where there is one, without (NO_ATLAS):
    {name: (start tokens, poses, actions, H) -> predictions}."""
    out = {ME: lambda s, p, act, h: rollout_memory(student, s, p, act, h, atlas=atlas)}
    if atlas is not None:
        out[NO_ATLAS] = lambda s, p, act, h: rollout_memory(student, s, p, act, h)
    return out


def tour(tok, w: Windows, models: dict) -> dict:
    """Whole episodes dreamed from their first frame: mean PSNR over every step, against showing the
    start frame again, and the PSNR at the last step."""
    H = w.frames.shape[1] - 1
    truth = w.frames[:, 1:]
    out = {"steps": H, "episodes": len(truth), AGAIN: tour_row(np.repeat(w.frames[:, :1], H, 1), truth)}
    for name, roll in models.items():
        out[name] = tour_row(decode(tok, roll(w.tokens[:, :1], w.poses, w.actions, H)), truth)
    return out


def per_step_psnr(pred: np.ndarray, truth: np.ndarray) -> list[float]:
    """PSNR at every step of [N, H, ...] predictions against the truth (mean over the N)."""
    return [psnr(pred[:, h], truth[:, h]) for h in range(truth.shape[1])]


def tour_row(pred: np.ndarray, truth: np.ndarray, per: list[float] | None = None) -> dict:
    """A tour's summary; per: its per_step_psnr, when the caller has it already."""
    per = per if per is not None else per_step_psnr(pred, truth)
    return {
        "mean_psnr": round(float(np.mean(per)), 2),
        "last_psnr": round(per[-1], 2),
        "mean_sharpness": round(float(np.mean([sharpness(pred[:, h], truth[:, h]) for h in range(0, truth.shape[1], 8)])), 3),
    }
