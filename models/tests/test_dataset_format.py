"""The generator's output, read with plain numpy: shapes, dtypes, meta and action semantics.

    python3 -m pytest models/tests/test_dataset_format.py -q
"""
import json
import os
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from models.data.dataset import action_between, load


SMALL = ["--frames", "80", "--episode-len", "32", "--shard-episodes", "2", "--res", "64", "--seed", "3"]


def generate(out, *args, check=True):
    return subprocess.run(
        ["npx", "tsx", "models/data/generate.ts", "--out", str(out), *args],
        cwd=ROOT,
        check=check,
        timeout=300,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds")
    generate(out, *SMALL, "--quiet")
    return str(out)


def test_numpy_reads_every_array_without_our_code(dataset_dir):
    meta = json.load(open(os.path.join(dataset_dir, "meta.json")))
    assert meta["counts"] == {"frames": 80, "episodes": 3, "shards": 2}
    total = 0
    for s in meta["shards"]:
        f = np.load(os.path.join(dataset_dir, s["files"]["frames"]))
        assert f.dtype == np.uint8 and f.shape == (s["frames"], 64, 64, 3)
        assert np.load(os.path.join(dataset_dir, s["files"]["poses"])).dtype == np.float32
        assert np.load(os.path.join(dataset_dir, s["files"]["episode"])).shape == (s["frames"],)
        total += s["frames"]
    assert total == 80
    assert [e["length"] for e in meta["episodes"]] == [32, 32, 16]


def test_actions_follow_the_contract(dataset_dir):
    d = load(dataset_dir)
    assert len(d) == 80
    same_episode = d.episode[:-1] == d.episode[1:]
    derived = action_between(d.poses[:-1].astype(np.float64), d.poses[1:].astype(np.float64))
    np.testing.assert_allclose(d.actions[:-1][same_episode], derived[same_episode], atol=2e-5)
    last = np.r_[~same_episode, True]
    assert np.all(d.actions[last] == 0)
    mx = np.asarray(d.meta["contract"]["action"]["max"])
    assert np.all(np.abs(d.commands) <= mx + 1e-6)
    n = d.normalized_actions()
    assert n.min() >= -1 and n.max() <= 1


def test_frames_change_when_the_camera_moves(dataset_dir):
    d = load(dataset_dir)
    moving = np.abs(d.actions[:-1]).sum(1) > 1e-3
    i = int(np.flatnonzero(moving & (d.episode[:-1] == d.episode[1:]))[0])
    diff = np.abs(d.frame(i).astype(int) - d.frame(i + 1).astype(int)).mean()
    assert diff > 0.5


def test_generation_is_deterministic_and_resumes(dataset_dir, tmp_path):
    generate(tmp_path, *SMALL, "--quiet")
    for name in ["frames-00001.npy", "poses-00000.npy", "actions-00001.npy"]:
        assert np.array_equal(np.load(os.path.join(dataset_dir, name)), np.load(os.path.join(tmp_path, name)))
    # Drop a shard and mark it incomplete: the same command regenerates just that shard, identically.
    os.remove(tmp_path / "frames-00001.npy")
    r = generate(tmp_path, *SMALL)
    assert "wrote 16 frames" in r.stderr
    assert np.array_equal(np.load(os.path.join(dataset_dir, "frames-00001.npy")), np.load(tmp_path / "frames-00001.npy"))


def test_bad_arguments_fail_clearly(tmp_path):
    r = generate(tmp_path, "--res", "3", check=False)
    assert r.returncode == 2
    assert "--res must be an integer in [16, 512]" in r.stderr
    assert generate(tmp_path, *SMALL, "--quiet", check=False).returncode == 0
    r = generate(tmp_path, "--frames", "80", "--seed", "4", check=False)
    assert r.returncode == 2 and "other settings" in r.stderr
