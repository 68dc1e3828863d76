#!/usr/bin/env bash
# The prepared GPU check, run once through the device tool (a bare CUDA machine with PyTorch):
#  1. bench/bench_model.py on a TinyLlama-1.1B-shaped model (bf16): pause vs plain training step, memory, generation, MFU;
#  2. one Stage 1 variant (warmup_tinyllama_pause_kl_true) with a TinyLlama-shaped model (random init: no download
#     possible) for a few hundred steps on synthetic data: time per step and peak GPU memory.
# Needs the wheels the machine lacks in .whl/ (transformers 5.24, trl 1.16, datasets 5.2, plotly 7.1, dill, multiprocess).
set -uo pipefail
OUT=${OUT:-/tmp/gpu_check}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false PAUSE_NB_DATA=/tmp/pnb_data
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
BENCH_TINYLLAMA=1 BENCH_REPEATS=6 python3 bench/bench_model.py 2>&1 | tee "$OUT/bench_tinyllama.txt"
python3 -m pause_nb.experiments variant --variant warmup_tinyllama_pause_kl_true --preset tinyllama --out-dir /tmp/run \
  --set data=synthetic 'synthetic={"n_train":2000,"n_test":200,"max_steps":2}' tokenizer=null tokenizer_vocab=8000 base_model=null \
        'tiny_model={"arch":"llama","hidden_size":2048,"num_layers":22,"num_heads":32,"num_kv_heads":4,"intermediate_size":5632,"vocab_size":32000}' \
        pretrain_epochs=0 max_train_rows=400 max_eval_rows=50 max_test_rows=128 batch_size=8 grad_accum=1 lr=1e-4 \
        max_new_tokens=64 eval_batch_size=64 2>&1 | grep -v "Map\|Writing" | tee "$OUT/variant_tinyllama_shape.txt"
