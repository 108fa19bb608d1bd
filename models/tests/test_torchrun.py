"""Training scales past this machine: the v3 student's trainer runs unchanged under
`torchrun --nproc_per_node 2` (DDP over gloo on CPU) for a few steps, and the ranks end with the
same weights.

    python3 -m pytest models/tests/test_torchrun.py -q
"""
import json
import os
import subprocess
import sys

import numpy as np

from models.world_model.atlas import main as atlas_main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tiny_tokens(folder: str) -> None:
    """Random walks with random tokens: enough for a few training steps (not for learning)."""
    rng = np.random.default_rng(0)
    meta = {"vocab_size": 1000, "grid": [8, 8], "levels": [8, 5, 5, 5], "splits": {}}
    for split, eps in (("train", 6), ("val", 2)):
        n = eps * 32
        poses = np.zeros((n, 5), np.float32)
        poses[:, 0] = np.cumsum(rng.normal(0, 0.2, n)) % 20 - 10
        poses[:, 1] = 1.7
        poses[:, 2] = np.cumsum(rng.normal(0, 0.2, n)) % 20 - 10
        poses[:, 3] = np.cumsum(rng.normal(0, 0.08, n))
        np.save(os.path.join(folder, f"{split}.poses.npy"), poses)
        np.save(os.path.join(folder, f"{split}.tokens.npy"), rng.integers(0, 1000, (n, 8, 8)).astype(np.uint16))
        np.save(os.path.join(folder, f"{split}.actions.npy"), rng.uniform(-1, 1, (n, 5)).astype(np.float32))
        np.save(os.path.join(folder, f"{split}.episode.npy"), np.repeat(np.arange(eps), 32).astype(np.int32))
        meta["splits"][split] = {"frames": n, "episodes": eps}
    json.dump(meta, open(os.path.join(folder, "meta.json"), "w"))


def test_two_cpu_ranks_train_the_v3_student_and_agree(tmp_path):
    cmd0 = [sys.executable, "-m", "torch.distributed.run"]  # what the torchrun command runs
    tok = tmp_path / "tokens"
    tok.mkdir()
    tiny_tokens(str(tok))
    atlas_main(["--tokens", str(tok), "--out", str(tmp_path / "atlas")])
    out = tmp_path / "run"
    # --redirects/--tee 1: Debian's torch 1.13 on Python 3.11 cannot parse their default "0" (IntFlag
    # iteration skips Std.NONE, so the launcher crashes in to_map); 1 (stdout) parses everywhere.
    cmd = cmd0 + [
        "--nproc_per_node",
        "2",
        "--master_port",
        "29517",
        "--redirects",
        "1",
        "--tee",
        "1",
        "-m",
        "models.world_model.train_memory_student",
        "--tokens",
        str(tok),
        "--out",
        str(out),
        "--steps",
        "3",
        "--batch",
        "4",
        "--warmup",
        "1",
        "--eval-every",
        "3",
        "--eval-windows",
        "8",
        "--ckpt-every",
        "3",
        "--d",
        "32",
        "--layers",
        "1",
        "--heads",
        "2",
        "--threads",
        "1",
        "--copy",
        "--source",
        "--atlas",
        str(tmp_path / "atlas"),
    ]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    done = json.load(open(out / "done.json"))
    assert done["finished"] and done["step"] == 3
    assert done["ranks"] == 2 and done["ranks_agree"] is True
