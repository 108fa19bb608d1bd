"""
What manifest.json says about the exported model, for export.py: its format, description and
limitations (the words the app's model card shows), the frame, token and action conventions, the
student's and the teacher's run loops and configs, the training data and the compute
(`build_manifest`), and the atlas's entry (`atlas_entry`, which also copies atlas.bin into the
model folder). The graphs' own entries (inputs, outputs, ops) are written by export.py beside the
graphs; shipped.py's `update_manifest` writes the file.

A library, not a script.
"""
from __future__ import annotations

import json
import os
import shutil

from models.common import read_contract
from models.export.shipped import ATLAS_RUN, compute_summary
from models.world_model import geometry, memory
from models.world_model.memory_student import LEVEL_PRED, MemoryStudent
from models.world_model.memory_teacher import MemoryTeacher
from models.world_model.prepare import file_sha256 as sha256

FORMAT = "world-model-playground manifest v2"


def atlas_entry(runs: str, out: str, world_seed: int) -> dict:
    """Copies the atlas into the model folder; -> its manifest entry."""
    rec = json.load(open(os.path.join(runs, ATLAS_RUN, "atlas.json")))
    dst = os.path.join(out, "atlas.bin")
    shutil.copyfile(os.path.join(runs, ATLAS_RUN, "atlas.bin"), dst)
    return {
        "path": "atlas.bin",
        "bytes": os.path.getsize(dst),
        "sha256": sha256(dst),
        "frames": rec["frames"],
        "grid": rec["grid"],
        "token_bits": 12,
        "world_seed": world_seed,
        "retrieval": memory.ATLAS,
        "format": "little-endian: frames x grid[0]*grid[1] token ids packed at 12 bits (two ids a, b in three bytes: "
        "a & 255, (a >> 8) | ((b & 15) << 4), b >> 4), then float32 poses [frames, 5] (x, y, z, yaw, pitch)",
        "chosen": f"{rec['frames']} of the train split's {rec['from_frames']} frames: one per occupied {rec['cell_m']:g} m x "
        f"{rec['cell_m']:g} m floor cell x {rec['headings']} heading sectors, the one nearest level pitch and the "
        "cell's centre (models/world_model/atlas.py)",
        "meaning": "long-term memory of the learned world: retrieval draws candidates from it beside the session's frames "
        "(student.memory + atlas.retrieval; the slots say which are atlas frames through mem_source)",
    }


# What the shipped model cannot do, in words the app's model card shows (numbers: metrics / eval.json).
LIMITATIONS = [
    "It knows one world: trained on world seed 0 only. In any other world it still imagines this courtyard.",
    "It cannot hold the world for long on its own: in dream mode (no look at the truth) the picture blurs within about a second, and the error keeps compounding.",
    "Back at a place it has seen, it copies what it remembers where the re-projection lands exactly, but objects seen from elsewhere are re-imagined and blur.",
    "It sees 128 x 128 pixels through 16 x 16 codes: detail smaller than an 8 x 8 pixel patch is lost even with perfect prediction (the tokenizer ceiling).",
    "Only the camera moves: the world is static, so it has learned nothing about things that move by themselves.",
    "Its uncertainty is a loose guide to its error: it is most confident when standing still, even when what it shows is wrong.",
    "The token-by-token teacher is not better than the one-pass student here, greedily; distilling its per-token distributions gained nothing reliable over training on the truth alone (distilling its samples into the noise sampler did: its samples look more like real frames).",
    "Its atlas is world 0's: with the atlas on in another world it recalls world 0's courtyard, not the one in front of it.",
    "A sample is one possible future, not the likeliest: its first frames are about 1.3 dB further from the truth than greedy's, and the noise sampler knows only what a token's four earlier neighbours drew, so its frames are close to the teacher's samples but not the same (89.5% of the tokens for the same noise).",
]


def teacher_section(teacher: MemoryTeacher) -> dict:
    """The manifest's teacher part: its graphs, cache, config and the loop that drives it."""
    tc = teacher.cfg
    return {
        "files": ["teacher_prev", "teacher_step"],
        "kind": "memory",
        "tokens_per_frame": tc.n,
        "kv_shape": teacher.kv_shape,
        "config": {
            "head_layers": tc.head_layers,
            "head_heads": tc.head_heads,
            "trunk": "the student's network (same config)",
        },
        "params": sum(p.numel() for p in teacher.parameters()),
        "sampling_defaults": {"temperature": 0.0, "top_k": 0, "seed": 0},
        "loop": "per predicted frame: slots = retrieve(memory poses, target pose) as for the student; features"
        + (", copy_ids, copyable" if tc.student.copy else "")
        + " = teacher_prev(the student's memory inputs: "
        + ("the six and mem_source" if tc.student.source else "the first six")
        + "); past_kv = zeros; for p = 0..n-1 run teacher_step on features[p], the token picked at p-1 (0 for "
        "p = 0), position p and past_kv (then present_kv)"
        + (" and column p of copy_ids and copyable" if tc.student.copy else "")
        + ", pick token p from its logits (temperature, top-k over ids); remember the frame as the student's",
        "copy_path": tc.student.copy,
    }


