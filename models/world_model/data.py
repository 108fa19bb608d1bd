"""The prepared token arrays' metadata (prepare.py writes it), read with clear errors."""
from __future__ import annotations

import json
import os


def read_split_meta(root: str, split: str) -> dict:
    """The prepared tokens' meta.json, after checking it has `split` (clear errors otherwise)."""
    meta_path = os.path.join(root, "meta.json")
    if not os.path.exists(meta_path):
        raise FileNotFoundError(f"{root}: no meta.json; run python3 -m models.world_model.prepare first")
    meta = json.load(open(meta_path))
    if split not in meta["splits"]:
        raise KeyError(f"{root} has no prepared '{split}' split (has {list(meta['splits'])})")
    return meta
