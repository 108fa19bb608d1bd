"""The atlas (models/world_model/atlas.py): choice covers positions x headings, 12-bit packing round
trips, and retrieval over session memory + atlas matches the golden vectors TypeScript checks too.

    python3 -m pytest models/tests/test_atlas.py -q
"""
import json
import math
import os

import numpy as np
import torch

from models.world_model.atlas import AtlasIndex, choose, pack_tokens, read, unpack_tokens, write
from models.world_model.memory import retrieve
from models.world_model.memory_student import MemoryStudent, MemoryStudentConfig

GOLDEN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "world_model", "geometry_golden.json")


def test_golden_atlas_candidates_and_slots():
    g = json.load(open(GOLDEN))["atlas"]
    index = AtlasIndex(np.asarray(g["poses"]))
    picked_atlas = 0
    for c in g["cases"]:
        assert index.candidates(c["target"]) == c["candidates"]
        extra = np.asarray(g["poses"])[c["candidates"]] if c["candidates"] else None
        levels = None if c["levels"] is None else np.asarray(c["levels"])
        slots = retrieve(np.asarray(c["memory"]), np.asarray(c["target"]), levels=levels, extra_poses=extra)
        assert slots == c["slots"]
        picked_atlas += sum(s >= len(c["memory"]) for s in slots)
    assert picked_atlas > 5
    assert list(pack_tokens(np.asarray(g["packed"]["ids"]))) == g["packed"]["bytes"]


def test_pack_round_trip_and_file(tmp_path):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4096, (5, 256))
    assert (unpack_tokens(pack_tokens(ids), 5, 256) == ids).all()
    poses = rng.normal(size=(5, 5))
    write(str(tmp_path / "a.bin"), ids, poses)
    t, p = read(str(tmp_path / "a.bin"), 5, 256)
    assert (t == ids).all() and np.allclose(p, poses.astype(np.float32))
    assert os.path.getsize(tmp_path / "a.bin") == 5 * 384 + 5 * 20


def test_choice_covers_cells_and_headings_not_the_first_frames():
    rng = np.random.default_rng(1)
    n = 20000
    poses = np.stack(
        [
            rng.uniform(-30, 30, n),
            np.full(n, 1.7),
            rng.uniform(-30, 30, n),
            rng.uniform(-math.pi, math.pi, n),
            rng.uniform(-0.3, 0.3, n),
        ],
        1,
    )
    picks = choose(poses, max_frames=500, cell=2.0, headings=8)
    assert len(picks) == 500 and len(set(picks.tolist())) == 500
    assert picks.max() > n // 2  # drawn from the whole split
    sectors = np.floor(np.mod(poses[picks, 3], 2 * math.pi) / (2 * math.pi) * 8).astype(int)
    assert np.bincount(sectors, minlength=8).min() >= 500 // 8 - 1  # headings thinned evenly (8 sectors here)


def test_copy_path_returns_remembered_codes_exactly_when_the_gate_trusts_memory():
    torch.manual_seed(0)
    m = MemoryStudent(
        MemoryStudentConfig(levels=[8, 5, 5, 5], grid=8, slots=2, d=32, layers=1, heads=2, source=True, copy=True)
    ).eval()
    with torch.no_grad():
        m.gate.bias.copy_(torch.tensor([-20.0, 20.0, 0.0]))  # always copy slot 0
    mt = torch.randint(0, 1000, (1, 2, 8, 8))
    pose = torch.tensor([[0.0, 1.7, 0.0, 0.3, 0.0]])
    mp = pose[:, None].repeat(1, 2, 1)
    args = (mt, mp, torch.zeros(1, 2), torch.ones(1, 2), pose, torch.zeros(1, 5), torch.zeros(1, 2))
    with torch.no_grad():
        ids = m.digits.compose(m(*args).argmax(-1))
    assert (ids.view(8, 8) == mt[0, 0]).all()  # same camera: slot 0 copied token for token
    with torch.no_grad():
        m.gate.bias.copy_(torch.tensor([20.0, -20.0, 0.0]))
        gen = m.digits.compose(m(*args).argmax(-1))
        assert (
            gen == m.digits.compose(m.logits(m.features(*args)).argmax(-1))
        ).all()  # the gate on "generate": the network's own
