"""
Encodes each dataset split into token grids once, so world-model training reads tokens, not pixels.

    python3 -m models.world_model.prepare --tokenizer models/runs/tokenizer/tokenizer.pt \
        --data data --splits train,val,test --out data/tokens

Writes <out>/<split>.tokens.npy (uint16 [N, h, w]), <split>.actions.npy (float32 [N, 5], normalized
to [-1, 1] as the models see them), <split>.poses.npy (float32 [N, 5], camera poses), <split>.episode.npy
(int32 [N]) and <out>/meta.json. A split
whose files exist and whose tokenizer hash matches is skipped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch

from models.common import frames_to_tensor
from models.data.dataset import load
from models.tokenizer.report import load_tokenizer


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@torch.no_grad()
def encode_split(tok, ds, batch: int = 128, log_every: int = 20) -> np.ndarray:
    n = len(ds)
    g = tok.cfg.grid
    out = np.empty((n, g, g), np.uint16)
    if tok.vocab_size > 65536:
        raise ValueError(f"vocabulary {tok.vocab_size} does not fit uint16")
    t0 = time.time()
    for b, i in enumerate(range(0, n, batch)):
        idx = range(i, min(n, i + batch))
        x = frames_to_tensor(np.stack([np.asarray(ds.frame(j)) for j in idx]), "cpu")
        out[i : i + len(idx)] = tok.encode(x).numpy().astype(np.uint16)
        if b % log_every == 0:
            done = i + len(idx)
            print(f"  {done}/{n} frames  {done / max(time.time() - t0, 1e-6):.0f} frames/s", flush=True)
    return out


def prepare(tokenizer: str, data: str, splits: list[str], out: str) -> dict:
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    tok = load_tokenizer(tokenizer)
    tok_hash = file_sha256(tokenizer)
    meta_path = os.path.join(out, "meta.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    if meta.get("tokenizer_sha256") not in (None, tok_hash):
        meta = {}  # another tokenizer: every split is stale
    meta.update(
        {
            "tokenizer": tokenizer,
            "tokenizer_sha256": tok_hash,
            "vocab_size": tok.vocab_size,
            "grid": [tok.cfg.grid, tok.cfg.grid],
            "levels": tok.cfg.levels,
        }
    )
    meta.setdefault("splits", {})
    for split in splits:
        files = {k: os.path.join(out, f"{split}.{k}.npy") for k in ("tokens", "actions", "poses", "episode")}
        if split in meta["splits"] and all(os.path.exists(f) for f in files.values()):
            print(f"[prepare] {split}: cached", flush=True)
            continue
        ds = load(os.path.join(data, split))
        print(f"[prepare] {split}: encoding {len(ds)} frames", flush=True)
        tokens = encode_split(tok, ds)
        for k, arr in [
            ("tokens", tokens),
            ("actions", ds.normalized_actions().astype(np.float32)),
            ("poses", np.asarray(ds.poses, np.float32)),
            ("episode", np.asarray(ds.episode, np.int32)),
        ]:
            np.save(files[k] + ".tmp.npy", arr)
            os.replace(files[k] + ".tmp.npy", files[k])
        meta["splits"][split] = {
            "frames": len(ds),
            "episodes": int(len(np.unique(ds.episode))),
            "source": os.path.join(data, split),
            "contract_version": ds.meta["contract"]["version"],
        }
        with open(meta_path, "w") as f:
            json.dump(meta, f, indent=2)
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--data", default="data")
    ap.add_argument("--splits", default="train,val,test")
    ap.add_argument("--out", default="data/tokens")
    a = ap.parse_args(argv)
    if not os.path.exists(a.tokenizer):
        ap.error(f"no tokenizer checkpoint at {a.tokenizer}; run the tokenizer stage first")
    print(json.dumps(prepare(a.tokenizer, a.data, [s for s in a.splits.split(",") if s], a.out), indent=2))


if __name__ == "__main__":
    main()
