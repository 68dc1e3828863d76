"""The experiment runner end to end through papermill, at toy size on CPU: kill and resume, failures, report."""
import json, os, re, signal, subprocess, sys, time
from pathlib import Path
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = ['synthetic={"n_train":200,"n_test":30}', "max_train_rows=24", "max_eval_rows=8", "max_test_rows=8", "tokenizer_vocab=350",
       "pretrain_epochs=0.1", "per_device_train_batch_size=8", "max_new_tokens=12", "epochs=0.4", "eval_batch_size=8",
       'tiny_model={"arch":"llama","hidden_size":32,"num_layers":1,"num_heads":2}']
A, B = "warmup_tinyllama_pause_kl_true", "warmup_tinyllama_no_pause"

@pytest.fixture
def env(tmp_path):
    return os.environ | {"PAUSE_NB_DATA": str(tmp_path / "data"), "TOKENIZERS_PARALLELISM": "false"}

def _cmd(out_root, variants=f"{A},{B}", *extra):
    return [sys.executable, "-m", "pause_nb.experiments", "run", "--preset", "cpu-tiny", "--variants", variants,
            "--run", "r", "--out-root", str(out_root), *extra, "--set", *TOY]

def _check_phases(out: str, key: str, data_phase: str) -> None:
    "At the default level a row prints its phases with times (data or inject / base / train steps / evaluate) between running and done."
    lines = [l.removeprefix(f"{key}: ") for l in out.splitlines() if l.startswith(f"{key}: ")]
    phases = [l.split(":")[0].split()[0] for l in lines]
    assert phases[0] == "running" and phases[-1] == "done", lines
    assert {data_phase, "base", "train", "evaluate"} <= set(phases), lines
    assert any(l.startswith("train: step ") for l in lines) and all(re.search(r"\d\.\ds\b", l) for l in lines[1:-1]), lines   # each with its time

CHATTER = ("Saving the dataset", "Writing model shards", "The new embeddings", "it/s]", "Warning", "warn(")   # library output kept out by default

