"""The geometry and retrieval rule against their golden vectors (the TypeScript twin reads the same
file), and the warp's defining properties."""
import json
import math
import os

import numpy as np
import torch

from models.common import read_contract
from models.world_model import geometry, geometry_golden
from models.world_model.geometry import project, ray_grid, warp_matrix
from models.world_model.memory import retrieve


def test_golden_vectors_are_current():
    """The committed golden file is what the code computes now (rerun geometry_golden.py after a change)."""
    saved = json.load(open(geometry_golden.PATH))
    fresh = json.loads(json.dumps(geometry_golden.build()))
    assert saved["rule"] == fresh["rule"] and saved["geometry"] == fresh["geometry"]
    assert [c["slots"] for c in saved["retrieval"]] == [c["slots"] for c in fresh["retrieval"]]
    assert [c["rays"] for c in saved["coverage"]] == [c["rays"] for c in fresh["coverage"]]


def test_the_geometry_is_the_worlds_and_the_shipped_graphs():
    """The field of view and the walls come from the world's contract, and they are still the numbers
    the shipped student graph was exported with (its manifest's student.geometry): if the world moves
    its walls or camera, this fails until the model is exported again."""
    world = read_contract()
    assert geometry.FOV == math.radians(world["camera"]["vertical_fov_deg"])
    assert geometry.WALL == world["walls"]["half_extent"] > world["bounds"]["x"][1] + world["bounds"]["camera_radius"]
    assert min(world["walls"]["heights"]) <= geometry.WALL_TOP <= max(world["walls"]["heights"])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shipped = json.load(open(os.path.join(root, "models", "wm-courtyard-v3", "manifest.json")))["student"]["geometry"]
    assert json.dumps(shipped) == json.dumps(geometry.SPEC)  # the same numbers, written the same (60.0, not 60)


def test_warp_is_identity_for_the_same_camera_and_exact_for_a_turn():
    p = torch.tensor([1.0, 1.7, 2.0, 0.3, -0.1])
    assert torch.allclose(warp_matrix(p, p, 16), torch.eye(256), atol=1e-4)
    # A turn left by one token's angle at the centre shifts the centre row right by about one token.
    turned = p.clone()
    turned[3] += math.atan(math.tan(math.radians(30)) / 8)
    si, sj, front = project(turned, p, ray_grid(16), 16)
    assert bool(front.all())
    centre = sj.view(16, 16)[8]
    assert abs(float(centre[8] - 7.0)) < 0.1


def test_walking_forward_moves_the_floor_down_and_keeps_the_sky():
    p = torch.tensor([0.0, 1.7, 0.0, 0.0, 0.0])
    q = p.clone()
    q[2] -= 0.25
    si, sj, _ = project(q, p, ray_grid(16), 16)
    si = si.view(16, 16)
    assert float(si[15, 8]) < 15 - 0.3  # the floor near the bottom was higher up the frame a step ago
    assert abs(float(si[0, 8]) - 0.0) < 1e-3  # sky: at infinity, unchanged


def test_retrieval_brings_back_the_start_of_a_spin():
    spin = np.array([[0, 1.7, 0, 0.09 * t, 0] for t in range(72)], np.float64)
    target = np.array([0, 1.7, 0, 0.09 * 71 - 2 * math.pi + 0.1, 0])
    slots = retrieve(spin[:71], target)
    assert slots[0] == 70 and any(i < 6 for i in slots[1:])
