"""
The teacher's soft targets for distillation, computed once: for a seeded sample of training
windows, the teacher's next-frame distribution on teacher-forced contexts, reduced to per-digit
marginals (what the student's factorized head can match). Cached because the teacher's forward
pass costs several student training steps; each window is then reused across epochs.

    python3 models/world_model/kd_targets.py --teacher models/runs/teacher/teacher.pt \
        --tokens data/tokens --out models/runs/kd_targets --windows 12000

Writes <out>/probs-NNNNN.npy (float16 [c, g*g, n_digits, max(levels)]), <out>/target-NNNNN.npy
(int64 [c]: the index in the train split of each window's predicted frame) per chunk, and
<out>/meta.json when complete. Interrupted? Rerun: finished chunks are kept.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from models.world_model.data import TokenSplit  # noqa: E402
from models.world_model.teacher import Teacher, TeacherConfig  # noqa: E402

CHUNK = 256


def load_teacher(path: str) -> Teacher:
    ck = torch.load(path, map_location="cpu")
    m = Teacher(TeacherConfig(**ck["config"]))
    m.load_state_dict(ck["model"])
    return m.eval()


@torch.no_grad()
def compute(teacher_path: str, tokens: str, out: str, windows: int, seed: int = 0, batch: int = 16, threads: int = 0) -> dict:
    meta_path = os.path.join(out, "meta.json")
    if os.path.exists(meta_path):
        return json.load(open(meta_path))
    torch.set_num_threads(threads or os.cpu_count() or 1)
    from models.world_model.train_teacher import teacher_batch  # noqa: E402 (one definition of a teacher window)
    teacher = load_teacher(teacher_path)
    tr = TokenSplit(tokens, "train", teacher.cfg.frames - 1)
    idx = np.sort(np.random.default_rng(seed).choice(len(tr), min(windows, len(tr)), replace=False))
    os.makedirs(out, exist_ok=True)
    t0, done = time.time(), 0
    for c, i in enumerate(range(0, len(idx), CHUNK)):
        files = [os.path.join(out, f"{k}-{c:05d}.npy") for k in ("probs", "target")]
        part = idx[i:i + CHUNK]
        if not all(os.path.exists(f) for f in files):
            probs = []
            for j in range(0, len(part), batch):
                toks, acts = teacher_batch(tr, part[j:j + batch], "cpu")
                p = teacher(toks, acts, first=toks.shape[1] - 1)[:, -1].float().softmax(-1)
                probs.append(teacher.digits.marginals(p).half().numpy())
            for f, arr in zip(files, [np.concatenate(probs), tr.starts[part] + 1]):
                np.save(f + ".tmp.npy", arr)
                os.replace(f + ".tmp.npy", f)
            done += len(part)
            rate = done / max(time.time() - t0, 1e-6)
            print(f"[kd_targets] {i + len(part)}/{len(idx)} windows  {rate:.1f} windows/s", flush=True)
    meta = {"teacher": teacher_path, "windows": int(len(idx)), "chunks": (len(idx) + CHUNK - 1) // CHUNK, "seed": seed,
            "levels": teacher.cfg.levels, "seconds": round(time.time() - t0, 1)}
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)
    return meta


class KdTargets:
    """The cached targets, indexed by the student's own training windows."""

    def __init__(self, root: str, split: TokenSplit):
        meta = json.load(open(os.path.join(root, "meta.json")))
        probs = [np.load(os.path.join(root, f"probs-{c:05d}.npy")) for c in range(meta["chunks"])]
        target = np.concatenate([np.load(os.path.join(root, f"target-{c:05d}.npy")) for c in range(meta["chunks"])])
        # A student window ending at frame t+1 has start index s with split.starts[s] == t.
        pos = np.searchsorted(split.starts, target - 1)
        ok = (pos < len(split.starts)) & (split.starts[np.minimum(pos, len(split.starts) - 1)] == target - 1)
        if not ok.any():
            raise ValueError(f"{root}: none of its windows is a training window of this student")
        self._probs = np.concatenate(probs)[ok]
        self.window = pos[ok]

    def __len__(self) -> int:
        return len(self.window)

    def probs(self, rows: np.ndarray, device) -> torch.Tensor:
        return torch.from_numpy(self._probs[rows].astype(np.float32)).to(device)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--tokens", default="data/tokens")
    ap.add_argument("--out", default="models/runs/kd_targets")
    ap.add_argument("--windows", type=int, default=12000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args(argv)
    if not os.path.exists(a.teacher):
        ap.error(f"no teacher checkpoint at {a.teacher}; train the teacher first")
    if a.windows < 1:
        ap.error("--windows must be >= 1")
    print(json.dumps(compute(a.teacher, a.tokens, a.out, a.windows, a.seed, threads=a.threads), indent=2))


if __name__ == "__main__":
    main()
