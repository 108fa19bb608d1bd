"""A tiny end-to-end run of the pipeline (minutes, tiny data) to catch breakage.

    python3 -m pytest models/tests/test_pipeline_smoke.py -q
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_smoke_pipeline_runs_caches_and_learns(tmp_path):
    runs = str(tmp_path / "runs")
    cmd = [sys.executable, "models/pipeline.py", "--smoke", "--runs", runs]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    done = json.load(open(os.path.join(runs, "tokenizer", "done.json")))
    assert done["finished"] and done["step"] == 60
    log = [json.loads(line) for line in open(os.path.join(runs, "tokenizer", "log.jsonl"))]
    assert [row["step"] for row in log] == [30, 60]
    # Even 60 tiny steps beat an untrained decoder's output by a wide margin.
    assert done["val_psnr"] > 12
    stages = json.load(open(os.path.join(runs, "stages.json")))
    assert set(stages) == {"data", "tokenizer", "tokens", "student_gt", "teacher"}
    teacher = json.load(open(os.path.join(runs, "teacher", "done.json")))
    assert teacher["finished"] and 0 <= teacher["val_acc_forced"] <= 1
    tokens_meta = json.load(open(os.path.join(runs, "tokens", "meta.json")))
    assert tokens_meta["vocab_size"] == 1000 and tokens_meta["grid"] == [8, 8]
    assert tokens_meta["splits"]["train"]["frames"] == 512
    student = json.load(open(os.path.join(runs, "student_gt", "done.json")))
    assert student["finished"] and 0 <= student["val_acc"] <= 1 and 0 <= student["copy_last_acc"] <= 1
    # A second run finds every stage cached and finishes fast without retraining.
    r2 = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r2.returncode == 0
    assert "already complete" in r2.stderr
    assert json.load(open(os.path.join(runs, "tokenizer", "done.json"))) == done


def test_unknown_stage_is_a_clear_error(tmp_path):
    r = subprocess.run([sys.executable, "models/pipeline.py", "--stages", "tokeniser", "--runs", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "unknown stage" in r.stderr
