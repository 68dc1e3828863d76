"""An injected folder opens the usual ways — `datasets.load_from_disk(folder)` and `datasets.load_dataset(folder)`,
with the same splits and rows — its card's YAML declares its files and features, and a run that trains on the
cached injected data writes nothing into the cache (issue 26.3). Toy sizes: about half a minute in all."""
import json, re
from pathlib import Path
import pytest, yaml

@pytest.fixture(autouse=True)
def data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSE_NB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")

def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))

def _card(folder) -> dict:
    m = re.match(r"---\n(.*?)\n---\n", Path(folder, "README.md").read_text(), re.DOTALL)
    assert m, "README.md has no YAML header"
    return yaml.safe_load(m.group(1))

def _opens_both_ways(folder, hf_cache) -> dict:
    "Open `folder` with `load_from_disk` and `load_dataset`; check they agree, the card and the clean test split; the splits."
    from datasets import load_dataset, load_from_disk
    from pause_nb.data import PAUSE_TOKEN
    before = _files(folder)
    disk, hub = load_from_disk(str(folder)), load_dataset(str(folder), cache_dir=str(hf_cache))
    assert sorted(disk) == sorted(hub) and "test" in disk and len(disk) >= 2
    for s in disk:
        assert hub[s].features == disk[s].features, s
        assert hub[s].to_list() == disk[s].to_list(), s
    assert not any(PAUSE_TOKEN in a for a in disk["test"]["answer"])
    assert any(PAUSE_TOKEN in a for s in disk if s != "test" for a in disk[s]["answer"])
    card = _card(folder)
    assert card["configs"] == [{"config_name": "default", "data_files": [{"split": s, "path": f"{s}.json"} for s in disk]}]
    feats = {f["name"]: f["dtype"] for f in card["dataset_info"]["features"]}
    assert feats == {"question": "string", "answer": "string", "source_index": "int64", "sample_index": "int64", "n_pauses": "int64"}
    assert feats == {k: v.dtype for k, v in disk["test"].features.items()}
    assert {s["name"]: s["num_examples"] for s in card["dataset_info"]["splits"]} == {s: len(disk[s]) for s in disk}
    assert _files(folder) == before                       # opening writes nothing into the folder
    return {s: len(disk[s]) for s in disk}

def test_injector_output_opens_both_ways(tmp_path):
    from pause_nb.data import SyntheticConfig, format_prompt, load_gsm8k, train_tokenizer, write_synthetic_gsm8k
    from pause_nb.inject import InjectConfig, inject_gsm8k
    src = tmp_path / "gsm8k"; write_synthetic_gsm8k(src, SyntheticConfig(n_train=20, n_test=5, seed=0))
    rows = load_gsm8k(str(src), "train")
    tok = train_tokenizer([format_prompt(q) + " " + a for q, a in zip(rows["question"], rows["answer"])], 300)
    inject_gsm8k(src, tmp_path / "out", tok, InjectConfig(k=3, seed=0))
    assert _opens_both_ways(tmp_path / "out", tmp_path / "hf") == {"train": 60, "test": 5}

def test_cached_injected_folder_opens_and_training_writes_nothing_into_it(tmp_path):
    from pause_nb.cache import CHECKSUMS, verify_cached
    from test_faults import _toy_run                                     # the fault table's toy run, here with 2 samples per row
    info = _toy_run(tmp_path, "warmup_tinyllama_pause_kl_one_hot", epochs=0.5, pause_k=2)
    assert info["train_steps"] > 0
    cached = list((tmp_path / "data").glob("injected-*"))
    assert len(cached) == 1, cached
    built = json.loads((cached[0] / CHECKSUMS).read_text())
    now = [f for f in _files(cached[0]) if (cached[0] / f).is_file() and f != CHECKSUMS]
    assert now == sorted(built), sorted(set(now) ^ set(built))      # no `cache-*.arrow`, nothing added or lost
    verify_cached(cached[0])
    assert _opens_both_ways(cached[0] / "injected", tmp_path / "hf") == {"train": 48, "validation": 16, "test": 8}
