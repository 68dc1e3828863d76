"""The fault table: bad input and broken runs, each tried as a user would and checked for what it must do —
refuse with a message naming the file, row, option or pair at fault, never lose finished work, never call a broken
run finished. Toy sizes throughout; the slow end-to-end cases (kill and resume, failing and forced reruns, locks,
bad `--stage1` folders) live in test_experiments.py."""
import json, os, signal, stat, subprocess, sys, time, warnings
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = dict(synthetic={"n_train": 200, "n_test": 30}, max_train_rows=24, max_eval_rows=8, max_test_rows=8, tokenizer_vocab=350,
           pretrain_epochs=0.0, per_device_train_batch_size=8, max_new_tokens=8, eval_batch_size=8,
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
    with pytest.raises(RunFailed, match="diverged at step"): _toy_run(tmp_path, learning_rate=1e30, epochs=2.0)

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
    from pause_nb.config import ModelSettings
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
    r = _cli("pause_nb.experiments", "run", "--variants", "warmup_tinyllama_no_pause", "--out-root", str(tmp_path), "--set", "lrate=1")
    assert r.returncode == 2 and "'lrate'" in r.stderr and not (tmp_path / "default").exists()

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
    p = tmp_path / "predictions-sampled.jsonl"; p.write_text('{"index": 0}\n{"index": 1, "compl')
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

def _finished_folder(out: Path, overrides: dict, variant="warmup_tinyllama_no_pause", seed=42):
    from pause_nb.config import config_dict, experiment_config
    out.mkdir(parents=True); (out / "metrics.json").write_text('{"protocols": {}}')
    (out / "config.json").write_text(json.dumps(config_dict(experiment_config(variant, "cpu-tiny", seed, overrides))))

def case_changed_settings_are_not_skipped_as_done(tmp_path):
    "Seeds 1, 2 finished at epochs=40; asking for seeds 1, 2, 3 at epochs=2 stops before anything runs, naming the field."
    for s in (1, 2): _finished_folder(tmp_path / "r" / "warmup_tinyllama_no_pause" / f"seed-{s}", {"epochs": 40}, seed=s)
    r = _cli("pause_nb.experiments", "run", "--variants", "warmup_tinyllama_no_pause", "--run", "r", "--out-root", str(tmp_path),
             "--seeds", "1,2,3", "--set", "epochs=2")
    assert r.returncode == 2 and "seed-1: variant.epochs: 40.0 → 2.0" in r.stderr and "--force" in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / "r" / "warmup_tinyllama_no_pause" / "seed-3").exists()

def case_report_refuses_to_pool_mixed_seeds(tmp_path):
    for s, e in ((1, 40), (2, 2)): _finished_folder(tmp_path / "r" / "warmup_tinyllama_no_pause" / f"seed-{s}", {"epochs": e}, seed=s)
    r = _cli("pause_nb.experiments", "report", str(tmp_path / "r"))
    assert r.returncode == 2 and "seed-2 ran with other settings than seed-1 (variant.epochs: 40.0 → 2.0)" in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / "r" / "report.md").exists()

def case_empty_metrics_is_not_finished(tmp_path):
    from pause_nb.experiments import read_metrics
    from pause_nb.report import collect_runs
    out = tmp_path / "r" / "warmup_tinyllama_no_pause" / "seed-42"; _finished_folder(out, {}); (out / "metrics.json").write_text("")
    assert read_metrics(out) is None
    with pytest.raises(ValueError, match=f"{out / 'metrics.json'}: not a finished run's metrics"): collect_runs(tmp_path / "r")

def case_variant_command_honours_a_finished_run(tmp_path):
    "`experiments variant` over a finished folder with other settings refuses (rc 2) and leaves metrics.json and config.json as they were."
    out = tmp_path / "run"; _finished_folder(out, {"epochs": 40}); before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = _cli("pause_nb.experiments", "variant", "--variant", "warmup_tinyllama_no_pause", "--out-dir", str(out), "--set", "epochs=300", "learning_rate=5e-4")
    assert r.returncode == 2 and "variant.epochs: 40.0 → 300.0" in r.stderr and "preset.train.learning_rate" in r.stderr, r.stderr[-2000:]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != ".lock"} == before

