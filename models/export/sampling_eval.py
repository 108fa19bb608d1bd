"""
Sharp imagination, measured: greedy (the average of the futures) against samples, in dream mode.

    python3 -m models.export.sampling_eval --model models/wm-courtyard-v3 --runs models/runs --data data --seeds 3
    python3 -m models.export.sampling_eval ... --keep --sampler "noise sampler=models/checkpoints/noise_sampler.pt" \
        --sampler "sequence-level sampler=models/checkpoints/seq_sampler.pt" \
        --also-student "ground-truth-only lineage=models/checkpoints/student_v3_gt.pt"

On the test split's windows (evaluate.py's, dream from 1 frame, true poses and actions, atlas on),
each decoding rule dreams the same windows:
- student greedy: one pass, the most likely digit of every token (the shipped default);
- student sampled, one pass: every token's digits drawn independently (temperature 1): speckle;
- student + refiner, masked decoding in `passes` runs (refine.py): MaskGIT-style samples;
- the teacher (token by token; the shipped v3 teacher by default), greedy and sampled (--teacher-seeds, slow);
- --sampler NAME=PATH: a trained noise_sampler.py on the student's trunk, one run a frame (the noise
  sampler's frame, or its sequence-level control's);
- --also-student NAME=PATH: another student's greedy and one-pass sampled rows (the ground-truth-only lineage).
--keep reads the rows of an earlier sampling.json on the same windows instead of dreaming them again
(the teacher's take most of the time); it refuses if the student's greedy row, dreamed again, differs.
Sampled rows run --seeds seeds each (numpy/torch seeds 0..); a seed reproduces its frames.

Per horizon: PSNR, SSIM and the sharpness ratio (gradient energy of the prediction over the
truth's); per horizon band (h1-4, h5-16, h17-32, h33-64, h65-128): a Fréchet distance between
tokenizer-encoder features of the predicted and the true frames of that band, and the
total-variation distance between their code-usage histograms. The features: per frame, the mean
and the standard deviation over the 16 x 16 grid of each of the encoder's last hidden channels
(160), projected onto the 32 principal axes of the true test frames' features. The mean says
what is in the picture, the standard deviation how much texture and edge it carries (a blur has
less), so the distance rewards a frame that looks like a real frame of that place, not the one
with the least squared error. Its limits: 24 windows give 96-1,536 frames a band, so it is
compared between rows of equal size only (each seed on its own, then averaged); the encoder was
trained to reconstruct, not to judge; and it does not check that a sample is the right place.

Writes <out>/sampling.json, sampling.md and sampling_sheet.png (truth, greedy and three seeds).
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch
from PIL import Image

from models.common import psnr, ssim
from models.data.contact_sheet import contact_sheet
from models.data.dataset import load
from models.export.dream import rollout_memory
from models.export.eval_report import sampling_tables as tables
from models.export.eval_report import write_markdown as eval_markdown
from models.export.scoring import Windows, decode, pick_windows, sharpness
from models.export.shipped import shipped_tokenizer, training_atlas
from models.world_model.memory_teacher import load_memory_teacher
from models.world_model.noise_sampler import load_noise_sampler, noise_decode
from models.world_model.refine import masked_decode
from models.world_model.layers import sample_digits
from models.world_model.train_memory_student import load_memory_student
from models.world_model.train_refiner import load_refiner

HORIZONS = [1, 4, 16, 32, 64, 128]
BANDS = [(1, 4), (5, 16), (17, 32), (33, 64), (65, 128)]


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/wm-courtyard-v3", help="the shipped model folder (its atlas)")
    ap.add_argument("--student", default="models/checkpoints/student_v3.pt")
    ap.add_argument("--refiner", default="", help="a trained refiner.pt (train_refiner.py): adds the masked-decoding rows")
    ap.add_argument("--teacher", default="models/checkpoints/teacher_v3.pt", help="'' to skip the teacher rows")
    ap.add_argument("--runs", default="models/runs")
    ap.add_argument("--data", default="data")
    ap.add_argument("--out", default="", help="default: --model")
    ap.add_argument("--windows", type=int, default=24)
    ap.add_argument("--horizon", type=int, default=128)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--teacher-seeds", type=int, default=1)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--also-temperatures", type=float, nargs="*", default=[0.7], help="more one-pass sampled rows")
    ap.add_argument("--passes", type=int, default=0, help="masked decoding runs (default: the refiner's)")
    ap.add_argument("--sampler", action="append", default=[], help="NAME=PATH of a noise_sampler.py checkpoint (repeatable)")
    ap.add_argument("--also-student", action="append", default=[], help="NAME=PATH of another student (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the rows of <out>/sampling.json; dream only the new ones")
    ap.add_argument("--decision", default="", help="what was decided from these rows, in words (kept by --keep unless given)")
    a = ap.parse_args(argv)
    for k in ("sampler", "also_student"):
        pairs = []
        for item in getattr(a, k):
            name, _, path = item.partition("=")
            if not name or not os.path.exists(path):
                ap.error(f"--{k.replace('_', '-')} {item!r}: want NAME=PATH of an existing file")
            pairs.append((name, path))
        setattr(a, k, pairs)
    for k in ("student", "refiner"):
        if getattr(a, k) and not os.path.exists(getattr(a, k)):
            ap.error(f"--{k} {getattr(a, k)}: no such file")
    if a.teacher and not os.path.exists(a.teacher):
        ap.error(f"--teacher {a.teacher}: no such file ('' skips the teacher)")
    if not 1 <= a.horizon <= 255 or a.windows < 2 or a.seeds < 1:
        ap.error("--horizon in 1..255, --windows >= 2, --seeds >= 1")
    return a


class Features:
    """Tokenizer-encoder features of frames (see the docstring), projected on the truth's principal axes."""

    def __init__(self, tok, truth_frames: np.ndarray, dims: int = 32):
        self.tok = tok
        f = self.raw(truth_frames)
        self.mu = f.mean(0)
        _, _, vt = np.linalg.svd(f - self.mu, full_matrices=False)
        self.axes = vt[:dims].T

    @torch.no_grad()
    def raw(self, frames: np.ndarray) -> np.ndarray:
        flat = frames.reshape(-1, *frames.shape[-3:])
        out = []
        enc = self.tok.encoder
        for i in range(0, len(flat), 64):
            x = torch.from_numpy(flat[i : i + 64]).float().permute(0, 3, 1, 2) / 127.5 - 1
            b = x.shape[0]
            h = x.reshape(b, 3, 32, 4, 32, 4).permute(0, 1, 3, 5, 2, 4).reshape(b, 48, 32, 32)  # the stem's space-to-depth
            h = enc.lo(enc.down(enc.hi(enc.stem(h)))).flatten(2)
            out.append(torch.cat([h.mean(-1), h.std(-1)], -1).numpy())
        return np.concatenate(out).astype(np.float64)

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        return (self.raw(frames) - self.mu) @ self.axes


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature rows a [N, k] and b [M, k]."""
    from scipy import linalg

    ma, mb = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    s = linalg.sqrtm(ca @ cb).real
    return float(((ma - mb) ** 2).sum() + np.trace(ca + cb - 2 * s))


def code_tv(pred: torch.Tensor, truth: torch.Tensor, vocab: int) -> float:
    """Total-variation distance between the code-usage histograms of two sets of token grids."""
    hp = torch.bincount(pred.flatten().long(), minlength=vocab).double()
    ht = torch.bincount(truth.flatten().long(), minlength=vocab).double()
    return float(0.5 * (hp / hp.sum() - ht / ht.sum()).abs().sum())


def check_stem(tok) -> None:
    """Features.raw writes the encoder's input reshaping out; fail loudly if it differs from the encoder."""
    x = torch.rand(1, 3, 128, 128) * 2 - 1
    enc = tok.encoder
    h = x.reshape(1, 3, 32, 4, 32, 4).permute(0, 1, 3, 5, 2, 4).reshape(1, 48, 32, 32)
    mine = enc.out(enc.lo(enc.down(enc.hi(enc.stem(h)))))
    if not torch.allclose(mine, enc(x), atol=1e-4):
        raise RuntimeError("sampling_eval's copy of the encoder's space-to-depth does not match models/tokenizer")


