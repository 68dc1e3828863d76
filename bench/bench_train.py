"""Stage 1 training throughput on the cpu-tiny preset: non-padding tokens per second through `pause_nb.train.train_sft`,
with length-grouped batches (`PauseSFTConfig`'s default now) and with random ones (transformers' default: `_before`).

The preset's data and model: synthetic GSM8K-format rows (`PRESETS["cpu-tiny"].data.synthetic`), a byte-level BPE of 1,024
tokens trained on them, pauses injected at p = 0.1, and the preset's tiny Llama (hidden 128, 4 layers) as a pause
model; batch 16, one thread. A run is one epoch over 640 injected samples (40 steps; with 640 rows a mega-batch of
the length-grouped sampler is 10 batches, so grouping is, if anything, less tight than in a real 5,000-sample
warm-up). Runs alternate (random, grouped, grouped, random, ...), BENCH_TRAIN_REPEATS (2) each, and each figure is
its best run. Times are the process's CPU time (`time.process_time`; torch runs one thread): on a shared machine,
wall time mostly measures the neighbours. Both strategies train on the same rows, so they see the same non-padding
tokens; `train_nonpad_fraction_*` is the share of the batches' tokens that are not padding.
"""
import copy, os, tempfile, time
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import torch
torch.set_num_threads(1)
import datasets, transformers
from datasets import DatasetDict
from pause_nb.variants import PRESETS
from pause_nb.data import write_synthetic_gsm8k, load_gsm8k, train_tokenizer, gsm8k_texts
from pause_nb.inject import InjectConfig, inject_dataset
from pause_nb.model import tiny_causal_lm, make_pause_model
from pause_nb.train import train_sft, PauseSFTConfig

transformers.utils.logging.disable_progress_bar(); datasets.disable_progress_bars()
REPEATS = int(os.environ.get("BENCH_TRAIN_REPEATS", 2))
preset = PRESETS["cpu-tiny"]
d = tempfile.mkdtemp()
write_synthetic_gsm8k(d, preset.data.synthetic)
rows = load_gsm8k(d, "train").shuffle(seed=0).select(range(128))
tok = train_tokenizer(gsm8k_texts(load_gsm8k(d, "train")), vocab_size=preset.model.tokenizer_vocab)
initial = make_pause_model(tiny_causal_lm(tok, **preset.model.tiny_model), tok)     # adds the pause token to `tok`
data = inject_dataset(DatasetDict(train=rows), InjectConfig(p=preset.data.pause_p, k=5, seed=0), tok, clean_splits=())["train"]

def run(strategy: str) -> dict:
    "Train one epoch from the same initial weights; non-padding tokens, padded tokens and CPU seconds."
    model = copy.deepcopy(initial)
    cfg = PauseSFTConfig(num_train_epochs=1, per_device_train_batch_size=preset.train.batch_size, max_length=preset.train.max_length,
                         learning_rate=preset.train.lr, train_sampling_strategy=strategy, logging_steps=1000, seed=0, use_cpu=True,
                         include_num_input_tokens_seen="non_padding")
    tr = train_sft(model, tok, data, config=cfg, train=False)
    padded = sum(b["attention_mask"].numel() for b in tr.get_train_dataloader())
    t0 = time.process_time(); tr.train(); seconds = time.process_time() - t0
    return {"tokens": tr.state.num_input_tokens_seen, "padded": padded, "seconds": seconds, "steps": tr.state.global_step}

runs = {"random": [], "group_by_length": []}
for i in range(REPEATS):
    for s in (("random", "group_by_length") if i % 2 == 0 else ("group_by_length", "random")): runs[s].append(run(s))
best = {s: min(r, key=lambda x: x["seconds"]) for s, r in runs.items()}
before, after = best["random"], best["group_by_length"]
print(f"train_samples: {len(data)}")
print(f"train_steps: {after['steps']}")
print(f"train_nonpad_fraction_before: {before['tokens'] / before['padded']:.3f}")
print(f"train_nonpad_fraction: {after['tokens'] / after['padded']:.3f}")
print(f"train_nonpad_tokens_per_s_before: {before['tokens'] / before['seconds']:.0f}")
print(f"train_nonpad_tokens_per_s: {after['tokens'] / after['seconds']:.0f}")
print(f"train_nonpad_tokens_per_s_speedup: {(after['tokens'] / after['seconds']) / (before['tokens'] / before['seconds']):.3f}")
