"""
Camera geometry of the world model, written once: the student runs these functions inside its
exported graph (so the browser never re-implements the warp), and memory retrieval uses them on
a coarse ray grid (mirrored in src/engine/memory.ts, kept equal by golden vectors in
models/world_model/geometry_golden.json, which both test suites read).

The camera is three.js's: position (x, y, z), rotation Euler 'YXZ' = Ry(yaw) Rx(pitch), looking
along its local -z with y up and x right, the world's vertical field of view (60 degrees), square
frames.

Re-projection needs depth. We use a proxy scene that holds for most pixels of this courtyard and
for every world seed: the floor plane y = 0, the four walls at |x| = 33 or |z| = 33 up to WALL_TOP
(8.5 m), and the sky at infinity above them. The field of view and the walls' place are the
world's, read from models/contract.json (camera.vertical_fov_deg, walls.half_extent); the numbers
are also baked into the shipped student graph, and a test fails if either side moves.

A target ray's proxy hit is projected into a source camera; rotation alone is then exact, and
translation is exact on floor and walls (landmarks are where the model has to correct it). All
arithmetic is inverse depth (1 / t, zero for the sky), so nothing is infinite and the graph needs
only elementwise ops and one matrix product.
"""
from __future__ import annotations

import math

import torch

from models.common import read_contract

# The proxy's own choice, not a number of the world: wall segments are 7, 8.5, 10 or 11.5 m tall
# (contract walls.heights), and a ray over WALL_TOP counts as sky whatever segment it passes.
WALL_TOP = 8.5
_WORLD = read_contract()
SPEC = {
    "camera": "three.js PerspectiveCamera, Euler YXZ: R = Ry(yaw) Rx(pitch); looks along local -z, y up, x right",
    "vertical_fov_deg": float(_WORLD["camera"]["vertical_fov_deg"]),  # float: the manifest says 60.0
    "proxy": {"floor_y": 0.0, "wall_half_extent": float(_WORLD["walls"]["half_extent"]), "wall_top": WALL_TOP},
    "token_centre": "token (i, j) of a g x g grid looks through ndc x = (j + 0.5) / g * 2 - 1, y = 1 - (i + 0.5) / g * 2",
    "warp": "tent weights max(0, 1 - |si - i'|) * max(0, 1 - |sj - j'|) over source tokens (i', j') at the projected "
    "position (si, sj) in source token units; zero where the hit is behind the source camera",
}
FOV = math.radians(SPEC["vertical_fov_deg"])
WALL = SPEC["proxy"]["wall_half_extent"]


def rotation(yaw: torch.Tensor, pitch: torch.Tensor) -> torch.Tensor:
    """[...] -> [..., 3, 3] = Ry(yaw) @ Rx(pitch) (columns: camera right, up, back in world)."""
    cy, sy, cp, sp = torch.cos(yaw), torch.sin(yaw), torch.cos(pitch), torch.sin(pitch)
    z = yaw * 0  # not zeros_like: that exports as ConstantOfShape, which WebGPU has no kernel for
    o = z + 1
    ry = torch.stack([torch.stack([cy, z, sy], -1), torch.stack([z, o, z], -1), torch.stack([-sy, z, cy], -1)], -2)
    rx = torch.stack([torch.stack([o, z, z], -1), torch.stack([z, cp, -sp], -1), torch.stack([z, sp, cp], -1)], -2)
    return ry @ rx


def ray_grid(g: int, dtype=torch.float32) -> torch.Tensor:
    """Camera-local directions through the centres of a g x g grid, raster order: [g*g, 3]."""
    t = math.tan(FOV / 2)
    c = (torch.arange(g, dtype=dtype) + 0.5) / g * 2 - 1
    ys, xs = torch.meshgrid(-c, c, indexing="ij")
    return torch.stack([xs * t, ys * t, -torch.ones_like(xs)], -1).reshape(-1, 3)


