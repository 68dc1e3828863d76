#!/usr/bin/env bash
# Proves the multi-process training path: one toy variant trained by 2 CPU processes (DDP over gloo)
# through `accelerate launch`, the same launcher (torchrun) and Trainer DDP path that
# `accelerate launch --num_processes N` uses on GPUs. Note: accelerate's `--cpu` with several processes
# needs mpirun (an MPI hostfile); `--multi_gpu` on a machine without GPUs runs torchrun on the CPU with gloo.
# Usage: scripts/accelerate_cpu_smoke.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d)/accelerate_smoke}
export PAUSE_NB_DATA=${PAUSE_NB_DATA:-$(mktemp -d)} TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1
.venv/bin/accelerate launch --multi_gpu --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no \
  -m pause_nb.experiments variant --variant warmup_tinyllama_pause_kl_true --preset cpu-tiny --out-dir "$OUT" \
  --set 'synthetic={"n_train":200,"n_test":30}' max_train_rows=32 max_eval_rows=8 max_test_rows=8 tokenizer_vocab=350 \
        pretrain_epochs=0 per_device_train_batch_size=4 max_new_tokens=12 epochs=1 eval_batch_size=8 \
        'tiny_model={"arch":"llama","hidden_size":32,"num_layers":1,"num_heads":2}'
.venv/bin/python - "$OUT" <<'PY'
import json, sys
m = json.load(open(f"{sys.argv[1]}/metrics.json"))
assert m["world_size"] == 2, m["world_size"]
# 32 questions x 5 samples = 160 rows, batch 4 per process x 2 processes -> 20 optimizer steps per epoch
assert m["train_steps"] == 20, m["train_steps"]
print(f"accelerate smoke: world_size={m['world_size']} train_steps={m['train_steps']} test_accuracy={m['protocols']['sampled']['reference']['test_accuracy']}")
PY