@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    "The toy run of rows A and B, killed during B and run again: (out root, env, the killed run's output, the rerun's result, A's metrics as first written)."
    tmp = tmp_path_factory.mktemp("resume")
    env = os.environ | {"PAUSE_NB_DATA": str(tmp / "data"), "TOKENIZERS_PARALLELISM": "false"}
    run = tmp / "out" / "r"
    a, b = run / A / "seed-42", run / B / "seed-42"
    p = subprocess.Popen(_cmd(tmp / "out"), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 400
    while not (a / "metrics.json").exists() or not (b / "parameters.json").exists():
        assert p.poll() is None, p.stdout.read().decode()[-3000:]
        assert time.time() < deadline, "runner did not reach the second variant"
        time.sleep(0.5)
    os.killpg(p.pid, signal.SIGKILL); p.wait(); time.sleep(2)
    first = p.stdout.read().decode()
    assert (a / "metrics.json").exists() and not (b / "metrics.json").exists()
    finished = (a / "metrics.json").read_bytes()
    r = subprocess.run(_cmd(tmp / "out"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return tmp / "out", env, first, r, finished

def test_kill_and_resume(resumed):
    "Kill the runner during the second variant: the first stays finished and is skipped on rerun; the report is rebuilt; both runs print phases, no library chatter."
    out, _, first, r, finished = resumed
    run = out / "r"
    a, b = run / A / "seed-42", run / B / "seed-42"
    _check_phases(first, f"{A}/seed-42", "inject")                      # the default level: phases, not library chatter
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert f"{A}/seed-42: skipped" in r.stdout
    _check_phases(r.stdout, f"{B}/seed-42", "data")
    assert not [c for c in CHATTER if c in first + r.stdout + r.stderr], (first + r.stderr)[-3000:]
    assert (a / "metrics.json").read_bytes() == finished                # not redone
    assert (b / "metrics.json").exists() and (b / "experiment.ipynb").exists()
    m = json.loads((b / "metrics.json").read_text())
    for proto in ("sampled", "greedy"):                                    # the baseline never pauses, under either protocol
        assert m["protocols"][proto]["ours"]["n_questions"] == 8 and m["protocols"][proto]["ours"]["avg_pauses_per_reply"] == 0.0
    assert m["protocols"]["sampled"]["settings"] | {"source": ""} == {"name": "sampled", "do_sample": True, "temperature": 1.0, "top_k": 50,
                                                                 "top_p": 1.0, "k": 1, "headline": "reference", "source": ""}
    report = (run / "report.md").read_text()
    assert "warmup_tinyllama_pause KL on true probs" in report and "warmup tinyllama no pause (baseline)" in report
    for d in (a, b): assert list((d / "figures").glob("*.html")) and (d / "config.json").exists() and (d / "predictions-sampled.jsonl").exists()

def _failing_template(path: Path) -> Path:
    "A template with the real parameters whose run fails for variant B and finishes for the others."
    real = nbformat.read(ROOT / "nbs" / "templates" / "experiment.ipynb", as_version=4)
    params = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
    nb = nbformat.v4.new_notebook(metadata=real.metadata)
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from pathlib import Path\nimport json\n"
        f"if variant == {B!r}: raise RuntimeError('boom: simulated failure')\n"
        "from pause_nb.config import config_dict, experiment_config\n"
        "Path(out_dir).mkdir(parents=True, exist_ok=True)\n"
        "(Path(out_dir)/'config.json').write_text(json.dumps(config_dict(experiment_config(variant, preset, seed, json.loads(overrides)))))\n"
        "(Path(out_dir)/'metrics.json').write_text(json.dumps({'protocols': {}, 'train_rows_truncated': 3, 'train_samples': 24}))")]
    nbformat.write(nb, path); return path

def _run_failing(tmp_path, env, variants: str, **kw) -> tuple[dict, str]:
    "`run_experiments` with the failing template on the toy preset in a fresh interpreter; (status, stdout)."
    tpl = _failing_template(tmp_path / "failing.ipynb")
    code = ("import sys, json; from pause_nb.experiments import run_experiments\n"
            "s = run_experiments('cpu-tiny', sys.argv[1], 'r', out_root=sys.argv[2], template_path=sys.argv[3], "
            "overrides=json.loads(sys.argv[4]), **json.loads(sys.argv[5]))\nprint(json.dumps(s))")
    overrides = {k: json.loads(v) if v[:1] in "{[" or v[:1].isdigit() else v for k, v in (t.split("=", 1) for t in TOY)}
    r = subprocess.run([sys.executable, "-c", code, variants, str(tmp_path / "out"), str(tpl), json.dumps(overrides), json.dumps(kw)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stdout

def test_failing_variant_does_not_stop_others(tmp_path, env):
    "A variant that fails leaves its executed notebook as evidence; the others finish; the runner says so and fails."
    status, stdout = _run_failing(tmp_path, env, f"{B},{A}")
    assert status[f"{B}/seed-42"] == "failed" and status[f"{A}/seed-42"] == "done" and status["report"] == "done"
    assert f"{A}/seed-42: warning: max_length cut 3 of 24 training rows" in stdout      # truncation reaches the console
    evidence = (tmp_path / "out" / "r" / B / "seed-42" / "experiment.ipynb").read_text()
    assert "boom: simulated failure" in evidence
    assert f"unfinished or failed: {B}/seed-42" in (tmp_path / "out" / "r" / "report.md").read_text()

def test_failed_forced_rerun_is_not_counted_finished(tmp_path, env):
    "A `--force` rerun that fails leaves no metrics.json behind: the next run redoes it and the report does not count it."
    out = tmp_path / "out" / "r" / B / "seed-42"
    out.mkdir(parents=True)
    (out / "metrics.json").write_text('{"old": true}'); (out / "config.json").write_text("{}")
    status, _ = _run_failing(tmp_path, env, B, force=True, report=False)
    assert status[f"{B}/seed-42"] == "failed" and not (out / "metrics.json").exists()

def test_a_busy_folder_is_left_alone(tmp_path, env):
    "A second runner finds the run folder locked and leaves it alone, saying so."
    from filelock import FileLock
    out = tmp_path / "out" / "r" / B / "seed-42"; out.mkdir(parents=True)
    with FileLock(out / ".lock"): status, stdout = _run_failing(tmp_path, env, B, report=False)
    assert status[f"{B}/seed-42"] == "busy" and "another runner" in stdout
    assert not (out / "experiment.ipynb").exists()

def test_cli_rejects_unknown_names(tmp_path, env):
    r = subprocess.run(_cmd(tmp_path, "warmup_llama"), cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "valid: all, tinyllama" in r.stderr
    r = subprocess.run([*_cmd(tmp_path, A), "learning_rat=1"], cwd=ROOT, env=env, capture_output=True, text=True)   # (learning_rate is a field now)
    assert r.returncode == 2 and "'learning_rat'" in r.stderr
    r = subprocess.run([*_cmd(tmp_path, A), 'protocols=["sampled","beam"]'], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "unknown protocol(s) ['beam']" in r.stderr
    r = subprocess.run([sys.executable, "-m", "pause_nb.experiments", "report", str(tmp_path / "nope")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "no such run folder" in r.stderr and not (tmp_path / "nope").exists()

def test_two_process_training_with_accelerate(tmp_path):
    "The multi-GPU code path (accelerate launch → torchrun → Trainer DDP) with 2 CPU processes over gloo."
    r = subprocess.run(["bash", "scripts/accelerate_cpu_smoke.sh", str(tmp_path / "acc")], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env=os.environ | {"PAUSE_NB_DATA": str(tmp_path / "data")})
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "accelerate smoke: world_size=2 train_steps=20" in r.stdout

def test_stage2_rows_chain_from_the_runs_stage1_rows(resumed):
    "One command runs Stage 2 rows from the run's Stage 1 rows (finished ones skipped, their settings unchanged by Stage 2's overrides); the report has both stages' tables, paired before → after."
    out, env, *_ = resumed
    S2 = "pause_grpo_t1"    # its baseline no_pause_grpo_t1 is added, which starts from the no-pause Stage 1 row
    grpo = 'grpo={"steps":2,"prompts_per_step":2,"group_size":2,"eval_every":0,"minibatch_size":4}'
    r = subprocess.run([*_cmd(out, f"{A},{S2}"), grpo, "curve_rows=4"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert f"{A}/seed-42: skipped" in r.stdout and f"{B}/seed-42: skipped" in r.stdout   # the Stage 1 rows of the run above
    run = out / "r"
    for name in (S2, "no_pause_grpo_t1"):
        d = run / name / "seed-42"
        m, cfg = json.loads((d / "metrics.json").read_text()), json.loads((d / "config.json").read_text())
        assert cfg["stage"] == 2 and cfg["algorithm"]["steps"] == 2 and m["rl_steps"] == 2
        assert sorted(m["before"]) == sorted(m["protocols"]) == ["greedy", "sampled"]
        assert (d / "rl_experiment.ipynb").exists() and (d / "before-predictions-sampled.jsonl").exists() and (d / "figures" / "curves.html").exists()
    params = json.loads((run / S2 / "seed-42" / "parameters.json").read_text())
    assert params["stage1_dir"] == str(run / A / "seed-42" / "model")          # started from this run's Stage 1 row
    report = (run / "report.md").read_text()
    assert "## The seed's Results table" in report and "## Stage 2: before → after RL" in report and "| Pause grpo T=1 | grpo | 1 | all |" in report

def test_stage2_rejects_bad_stage1_folders(tmp_path, env):
    "A misspelt Stage 1 name, a missing `=`, or an unfinished folder is an error before anything runs."
    half = tmp_path / "half"; (half / "model").mkdir(parents=True); (half / "model" / "config.json").write_text("{}")
    (half / "model" / "tokenizer_config.json").write_text("{}")
    for arg, msg in ((f"warmup_tinyllama_pause_kl_tru={half}", "not a Stage 1 row the selected Stage 2 rows start from"),
                     (str(half), "expected STAGE1_ROW=DIR"), (f"{A}={half}", "unfinished Stage 1 run")):
        r = subprocess.run([sys.executable, "-m", "pause_nb.rl", "run", "--variants", "pause_grpo_t1", "--out-root", str(tmp_path / "out"),
                            "--stage1", arg], cwd=ROOT, env=env, capture_output=True, text=True)
        assert r.returncode == 2 and msg in r.stderr, (arg, r.stderr[-2000:])
    assert not (tmp_path / "out").exists()
