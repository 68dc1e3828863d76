#!/usr/bin/env bash
# The prepared GPU check, run once through the device tool (a bare CUDA machine with PyTorch):
#  1. the seed's Stage 1 path at TinyLlama-1.1B shape (random init: no download possible), bf16, on synthetic data:
#     pause pretraining of the pause base (short), then warmup_tinyllama_pause_kl_true as the seed ran it (reference
#     head at P ≈ 1/2, the reference's KL reduction, the tinyllama preset's reference settings, eval every 300 steps
#     turned into every 50 here) and both evaluation protocols (seed: sampled T=1 top-k 50; greedy);
#  2. evaluation throughput on GSM8K's 1,319 test questions, 256 new tokens, both protocols (scripts/gpu_eval.py;
#     EVAL_COMPILE=1: again through torch.compile).
#  3. (MODE=full) bench/bench_model.py at TinyLlama shape: pause vs plain training step, memory, generation, MFU.
# Needs the wheels the machine lacks in .whl/ (transformers 5.24, trl 1.16, datasets 5.2, peft 0.21, plotly 7.1, dill,
# multiprocess) and GSM8K in .gpudata/gsm8k (both ignored by git; carry them: run(carry=[".whl", ".gpudata"])).
set -uo pipefail
OUT=${OUT:-/tmp/gpu_check}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false PAUSE_NB_DATA=/tmp/pnb_data
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
t0=$(date +%s)
python3 -m pause_nb.experiments variant --variant warmup_tinyllama_pause_kl_true --preset tinyllama --out-dir /tmp/run/seed-42 \
  --set source=synthetic 'synthetic={"n_train":2000,"n_test":200,"max_steps":2}' tokenizer=null tokenizer_vocab=8000 base_model=null \
        'tiny_model={"arch":"llama","hidden_size":2048,"num_layers":22,"num_heads":32,"num_kv_heads":4,"intermediate_size":5632,"vocab_size":32000}' \
        pretrain_epochs=0.5 pretrain_lr=3e-4 max_train_rows=200 max_eval_rows=40 max_test_rows=128 eval_steps=50 \
        max_new_tokens=64 eval_batch_size=64 2>&1 | grep -v "Map\|Writing\|Saving" | tee "$OUT/variant_tinyllama_shape.txt"
python3 - <<'EOF' | tee -a "$OUT/variant_tinyllama_shape.txt"
import json
m = json.load(open("/tmp/run/seed-42/metrics.json")); h = json.load(open("/tmp/run/seed-42/train_log.json"))
print("pause loss log:", [round(x["pause_loss"], 3) for x in h if "pause_loss" in x][:12])
for name, p in m["protocols"].items():
    print(name, p["settings"]["do_sample"], p["settings"]["top_k"], {r: {k: p[r][k] for k in ("test_accuracy", "avg_pauses_per_reply", "pause_token_fraction")} for r in ("reference", "ours")})
print("base:", m["base"]); print("train_steps", m["train_steps"], "train_seconds", round(m["train_seconds"], 1), "peak_gb", m["train_peak_gpu_memory_gb"])
EOF
echo "stage1 check seconds: $(( $(date +%s) - t0 ))"
python3 scripts/gpu_eval.py --gsm8k .gpudata/gsm8k --batch-sizes ${EVAL_BATCH_SIZES:-256,1319} 2>&1 | grep -v "Map\|Writing" | tee "$OUT/gpu_eval.txt"
if [ "${EVAL_COMPILE:-}" = 1 ]; then   # the same, decoding through torch.compile (EvalConfig.torch_compile)
  python3 scripts/gpu_eval.py --compile --gsm8k .gpudata/gsm8k --batch-sizes ${EVAL_BATCH_SIZES:-256,1319} 2>&1 | grep -v "Map\|Writing" | tee -a "$OUT/gpu_eval.txt"
fi
if [ "${MODE:-}" = full ]; then BENCH_TINYLLAMA=1 BENCH_REPEATS=6 python3 bench/bench_model.py 2>&1 | tee "$OUT/bench_tinyllama.txt"; fi
