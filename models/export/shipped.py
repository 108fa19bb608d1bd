"""
What the shipped model folder is made of, for export.py, quantize.py, evaluate.py and
sampling_eval.py alike: which training runs its parts come from, the tokenizer and atlas as the
app ships them, the golden tensors, and manifest.json's one reader and one writer.

A library, not a script: it imports nothing else from models/export, so every script there can
import it (and each other) at the top without a circle.
"""
from __future__ import annotations

import json
import os

import numpy as np
import torch

from models.tokenizer.lite_decoder import with_lite_decoder
from models.tokenizer.report import load_tokenizer
from models.world_model import atlas as atlas_file
from models.world_model.memory_data import TrainingAtlas

# <runs>/<run>/... of each shipped part (models/pipeline.py's stage folders).
STUDENT_RUN = "student_v3"  # <runs>/<this>/student.pt is the shipped student (v3: copy path + atlas, from the distilled v2)
SAMPLER_RUN = "noise_sampler"  # <runs>/<this>/sampler.pt, where it exists, ships inside student.onnx (shared-noise sampling)
ATLAS_RUN = "atlas"  # <runs>/<this>/atlas.bin + atlas.json: the shipped atlas (models/world_model/atlas.py)
TEACHER_RUN = "teacher_v3"  # <runs>/<this>/teacher.pt is the shipped teacher (v3: copy path, atlas slots)
CONTROL_V3_RUN = "student_v3_gt"  # v3's fine-tune from the ground-truth-only v2: eval's distillation control
DISTILL_V3_RUNS = ("student_v3_kd", "student_v3_ft")  # v3 fine-tuned on the v3 teacher, and on ground truth alone
DECODER = os.path.join("lite_decoder_2", "lite_decoder.pt")  # <runs>/<this>: the shipped decoder (distill_decoder.py)
MANIFEST = "manifest.json"


def shipped_tokenizer(runs: str):
    """The tokenizer as the app ships it: its encoder, the lite decoder."""
    return with_lite_decoder(load_tokenizer(os.path.join(runs, "tokenizer", "tokenizer.pt")), os.path.join(runs, DECODER))


def tensor(name: str, dtype: str, shape: list, meaning: str) -> dict:
    """The manifest's description of one graph input or output."""
    return {"name": name, "dtype": dtype, "shape": shape, "meaning": meaning}


def read_manifest(folder: str) -> dict | None:
    """<folder>/manifest.json, or None where there is none yet."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def update_manifest(folder: str, fresh: bool = False, **parts) -> dict:
    """The one writer of <folder>/manifest.json. Each part replaces the top-level key of its name
    (a key already there keeps its place, a new one goes last); fresh=True starts from nothing
    instead of the file on disk (export writes a whole new manifest). Written as json.dump with
    indent 2 and no trailing newline, the bytes of every manifest shipped so far. -> the manifest."""
    manifest = {} if fresh else read_manifest(folder)
    if manifest is None:
        raise FileNotFoundError(f"{os.path.join(folder, MANIFEST)} does not exist: run models.export.export first")
    manifest.update(parts)
    with open(os.path.join(folder, MANIFEST), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest


def load_atlas(model_dir: str):
    """The exported atlas as the rollouts read it: (tokens int [A, g*g], poses [A, 5], AtlasIndex), or None."""
    a = (read_manifest(model_dir) or {}).get("atlas")
    if not a:
        return None
    tokens, poses = atlas_file.read(os.path.join(model_dir, a["path"]), a["frames"], a["grid"][0] * a["grid"][1])
    return tokens.reshape(-1, *a["grid"]), poses, atlas_file.AtlasIndex(poses, a["retrieval"]["cell_m"])


def training_atlas(model_dir: str) -> TrainingAtlas | None:
    """The exported atlas as the batched dreams (dream.rollout_memory) read it, or None."""
    loaded = load_atlas(model_dir)
    return TrainingAtlas(loaded[0], loaded[1], np.full(len(loaded[1]), -1)) if loaded else None


class Golden:
    """Named tensors in one little-endian binary file, indexed by golden.json (readable from Node)."""

    def __init__(self):
        self.index, self.blobs, self.offset = {}, [], 0

    def add(self, name: str, arr) -> None:
        a = np.ascontiguousarray(arr.detach().numpy() if torch.is_tensor(arr) else arr)
        dtype = {np.dtype("float32"): "float32", np.dtype("int32"): "int32", np.dtype("uint8"): "uint8"}[a.dtype]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        self.index[name] = {"dtype": dtype, "shape": list(a.shape), "offset": self.offset, "bytes": len(b)}
        self.blobs.append(b)
        self.offset += len(b)

    def write(self, out: str, meta: dict) -> None:
        with open(os.path.join(out, "golden.bin"), "wb") as f:
            f.write(b"".join(self.blobs))
        with open(os.path.join(out, "golden.json"), "w") as f:
            json.dump({**meta, "tensors": self.index}, f, indent=1)


def read_golden(model_dir: str) -> tuple[dict, dict]:
    """golden.json's index and its tensors as numpy arrays."""
    index = json.load(open(os.path.join(model_dir, "golden.json")))
    blob = open(os.path.join(model_dir, "golden.bin"), "rb").read()
    arrays = {
        k: np.frombuffer(
            blob,
            dtype=np.dtype(t["dtype"]).newbyteorder("<"),
            count=int(np.prod(t["shape"])) if t["shape"] else 1,
            offset=t["offset"],
        ).reshape(t["shape"])
        for k, t in index["tensors"].items()
    }
    return index, arrays


