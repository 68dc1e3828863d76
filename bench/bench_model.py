"""Pause model vs the plain HF model of the same config: training step time, training peak memory, generation speed.

~6.9M-parameter Llama (hidden 256, 6 layers, vocab 4096), fp32, CPU, AdamW on every parameter. Training: batch 16 ×
seq 256; the pause model's batch has ~10% pause tokens and its loss is the trainer's (LM cross-entropy on non-pause
targets + the pause head's one-hot BCE, `pause_nb.train.pause_sft_loss`, LM logits only at those targets, as the trainer
computes them: `lm_target_mask`); the plain model's is its own `labels` loss.
Generation: batch 32, 16-token prompts, 64 greedy tokens with the KV cache, through `generate`.
Timings are interleaved (plain, pause, pause, plain, ...) in one process; ratios are medians of per-pair ratios.
Peak memory: the peak of live CPU tensor bytes during one step (torch profiler), including weights, grads and
optimizer state. Threads: $BENCH_THREADS (default 1; the box is shared).
BENCH_TINYLLAMA=1: the same on a TinyLlama-1.1B-shaped model, bf16, on a GPU (CUDA peak memory, MFU).
"""
import os, statistics, time
import torch
from torch.profiler import profile, ProfilerActivity
import transformers
from transformers import LlamaConfig, LlamaForCausalLM
from pause_nb.model import PauseConfig, PauseModelForCausalLM

transformers.utils.logging.disable_progress_bar()
torch.set_num_threads(int(os.environ.get("BENCH_THREADS", 1)))
REPEATS = int(os.environ.get("BENCH_REPEATS", 7))
# BENCH_TINYLLAMA=1: the same benchmark on a TinyLlama-1.1B-shaped model, bf16, on the GPU (with MFU)
BIG = os.environ.get("BENCH_TINYLLAMA") == "1"
DEV = "cuda" if BIG else "cpu"
V, H, L, B, T = (32000, 2048, 22, 16, 256) if BIG else (4096, 256, 6, 16, 256)
SHAPE = dict(intermediate_size=5632, num_attention_heads=32, num_key_value_heads=4) if BIG else \
        dict(intermediate_size=704, num_attention_heads=4, num_key_value_heads=4)

def models():
    cfg = LlamaConfig(vocab_size=V, hidden_size=H, num_hidden_layers=L, max_position_embeddings=2048, tie_word_embeddings=False,
                      bos_token_id=1, eos_token_id=2, pad_token_id=0, **SHAPE)
    dt = torch.bfloat16 if BIG else torch.float32
    torch.manual_seed(0); plain = LlamaForCausalLM(cfg).to(DEV, dt)
    torch.manual_seed(0); base = LlamaForCausalLM(cfg).to(DEV, dt)
    pause = PauseModelForCausalLM(PauseConfig(base.config, pause_token_id=V), lm=base).to(DEV, dt)
    for m in (plain, pause): m.generation_config.eos_token_id = None; m.generation_config.pad_token_id = 0
    return plain, pause