def case_relative_stage1_dir_is_resolved_where_typed(tmp_path, monkeypatch):
    from pause_nb.experiments import parse_stage1_dirs
    from pause_nb.variants import STAGE2_VARIANTS
    run = tmp_path / "here" / "s1"; _finished_folder(run, {}, "warmup_tinyllama_pause_kl_true")
    (run / "model").mkdir(); (run / "model" / "config.json").write_text("{}"); (run / "model" / "tokenizer_config.json").write_text("{}")
    monkeypatch.chdir(tmp_path / "here")
    got = parse_stage1_dirs(["warmup_tinyllama_pause_kl_true=s1"], [STAGE2_VARIANTS["pause_grpo_t1"]])
    assert got["warmup_tinyllama_pause_kl_true"] == run / "model" and got["warmup_tinyllama_pause_kl_true"].is_absolute()

def case_relative_data_root_reaches_the_kernel_absolute(tmp_path, monkeypatch):
    "The kernel runs in the project folder: a relative PAUSE_NB_DATA must reach it as the folder the user meant."
    import nbformat
    from pause_nb.experiments import run_notebook
    tpl = tmp_path / "where.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    p = nbformat.v4.new_code_cell("out = ''"); p.metadata["tags"] = ["parameters"]
    nb.cells = [p, nbformat.v4.new_code_cell("import os, pathlib; pathlib.Path(out).write_text(os.environ['PAUSE_NB_DATA'])")]
    nbformat.write(nb, tpl)
    monkeypatch.chdir(tmp_path); monkeypatch.setenv("PAUSE_NB_DATA", "rel/data")
    ok, err = run_notebook(tpl, tmp_path / "ran" / "where.ipynb", {"out": str(tmp_path / "seen.txt")})
    assert ok, err
    assert (tmp_path / "seen.txt").read_text() == str(tmp_path / "rel" / "data")

