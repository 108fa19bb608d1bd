"""
What token-by-token decoding could add to the student: two probes on the frozen memory student's
features (training examples as the trainers draw them, without corruption), each a small head
trained on 85% of them and scored on the rest, against the student's own digit NLL there.

- prefix: the teacher's causal head (memory_teacher.py) reading the true tokens before each
  position (what the teacher sees when decoding), 300 steps x 32 frames;
- digits: each token's digits predicted one after another (sub-token prediction), an MLP on the
  features plus the true earlier digits, 600 steps x 4096 tokens.

    python3 -m models.world_model.probe_teacher --tokens models/runs/tokens --student models/checkpoints/memory_student.pt \
        --out models/reports/teacher-probe.json
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from models.world_model.losses import digit_nll
from models.world_model.memory_data import MemorySplit
from models.world_model.memory_teacher import MemoryTeacher, MemoryTeacherConfig
from models.world_model.memory_student import MemoryStudentConfig


class DigitHead(nn.Module):
    """Digit i of a token from the student's features and the true digits before it."""

    def __init__(self, d: int, nd: int, L: int):
        super().__init__()
        self.nd, self.L = nd, L
        self.norm = nn.LayerNorm(d)
        self.net = nn.Sequential(nn.Linear(d + nd * L, 256), nn.GELU(), nn.Linear(256, nd * L))
        nn.init.zeros_(self.net[2].weight)
        nn.init.zeros_(self.net[2].bias)

    def forward(self, h, onehot, base):  # h [M, d], onehot [M, nd, L], base logits [M, nd, L]
        out = []
        for i in range(self.nd):
            prev = onehot.clone()
            prev[:, i:] = 0
            delta = self.net(torch.cat([self.norm(h), prev.flatten(1)], 1)).view(-1, self.nd, self.L)[:, i]
            out.append(base[:, i] + delta)
        return torch.stack(out, 1)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", default="models/runs/tokens")
    ap.add_argument("--student", default="models/checkpoints/memory_student.pt")
    ap.add_argument("--out", default="models/reports/teacher-probe.json")
    ap.add_argument("--frames", type=int, default=768)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    for p in (a.student, os.path.join(a.tokens, "meta.json")):
        if not os.path.exists(p):
            ap.error(f"{p} does not exist")
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    ck = torch.load(a.student, map_location="cpu")
    t = MemoryTeacher(MemoryTeacherConfig(MemoryStudentConfig(**ck["config"]), 2, 4))
    t.trunk.load_state_dict(ck["model"])
    t.eval()
    for p in t.trunk.parameters():
        p.requires_grad = False
    tr = MemorySplit(a.tokens, "train")
    ts = rng.choice(tr.targets, a.frames)
    hs = [tr.history(rng, int(x)) for x in ts]
    H, T = [], []
    with torch.no_grad():
        for i in range(0, a.frames, 64):
            b = tr.build(ts[i : i + 64], hs[i : i + 64], "cpu")
            H.append(t.features(*b.inputs()))
            T.append(b.target)
    H, T = torch.cat(H), torch.cat(T)
    base = t.trunk.logits(H).detach()
    dg = t.digits.digits(T)
    cut = int(0.85 * a.frames)
    test = slice(cut, None)
    student = digit_nll(base[test], dg[test]).item()
    report = {
        "what": "held-out digit NLL of the frozen memory student, and of heads given what token-by-token decoding adds",
        "student": a.student,
        "frames": a.frames,
        "student_digit_nll": round(student, 4),
    }

    # prefix: the teacher's own causal head, trunk frozen
    opt = torch.optim.Adam([p for n, p in t.named_parameters() if not n.startswith("trunk.")], lr=1e-3)
    curve = []
    for step in range(301):
        idx = rng.choice(cut, 32)
        loss = digit_nll(t.decode_all(H[idx], T[idx]), dg[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                curve.append(
                    {"step": step, "test_digit_nll": round(digit_nll(t.decode_all(H[test], T[test]), dg[test]).item(), 4)}
                )
            print("prefix", curve[-1], flush=True)
    report["prefix_head"] = {"curve": curve, "best": min(c["test_digit_nll"] for c in curve)}

    # digits: one after another within a token
    nd, L = base.shape[-2:]
    Hf, Bf, Df = H.flatten(0, 1), base.flatten(0, 1), dg.flatten(0, 1)
    oh = F.one_hot(Df, L).float()
    n_tok = H.shape[1]
    head = DigitHead(H.shape[-1], nd, L)
    opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    tr_tok, te_tok = np.arange(cut * n_tok), np.arange(cut * n_tok, len(Hf))
    curve = []
    for step in range(601):
        idx = rng.choice(tr_tok, 4096)
        loss = F.cross_entropy(head(Hf[idx], oh[idx], Bf[idx]).reshape(-1, L), Df[idx].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0:
            with torch.no_grad():
                lg = head(Hf[te_tok], oh[te_tok], Bf[te_tok])
                curve.append(
                    {"step": step, "test_digit_nll": round(F.cross_entropy(lg.reshape(-1, L), Df[te_tok].reshape(-1)).item(), 4)}
                )
            print("digits", curve[-1], flush=True)
    report["digit_head"] = {"curve": curve, "best": min(c["test_digit_nll"] for c in curve)}
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(report, f, indent=2)
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