def cpu_hours(cpu: dict) -> float:
    """training_cpu_minutes summed, in hours (its *_threads entries are thread counts, not minutes)."""
    return round(sum(v for k, v in cpu.items() if not k.endswith("_threads") and isinstance(v, (int, float))) / 60, 2)


def with_training_record(compute: dict, weights: str) -> dict:
    """The manifest's compute part with the committed training record beside `weights` (<name>.json:
    its wall and CPU minutes and threads) entered under <name>, and the CPU-hours total again."""
    rec_path = os.path.splitext(weights)[0] + ".json"
    compute = json.loads(json.dumps(compute))
    if os.path.exists(rec_path):
        rec = json.load(open(rec_path))
        name = os.path.splitext(os.path.basename(weights))[0]
        compute["stage_wall_minutes"][name] = rec.get("wall_minutes")
        compute["training_cpu_minutes"][name] = rec.get("cpu_minutes")
        compute["training_cpu_minutes"][f"{name}_threads"] = rec.get("config", {}).get("threads") or "all"
        compute["training_cpu_hours"] = cpu_hours(compute["training_cpu_minutes"])
    return compute


def compute_summary(runs: str) -> dict:
    """The manifest's compute part: wall and CPU minutes per stage, training stages from their own
    records (which survive resumes and reuse), the others from the pipeline's stages.json."""
    stages = json.load(open(os.path.join(runs, "stages.json"))) if os.path.exists(os.path.join(runs, "stages.json")) else {}
    wall = {k: v["wall_minutes"] for k, v in stages.items()}
    cpu = {}
    # Every training run behind the shipped files, v3's fine-tune and the runs it starts from.
    chain = (
        ("tokenizer", "tokenizer"),
        ("decoder", "lite_decoder_2"),
        ("student_v2", "memory_student"),
        ("teacher_v2", "memory_teacher"),
        ("distill", "student_kd"),
        ("control", "student_gt"),
        ("student", STUDENT_RUN),
        ("teacher", TEACHER_RUN),
        ("control_v3", CONTROL_V3_RUN),
    )
    for k, run in chain:
        path = os.path.join(runs, run, "done.json")
        if os.path.exists(path):
            d = json.load(open(path))
            # the decoder's record sums its two schedules in cpu_minutes_total
            wall[k], cpu[k] = d.get("wall_minutes"), d.get("cpu_minutes_total", d.get("cpu_minutes"))
            cpu[f"{k}_threads"] = d.get("config", {}).get("threads") or "all"
    return {
        "hardware": "2 CPU cores, no GPU",
        "stage_wall_minutes": wall,
        "training_cpu_minutes": cpu,
        "training_cpu_hours": cpu_hours(cpu),
    }
