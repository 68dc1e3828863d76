"""The fault table: bad input and broken runs, each tried as a user would and checked for what it must do —
refuse with a message naming the file, row, option or pair at fault, never lose finished work, never call a broken
run finished. Toy sizes throughout; the slow end-to-end cases (kill and resume, failing and forced reruns, locks,
bad `--stage1` folders) live in test_experiments.py."""
import json, os, signal, stat, subprocess, sys, time, warnings
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = dict(synthetic={"n_train": 200, "n_test": 30}, max_train_rows=24, max_eval_rows=8, max_test_rows=8, tokenizer_vocab=350,
           pretrain_epochs=0.0, batch_size=8, max_new_tokens=8, eval_batch_size=8,
           tiny_model={"arch": "llama", "hidden_size": 32, "num_layers": 1, "num_heads": 2})

@pytest.fixture(autouse=True)
def data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("PAUSE_NB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")

def _cli(*args, cwd=ROOT, **kw):
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=os.environ | kw.pop("env", {}), **kw)

def _gsm8k(d: Path) -> Path:
    from pause_nb.data import SyntheticConfig, write_synthetic_gsm8k
    write_synthetic_gsm8k(d, SyntheticConfig(n_train=20, n_test=5, seed=0)); return d

def _tokenizer(d: Path) -> str:
    from pause_nb.data import format_prompt, load_gsm8k, train_tokenizer
    rows = load_gsm8k(str(_gsm8k(d / "src")), "train")
    train_tokenizer([format_prompt(q) + " " + a for q, a in zip(rows["question"], rows["answer"])], 300, save_dir=d / "tok")
    return str(d / "tok")

def _toy_run(tmp_path, variant="warmup_tinyllama_no_pause", **over):
    "Prepare, build and train one toy run in this process; the trainer's info (or the error it raises)."
    import torch
    from pause_nb import pipeline as P
    from pause_nb.config import experiment_config
    torch.set_num_threads(1)
    cfg = experiment_config(variant, "cpu-tiny", 0, TOY | over)
    assets = P.prepare_assets(cfg, log=lambda *a: None); data = P.variant_data(cfg, assets)
    model, tok = P.build_model(cfg, assets)
    return P.train_variant(model, tok, data, cfg, tmp_path / "run")

# ---- the fault table: (case, what it must do) ----

def case_injector_output_is_its_input(tmp_path):
    src = _gsm8k(tmp_path / "gsm8k"); before = sorted(p.name for p in src.iterdir())
    r = _cli("pause_nb.inject", "--dataset_location", str(src), "--augm_dataset_save_location", str(src), "--tokenizer_hf_name", _tokenizer(tmp_path))
    assert r.returncode != 0 and str(src) in r.stderr and sorted(p.name for p in src.iterdir()) == before

def case_injector_output_holds_user_files(tmp_path):
    src, out = _gsm8k(tmp_path / "gsm8k"), tmp_path / "mine"; out.mkdir(); (out / "notes.txt").write_text("mine")
    r = _cli("pause_nb.inject", "--dataset_location", str(src), "--augm_dataset_save_location", str(out), "--overwrite",
             "--tokenizer_hf_name", _tokenizer(tmp_path))
    assert r.returncode != 0 and (out / "notes.txt").read_text() == "mine"

def case_diverged_training(tmp_path):
    from pause_nb.pipeline import RunFailed
    with pytest.raises(RunFailed, match="diverged at step"): _toy_run(tmp_path, lr=1e30, epochs=2.0)

def case_zero_training_steps(tmp_path):
    from pause_nb.pipeline import RunFailed
    with pytest.raises(RunFailed, match="no optimizer step"): _toy_run(tmp_path, epochs=0.0)

def case_max_length_shorter_than_every_row(tmp_path):
    with pytest.raises(ValueError, match="max_length=8 is shorter than every training row"): _toy_run(tmp_path, max_length=8, epochs=0.2)

def case_max_length_truncates_some_rows(tmp_path):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        info = _toy_run(tmp_path, max_length=64, epochs=0.2)
    assert info["train_rows_truncated"] > 0 and any("max_length=64 truncates" in str(x.message) for x in w)

def case_replies_all_empty(tmp_path):
    from pause_nb.pipeline import RunFailed, check_replies
    recs = [{"question": f"q{i}", "completion": "", "n_tokens": 0, "n_pauses": 0} for i in range(40)]
    with pytest.raises(RunFailed, match="p.jsonl: every reply is empty"): check_replies(recs, "p.jsonl")

def case_missing_local_tokenizer(tmp_path):
    from pause_nb.assets import prepare_tokenizer
    from pause_nb.variants import ModelSettings
    with pytest.raises(FileNotFoundError, match="preset tokenizer '/nowhere/tok': no such folder"):
        prepare_tokenizer(ModelSettings(tokenizer="/nowhere/tok"), "unused")

def case_stale_cache_same_path_new_content(tmp_path):
    from pause_nb.assets import source_fingerprint
    from pause_nb.data import SyntheticConfig, write_synthetic_gsm8k
    d = tmp_path / "data_here"
    write_synthetic_gsm8k(d, SyntheticConfig(n_train=20, n_test=5, seed=1)); a = source_fingerprint(str(d))
    write_synthetic_gsm8k(d, SyntheticConfig(n_train=20, n_test=5, seed=2)); assert source_fingerprint(str(d)) != a

def case_killed_build_leftovers_cleaned(tmp_path):
    from pause_nb.assets import cached_dir
    (tmp_path / ".thing.tmp-killed").mkdir()
    cached_dir(tmp_path / "thing", lambda t: (t / "x").write_text("ok"))
    assert not list(tmp_path.glob(".thing.tmp-*"))

