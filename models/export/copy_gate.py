"""
Adds the copy gate output to a v3 model folder exported before graphs.py had it: each student graph
(student.onnx, student_int8.onnx) gets `copy_gate` [1, g*g, 1 + M], an Identity of the gate's own
Softmax (the tensor the copy mixture already computes, so every other output stays bit-identical),
the manifest describes it, and golden.bin gains its PyTorch values on the parity inputs.

    python3 -m models.export.copy_gate --model models/wm-courtyard-v3 [--student models/checkpoints/student_v3.pt]

A fresh `models.export.export` writes the same output from graphs.py (MemoryStudentGraph); this
spares a re-export, which would also drop the folder's evaluation (eval.py's ~50 CPU-minutes).
"""
from __future__ import annotations

import argparse
import os

import onnx
import torch
from onnx import helper, shape_inference

from models.export.graphs import MemoryStudentGraph
from models.export.quantize import fake_quant
from models.export.rollout import first_step_outputs
from models.export.shipped import Golden, read_golden, read_manifest, tensor, update_manifest
from models.world_model.prepare import file_sha256
from models.world_model.train_memory_student import load_memory_student

NAME = "copy_gate"
MEANING = (
    "each token's copy gate: the share of generating, then of copying each slot's nearest re-projected token "
    "(0 where the slot does not see the token)"
)


def gate_softmax(model: onnx.ModelProto, n: int, m: int) -> str:
    """The name of the gate's Softmax inside the copy mixture: the one Softmax that is neither an
    attention's ([1, heads, n, n]) nor the digits' ([1, n, D, L]). Shape inference cannot always
    size it (its shape comes through a Reshape), so it is found by elimination; parity.ts then
    checks its values against PyTorch's gate."""
    inferred = shape_inference.infer_shapes(model)
    shapes = {
        v.name: [d.dim_value if d.HasField("dim_value") else None for d in v.type.tensor_type.shape.dim]
        for v in list(inferred.graph.value_info) + list(inferred.graph.output)
    }

    def other(name: str) -> bool:
        s = shapes.get(name, [])
        return not (len(s) == 4 and s[2:] == [n, n]) and not (len(s) == 4 and s[2] is not None and s[2] != n)

    found = [x.output[0] for x in model.graph.node if x.op_type == "Softmax" and other(x.output[0])]
    if len(found) != 1:
        raise ValueError(f"expected one gate Softmax (of [1, {n}, {1 + m}]), found {found}")
    return found[0]


def add_output(path: str, n: int, m: int, gate: str | None = None) -> str:
    """student(.int8).onnx with copy_gate as an output after logits (before the fused decoder's):
    an Identity of the tensor `gate` (found in this graph when not given). -> the gate's name."""
    model = onnx.load(path)
    g = model.graph
    gate = gate or gate_softmax(model, n, m)
    if not any(x.op_type == "Softmax" and x.output[0] == gate for x in g.node):
        raise ValueError(f"{path} has no Softmax output {gate}")
    if any(o.name == NAME for o in g.output):
        return gate
    g.node.append(helper.make_node("Identity", [gate], [NAME], name="copy_gate_out"))
    outs = list(g.output)
    at = [o.name for o in outs].index("logits") + 1
    out = helper.make_tensor_value_info(NAME, onnx.TensorProto.FLOAT, [1, n, 1 + m])
    del g.output[:]
    g.output.extend(outs[:at] + [out] + outs[at:])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return gate


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="the model folder (manifest.json, student.onnx, golden.bin)")
    ap.add_argument("--student", default=os.path.join("models", "checkpoints", "student_v3.pt"))
    a = ap.parse_args(argv)
    manifest = read_manifest(a.model)
    if manifest is None:
        ap.error(f"{a.model} has no manifest.json")
    student = load_memory_student(a.student)
    if file_sha256(a.student) != manifest["sources"]["student"]:
        ap.error(f"{a.student} is not the student this folder was exported from (sources.student)")
    if not student.cfg.copy:
        ap.error("this student has no copy path")
    sc = student.cfg
    n, m = sc.grid * sc.grid, sc.slots
    files = manifest["files"]
    gate = None
    # the float graph's gate by elimination; the int8 graph (quantize.py keeps the other nodes'
    # names) by the same name, since shape inference cannot see through its com.microsoft ops
    for key in ("student", "student_int8"):
        path = os.path.join(a.model, files[key]["path"])
        gate = add_output(path, n, m, gate)
        outs = [t for t in files[key]["outputs"] if t["name"] != NAME]
        at = [t["name"] for t in outs].index("logits") + 1
        files[key]["outputs"] = outs[:at] + [tensor(NAME, "float32", [1, n, 1 + m], MEANING)] + outs[at:]
        files[key].update(bytes=os.path.getsize(path), sha256=file_sha256(path))

    index, gold = read_golden(a.model)
    out = Golden()
    for k, arr in gold.items():
        if not k.endswith("copy_gate0"):
            out.add(k, arr)
    T = torch.from_numpy
    args = (T(gold["encoded"][:1].copy()), gold["poses"].copy(), T(gold["actions"].copy()), max(sc.levels))
    uniform = T(gold["student_uniforms"][:1].copy())
    with torch.no_grad():
        out.add("student_copy_gate0", first_step_outputs(MemoryStudentGraph(student), *args, uniform)[2][0])
        out.add("student_int8_copy_gate0", first_step_outputs(MemoryStudentGraph(fake_quant(student)), *args, uniform)[2][0])
    out.write(a.model, {k: v for k, v in index.items() if k != "tensors"})
    for name in ("golden.json", "golden.bin"):
        p = os.path.join(a.model, name)
        files[name.replace(".", "_")].update(bytes=os.path.getsize(p), sha256=file_sha256(p))
    update_manifest(a.model, files=files)
    print(f"[copy_gate] {a.model}: {NAME} [1, {n}, {1 + m}] added to student.onnx and student_int8.onnx; goldens written")


if __name__ == "__main__":
    main()
