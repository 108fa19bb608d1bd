"""Losses and the weight-decay rule shared by the world-model trainers."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def digit_nll(logits: torch.Tensor, digits: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """logits [B, n, D, L], digits int [B, n, D] -> cross-entropy per digit."""
    return F.cross_entropy(logits.flatten(0, 2), digits.flatten(), reduction=reduction)


def soft_nll(logits: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against soft per-digit targets probs [B, n, D, L] (KL up to a constant)."""
    return -(probs * logits.log_softmax(-1)).sum(-1).mean()


def no_decay(name: str, p: torch.Tensor) -> bool:
    """Biases, norms and position tables are not decayed."""
    return p.dim() < 2 or "pos" in name or "age" in name or "bos" in name


def adamw(params: list, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over named parameters [(name, p)], weight decay on all but no_decay's."""
    return torch.optim.AdamW(
        [
            {"params": [p for n, p in params if not no_decay(n, p)], "weight_decay": weight_decay},
            {"params": [p for n, p in params if no_decay(n, p)], "weight_decay": 0.0},
        ],
        lr=lr,
        betas=(0.9, 0.98),
    )