def case_truncation_warning_survives_ignored_warnings(tmp_path):
    "The runner's kernels run with PYTHONWARNINGS=ignore; the truncation warning must still show."
    code = ("from datasets import Dataset; from pause_nb.pipeline import truncation_report; from pause_nb.data import train_tokenizer\n"
            "tok = train_tokenizer(['Question: a b c d e f g h Answer: 1 2 3 4 5 6 7 8 #### 9'] * 4, 60)\n"
            "rows = Dataset.from_list([{'prompt': 'Question: a b c d e f g h Answer:', 'completion': ' 1 2 3 4 5 6 7 8 #### 9'}, {'prompt': 'Q', 'completion': ' 1'}])\n"
            "print(truncation_report(tok, rows, 6, 'run-x'))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env=os.environ | {"PYTHONWARNINGS": "ignore"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert "run-x: max_length=6 truncates 1 of 2 training rows" in r.stderr and "'train_rows_truncated': 1" in r.stdout

def case_overwrite_keeps_the_users_files(tmp_path):
    src, out = _gsm8k(tmp_path / "gsm8k"), tmp_path / "aug"
    args = ["pause_nb.inject", "--dataset_location", str(src), "--augm_dataset_save_location", str(out), "--tokenizer_hf_name", _tokenizer(tmp_path)]
    assert _cli(*args).returncode == 0
    (out / "NOTES.txt").write_text("mine"); (out / "my_eval").mkdir(); (out / "my_eval" / "r.json").write_text("{}")
    r = _cli(*args, "--overwrite", "--seed", "7")
    assert r.returncode == 0, r.stderr[-2000:]
    assert (out / "NOTES.txt").read_text() == "mine" and (out / "my_eval" / "r.json").read_text() == "{}"
    assert json.loads((out / "metadata.json").read_text())["config"]["seed"] == 7

def case_bad_values_named_before_anything_runs(tmp_path):
    "Each bad value is refused at once (rc 2), naming the option or field, and no run folder is made."
    import contextlib, io
    from pause_nb.experiments import main
    for args, msg in ((["--set", "learning_rate=abc"], "learning_rate: expected float, got 'abc'"), (["--set", "max_length=0"], "max_length must be >= 1, got 0"),
                      (["--set", "tiny_model=big"], "tiny_model: expected dict, got 'big'"), (["--set", "protocols=seed"], "protocols: expected tuple"),
                      (["--set", "epochs=-1"], "epochs must be >= 0"), (["--variants", ","], "no variant named in ','"),
                      (["--seeds=-1"], "seeds are >= 0, got [-1]")):
        err = io.StringIO()
        with contextlib.redirect_stderr(err): rc = main(["run", "--out-root", str(tmp_path), "--run", "r", *args])
        assert rc == 2 and msg in err.getvalue(), (args, err.getvalue())
    assert not (tmp_path / "r").exists()

def case_injector_huge_k_refused_before_allocating(tmp_path):
    from pause_nb.inject import InjectConfig, inject_texts
    with pytest.raises(ValueError, match="k=100000000 × 7473 rows = 747,300,000,000 augmented texts"):
        inject_texts(["a b"] * 7473, InjectConfig(mode="patterns", patterns={"a": 1}, k=10**8))

def case_injector_negative_seed_named(tmp_path):
    r = _cli("pause_nb.inject", "--dataset_location", str(_gsm8k(tmp_path / "g")), "--augm_dataset_save_location", str(tmp_path / "o"),
             "--tokenizer_hf_name", "unused", "--seed", "-5")
    assert r.returncode != 0 and "seed must be >= 0" in r.stderr and not (tmp_path / "o").exists(), r.stderr[-2000:]

def _stage1_folder(run: Path, overrides: dict, metrics: str = '{"protocols": {}}') -> Path:
    _finished_folder(run, overrides, "warmup_tinyllama_pause_kl_true"); (run / "metrics.json").write_text(metrics)
    (run / "model").mkdir(); (run / "model" / "config.json").write_text("{}"); (run / "model" / "tokenizer_config.json").write_text("{}")
    return run

def case_stage2_refuses_a_failed_or_foreign_stage1_folder(tmp_path):
    import contextlib, io
    from pause_nb.experiments import main
    failed = _stage1_folder(tmp_path / "failed", {}, '{"status": "failed"}')
    foreign = _stage1_folder(tmp_path / "foreign", {"tiny_model": {"arch": "llama", "hidden_size": 32, "num_layers": 1, "num_heads": 2}})
    from pause_nb.experiments import parse_stage1_dirs
    from pause_nb.variants import STAGE2_VARIANTS
    with pytest.raises(ValueError, match=f"{failed / 'metrics.json'} is not a finished Stage 1 run's"):
        parse_stage1_dirs([f"warmup_tinyllama_pause_kl_true={failed}"], [STAGE2_VARIANTS["pause_grpo_t1"]])
    for d, msg in ((failed, "is not a finished Stage 1 run's"), (foreign, "trained with other settings than pause_grpo_t1 starts from")):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = main(["run", "--variants", "pause_grpo_t1", "--out-root", str(tmp_path / "out"), "--stage1", f"warmup_tinyllama_pause_kl_true={d}"])
        assert rc == 2 and msg in err.getvalue() and str(d) in err.getvalue(), err.getvalue()
    assert "preset.model.tiny_model.hidden_size: 32 → 128" in err.getvalue()
    assert not (tmp_path / "out").exists()

def case_pool_workers_die_with_the_runner(tmp_path):
    "A SIGKILLed runner's base-pretraining pool (spawned workers, `initializer=die_with_parent`) leaves no worker behind."
    code = ("import os, sys, time\nfrom concurrent.futures import ProcessPoolExecutor\nfrom multiprocessing import get_context\n"
            "from pause_nb.data import die_with_parent\n"
            "if __name__ == '__main__':\n"
            "    ex = ProcessPoolExecutor(2, mp_context=get_context('spawn'), initializer=die_with_parent)\n"
            "    pids = {ex.submit(os.getpid).result() for _ in range(4)}\n"
            "    [ex.submit(time.sleep, 120) for _ in range(2)]\n"
            "    print(*pids, flush=True); time.sleep(120)\n")
    (tmp_path / "pool.py").write_text(code)
    p = subprocess.Popen([sys.executable, str(tmp_path / "pool.py")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    workers = [int(x) for x in p.stdout.readline().split()]
    assert workers, "no worker started"
    time.sleep(1); p.kill(); p.wait()
    def alive(pid):
        try: return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
        except OSError: return False
    deadline = time.time() + 10
    while any(map(alive, workers)) and time.time() < deadline: time.sleep(0.2)
    left = [w for w in workers if alive(w)]
    for w in left: os.kill(w, signal.SIGKILL)
    assert not left, f"pool workers still running after the runner died: {left}"

def case_run_name_is_not_a_path(tmp_path):
    import contextlib, io
    from pause_nb.experiments import main
    for run in ("/abs/path", "../x", "a/b", ".."):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):     # an unknown row too: were the name let through, nothing would run anyway
            rc = main(["run", "--out-root", str(tmp_path / "out"), "--run", run, "--variants", "no_such_row"])
        assert rc == 2 and "a run is named by a folder name" in err.getvalue(), (run, err.getvalue())
    assert not (tmp_path / "out").exists() and not (tmp_path / "x").exists()

def case_report_on_a_data_folder_writes_nothing(tmp_path):
    d = tmp_path / "data"; d.mkdir(); (d / "train.jsonl").write_text("{}\n")
    r = _cli("pause_nb.experiments", "report", str(d))
    assert r.returncode == 2 and "not a run folder" in r.stderr and sorted(p.name for p in d.iterdir()) == ["train.jsonl"], r.stderr[-2000:]

def case_saved_weights_follow_the_umask(tmp_path):
    from pause_nb.data import train_tokenizer
    from pause_nb.hub import save_pause_model
    from pause_nb.model import tiny_causal_lm
    tok = train_tokenizer(["Question: 1 + 1? Answer: 2 #### 2"] * 4, 60)
    old = os.umask(0o022)
    try: d = save_pause_model(tiny_causal_lm(tok, hidden_size=16, num_layers=1), tmp_path / "m", tok)
    finally: os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in d.iterdir() if p.is_file()}
    assert modes["model.safetensors"] == 0o644 and set(modes.values()) == {0o644}, modes

def case_test_rows_copied_from_train_are_named(tmp_path):
    from pause_nb.assets import load_splits
    from pause_nb.config import DataSettings
    src = _gsm8k(tmp_path / "g"); train = (src / "train.jsonl").read_text().splitlines()
    (src / "test.jsonl").write_text("\n".join(train[:3] + (src / "test.jsonl").read_text().splitlines()) + "\n")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("ignore")                 # as under the runner's PYTHONWARNINGS=ignore: must still show
        load_splits(DataSettings(source=str(src)), str(src), 0)
    assert any("3 of 8 test questions also appear in the training split" in str(x.message) for x in w), [str(x.message) for x in w]

def case_a_failed_figure_write_leaves_no_temporary_file(tmp_path):
    import plotly.graph_objects as go
    from pause_nb.viz import save_html
    fig = go.Figure(go.Scatter(x=[1], y=[1]))
    fig.write_html = lambda path, **kw: (Path(path).write_text("half a page"), (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(OSError, match="No space left"): save_html(fig, tmp_path / "figures" / "replies.html")
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == []

CASES = {n.removeprefix("case_"): f for n, f in sorted(globals().items()) if n.startswith("case_")}

@pytest.mark.parametrize("case", list(CASES))
def test_fault(case, tmp_path, monkeypatch):
    f = CASES[case]
    f(tmp_path, monkeypatch) if "monkeypatch" in f.__code__.co_varnames[:f.__code__.co_argcount] else f(tmp_path)
