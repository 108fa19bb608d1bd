"""
The evaluation's result in words and a figure, for evaluate.py: eval.md (the tables of eval.json,
the targets met and missed, the contact sheets' captions) and curves.png (dream PSNR by horizon
from 1 and 4 frames, and the shipped student's training curve).

A library, not a script.
"""
from __future__ import annotations

import json
import os


def plot(curves: dict, train_logs: dict, path: str, main: str) -> None:
    """curves.png: each start's PSNR-by-horizon curves (`main`, the shipped model's row, drawn bold)
    and the training logs' validation PSNR against CPU-minutes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(17, 4.5))
    for i, (start, cur) in enumerate(curves.items()):
        for name, ys in cur.items():
            ax[i].plot(
                list(ys),
                list(ys.values()),
                marker=".",
                label=name,
                lw=2 if name == main else 1.2,
                ls="--" if name in ("copy last frame", "tokenizer ceiling") else "-",
            )
        ax[i].set(
            xlabel="frames dreamed",
            ylabel="PSNR dB vs rendered truth",
            xscale="log",
            title=f"Test split, dream from {start.split('_')[1]} frame(s)",
        )
        ax[i].grid(alpha=0.3)
        ax[i].legend(fontsize=8)
    for name, rows in train_logs.items():
        rows = [r for r in rows if "val_psnr_vs_tok" in r]
        if rows:
            ax[2].plot([r["cpu_minutes"] for r in rows], [r["val_psnr_vs_tok"] for r in rows], marker="o", label=name)
            ax[2].plot(
                [r["cpu_minutes"] for r in rows],
                [r["copy_psnr_vs_tok"] for r in rows],
                ls="--",
                color="gray",
                label="copy newest slot",
            )
    ax[2].set(
        xlabel="training CPU-minutes",
        ylabel="val PSNR dB, 1 step (vs tokenizer recon.)",
        title="Training: dB against CPU-minutes",
    )
    ax[2].grid(alpha=0.3)
    ax[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_markdown(r: dict, path: str) -> None:
    """eval.md from eval.json's content `r`."""
    hs = [f"h{h}" for h in r["settings"]["horizons"]]
    s = r["settings"]
    lines = [
        f"# {r['model']}: evaluation",
        "",
        f"Dream mode: after a start of 1 or 4 encoded ground-truth frames every model feeds on its own predictions, "
        f"given the true camera poses and actions. {s['windows']} windows from {s['episodes']} test episodes (trajectory seed "
        f"{s['test_trajectory_seed']}, never trained on). {r['decoding']}. Each cell: PSNR (dB) / SSIM / sharpness against the "
        "rendered frames (sharpness = image-gradient energy of the prediction over the truth's: 1 is as sharp, below 1 blurred).",
        "",
        f"Tokenizer on {r['tokenizer']['frames']} test frames: **{r['tokenizer']['psnr']} dB**, SSIM {r['tokenizer']['ssim']}.",
        "",
    ]
    if r.get("atlas"):
        lines += [
            f"The v3 rows retrieve from the model's atlas ({r['atlas']['frames']} training frames) unless marked otherwise; "
            '"copy path off" runs the same weights with the gate forced to "generate" (an ablation at inference, not a '
            "separately trained model).",
            "",
        ]
    for start, table in r["dream"].items():
        lines += [
            f"## Dream from {start.split('_')[1]} ground-truth frame(s)",
            "",
            "| model | " + " | ".join(hs) + " |",
            "|---|" + "---|" * len(hs),
        ]
        for name, row in table.items():
            lines.append(
                f"| {name} | "
                + " | ".join(
                    f"{row[h]['psnr']:.2f} / {row[h]['ssim']:.3f} / {row[h]['sharpness']:.2f}" if h in row else "" for h in hs
                )
                + " |"
            )
        lines.append("")
    t = r.get("tours") or {}
    if t:
        lines += [
            f"## Long tours ({t['episodes']} whole test episodes, {t['steps']} steps each, dreamed from the first frame)",
            "",
            "| model | mean PSNR over the steps | PSNR at the last step | mean sharpness |",
            "|---|---|---|---|",
        ]
        for name, x in t.items():
            if isinstance(x, dict):
                lines.append(f"| {name} | {x['mean_psnr']:.2f} | {x['last_psnr']:.2f} | {x['mean_sharpness']:.2f} |")
        lines.append("")
    if r["loop_closure"]:
        lines += [
            "## Loop closure (revisit split: turns of 375 degrees, walks ~6.5 m out and back to 1 m past the start)",
            "",
            "| start | model | loops | returned frame | copy start frame | copy nearest seen frame | own h1 | steps |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for start, rows in r["loop_closure"].items():
            for name, x in rows.items():
                for kind, y in [("all", x)] + [(k, x[k]) for k in ("turn", "walk") if k in x]:
                    lines.append(
                        f"| {start.split('_')[1]} | {name} | {kind} ({y['loops']}) | {y['returned_frame']['psnr']:.2f} | "
                        f"{y['copy_start_frame']['psnr']:.2f} | {y['copy_nearest_seen_frame']['psnr']:.2f} | "
                        f"{y['own_h1']['psnr']:.2f} | {x['steps_to_return']} |"
                    )
        lines += [
            "",
            "![loop closure](loop_closure.png)",
            "",
            "Loop closures, one row each: start frame, true returned frame, v3's returned frame after dreaming the whole loop, "
            "v2's, copy of the nearest seen frame.",
            "",
        ]
    if r["ablations"]:
        lines += [
            "## Ablations (equal steps; dream from 1 frame, test split)",
            "",
            "| run | warp | retrieval | max level | self-forcing | " "steps | CPU-min | h1 | h16 | h64 |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, x in r["ablations"].items():
            c = x["config"]
            lines.append(
                f"| {name} | {c['warp']} | {c['retrieval']} | {c['max_level']} | {c['self_forcing']} | {c['steps']} | "
                f"{x['cpu_minutes']} | {x['h1']} | {x['h16']} | {x['h64']} |"
            )
        lines.append("")
    b = r["ms_per_frame_onnxruntime_node"]
    if b:
        lines += [
            "Milliseconds per frame in onnxruntime-node on this CPU: "
            + ", ".join(f"{k} {v['ms_per_frame']:.1f}" for k, v in b.items() if isinstance(v, dict) and "ms_per_frame" in v)
            + ".",
            "",
        ]
    lines += ["Targets:", ""] + [f"- {'met' if ok else 'MISSED'}: {k}" for k, ok in r["targets"].items()]
    lines += [
        "",
        "![contact sheet](contact_sheet.png)",
        "",
        "Contact sheet of a 128-step dream from 1 frame: columns are the horizons "
        + ", ".join(hs)
        + "; rows: truth (tokenizer reconstruction), v3 student, v2 student, copy of the nearest atlas frame and copy-last for "
        "window 0, then truth, v3 and v2 for window 1.",
        "",
        "![curves](curves.png)",
        "",
    ]
    samples = os.path.join(os.path.dirname(path), "sampling.json")
    if os.path.exists(samples):  # sampling_eval.py's measures of greedy against samples
        lines += ["## Sharp imagination: greedy against samples (sampling.json, models/export/sampling_eval.py)", ""]
        lines += sampling_tables(json.load(open(samples)), "###")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def sampling_tables(r: dict, h: str) -> list[str]:
    """sampling.json's content as markdown lines, headings at level h."""
    rows = r["rows"]
    hs = [k[1:] for k in next(iter(rows.values())) if k[0] == "h" and k[1:].isdigit()]
    bands = [k for k in next(iter(rows.values())) if k.startswith("fd ")]
    lines = [
        f"{r['windows']} test windows, dream from 1 frame, atlas on, temperature {r['temperature']} for sampled rows "
        f"(each seed on its own, then the mean)." + (f" Masked decoding: {r['passes']} runs a frame." if r["passes"] else ""),
        "",
        f"{h} PSNR (dB) / sharpness ratio by horizon",
        "",
        "| row | seeds | " + " | ".join(f"h{h}" for h in hs) + " |",
        "|---|---|" + "---|" * len(hs),
    ]
    for name, v in rows.items():
        lines.append(
            f"| {name} | {v['seeds']} | "
            + " | ".join(f"{v[f'h{h}']['psnr']:.2f} / {v[f'h{h}']['sharpness']:.2f}" for h in hs)
            + " |"
        )
    lines += ["", f"{h} Fréchet feature distance (lower = more like real frames) / code-usage TV distance", ""]
    lines += ["| row | " + " | ".join(b[3:] for b in bands) + " |", "|---|" + "---|" * len(bands)]
    for name, v in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{v[b]:.1f} / {v['codes ' + b[3:]]:.2f}" for b in bands) + " |")
    for sheet, row in r["sheets"].items():
        lines += [
            "",
            f"{sheet}: window 0 then window 5; per window the truth, greedy, then {row}'s seeds; columns h1 to h128.",
            "",
        ]
        lines += [f"![greedy vs {row}]({sheet})"]
    if r.get("decision"):
        lines += ["", f"**Decision.** {r['decision']}"]
    return lines + [""]
