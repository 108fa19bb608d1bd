"""A tiny end-to-end run of the pipeline (minutes, tiny data) to catch breakage.

    python3 -m pytest models/tests/test_pipeline_smoke.py -q
"""
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_smoke_pipeline_runs_caches_and_learns(tmp_path):
    runs = str(tmp_path / "runs")
    cmd = [sys.executable, "-m", "models.pipeline", "--smoke", "--runs", runs]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    done = json.load(open(os.path.join(runs, "tokenizer", "done.json")))
    assert done["finished"] and done["step"] == 60
    log = [json.loads(line) for line in open(os.path.join(runs, "tokenizer", "log.jsonl"))]
    assert [row["step"] for row in log] == [30, 60]
    # Even 60 tiny steps beat an untrained decoder's output by a wide margin.
    assert done["val_psnr"] > 12
    stages = json.load(open(os.path.join(runs, "stages.json")))
    assert set(stages) == {
        "data",
        "tokenizer",
        "tokens",
        "decoder",
        "student",
        "teacher",
        "distill",
        "control",
        "atlas",
        "v3",
        "teacher_v3",
        "control_v3",
        "distill_v3",
        "distill_v3_control",
        "noise_sampler",
        "seq_sampler",
        "export",
        "eval",
    }
    teacher = json.load(open(os.path.join(runs, "memory_teacher", "done.json")))
    assert teacher["finished"] and 0 <= teacher["forced_acc"] <= 1 and teacher["greedy_psnr_vs_tok"] > 5
    decoder = json.load(open(os.path.join(runs, "lite_decoder_2", "done.json")))
    assert decoder["finished"] and decoder["config"]["init"].endswith(os.path.join("lite_decoder", "lite_decoder.pt"))
    tokens_meta = json.load(open(os.path.join(runs, "tokens", "meta.json")))
    assert tokens_meta["vocab_size"] == 1000 and tokens_meta["grid"] == [8, 8]
    assert tokens_meta["splits"]["train"]["frames"] == 512 and tokens_meta["splits"]["revisit"]["frames"] == 128
    student = json.load(open(os.path.join(runs, "memory_student", "done.json")))
    assert student["finished"] and 0 <= student["val_acc"] <= 1 and 0 <= student["copy_last_acc"] <= 1
    assert student["val_psnr_vs_tok"] > 5 and student["config"]["model"]["warp"]
    for name, kd in (("student_kd", 0.5), ("student_gt", 0.0)):  # the same fine-tune, with and without the teacher
        ft = json.load(open(os.path.join(runs, name, "done.json")))
        assert ft["finished"] and ft["config"]["kd_weight"] == kd and ft["config"]["init"].endswith("student.pt")
    v3 = json.load(open(os.path.join(runs, "student_v3", "done.json")))
    assert v3["finished"] and v3["config"]["model"]["copy"] and v3["config"]["model"]["source"] and v3["config"]["atlas"]
    v3_gt = json.load(open(os.path.join(runs, "student_v3_gt", "done.json")))  # the same fine-tune from the GT-only student
    assert v3_gt["finished"] and v3_gt["config"]["init"].endswith(os.path.join("student_gt", "student.pt"))
    same = lambda c: {k: v for k, v in c.items() if k not in ("init", "out")}  # noqa: E731
    assert same(v3_gt["config"]) == same(v3["config"])
    kd3, ft3 = (json.load(open(os.path.join(runs, r, "done.json"))) for r in ("student_v3_kd", "student_v3_ft"))
    assert kd3["config"]["kd_weight"] == 0.5 and kd3["config"]["teacher"].endswith(os.path.join("teacher_v3", "teacher.pt"))
    assert ft3["config"]["kd_weight"] == 0.0 and same(kd3["config"] | {"teacher": "", "kd_weight": 0.0}) == same(ft3["config"])
    t3 = json.load(open(os.path.join(runs, "teacher_v3", "done.json")))
    assert t3["finished"] and t3["config"]["model"]["student"]["copy"] and t3["config"]["atlas"]
    assert t3["config"]["head_init"].endswith(os.path.join("memory_teacher", "teacher.pt"))
    # Export: a manifest whose files exist with their sha256, and ONNX that agrees with PyTorch.
    model = os.path.join(runs, "wm-smoke")
    manifest = json.load(open(os.path.join(model, "manifest.json")))
    assert manifest["tokens"] == {**manifest["tokens"], "grid": [8, 8], "vocab_size": 1000, "fsq_levels": [8, 5, 5, 5]}
    atlas = manifest["atlas"]
    assert atlas["frames"] > 0 and atlas["bytes"] == atlas["frames"] * (64 * 3 // 2 + 20)
    assert hashlib.sha256(open(os.path.join(model, atlas["path"]), "rb").read()).hexdigest() == atlas["sha256"]
    assert "mem_source" in [t["name"] for t in manifest["files"]["student"]["inputs"]]
    # the noise sampler trained on this (tiny) student, not reused from the full-size committed one, and shipped inside
    ns, seq = (json.load(open(os.path.join(runs, r, "done.json"))) for r in ("noise_sampler", "seq_sampler"))
    assert ns["finished"] and "reused" not in ns and ns["config"]["model"]["trunk_d"] == student["config"]["model"]["d"]
    assert 0 < ns["val_same_tokens"] <= 1 and not seq["config"]["model"]["noise"]
    assert manifest["files"]["student"]["inputs"][-1]["name"] == "shared_noise" and "noise_sampler" in manifest["student"]
    for f in manifest["files"].values():
        assert hashlib.sha256(open(os.path.join(model, f["path"]), "rb").read()).hexdigest() == f["sha256"]
    parity = subprocess.run(
        ["npx", "tsx", "models/export/parity.ts", "--model", model], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert parity.returncode == 0, parity.stdout[-3000:] + parity.stderr[-2000:]
    assert json.loads(parity.stdout)["ok"]
    # Eval: every model and baseline scored at every horizon from 1 and 4 frames, loop closure, timings.
    ev = json.load(open(os.path.join(model, "eval.json")))
    for start in ("start_1", "start_4"):
        assert set(ev["dream"][start]) == {
            "tokenizer ceiling",
            "copy last frame",
            "copy nearest atlas frame",
            "student (v3, copy + atlas)",
            "student (v3, atlas off)",
            "student (v3, copy path off)",
            "student (v2, distilled)",
            "teacher (v3, copy + atlas, token by token)",
            "student (v3, fine-tuned from the ground-truth-only v2)",
            "student (v3 + fine-tune on the v3 teacher's distributions)",
            "student (v3 + the same fine-tune on ground truth)",
        }
        assert all(set(row) == {"h1", "h2", "h16"} for row in ev["dream"][start].values())
        assert all(0 < row["h16"]["sharpness"] < 100 for row in ev["dream"][start].values())
        lc = ev["loop_closure"][start]["student (v3, copy + atlas)"]
        assert lc["steps_to_return"] == 64 - int(start[-1]) and {"copy_start_frame", "copy_nearest_seen_frame"} <= set(lc)
    assert ev["tours"]["steps"] == 63 and {"start frame again", "student (v3, copy + atlas)"} <= set(ev["tours"])
    assert "long tour at least 4 dB over showing the start frame again" in ev["targets"]
    assert ev["ms_per_frame_onnxruntime_node"]["teacher"]["runs_per_frame"] == 1 + 64  # teacher_prev, then 64 tokens
    for png in ("contact_sheet.png", "loop_closure.png", "curves.png"):
        assert os.path.getsize(os.path.join(model, png)) > 1000
    text = open(os.path.join(model, "manifest.json")).read()
    assert json.loads(text)["metrics"]["targets"] == ev["targets"]
    # export, quantize and eval each handed their parts to shipped.update_manifest: the shipped layout
    shipped = json.load(open(os.path.join(ROOT, "models", "wm-courtyard-v3", "manifest.json")))
    assert text == json.dumps(json.loads(text), indent=2)
    assert list(json.loads(text)) == list(shipped) and list(json.loads(text)["files"]) == list(shipped["files"])
    # A second run finds every stage cached and finishes fast without retraining.
    r2 = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r2.returncode == 0
    assert "already complete" in r2.stderr
    assert json.load(open(os.path.join(runs, "tokenizer", "done.json"))) == done


def test_unknown_stage_is_a_clear_error(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "models.pipeline", "--stages", "tokeniser", "--runs", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "unknown stage" in r.stderr
