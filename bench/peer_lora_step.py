"""The peer for `./adapterops bench train --peer`: one LoRA training step in plain PyTorch eager.

The same work as the trainer's bench on the ~20M Llama (hidden 384, 8 layers, 6 query heads over
2 key/value heads, head_dim 64, intermediate 1024, vocab 8192, untied head): LoRA r16, alpha 32,
no dropout, on every linear layer; batch 4 x 256 positions (or --seq, of which --real hold tokens and
the rest right padding, counted as the trainer counts it: not at all); next-token cross-entropy over the
trained tokens; clip_grad_norm_(1.0); torch.optim.AdamW (lr 1e-4, betas 0.9/0.999, eps 1e-8,
weight decay 0) under a linear schedule without warm-up. Written the way Hugging Face
transformers' Llama and PEFT's LoRA layer compute it in eager mode (logits over every position,
loss with ignore_index), without depending on either package.

Also times a 1024^3 matmul (best of 20, before and after the run, by wall and by CPU time), so the caller can tell whether
this torch and the trainer's run matmuls at the same speed. Prints one JSON line.

Run with Debian's python3-torch: /usr/bin/python3 bench/peer_lora_step.py --threads 1
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

VOCAB, HIDDEN, INTER, LAYERS, HEADS, KV_HEADS, HEAD_DIM = 8192, 384, 1024, 8, 6, 2, 64
EPS, THETA = 1e-5, 500000.0
R, ALPHA = 16, 32


class LoraLinear(nn.Module):
    """PEFT's picture: base(x) + lora_B(lora_A(x)) * alpha / r; A Kaiming-uniform, B zero."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.base = nn.Linear(n_in, n_out, bias=False)
        self.base.weight.requires_grad_(False)
        self.lora_A = nn.Linear(n_in, R, bias=False)
        self.lora_B = nn.Linear(R, n_out, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = ALPHA / R

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


class RmsNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(HIDDEN), requires_grad=False)

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_layernorm = RmsNorm()
        self.q_proj = LoraLinear(HIDDEN, HEADS * HEAD_DIM)
        self.k_proj = LoraLinear(HIDDEN, KV_HEADS * HEAD_DIM)
        self.v_proj = LoraLinear(HIDDEN, KV_HEADS * HEAD_DIM)
        self.o_proj = LoraLinear(HEADS * HEAD_DIM, HIDDEN)
        self.post_attention_layernorm = RmsNorm()
        self.gate_proj = LoraLinear(HIDDEN, INTER)
        self.up_proj = LoraLinear(HIDDEN, INTER)
        self.down_proj = LoraLinear(INTER, HIDDEN)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, t, HEADS, HEAD_DIM).transpose(1, 2)
        k = self.k_proj(h).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
        v = self.v_proj(h).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = HEADS // KV_HEADS
        k = k[:, :, None].expand(b, KV_HEADS, groups, t, HEAD_DIM).reshape(b, HEADS, t, HEAD_DIM)
        v = v[:, :, None].expand(b, KV_HEADS, groups, t, HEAD_DIM).reshape(b, HEADS, t, HEAD_DIM)
        att = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(HEAD_DIM) + mask
        att = F.softmax(att, dim=-1, dtype=torch.float32)
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, HEADS * HEAD_DIM)
        x = x + self.o_proj(y)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed_tokens = nn.Embedding(VOCAB, HIDDEN)
        self.embed_tokens.weight.requires_grad_(False)
        self.layers = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = RmsNorm()
        self.lm_head = nn.Linear(HIDDEN, VOCAB, bias=False)
        self.lm_head.weight.requires_grad_(False)
        self.inv_freq = 1.0 / (THETA ** (torch.arange(0, HEAD_DIM, 2, dtype=torch.float32) / HEAD_DIM))

    def forward(self, ids):
        b, t = ids.shape
        # transformers recomputes the rotary tables and the causal mask in every forward
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.norm(x))  # (batch, seq, vocab): every position, as transformers does


def matmul_flops(n=1024):
    """Best of 20 timed n^3 matmuls as (FLOP/s wall, FLOP per CPU-second): the fastest is the ceiling."""
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    best = best_cpu = float("inf")
    for i in range(23):
        t0, c0 = time.perf_counter(), time.process_time()
        c = a @ b
        c[0, 0].item()
        if i >= 3:
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
    return 2.0 * n ** 3 / best, 2.0 * n ** 3 / best_cpu


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seq", type=int, default=256, help="positions per row, padding included")
    p.add_argument("--real", type=int, default=0, help="real tokens per row, the rest padding (0: all real)")
    p.add_argument("--trained", type=float, default=0.5, help="share of positions that carry a label")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    ceiling_before = matmul_flops()
    model = Llama()
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / a.steps))
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, VOCAB, (a.batch, a.seq), generator=g)
    labels = torch.where(torch.rand(a.batch, a.seq, generator=g) < a.trained, ids, torch.full_like(ids, -100))
    real = a.real or a.seq
    labels[:, real:] = -100  # right padding: computed (as the trainer's batches compute theirs), never a label
    tokens = timed = cpu = 0.0
    for step in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        logits = model(ids)
        shift_logits = logits[:, :-1].reshape(-1, VOCAB)
        shift_labels = labels[:, 1:].reshape(-1)
        loss = F.cross_entropy(shift_logits, shift_labels, ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        loss.item()
        if step >= a.warmup:
            timed += time.perf_counter() - t0
            cpu += time.process_time() - c0
            tokens += a.batch * real
    ceiling_after = matmul_flops()
    print(json.dumps({"torch": torch.__version__, "threads": a.threads, "tokens_per_s": tokens / timed,
                      "tokens_per_cpu_s": tokens / cpu, "matmul_flops": max(ceiling_before[0], ceiling_after[0]),
                      "matmul_flops_cpu": max(ceiling_before[1], ceiling_after[1]), "steps": a.steps,
                      "trainable": sum(q.numel() for q in params)}))


if __name__ == "__main__":
    main()
