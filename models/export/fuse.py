"""
One run per frame on WebGPU: the decoder joins the student graph, so a frame is one session run
and one readback. student.onnx then also outputs `frame` (the decoded prediction) and
`frame_tokens` (the frame's floats, then the token ids as floats: exact below 2^24), one tensor
so that onnxruntime-web reads it back from the GPU once. Fetching only `tokens` (and `logits`)
runs the student alone: onnxruntime executes what the fetched outputs need (measured below).

    python3 -m models.export.fuse --model models/wm-courtyard-v3

rewrites <model>/student.onnx in place (a student that already holds the decoder is refused) and
is run by export.py right after the export; quantize.py strips the decoder again for WASM, where
a second worker decodes.
"""
from __future__ import annotations

import argparse
import os

import numpy as np
import onnx
from onnx import compose, helper, numpy_helper

PREFIX = "fused_decoder/"
OUTPUTS = ("frame", "frame_tokens")


def is_fused(model: onnx.ModelProto) -> bool:
    return any(o.name == "frame_tokens" for o in model.graph.output)


def fuse(student: onnx.ModelProto, decoder: onnx.ModelProto) -> onnx.ModelProto:
    """student (tokens, logits) + decoder (tokens -> frame) -> one graph with tokens, logits, frame, frame_tokens."""
    if is_fused(student):
        raise ValueError("the student already holds the decoder")
    d = compose.add_prefix(decoder, PREFIX)
    g = student.graph
    feed = PREFIX + "tokens"
    for n in d.graph.node:
        n.input[:] = ["tokens" if i == feed else i for i in n.input]
        if n.output[0] == PREFIX + "frame":
            n.output[0] = "frame"
    g.node.extend(d.graph.node)
    g.initializer.extend(d.graph.initializer)
    frame_out = next(o for o in decoder.graph.output if o.name == "frame")
    n_frame = int(np.prod([x.dim_value for x in frame_out.type.tensor_type.shape.dim]))
    tok_out = next(o for o in g.output if o.name == "tokens")
    n_tok = int(np.prod([x.dim_value for x in tok_out.type.tensor_type.shape.dim]))
    p = PREFIX + "pack/"
    g.initializer.extend([numpy_helper.from_array(np.array([1, -1], np.int64), p + "flat")])
    g.node.extend(
        [
            helper.make_node("Reshape", ["frame", p + "flat"], [p + "frame_flat"], name=p + "ReshapeFrame"),
            helper.make_node("Cast", ["tokens"], [p + "tokens_float"], name=p + "CastTokens", to=onnx.TensorProto.FLOAT),
            helper.make_node("Reshape", [p + "tokens_float", p + "flat"], [p + "tokens_flat"], name=p + "ReshapeTokens"),
            helper.make_node("Concat", [p + "frame_flat", p + "tokens_flat"], ["frame_tokens"], name=p + "Concat", axis=1),
        ]
    )
    g.output.extend([frame_out, helper.make_tensor_value_info("frame_tokens", onnx.TensorProto.FLOAT, [1, n_frame + n_tok])])
    onnx.checker.check_model(student)
    return student


def strip(model: onnx.ModelProto) -> onnx.ModelProto:
    """The student alone again (what fuse added, removed), in place."""
    g = model.graph
    kept = [n for n in g.node if not n.name.startswith(PREFIX) and "frame" not in n.output and "frame_tokens" not in n.output]
    del g.node[:]
    g.node.extend(kept)
    outs = [o for o in g.output if o.name not in OUTPUTS]
    del g.output[:]
    g.output.extend(outs)
    used = {i for n in g.node for i in n.input}
    inits = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(inits)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="an exported model folder (student.onnx and decoder.onnx)")
    a = ap.parse_args(argv)
    sp, dp = (os.path.join(a.model, f) for f in ("student.onnx", "decoder.onnx"))
    for p in (sp, dp):
        if not os.path.exists(p):
            ap.error(f"{p} does not exist: run python3 -m models.export.export first")
    student = onnx.load(sp)
    if is_fused(student):
        ap.error(f"{sp} already holds the decoder")
    onnx.save(fuse(student, onnx.load(dp)), sp)
    print(f"[fuse] {sp}: student + decoder, outputs {[o.name for o in onnx.load(sp).graph.output]}")


if __name__ == "__main__":
    main()
