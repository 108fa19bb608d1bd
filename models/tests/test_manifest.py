"""manifest.json's one writer (models/export/shipped.py) writes what the three old writers wrote, and
models/export imports without a circle.

    python3 -m pytest models/tests/test_manifest.py -q
"""
import ast
import json
import os

import pytest

from models.export.shipped import read_manifest, update_manifest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED = os.path.join(ROOT, "models", "wm-courtyard-v3")
EXPORT = os.path.join(ROOT, "models", "export")


def test_the_shipped_manifest_written_again_is_the_same_bytes(tmp_path):
    text = open(os.path.join(SHIPPED, "manifest.json")).read()
    update_manifest(str(tmp_path), fresh=True, **json.loads(text))
    assert open(tmp_path / "manifest.json").read() == text


def synthetic_export() -> dict:
    return {
        "format": "f",
        "id": "m",
        "files": {
            "student": {"path": "student.onnx", "inputs": [{"name": "a"}], "outputs": [{"name": "tokens"}, {"name": "frame"}]},
            "golden_json": {"path": "golden.json", "bytes": 1, "sha256": "old", "meaning": "parity"},
            "golden_bin": {"path": "golden.bin", "bytes": 2, "sha256": "old", "meaning": "parity"},
        },
        "compute": {"hardware": "h", "stage_wall_minutes": {"export": 1.0}},
        "metrics": {},
        "atlas": {"path": "atlas.bin", "note": "é"},
        "sources": {"student": "s"},
    }


def test_export_then_quantize_then_evaluate_write_what_the_three_old_writers_wrote(tmp_path):
    """The sequence the pipeline runs, through update_manifest, against the old code's own steps
    (json.dump(manifest, f, indent=2) after editing the loaded dict in place)."""
    int8 = {"path": "student_int8.onnx", "inputs": [{"name": "a"}], "outputs": [{"name": "tokens"}]}
    golden = {"golden_json": {"bytes": 10, "sha256": "new"}, "golden_bin": {"bytes": 20, "sha256": "new"}}
    compute = {"hardware": "h", "stage_wall_minutes": {"export": 1.0, "eval": 2.0}, "eval_wall_minutes": 2.0}
    metrics = {"eval": "eval.json", "targets": {"t": True}}

    old = synthetic_export()
    old["files"]["student_int8"] = int8
    for k, v in golden.items():
        old["files"][k].update(v)
    old["compute"], old["metrics"] = compute, metrics
    want = json.dumps(old, indent=2)

    d = str(tmp_path)
    update_manifest(d, fresh=True, **synthetic_export())  # export.py
    files = read_manifest(d)["files"]  # quantize.add_to_export
    files["student_int8"] = int8
    for k, v in golden.items():
        files[k].update(v)
    update_manifest(d, files=files)
    update_manifest(d, compute=compute, metrics=metrics)  # evaluate.py
    text = open(tmp_path / "manifest.json").read()
    assert text == want and not text.endswith("\n")
    assert list(json.loads(text)) == ["format", "id", "files", "compute", "metrics", "atlas", "sources"]
    assert list(json.loads(text)["files"])[-1] == "student_int8"


def test_a_new_part_goes_last_and_a_missing_manifest_is_an_error(tmp_path):
    d = str(tmp_path)
    with pytest.raises(FileNotFoundError):
        update_manifest(d, metrics={})
    assert read_manifest(d) is None
    update_manifest(d, fresh=True, a=1, b=2)
    assert list(update_manifest(d, c=3, a=4)) == ["a", "b", "c"]
    assert read_manifest(d) == {"a": 4, "b": 2, "c": 3}


def module_imports(path: str) -> tuple[set[str], list[str]]:
    """(models.export modules imported at the top of a file, imports made inside its functions)."""
    tree = ast.parse(open(path).read())
    top, local = set(), []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("models.export."):
            top.add(node.module.split(".")[2])
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    local += [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    local.append(node.module)
    return top, local


# Imported where they are used on purpose: matplotlib must pick its backend before pyplot loads,
# scipy is not among the modules npm test installs (.ci/setup), and v1's student stays off the
# export path (evaluate.py's optional --v1 row).
LAZY = {"matplotlib", "matplotlib.pyplot", "scipy", "models.world_model.v1_student"}


def test_models_export_imports_at_the_top_and_without_a_circle():
    graph = {}
    for f in sorted(os.listdir(EXPORT)):
        if f.endswith(".py"):
            top, local = module_imports(os.path.join(EXPORT, f))
            assert set(local) <= LAZY, f"{f} imports inside a function: {sorted(set(local) - LAZY)}"
            graph[f[:-3]] = top

    def visit(m, path):
        assert m not in path, f"import circle: {' -> '.join(path + [m])}"
        for n in graph.get(m, ()):
            visit(n, path + [m])

    for m in graph:
        visit(m, [])
    assert graph["shipped"] == set(), "shipped.py is what the others share: it imports none of them"
