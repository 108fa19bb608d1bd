"""Windows of K context frames plus the next frame, cut from the prepared token arrays."""
from __future__ import annotations

import json
import os

import numpy as np
import torch


def read_split_meta(root: str, split: str) -> dict:
    """The prepared tokens' meta.json, after checking it has `split` (clear errors otherwise)."""
    meta_path = os.path.join(root, "meta.json")
    if not os.path.exists(meta_path):
        raise FileNotFoundError(f"{root}: no meta.json; run models/world_model/prepare.py first")
    meta = json.load(open(meta_path))
    if split not in meta["splits"]:
        raise KeyError(f"{root} has no prepared '{split}' split (has {list(meta['splits'])})")
    return meta


class TokenSplit:
    def __init__(self, root: str, split: str, context: int):
        self.meta = read_split_meta(root, split)
        self.tokens = np.load(os.path.join(root, f"{split}.tokens.npy"), mmap_mode="r")
        self.actions = np.load(os.path.join(root, f"{split}.actions.npy"))
        self.episode = np.load(os.path.join(root, f"{split}.episode.npy"))
        self.context = context
        ep = self.episode
        # Window ending at t+1 is valid when frames t-K+1 .. t+1 share one episode.
        t = np.arange(context - 1, len(ep) - 1)
        self.starts = t[ep[t - context + 1] == ep[t + 1]]

    def __len__(self) -> int:
        return len(self.starts)

    def batch(self, idx: np.ndarray, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """-> ctx int64 [B, K, g, g], actions float [B, K, 5], target int64 [B, g*g]."""
        t = self.starts[idx]
        K = self.context
        rows = t[:, None] + np.arange(-K + 1, 2)[None, :]
        tok = torch.from_numpy(self.tokens[rows.reshape(-1)].astype(np.int64)).view(len(t), K + 1, *self.tokens.shape[1:])
        act = torch.from_numpy(self.actions[rows[:, :K]].astype(np.float32))
        return tok[:, :K].to(device), act.to(device), tok[:, K].reshape(len(t), -1).to(device)