def run(a: argparse.Namespace) -> dict:
    torch.set_grad_enabled(False)
    out_dir = a.out or a.model
    tok = shipped_tokenizer(a.runs)
    check_stem(tok)
    student = load_memory_student(a.student)
    refiner = load_refiner(a.refiner, student) if a.refiner else None
    passes = a.passes or (refiner.cfg.passes if refiner else 0)
    atlas = training_atlas(a.model)
    ds = load(os.path.join(a.data, "test"))
    H = a.horizon
    starts = pick_windows(ds, H + 1, a.windows, seed=0)
    w = Windows(ds, tok, starts, H + 1)
    truth = w.frames[:, 1:]
    feats = Features(tok, truth)
    truth_f = feats(truth).reshape(len(starts), H, -1)
    start = w.tokens[:, :1]
    temp, top_k = torch.tensor([a.temperature]), torch.tensor([8], dtype=torch.int32)
    nd, L = student.pad.shape
    n = student.cfg.grid**2

    def uniforms(gen, N, k):
        return torch.rand(N, k, n, nd, L, generator=gen)

    def one_pass(seed, t=temp, net=None):
        gen = torch.Generator().manual_seed(seed)
        net = net or student

        def dec(inputs, h):
            logits = net(*inputs.model_args())
            return net.digits.compose(sample_digits(logits, t, top_k, uniforms(gen, len(logits), 1)[:, 0]).long())

        return dec

    def with_sampler(sampler, seed):
        gen = torch.Generator().manual_seed(seed)

        def dec(inputs, h):
            N = inputs.mem_tokens.shape[0]
            return student.digits.compose(noise_decode(student, sampler, inputs.model_args(), uniforms(gen, N, 1)[:, 0]).long())

        return dec

    def masked(seed, t=temp):
        gen = torch.Generator().manual_seed(seed)

        def dec(inputs, h):
            N = inputs.mem_tokens.shape[0]
            digits, _ = masked_decode(student, refiner, inputs.model_args(), t, top_k, uniforms(gen, N, passes), passes)
            return student.digits.compose(digits.long())

        return dec

    rows: dict[str, list] = {"student greedy (1 run)": [(None, None)]}
    rows["student sampled, 1 run"] = [(s, one_pass(s)) for s in range(a.seeds)]
    for t in a.also_temperatures:
        rows[f"student sampled, 1 run, temperature {t:g}"] = [(s, one_pass(s, torch.tensor([t]))) for s in range(a.seeds)]
    if refiner is not None:
        rows[f"student masked greedy ({passes} runs)"] = [(None, masked(0, torch.tensor([0.0])))]
        rows[f"student masked sampled ({passes} runs)"] = [(s, masked(s)) for s in range(a.seeds)]
    models = {}  # row name -> the network rollout_memory drives (default: the student)
    for name, path in a.sampler:
        sampler = load_noise_sampler(path, student)
        rows[f"student + {name} (1 run)"] = [(s, with_sampler(sampler, s)) for s in range(a.seeds)]
    for name, path in a.also_student:
        other = load_memory_student(path)
        rows[f"student {name} greedy (1 run)"] = [(None, None)]
        rows[f"student {name} sampled, 1 run"] = [(s, one_pass(s, net=other)) for s in range(a.seeds)]
        models[f"student {name} greedy (1 run)"] = models[f"student {name} sampled, 1 run"] = other
    teacher = load_memory_teacher(a.teacher) if a.teacher and not a.keep else None
    if teacher is not None:

        def teacher_dec(seed):
            gen = torch.Generator().manual_seed(seed)

            def pick(logits):  # digit logits [B, D, L] -> digits
                u = torch.rand(logits.shape, generator=gen)
                return sample_digits(logits, temp, top_k, u).long()

            def dec(inputs, h):  # a v3 teacher reads mem_source and copies, as dream.py drives it
                feats, copy = teacher.memory_view(*inputs.model_args())
                return teacher.generate(feats, pick, copy)

            return dec

        rows["teacher greedy (257 runs)"] = [(None, None)]
        rows["teacher sampled (257 runs)"] = [(s, teacher_dec(s)) for s in range(a.teacher_seeds)]

    result = {
        "windows": len(starts),
        "horizon": H,
        "passes": passes,
        "temperature": a.temperature,
        "features": "encoder lo-block channel mean+std, 32 PCA axes of the truth",
        "rows": {},
    }
    sheet_preds = {}
    kept, kept_sheets = {}, {}
    if a.keep:
        kept = json.load(open(os.path.join(out_dir, "sampling.json")))
        kept_sheets = kept.get("sheets", {"sampling_sheet.png": "student sampled, 1 run"})
        result["decision"] = kept.get("decision", "")
        if (kept["windows"], kept["horizon"]) != (len(starts), H):
            raise SystemExit(f"--keep: {out_dir}/sampling.json has {kept['windows']} windows to h{kept['horizon']}, not these")
        kept = kept["rows"]
        rows = {k: v for k, v in rows.items() if k not in kept or k == "student greedy (1 run)"}
    for name, runs in rows.items():
        per_seed = []
        t0 = time.time()
        for seed, dec in runs:
            m = teacher if name.startswith("teacher") else models.get(name, student)
            if seed is not None:
                torch.manual_seed(seed)
            pred_tok = rollout_memory(m, start, w.poses, w.actions, H, atlas=atlas, decode=dec)
            pred = decode(tok, pred_tok)
            pf = feats(pred).reshape(len(starts), H, -1)
            r = {}
            for h in HORIZONS:
                if h <= H:
                    p, t = pred[:, h - 1], truth[:, h - 1]
                    r[f"h{h}"] = {"psnr": psnr(p, t), "ssim": ssim(p, t), "sharpness": sharpness(p, t)}
            for lo, hi in BANDS:
                if hi <= H:
                    r[f"fd h{lo}-{hi}"] = frechet(
                        pf[:, lo - 1 : hi].reshape(-1, pf.shape[-1]), truth_f[:, lo - 1 : hi].reshape(-1, pf.shape[-1])
                    )
                    r[f"codes h{lo}-{hi}"] = code_tv(
                        pred_tok[:, lo - 1 : hi], w.tokens[:, 1 + lo - 1 : 1 + hi], student.cfg.vocab_size
                    )
            per_seed.append(r)
            if len(sheet_preds.get(name, [])) < 3:
                sheet_preds.setdefault(name, []).append(pred)
        mean = {
            k: (
                np.mean([r[k] for r in per_seed])
                if not isinstance(per_seed[0][k], dict)
                else {q: round(float(np.mean([r[k][q] for r in per_seed])), 3) for q in per_seed[0][k]}
            )
            for k in per_seed[0]
        }
        mean = {k: (round(float(v), 3) if not isinstance(v, dict) else v) for k, v in mean.items()}
        result["rows"][name] = {"seeds": len(runs), "minutes": round((time.time() - t0) / 60, 2), **mean}
        print(name, json.dumps(result["rows"][name])[:400], flush=True)
        if name in kept and name == "student greedy (1 run)":
            was, now = kept[name]["h16"]["psnr"], result["rows"][name]["h16"]["psnr"]
            if abs(was - now) > 0.01:
                raise SystemExit(
                    f"--keep: the student's greedy h16 is {now} dB now, {was} in sampling.json: not the same windows"
                )
    new = result["rows"]
    result["rows"] = {**{k: new.get(k, v) for k, v in kept.items()}, **{k: v for k, v in new.items() if k not in kept}}
    os.makedirs(out_dir, exist_ok=True)
    result["decision"] = a.decision or result.get("decision", "")
    result["sheets"] = dict(kept_sheets)
    for sheet, row in sheets(sheet_preds, passes):
        write_sheet(truth, sheet_preds["student greedy (1 run)"][0], sheet_preds[row], os.path.join(out_dir, sheet))
        result["sheets"][sheet] = row
    json.dump(result, open(os.path.join(out_dir, "sampling.json"), "w"), indent=1)
    write_markdown(result, os.path.join(out_dir, "sampling.md"))
    return result