def proxy_inverse_depth(c: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """Inverse ray length 1/t to the proxy scene along world directions d from camera centres c
    (broadcast [..., 3]); 0 where the ray leaves over the walls (sky). d need not be unit length."""
    cy = c[..., 1].clamp(min=1e-3)
    inv_floor = (-d[..., 1] / cy).clamp(min=0)
    # Nearest wall along the ray: the largest inverse distance over the x and z walls it heads to.
    inv_x = d[..., 0].abs() / (WALL - torch.where(d[..., 0] >= 0, c[..., 0], -c[..., 0])).clamp(min=1e-3)
    inv_z = d[..., 2].abs() / (WALL - torch.where(d[..., 2] >= 0, c[..., 2], -c[..., 2])).clamp(min=1e-3)
    inv_wall = _max(inv_x, inv_z)
    # Hit height y = cy + dy / inv: under the wall top when cy * inv + dy <= WALL_TOP * inv.
    under = (c[..., 1] * inv_wall + d[..., 1]) <= WALL_TOP * inv_wall
    return _max(inv_floor, torch.where(under, inv_wall, inv_wall * 0))


def _max(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Elementwise max as Greater + Where (onnxruntime-web's WebGPU kernels have no Max)."""
    return torch.where(a > b, a, b)


def project(target: torch.Tensor, source: torch.Tensor, rays: torch.Tensor, g: int):
    """Where the target camera's rays [n, 3] land in the source camera.
    target [..., 5], source [..., 5] poses (broadcast). Returns (si, sj) in source token units
    (token i' has centre i') and `front` (hit in front of the source camera), each [..., n]."""
    rt = rotation(target[..., 3], target[..., 4])  # [..., 3, 3]
    # Plain MatMuls, not einsum: onnxruntime-web's WebGPU Einsum kernel fails to compile these patterns.
    d = rays @ rt.transpose(-1, -2)  # world directions [..., n, 3]
    ct = target[..., None, :3]
    inv = proxy_inverse_depth(ct, d)  # [..., n]
    rel = (target[..., :3] - source[..., :3])[..., None, :]  # [..., 1, 3]
    p = d + inv[..., None] * rel  # source-centred hit, scaled by 1/t
    rs = rotation(source[..., 3], source[..., 4])
    q = p @ rs  # R_s^T p: source camera coordinates
    depth = -q[..., 2]
    front = depth > 1e-4
    safe = torch.where(front, depth, depth * 0 + 1)
    t = math.tan(FOV / 2)
    ndc_x, ndc_y = q[..., 0] / safe / t, q[..., 1] / safe / t
    far = ndc_x * 0 - 1e3
    sj = torch.where(front, (ndc_x + 1) / 2 * g - 0.5, far)
    si = torch.where(front, (1 - ndc_y) / 2 * g - 0.5, far)
    return si, sj, front


def warp_matrix(target: torch.Tensor, source: torch.Tensor, g: int) -> torch.Tensor:
    """Bilinear re-projection of a source token grid into the target camera, as a matrix:
    warped[..., p, :] = sum_q W[..., p, q] * source_features[..., q, :]. [..., g*g, g*g];
    a row sums to 1 where the target token sees inside the source frame, less near its border,
    0 outside or behind it (so the row sum is the coverage)."""
    rays = ray_grid(g, target.dtype).to(target.device)
    si, sj, _ = project(target, source, rays, g)
    idx = torch.arange(g, dtype=target.dtype, device=target.device)
    wi = (1 - (si[..., :, None] - idx).abs()).clamp(min=0)  # [..., n, g]
    wj = (1 - (sj[..., :, None] - idx).abs()).clamp(min=0)
    return (wi[..., :, :, None] * wj[..., :, None, :]).flatten(-2)  # [..., n, g*g]


def warp_matrices(target: torch.Tensor, source: torch.Tensor, g: int) -> tuple[torch.Tensor, torch.Tensor]:
    """warp_matrix's tent weights and, from the same projection, the nearest source token as a
    one-hot matrix [..., g*g, g*g] (a row is zero where the target token sees outside or behind
    the source frame). The copy path reads the nearest token's exact code; the tent feeds the network."""
    rays = ray_grid(g, target.dtype).to(target.device)
    si, sj, _ = project(target, source, rays, g)
    idx = torch.arange(g, dtype=target.dtype, device=target.device)
    wi = (1 - (si[..., :, None] - idx).abs()).clamp(min=0)
    wj = (1 - (sj[..., :, None] - idx).abs()).clamp(min=0)
    tent = (wi[..., :, :, None] * wj[..., :, None, :]).flatten(-2)
    # |s - i'| < 0.5 for exactly one i' inside the frame (tent weight > 0.5); none outside it.
    ni, nj = (wi > 0.5).to(target.dtype), (wj > 0.5).to(target.dtype)
    nearest = (ni[..., :, :, None] * nj[..., :, None, :]).flatten(-2)
    return tent, nearest


def coverage_rays(target: torch.Tensor, source: torch.Tensor, g: int = 8) -> torch.Tensor:
    """Which of a coarse g x g grid of target rays land inside the source frame: bool [..., g*g]."""
    rays = ray_grid(g, target.dtype).to(target.device)
    si, sj, front = project(target, source, rays, g)
    inside = (si >= -0.5) & (si <= g - 0.5) & (sj >= -0.5) & (sj <= g - 0.5)
    return front & inside
