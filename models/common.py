"""
Shared training plumbing: device and DDP setup, seeding, frame batches from a dataset split,
self-describing checkpoints that resume, and a JSONL log that records CPU-minutes for the curves.
Runs on CPU (this project's default), CUDA, and several GPUs under torchrun.
"""
from __future__ import annotations

import atexit
import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.distributed as dist


@dataclass
class Runtime:
    device: torch.device
    rank: int
    world_size: int
    master: bool

    @property
    def ddp(self) -> bool:
        return self.world_size > 1


def setup(seed: int, threads: int | None = None) -> Runtime:
    """Picks CUDA when present; joins a DDP group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        # Left to the interpreter's exit, gloo's threads were destroyed while joinable and a rank
        # could abort after finishing ("terminate called without an active exception", SIGABRT).
        atexit.register(leave_group)
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        device = torch.device("cpu")
        torch.set_num_threads(threads or os.cpu_count() or 1)
    seed_everything(seed + rank)
    return Runtime(device, rank, world, rank == 0)


def leave_group() -> None:
    """Leaves the DDP group (all ranks together), if this process joined one."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def frames_to_tensor(frames: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint8 [B, H, W, 3] -> float [B, 3, H, W] in [-1, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(frames)).to(device)
    return x.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)


def tensor_to_frames(x: torch.Tensor) -> np.ndarray:
    """float [B, 3, H, W] in [-1, 1] -> uint8 [B, H, W, 3] (rounded as the browser will)."""
    return ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()


# The app's cap (src/sim/frame.ts PSNR_CAP_DB): its psnr is Infinity for identical frames, and every
# mean it shows takes min(psnr, 99) per frame first. Python's means do the same, so they compare.
PSNR_CAP_DB = 99.0


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Mean per-frame PSNR in dB of two uint8 arrays [B, H, W, 3], each frame's capped at
    PSNR_CAP_DB before the mean: an identical frame counts 99 dB, as in the app (the TypeScript
    psnr returns Infinity there and its callers take min(psnr, 99)). A 128 x 128 frame one level
    off in one byte scores 95.0 dB, so at this project's sizes only identical frames hit the cap."""
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).reshape(len(a), -1).mean(1)
    with np.errstate(divide="ignore"):  # identical frames: mse 0 -> Infinity, then the cap
        per_frame = 10 * np.log10(255.0**2 / mse)
    return float(np.mean(np.minimum(per_frame, PSNR_CAP_DB)))


def read_contract() -> dict:
    """models/contract.json: the world's numbers for the Python side (pose, action, bounds, camera,
    walls), written from src/sim/contract.ts by `npm run contract`."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "contract.json")) as f:
        return json.load(f)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, per channel) of uint8 [B, H, W, 3]."""
    x = torch.from_numpy(a).permute(0, 3, 1, 2).double()
    y = torch.from_numpy(b).permute(0, 3, 1, 2).double()
    g = torch.exp(-((torch.arange(11, dtype=torch.float64) - 5) ** 2) / (2 * 1.5**2))
    g = (g / g.sum()).view(1, 1, 11, 1)
    c = x.shape[1]

    def blur(t):
        t = torch.nn.functional.conv2d(t, g.expand(c, 1, 11, 1), groups=c)
        return torch.nn.functional.conv2d(t, g.view(1, 1, 1, 11).expand(c, 1, 1, 11), groups=c)

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())


def cosine_lr(step: int, total: int, peak: float, warmup: int, floor: float = 0.1) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t)))


class Clock:
    """Wall time and process CPU time; CPU-minutes survive a resume through the checkpoint."""

    def __init__(self, cpu_offset: float = 0.0, wall_offset: float = 0.0):
        self.c0, self.w0 = time.process_time(), time.time()
        self.cpu_offset, self.wall_offset = cpu_offset, wall_offset

    def cpu_minutes(self) -> float:
        return (self.cpu_offset + time.process_time() - self.c0) / 60

    def wall_minutes(self) -> float:
        return (self.wall_offset + time.time() - self.w0) / 60


def save_checkpoint(path: str, **state) -> None:
    """Atomic: an interrupted save never leaves a broken checkpoint behind."""
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str) -> dict | None:
    if not os.path.exists(path):
        return None
    return torch.load(path, map_location="cpu")


class JsonlLog:
    def __init__(self, path: str, master: bool = True):
        self.path, self.master = path, master

    def write(self, **row) -> None:
        if not self.master:
            return
        with open(self.path, "a") as f:
            f.write(json.dumps(row) + "\n")

    def rows(self) -> list[dict]:
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]


def config_dict(cfg) -> dict:
    return asdict(cfg)


def progress_line(msg: str) -> None:
    print(msg, flush=True)
