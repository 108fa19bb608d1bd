"""
Contact sheet of a dataset: a grid of frames spread over the whole split, for a look at the world.

    python3 -m models.data.contact_sheet data/train --out sheet.png --rows 4 --cols 8
"""
import argparse

import numpy as np

from models.data.dataset import load


def contact_sheet(frames: list[np.ndarray], cols: int, pad: int = 2) -> np.ndarray:
    h, w, _ = frames[0].shape
    rows = (len(frames) + cols - 1) // cols
    sheet = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, 3), 24, np.uint8)
    for i, f in enumerate(frames):
        r, c = divmod(i, cols)
        sheet[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = f
    return sheet


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=4)
    ap.add_argument("--cols", type=int, default=8)
    args = ap.parse_args(argv)
    if args.rows < 1 or args.cols < 1:
        ap.error("--rows and --cols must be positive")
    from PIL import Image

    d = load(args.dataset)
    n = args.rows * args.cols
    idx = np.linspace(0, len(d) - 1, n).round().astype(int)
    Image.fromarray(contact_sheet([np.asarray(d.frame(int(i))) for i in idx], args.cols)).save(args.out)
    print(f"wrote {args.out}: {n} frames of {len(d)}")


if __name__ == "__main__":
    main()