def sheets(preds: dict, passes: int) -> list[tuple[str, str]]:
    """(file, row) of each contact sheet to write: the one-pass student's samples (sampling_sheet.png,
    or masked decoding's where it ran) and each noise sampler's (sampling_sheet_<its name>.png)."""
    out = []
    for row in (f"student masked sampled ({passes} runs)", "student sampled, 1 run"):
        if row in preds:
            out.append(("sampling_sheet.png", row))
            break
    for r in preds:
        if r.startswith("student + ") and "masked" not in r:
            slug = "-".join("".join(c if c.isalnum() else " " for c in r[len("student + ") :].split(" (")[0]).split())
            out.append((f"sampling_sheet_{slug.lower()}.png", r))
    return out


def write_sheet(truth, greedy, sampled: list, path: str) -> None:
    """Window 0 (and 5) at each horizon: the truth, greedy, then each seed of a sampled row."""
    hs = [h for h in HORIZONS if h <= truth.shape[1]]
    rows = []
    for wi in (0, min(5, len(truth) - 1)):
        rows.append([truth[wi, h - 1] for h in hs])
        rows.append([greedy[wi, h - 1] for h in hs])
        rows += [[p[wi, h - 1] for h in hs] for p in sampled]
    # rows per window: truth, greedy, then each seed; columns: the horizons
    Image.fromarray(contact_sheet([f for r in rows for f in r], len(hs))).save(path)


def write_markdown(r: dict, path: str) -> None:
    """sampling.md; and eval.md beside it, where there is an eval.json, again with these tables in it."""
    open(path, "w").write(
        "\n".join(["# Sharp imagination: greedy against samples (sampling_eval.py)", ""] + tables(r, "##")) + "\n"
    )
    ev = os.path.join(os.path.dirname(path), "eval.json")
    if os.path.exists(ev):
        eval_markdown(json.load(open(ev)), os.path.join(os.path.dirname(path), "eval.md"))


def main(argv=None):
    run(parse_args(argv))


if __name__ == "__main__":
    main()