def build_manifest(
    model_id: str, files: dict, tok, student: MemoryStudent, teacher: MemoryTeacher, runs: str, data: str, opset: int
) -> dict:
    """The manifest's content but the atlas and the sources (export adds those): `files` are the
    graphs' and the golden files' entries, `opset` the graphs' ONNX opset."""
    sc = student.cfg
    contract = read_contract()
    data_meta = {
        s: json.load(open(os.path.join(data, s, "meta.json")))
        for s in ("train", "val", "test", "revisit")
        if os.path.exists(os.path.join(data, s, "meta.json"))
    }
    return {
        "format": FORMAT,
        "id": model_id,
        "description": "A next-token world model of the seeded courtyard world: FSQ tokenizer (128x128 RGB <-> 16x16 "
        "tokens), a one-pass student that remembers every frame with its camera pose, re-projects the "
        "frames that see the new view into it and copies a remembered token exactly where its gate trusts it "
        "(world model v3), with an atlas of training frames as long-term memory of the world it learned, "
        "and a token-by-token teacher with a KV cache that sees the same memory. Everything runs in "
        "onnxruntime (web: WebGPU or WASM).",
        "limitations": LIMITATIONS,
        "world": {
            "seed": data_meta["train"]["settings"]["world_seed"],
            "note": "trained on this world seed only: in another world it still imagines this one's courtyard",
        },
        "opset": opset,
        "files": files,
        "frame": {
            "height": tok.cfg.res,
            "width": tok.cfg.res,
            "channels": 3,
            "layout": "NHWC, RGB, top row first",
            "range": [0, 255],
        },
        "tokens": {
            "grid": [sc.grid, sc.grid],
            "order": "raster (row-major, top-left first)",
            "vocab_size": sc.vocab_size,
            "fsq_levels": sc.levels,
            "dtype": "int32",
            "digits": "token id = sum_i digit_i * prod(levels[:i]); digit i is FSQ channel i's level (0..levels[i]-1)",
        },
        "action": {
            "contract_version": contract["version"],
            "keys": contract["action"]["keys"],
            "units": contract["action"]["units"],
            "max": contract["action"]["max"],
            "normalization": "model input = clip(action / max, -1, 1)",
            "semantics": contract["action"]["semantics"],
            "step_rate_hz": contract["step_rate_hz"],
        },
        "student": {
            "file": "student",
            "kind": "memory",
            "slots": sc.slots,
            "runs_per_frame": 1,
            "level_pred": LEVEL_PRED,
            "config": {**{k: getattr(sc, k) for k in ("d", "layers", "heads", "conv_kernel", "warp", "retrieval")}},
            "params": sum(p.numel() for p in student.parameters()),
            "sampling_defaults": {"temperature": 0.0, "top_k": max(sc.levels), "seed": 0},
            "memory": {
                **memory.RULE,
                "rule": sc.retrieval,
                "capacity": memory.RULE["max_candidates"] + 1,
                "spec": "models/world_model/memory.py (retrieve); mirrored in src/engine/memory.ts; golden vectors in "
                "models/world_model/geometry_golden.json",
            },
            "geometry": geometry.SPEC,
            "loop": "memory = every frame so far with its camera pose and level (encoded ground truth at level 0 after an "
            "anchor, the model's own predictions at level_pred); per frame: slots = retrieve(memory poses, target "
            "pose); run the student once on those slots, the target pose and the action into it; remember the "
            "output tokens with the target pose; tokens -> decoder",
        },
        "teacher": teacher_section(teacher),
        "training_data": {
            "source": "synthetic: rendered by this project's own three.js world (src/sim) in headless Chromium by "
            "models/data/generate.ts; no external data",
            "world_seed": data_meta["train"]["settings"]["world_seed"],
            "splits": {
                s: {
                    "frames": m["counts"]["frames"],
                    "episodes": m["counts"]["episodes"],
                    "trajectory_seed": m["settings"]["seed"],
                }
                for s, m in data_meta.items()
            },
            "test_split": "its own trajectory seed: start poses and trajectories never seen in training",
            "revisit_split": "scripted loops (a 375-degree turn, or out and back to 1 m past the start), trajectory seed 3",
        },
        "compute": compute_summary(runs),
        "metrics": {},
    }


def sampler_section(sampler) -> dict:
    """The manifest's student.noise_sampler: what student.onnx's shared_noise input switches on."""
    return {
        "noise_sampler": {
            "hidden": sampler.cfg.hidden,
            "params": sum(p.numel() for p in sampler.parameters()),
            "teacher_temperature": sampler.cfg.temperature,
            "input": "shared_noise",
            "meaning": "with temperature > 0 and shared_noise 1 the frame is drawn twice in the one run with the same "
            "uniform noise: the trunk's own draw, then each token again from the trunk's distribution corrected by what "
            "that draw put at its left, upper, upper-left and upper-right neighbours (a small MLP trained on the "
            "token-by-token teacher's samples, models/world_model/noise_sampler.py), so neighbouring tokens agree on "
            "one future; a seed reproduces the frame; temperature and top_k apply to both draws (trained at the "
            "teacher's temperature, all levels)",
        }
    }