def case_results_keep_umask_mode(tmp_path):
    from pause_nb.assets import write_json_atomic
    old = os.umask(0o022)
    try: p = write_json_atomic(tmp_path / "metrics.json", {"a": 1})
    finally: os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o644

def case_papermill_seed_not_an_integer(tmp_path):
    from pause_nb.pipeline import template_config
    with pytest.raises(TypeError, match="parameter seed: expected an integer, got 'abc'"):
        template_config("warmup_tinyllama_no_pause", "cpu-tiny", "abc", "{}")

def case_papermill_overrides_as_yaml_mapping(tmp_path):
    from pause_nb.pipeline import template_config
    assert template_config("warmup_tinyllama_no_pause", "cpu-tiny", 1, {"epochs": 2}).variant.epochs == 2

def case_unknown_override(tmp_path):
    r = _cli("pause_nb.experiments", "run", "--variants", "warmup_tinyllama_no_pause", "--out-root", str(tmp_path), "--set", "learning_rate=1")
    assert r.returncode == 2 and "'learning_rate'" in r.stderr and not (tmp_path / "default").exists()

def case_report_on_missing_folder(tmp_path):
    r = _cli("pause_nb.experiments", "report", str(tmp_path / "nope"))
    assert r.returncode == 2 and "no such run folder" in r.stderr and not (tmp_path / "nope").exists()

def case_stage1_syntax(tmp_path):
    r = _cli("pause_nb.rl", "run", "--variants", "pause_grpo_t1", "--out-root", str(tmp_path), "--stage1", "somewhere")
    assert r.returncode == 2 and "expected STAGE1_ROW=DIR" in r.stderr

def case_nan_in_metrics_is_not_written(tmp_path):
    from pause_nb.assets import write_json_atomic
    p = write_json_atomic(tmp_path / "m.json", {"loss": float("nan")})
    json.loads(p.read_text(), parse_constant=lambda c: pytest.fail(f"bare {c} in metrics.json"))

def case_runner_children_die_with_it(tmp_path):
    "Kill only the runner's PID (SIGKILL): papermill and its kernel must not keep running."
    tpl = tmp_path / "sleepy.ipynb"
    import nbformat
    real = nbformat.read(ROOT / "nbs" / "templates" / "experiment.ipynb", as_version=4)
    nb = nbformat.v4.new_notebook(metadata=real.metadata)
    nb.cells = [next(c for c in real.cells if "parameters" in c.metadata.get("tags", [])), nbformat.v4.new_code_cell("import time; time.sleep(600)")]
    nbformat.write(nb, tpl)
    code = ("import sys; from pause_nb.experiments import run_notebook; from pathlib import Path\n"
            "run_notebook(Path(sys.argv[1]), Path(sys.argv[2]), {'variant': 'x'})")
    out_nb = tmp_path / "out" / "executed.ipynb"
    p = subprocess.Popen([sys.executable, "-c", code, str(tpl), str(out_nb)], cwd=ROOT)
    def children():
        found = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try: cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError: continue
                if str(out_nb) in cmd or ("ipykernel" in cmd and str(tmp_path) in cmd): found.append(int(d.name))
        return found
    deadline = time.time() + 120
    while not children():
        assert time.time() < deadline and p.poll() is None, "papermill never started"
        time.sleep(0.5)
    time.sleep(3); os.kill(p.pid, signal.SIGKILL); p.wait()
    deadline = time.time() + 30
    while children() and time.time() < deadline: time.sleep(0.5)
    left = children()
    for pid in left: os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after the runner died: {left}"

def case_truncated_predictions_file(tmp_path):
    from pause_nb.evaluate import read_predictions
    p = tmp_path / "predictions-seed.jsonl"; p.write_text('{"index": 0}\n{"index": 1, "compl')
    with pytest.raises(ValueError, match=f"{p}:2: not a JSON record"): read_predictions(p)

def case_stage1_folder_without_tokenizer(tmp_path):
    from pause_nb.pipeline import check_stage1_dir
    run = tmp_path / "s1"; (run / "model").mkdir(parents=True); (run / "model" / "config.json").write_text("{}")
    (run / "metrics.json").write_text("{}"); (run / "config.json").write_text('{"variant": {"name": "warmup_tinyllama_pause_kl_true"}}')
    with pytest.raises(FileNotFoundError, match="no saved tokenizer"): check_stage1_dir(run, "warmup_tinyllama_pause_kl_true")

def case_tokenizer_larger_than_model(tmp_path):
    import torch
    from pause_nb.data import format_prompt, train_tokenizer
    from pause_nb.evaluate import EvalConfig, generate_replies
    from pause_nb.model import tiny_causal_lm
    big = train_tokenizer([format_prompt(f"How many apples {i}?") + f" {i * 7} apples #### {i}" for i in range(200)], 400)
    small = train_tokenizer([format_prompt("How many?") + " 3 #### 3"], 40)
    model = tiny_causal_lm(small, hidden_size=16, num_layers=1)
    with pytest.raises(ValueError, match="has 400 tokens .* embeds only"):
        generate_replies(model, big, [f"How many apples {i}?" for i in range(150, 160)], EvalConfig(max_new_tokens=2, progress=False))

CASES = {n.removeprefix("case_"): f for n, f in sorted(globals().items()) if n.startswith("case_")}

@pytest.mark.parametrize("case", list(CASES))
def test_fault(case, tmp_path):
    CASES[case](tmp_path)
