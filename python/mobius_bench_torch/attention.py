"""diffusers' attention pieces with its parameter names: `Attention` (bias-free
to_q/to_k/to_v, to_out.0 with bias), the GEGLU `FeedForward` (ff.net.0.proj,
ff.net.2) and `BasicTransformerBlock` (norm1 attn1, norm2 attn2, norm3 ff, each
added back). Used by SA (Transformer2D) and TA (TransformerTemporal).

The attention product is F.scaled_dot_product_attention where torch has it
(diffusers' AttnProcessor2_0), else softmax(QK^T/sqrt(d))V written out
(diffusers' AttnProcessor); `set_attention_impl` picks one for a whole net."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .errors import UserError
from .layers import LayerNorm

def has_sdpa() -> bool:
    return hasattr(F, "scaled_dot_product_attention")


def resolve_attention(choice: str) -> str:
    """'auto' | 'sdpa' | 'explicit' (checked by the harness) -> the implementation that will run."""
    if choice == "auto":
        return "sdpa" if has_sdpa() else "explicit"
    if choice == "sdpa" and not has_sdpa():
        raise UserError(f"attention 'sdpa' needs F.scaled_dot_product_attention, which torch {torch.__version__} "
                        "lacks: use 'auto' or 'explicit', or torch >= 2.0")
    return choice


class Attention(nn.Module):
    def __init__(self, query_dim: int, heads: int, dim_head: int, cross_attention_dim: int | None = None, device=None):
        super().__init__()
        inner = heads * dim_head
        context_dim = cross_attention_dim or query_dim
        self.heads = heads
        self.dim_head = dim_head
        self.impl = "sdpa" if has_sdpa() else "explicit"
        self.to_q = nn.Linear(query_dim, inner, bias=False, device=device)
        self.to_k = nn.Linear(context_dim, inner, bias=False, device=device)
        self.to_v = nn.Linear(context_dim, inner, bias=False, device=device)
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim, device=device), nn.Dropout(0.0)])

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        """x: [N, Lq, query_dim]; context: [N, Lk, context_dim], x itself when None."""
        n = x.shape[0]
        q = self.to_q(x)
        if context is None:
            context = x
        k = self.to_k(context)
        v = self.to_v(context)
        heads, d = self.heads, self.dim_head
        q = q.view(n, -1, heads, d).transpose(1, 2)
        k = k.view(n, -1, heads, d).transpose(1, 2)
        v = v.view(n, -1, heads, d).transpose(1, 2)
        if self.impl == "sdpa":
            # torch >= 2.0 (has_sdpa); getattr: torch 1.13's types do not have it.
            out = getattr(F, "scaled_dot_product_attention")(q, k, v, dropout_p=0.0, is_causal=False)
        else:
            probs = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d)), dim=-1)
            out = torch.matmul(probs.to(v.dtype), v)
        out = out.transpose(1, 2).reshape(n, -1, heads * d).to(q.dtype)
        out = self.to_out[0](out)
        return self.to_out[1](out)


class GEGLU(nn.Module):
    def __init__(self, dim_in: int, dim_out: int, device=None):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out * 2, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden, gate = self.proj(x).chunk(2, dim=-1)
        return hidden * F.gelu(gate)  # exact GELU, as diffusers


class FeedForward(nn.Module):
    def __init__(self, dim: int, mult: int = 4, device=None):
        super().__init__()
        inner = dim * mult
        self.net = nn.ModuleList([GEGLU(dim, inner, device=device), nn.Dropout(0.0), nn.Linear(inner, dim, device=device)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for module in self.net:
            x = module(x)
        return x


class BasicTransformerBlock(nn.Module):
    """attn2 is cross-attention to `cross_attention_dim`-wide context, or with
    `double_self_attention` a second self-attention (the temporal transformers)."""

    def __init__(self, dim: int, heads: int, dim_head: int, cross_attention_dim: int | None = None,
                 double_self_attention: bool = False, device=None):
        super().__init__()
        self.norm1 = LayerNorm(dim, device=device)
        self.attn1 = Attention(dim, heads, dim_head, device=device)
        self.norm2 = LayerNorm(dim, device=device)
        self.attn2 = Attention(dim, heads, dim_head, None if double_self_attention else cross_attention_dim, device=device)
        self.norm3 = LayerNorm(dim, device=device)
        self.ff = FeedForward(dim, device=device)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


def set_attention_impl(module: nn.Module, impl: str) -> None:
    """Every Attention under `module` uses `impl` ('sdpa' | 'explicit', resolved)."""
    for m in module.modules():
        if isinstance(m, Attention):
            m.impl = impl