def batches():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, V, (B, T), generator=g)
    labels = ids.clone(); labels[:, :T // 4] = -100                       # prompt quarter: no loss
    pids = torch.where(torch.rand(B, T, generator=g) < 0.1, V, ids)       # ~10% pauses
    plabels = pids.clone(); plabels[:, :T // 4] = -100
    mv = lambda d: {k: v.to(DEV) for k, v in d.items()}
    return mv(dict(input_ids=ids, labels=labels)), mv(dict(input_ids=pids, labels=plabels))

def step_fns(plain, pause, pb, qb):
    from pause_nb.train import pause_sft_loss, lm_target_mask
    opt_p = torch.optim.AdamW(plain.parameters(), lr=1e-4)
    opt_q = torch.optim.AdamW(pause.parameters(), lr=1e-4)
    def plain_step():
        loss = plain(**pb).loss; loss.backward(); opt_p.step(); opt_p.zero_grad(set_to_none=True)
    def pause_step():
        # what PauseSFTTrainer.compute_loss does (the output is dropped before backward, as in the trainer)
        out = pause(input_ids=qb["input_ids"], lm_logits_only=True, lm_logits_at=lm_target_mask(qb["labels"], pause.pause_token_id))
        loss = pause_sft_loss(out, qb["labels"], pause.pause_token_id).loss
        loss.backward(); opt_q.step(); opt_q.zero_grad(set_to_none=True)
    return plain_step, pause_step, opt_p, opt_q

def peak_bytes(fn, model, opt):
    "Weights + optimizer state, plus the peak of CPU tensor bytes allocated and not yet freed while `fn` runs (torch profiler)."
    if DEV == "cuda":
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); fn(); torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated()
    persistent = sum(p.numel() * p.element_size() for p in model.parameters())
    persistent += sum(t.numel() * t.element_size() for st in opt.state.values() for t in st.values() if torch.is_tensor(t))
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof: fn()
    evs = sorted((e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"), key=lambda e: e.start_ns())
    cur = peak = 0
    for e in evs:
        cur += e.nbytes(); peak = max(peak, cur)
    return persistent + peak

def timed(fn):
    if DEV == "cuda": torch.cuda.synchronize()
    t0 = time.perf_counter(); fn()
    if DEV == "cuda": torch.cuda.synchronize()
    return time.perf_counter() - t0

def main():
    plain, pause = models()
    pb, qb = batches()
    plain_step, pause_step, opt_p, opt_q = step_fns(plain, pause, pb, qb)
    for f in (plain_step, pause_step): f(); f()                            # warm-up, optimizer state allocated
    tp, tq = [], []
    for r in range(REPEATS):
        pair = (plain_step, pause_step) if r % 2 == 0 else (pause_step, plain_step)
        a, b = timed(pair[0]), timed(pair[1])
        tp.append(a if r % 2 == 0 else b); tq.append(b if r % 2 == 0 else a)
    mem_p, mem_q = peak_bytes(plain_step, plain, opt_p), peak_bytes(pause_step, pause, opt_q)
    # generation
    g = torch.Generator().manual_seed(1)
    prompt = torch.randint(3, V, (32, 16), generator=g); mask = torch.ones_like(prompt); mask[:8, :4] = 0; prompt[:8, :4] = 0   # left-padded rows
    prompt, mask = prompt.to(DEV), mask.to(DEV)
    gen = dict(attention_mask=mask, max_new_tokens=64, min_new_tokens=64, do_sample=False, pad_token_id=0)
    plain.eval(); pause.eval()
    with torch.no_grad():
        for m in (plain, pause): m.generate(prompt, **{**gen, "max_new_tokens": 4, "min_new_tokens": 4})
        gp, gq = [], []
        for r in range(max(3, REPEATS // 2)):
            order = (plain, pause) if r % 2 == 0 else (pause, plain)
            t = {id(m): timed(lambda: m.generate(prompt, **gen)) for m in order}
            gp.append(32 * 64 / t[id(plain)]); gq.append(32 * 64 / t[id(pause)])
    print(f"bench_threads: {torch.get_num_threads()}")
    print(f"model_params_plain: {sum(p.numel() for p in plain.parameters())}")
    print(f"model_params_pause: {sum(p.numel() for p in pause.parameters())}")
    print(f"train_step_s_plain: {statistics.median(tp):.4f}")
    print(f"train_step_s_pause: {statistics.median(tq):.4f}")
    print(f"train_tokens_per_s_plain: {B * T / statistics.median(tp):.0f}")
    print(f"train_tokens_per_s_pause: {B * T / statistics.median(tq):.0f}")
    print(f"train_step_ratio: {statistics.median(q / p for p, q in zip(tp, tq)):.3f}")
    print(f"train_peak_mem_mb_plain: {mem_p / 2**20:.1f}")
    print(f"train_peak_mem_mb_pause: {mem_q / 2**20:.1f}")
    print(f"train_peak_mem_ratio: {mem_q / mem_p:.3f}")
    print(f"generate_tokens_per_s_plain: {statistics.median(gp):.0f}")
    print(f"generate_tokens_per_s_pause: {statistics.median(gq):.0f}")
    print(f"generate_tokens_per_s_ratio: {statistics.median(q / p for p, q in zip(gp, gq)):.3f}")
    if BIG:   # model FLOPs utilisation: 6·N·tokens/s over the H100/H200 dense bf16 peak (989 TFLOP/s)
        n = sum(p.numel() for p in plain.parameters())
        for name, t in (("plain", tp), ("pause", tq)):
            print(f"train_mfu_{name}: {6 * n * B * T / statistics.median(t) / 989e12:.3f}")
        print(f"device: {torch.cuda.get_device_name()}")

if __name__ == "__main__": main()
