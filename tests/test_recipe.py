"""Each published row trains with the reference's recipe — read off the trainer arguments the package actually builds.

The reference (epfl-dlab/PauseToken, branch `base`): TinyLlama pause rows `configs/experiment/trl_train/
sft_pause_tiny_llama_pause.yaml` (weight_decay 10, warmup_ratio 0.05, lr 5e-5, batch 8, eval/save every 300 steps,
load_best_model_at_end), the baseline `sft_tiny_llama.yaml` (the same, no weight decay), the trainer defaults
`configs/trainer/trl_trainer/sft.yaml` (linear schedule, random batches), float32 weights (`bf16: False`). cpu-tiny
scales lr, batch and evaluation interval and keeps the reference's *ratios*: the pause rows' weights shrink over
their warm-up as the reference's did (≈ 0.35×), the baseline's not at all.
"""
import math
import pytest
from pause_nb.assets import sft_config
from pause_nb.config import REFERENCE_PAUSE_SHRINK, experiment_config, weight_decay_shrink
from pause_nb.variants import VARIANTS

PUBLISHED_ROWS = [n for n, v in VARIANTS.items() if v.family == "tinyllama" and v.group == "published"]
SHARED = dict(lr_scheduler_type="linear", warmup_steps=0.05,   # the reference's warmup_ratio: transformers 5 reads a ratio < 1 there
              train_sampling_strategy="random", load_best_model_at_end=True,
              metric_for_best_model="eval_loss", bf16=False, adam_beta2=0.999)
REFERENCE = {  # the reference's values per row role, file by file (see the module docstring)
    "pause": dict(weight_decay=10.0, learning_rate=5e-5, per_device_train_batch_size=8, eval_steps=300, **SHARED),
    "no_pause": dict(weight_decay=0.0, learning_rate=5e-5, per_device_train_batch_size=8, eval_steps=300, **SHARED),
}
CPU_TINY = {"learning_rate": 1e-3, "per_device_train_batch_size": 16, "eval_steps": 25}   # the documented departures

def trainer_args(row: str, preset: str):
    "The trainer arguments a run of `row` at `preset` builds (as `train_variant` builds them), and its config."
    cfg = experiment_config(row, preset)
    t = cfg.preset.train
    conf = sft_config(t, cfg.seed, cfg.variant.epochs, t.learning_rate, "/tmp/unused", eval_strategy="steps")
    return conf, cfg

@pytest.mark.parametrize("row", PUBLISHED_ROWS)
def test_tinyllama_preset_trains_each_published_row_as_the_reference(row):
    conf, cfg = trainer_args(row, "tinyllama")
    want = REFERENCE["pause" if cfg.variant.pause else "no_pause"]
    assert {k: getattr(conf, k) for k in want} == want
    assert cfg.preset.model.dtype == "float32" and cfg.variant.head_outputs == 2

@pytest.mark.parametrize("row", PUBLISHED_ROWS)
def test_cpu_tiny_keeps_the_reference_ratios(row):
    conf, cfg = trainer_args(row, "cpu-tiny")
    role = "pause" if cfg.variant.pause else "no_pause"
    want = REFERENCE[role] | CPU_TINY
    got = {k: getattr(conf, k) for k in want}
    assert {k: v for k, v in got.items() if k != "weight_decay"} == {k: v for k, v in want.items() if k != "weight_decay"}
    steps = math.ceil(1000 * (5 if cfg.variant.inject else 1) / 16) * (1 if cfg.variant.inject else math.ceil(cfg.variant.epochs))
    shrink = weight_decay_shrink(conf.weight_decay, conf.learning_rate, steps, 0.05)
    if role == "pause": assert abs(shrink / REFERENCE_PAUSE_SHRINK - 1) < 0.01, (conf.weight_decay, shrink)
    else: assert conf.weight_decay == 0.0 and shrink == 1.0
    assert cfg.preset.model.dtype == "float32" and cfg.variant.head_outputs == 2

def test_the_reference_pause_rows_shrink_their_weights_to_a_third():
    assert 0.34 < REFERENCE_PAUSE_SHRINK < 0.36
