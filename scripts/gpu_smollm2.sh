#!/usr/bin/env bash
# The prepared GPU run of issue 24, through the device tool (a bare CUDA machine with PyTorch): the seed's five
# TinyLlama rows with a real checkpoint — SmolLM2-135M-Instruct, imported from its GGUF file — on real GSM8K, the
# `smollm2` preset (the reference's TinyLlama recipe: lr 5e-5, batch 8, linear, warmup 0.05, the pause rows' weight
# decay 10 and the baseline's none, best checkpoint on validation loss, float32 weights; replies up to 1,024 tokens),
# cut to fit ~10 minutes: bases pretrained one epoch on 2,000 training questions, warm-up on 1,000 questions (× 5
# pause samples), 500 test questions, both protocols. Writes the report (the seed's table with paired differences)
# and prints its wall time and peak GPU memory.
# Needs in .whl/ the wheels the machine lacks (transformers 5.24, trl 1.16, datasets 5.2, peft 0.21, plotly 7.1,
# gguf 0.19, dill, multiprocess) and in .gpudata/ GSM8K (gsm8k/) and the GGUF file (models/), all ignored by git:
#   mkdir -p .gpudata/models && cp -r ../shared/data/gsm8k .gpudata/ && cp ../shared/models/smollm2-135m-instruct/*.gguf .gpudata/models/
#   run(command="bash scripts/gpu_smollm2.sh", carry=[".whl", ".gpudata"], timeout_s=600)
set -uo pipefail
OUT=${OUT:-/tmp/gpu_smollm2}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false PAUSE_NB_DATA=/tmp/pnb_data \
       PAUSE_NB_GSM8K=$PWD/.gpudata/gsm8k PAUSE_NB_MODELS=$PWD/.gpudata/models
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
t0=$(date +%s)
python3 -m pause_nb.experiments run --preset smollm2 --variants tinyllama --jobs 1 --run smollm2 --out-root /tmp/runs \
  --set pretrain_max_rows=2000 max_train_rows=1000 max_eval_rows=100 max_test_rows=500 eval_batch_size=128 threads=8 \
  2>&1 | grep -v "Map\|Writing\|Saving" | tee "$OUT/run.txt"
echo "wall seconds: $(( $(date +%s) - t0 ))" | tee -a "$OUT/run.txt"
cp /tmp/runs/smollm2/report.md "$OUT/" 2>/dev/null
python3 - <<'PY' | tee -a "$OUT/run.txt"
import json, glob
for f in sorted(glob.glob("/tmp/runs/smollm2/*/seed-*/metrics.json")):
    m = json.load(open(f))
    print(f.split("/")[-3], "train s", round(m["train_seconds"]), "peak GB", m.get("train_peak_gpu_memory_gb"), "P(pause) at 0", m.get("start_pause_prob"),
          {p: (round(v["reference"]["test_accuracy"], 3), round(v["ours"]["finished_rate"], 3)) for p, v in m["protocols"].items()})
PY
