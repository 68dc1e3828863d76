"""Evaluation throughput (questions/s) of a pause model vs the same plain model, batch 32, greedy, CPU.

A 1M-parameter Llama (hidden 128, 4 layers; the TOOLCHAIN scale table's smallest row) is trained for ~30 s
on the synthetic default so that it writes GSM8K-format replies ending with EOS; the pause model wraps that
very model (`make_pause_model(base, tok)`, pause head at its initial P(pause) = 0.1). Both are evaluated
with `pause_nb.evaluate.evaluate` in one process, interleaved (plain, pause, pause, plain, ...), 7 repeats
each. Each model's figure is its best repeat (as `timeit` does: on a shared machine, other load only ever
slows a run down, so the fastest repeat is the closest to the cost of the work itself); the ratio of the
medians is printed too.

Two settings:
- `eval_questions_per_s_ratio` (the headline, target >= 0.9): every batch runs exactly `max_new_tokens`
  decoding steps for both models (`EvalConfig(stop_at_eos=False)`; replies are still cut at their first
  EOS). Equal work per step, so the ratio is the cost of the pause machinery: the pause embedding and head,
  the combined logits, recording P(pause) at every step, building the records.
- `eval_questions_per_s_ratio_to_eos`: batches stop when their last reply ends. A batch lasts as long as its
  longest reply, and the pause model's replies are longer by the pauses it writes (and, half-trained, by
  how it continues after one), so this ratio also measures how much longer the pause model writes.

Knobs (environment): BENCH_EVAL_THREADS (default 1), BENCH_EVAL_QUESTIONS (64), BENCH_EVAL_NEW_TOKENS (96),
BENCH_EVAL_REPEATS (7), BENCH_EVAL_TRAIN_STEPS (150).
"""
import os, statistics, sys, tempfile, time
import torch

THREADS = int(os.environ.get("BENCH_EVAL_THREADS", 1))
N_Q = int(os.environ.get("BENCH_EVAL_QUESTIONS", 64))
NEW = int(os.environ.get("BENCH_EVAL_NEW_TOKENS", 96))
REPEATS = int(os.environ.get("BENCH_EVAL_REPEATS", 7))
torch.set_num_threads(THREADS)

from pause_nb.data import format_prompt, write_synthetic_gsm8k, SyntheticConfig, load_gsm8k, train_tokenizer, gsm8k_texts
from pause_nb.evaluate import evaluate, EvalConfig
try:
    from pause_nb.model import tiny_causal_lm, make_pause_model
except ImportError as e:
    sys.exit(f"bench_eval: needs pause_nb.model (nbs/02_model.ipynb): {e}")

d = tempfile.mkdtemp()
write_synthetic_gsm8k(d, SyntheticConfig(n_train=1000, n_test=N_Q, seed=0))
train, test = load_gsm8k(d, "train"), load_gsm8k(d, "test")
tok = train_tokenizer(gsm8k_texts(train), vocab_size=4096)
TRAIN_STEPS = int(os.environ.get("BENCH_EVAL_TRAIN_STEPS", 150))
plain = tiny_causal_lm(tok, arch="llama", hidden_size=128, num_layers=4)
texts = [format_prompt(r["question"]) + " " + r["answer"] + tok.eos_token for r in train]
opt, g = torch.optim.AdamW(plain.parameters(), lr=3e-3), torch.Generator().manual_seed(0)
t0 = time.perf_counter()
for _ in range(TRAIN_STEPS):
    enc = tok([texts[i] for i in torch.randint(len(texts), (16,), generator=g).tolist()], padding=True, return_tensors="pt")
    plain(**enc, labels=enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)).loss.backward(); opt.step(); opt.zero_grad()
train_s = time.perf_counter() - t0
plain.eval()
pause = make_pause_model(plain, tok).eval()
def run(model, cfg):
    t0 = time.perf_counter(); recs, m = evaluate(model, tok, test, cfg); dt = time.perf_counter() - t0
    return len(recs) / dt, m

def compare(cfg):
    "Best and median questions/s of each model over interleaved repeats, and the last metrics of each."
    run(plain, cfg); run(pause, cfg)   # warm-up
    qps, metrics = {"plain": [], "pause": []}, {}
    for i in range(REPEATS):
        for name in (("plain", "pause") if i % 2 == 0 else ("pause", "plain")):
            q, metrics[name] = run(plain if name == "plain" else pause, cfg)
            qps[name].append(q)
    best = {k: max(v) for k, v in qps.items()}
    median = {k: statistics.median(v) for k, v in qps.items()}
    return best | {"ratio": best["pause"] / best["plain"], "median_ratio": median["pause"] / median["plain"]}, metrics

fixed, fixed_m = compare(EvalConfig(batch_size=32, max_new_tokens=NEW, stop_at_eos=False, progress=False))
to_eos, eos_m = compare(EvalConfig(batch_size=32, max_new_tokens=NEW, progress=False))
print(f"eval_threads: {THREADS}")
print(f"eval_questions: {N_Q}")
print(f"eval_batch_size: 32")
print(f"eval_max_new_tokens: {NEW}")
print(f"eval_plain_params: {sum(p.numel() for p in plain.parameters())}")
print(f"eval_train_seconds: {train_s:.1f}")
for name in ("plain", "pause"):
    print(f"eval_{name}_avg_reply_tokens: {eos_m[name]['avg_reply_tokens']:.1f}")
    print(f"eval_{name}_avg_pauses_per_reply: {eos_m[name]['avg_pauses_per_reply']:.2f}")
    print(f"eval_{name}_test_accuracy: {eos_m[name]['test_accuracy']:.3f}")
print(f"eval_questions_per_s_plain_to_eos: {to_eos['plain']:.2f}")
print(f"eval_questions_per_s_pause_to_eos: {to_eos['pause']:.2f}")
print(f"eval_questions_per_s_ratio_to_eos: {to_eos['ratio']:.3f}")
print(f"eval_questions_per_s_ratio_to_eos_median: {to_eos['median_ratio']:.3f}")
print(f"eval_questions_per_s_plain: {fixed['plain']:.2f}")
print(f"eval_questions_per_s_pause: {fixed['pause']:.2f}")
print(f"eval_questions_per_s_ratio_median: {fixed['median_ratio']:.3f}")
print(f"eval_questions_per_s_ratio: {fixed['ratio']:.3f}")
