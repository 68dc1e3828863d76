"""Injector throughput and invariants on real GSM8K train, k=5, ~25k-vocab byte-level BPE (2 threads).

Prints: inject_samples_per_s, inject_seconds, inject_tokenize_seconds, and the same before issue 15 (`_before`: the
injector at commit 38fa06a, frozen in `inject_before.py`: every answer tokenized by `encode_batch` with offsets, one
list of offsets per sample, each sample's string cut and joined on its own), best of 5 interleaved runs each (wall
time: the tokenizer uses both cores); the run asserts that both give the same samples and token ends. Then the
invariant counts over all 37,365 samples (strip mismatches, pause-id mismatches, answers lost) and the pause rate, for
the byte-level BPE and for a Llama-style (Metaspace/SentencePiece-like) tokenizer, which takes the tokenizer's way.
"""
import os, time, sys
os.environ["TOKENIZERS_PARALLELISM"] = "true"   # both cores tokenize (make exports false for the tests)
import numpy as np
from pause_nb.data import find_gsm8k, load_gsm8k, train_tokenizer, gsm8k_texts
from pause_nb.inject import InjectConfig, inject_texts, check_injection, token_ends
from inject_before import inject_texts_before, token_ends_before

def llama_style_tokenizer(texts, vocab_size):
    "A SentencePiece-like BPE like Llama 2 / Mistral (Metaspace, dummy prefix on the first segment only, byte fallback)."
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
    from transformers import PreTrainedTokenizerFast
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
    tok.decoder = decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="first"), decoders.ByteFallback()])
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"] + [f"<0x{i:02X}>" for i in range(256)], show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")

src = find_gsm8k()
if src is None: sys.exit("bench_inject: GSM8K not found (set PAUSE_NB_GSM8K)")
train = load_gsm8k(src, "train")
rows = train.to_list(); answers = [r["answer"] for r in rows]
tok = train_tokenizer(gsm8k_texts(train), vocab_size=25_000)
cfg = InjectConfig(p=0.1, k=5, seed=42)
inject_texts(answers[:200], cfg, tok)   # warm-up
def timed(before: bool):
    "Seconds of the token ends and of the whole injection over all answers (the injector before issue 15 when `before`)."
    ends_fn, inject_fn = (token_ends_before, inject_texts_before) if before else (token_ends, inject_texts)
    t0 = time.perf_counter(); ends = ends_fn(answers, tok); t1 = time.perf_counter()
    aug, n = inject_fn(answers, cfg, tok); t2 = time.perf_counter()
    return t2 - t1, t1 - t0, ends, aug, n
best = {}
for i in range(5):   # best of 5; inject_texts tokenizes itself, token_ends is timed apart as the tokenizing share
    for before in ((False, True) if i % 2 == 0 else (True, False)):
        r = timed(before)
        if before not in best or r[0] < best[before][0]: best[before] = r
_, _, ends, aug, n = best[False]
assert best[True][3] == aug and best[True][4] == n and len(best[True][2]) == len(ends) and all(np.array_equal(a, b) for a, b in zip(best[True][2], ends))   # the same samples either way
best = {k: v[:2] for k, v in best.items()}; best, before = best[False], best[True]
print(f"inject_tokenizer_vocab: {len(tok)}")
print(f"inject_samples: {len(aug)}")
print(f"inject_seconds: {best[0]:.3f}")
print(f"inject_tokenize_seconds: {best[1]:.3f}")
print(f"inject_samples_per_s: {len(aug) / best[0]:.0f}")
print(f"inject_seconds_before: {before[0]:.3f}")
print(f"inject_tokenize_seconds_before: {before[1]:.3f}")
print(f"inject_samples_per_s_before: {len(aug) / before[0]:.0f}")
print(f"inject_speedup: {before[0] / best[0]:.3f}")
print(f"inject_pause_rate: {sum(n) / (5 * sum(len(e) for e in ends)):.4f}")
for name, t in (("bpe", tok), ("llama_style", llama_style_tokenizer(gsm8k_texts(train), 32_000))):
    aug_t = aug if t is tok else inject_texts(answers, cfg, t)[0]
    res = check_injection(rows, aug_t, t, k=5)
    for key in ("strip_mismatches", "pause_id_mismatches", "answers_lost"): print(f"inject_{name}_{key}: {res[key]}")
