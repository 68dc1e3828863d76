"""The tiny bases the demo starts from: rebuilt bit for bit from an empty cache, rebuilt when the code that makes them
changes, never rebuilt otherwise, and good enough to start from (a floor on their own accuracy).

A small base (hidden 64, two layers, 272 steps on one-step problems; ~15 s) stands for the cpu-tiny ones. Measured
when this test was written: greedy accuracy 0.425 on 200 test questions with random batches, 0.185 with
length-grouped ones (the change that silently halved the cpu-tiny bases, see nbs/07_assets.ipynb); the floor sits
between them.
"""
from pathlib import Path
import pytest
import torch
from safetensors.torch import load_file

import pause_nb.assets as assets
import pause_nb.cache as cache
from pause_nb.config import experiment_config

SMALL = dict(synthetic=dict(n_train=1200, n_test=200, min_steps=1, max_steps=1, max_value=10, seed=0), pretrain_epochs=4.0,
             tiny_model=dict(arch="llama", hidden_size=64, num_layers=2, num_heads=2, intermediate_size=256), tokenizer_vocab=400,
             max_length=128)
FLOOR = 0.30   # random batches: 0.425; length-grouped: 0.185

def _base(root: Path, monkeypatch, **overrides) -> Path:
    "Build (or find) the small baseline base in the data root `root`."
    monkeypatch.setenv("PAUSE_NB_DATA", str(root))
    preset = experiment_config("warmup_tinyllama_no_pause", "cpu-tiny", overrides=SMALL | overrides).preset
    src = assets.prepare_source(preset.data)
    return Path(assets.prepare_base("baseline", preset, src, assets.prepare_tokenizer(preset.model, src), log=lambda *a: None)[0])

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    "The small base built once into an empty data root."
    with pytest.MonkeyPatch.context() as mp: return _base(tmp_path_factory.mktemp("data"), mp)

def test_a_base_is_rebuilt_bit_for_bit_from_an_empty_cache(built, tmp_path, monkeypatch):
    again = _base(tmp_path / "data", monkeypatch)
    assert again.name == built.name                               # the same key from another, empty cache
    a, b = load_file(built / "model.safetensors"), load_file(again / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)

def test_a_cached_base_is_reused_not_rebuilt(built, monkeypatch):
    def no_build(*a, **k): raise AssertionError("rebuilt a cached base")
    monkeypatch.setattr(assets, "_pretrain", no_build)
    assert _base(built.parent, monkeypatch) == built

def test_a_change_to_the_code_that_pretrains_builds_a_new_base(built, monkeypatch):
    real, calls = cache.module_source, []
    monkeypatch.setattr(cache, "module_source", lambda name: real(name) + (b"\n# a changed default" if name == "train" else b""))
    monkeypatch.setattr(assets, "_pretrain", lambda kind, preset, source, tok, tmp, log=print, key=None: calls.append(tmp))
    new = _base(built.parent, monkeypatch)
    assert new != built and len(calls) == 1                       # the stale base is not reused
    monkeypatch.setattr(cache, "module_source", lambda name: real(name) + (b"\n# an edit" if name == "viz" else b""))
    assert _base(built.parent, monkeypatch) == built              # code a base is not made with: the cache holds

def test_a_changed_batching_builds_a_new_base(built, monkeypatch):
    monkeypatch.setattr(assets, "_pretrain", lambda kind, preset, source, tok, tmp, log=print, key=None: None)
    assert _base(built.parent, monkeypatch, train_sampling_strategy="group_by_length") != built

def test_the_base_is_good_enough_to_start_from(built, monkeypatch):
    monkeypatch.setenv("PAUSE_NB_DATA", str(built.parent))
    source = assets.prepare_source(experiment_config("warmup_tinyllama_no_pause", "cpu-tiny", overrides=SMALL).preset.data)
    check = assets.base_check(str(built), source, limit=200, max_new_tokens=48)
    assert check["n"] == 200 and check["accuracy"] >= FLOOR, check
