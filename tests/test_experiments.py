"""The experiment runner end to end through papermill, at toy size on CPU: kill and resume, failures, report."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = ['synthetic={"n_train":200,"n_test":30}', "max_train_rows=24", "max_eval_rows=8", "max_test_rows=8", "tokenizer_vocab=350",
       "pretrain_epochs=0.1", "batch_size=8", "max_new_tokens=12", "epochs=0.4", "eval_batch_size=8",
       'tiny_model={"arch":"llama","hidden_size":32,"num_layers":1,"num_heads":2}']
A, B = "warmup_tinyllama_pause_kl_true", "warmup_tinyllama_no_pause"

@pytest.fixture
def env(tmp_path):
    return os.environ | {"PAUSE_NB_DATA": str(tmp_path / "data"), "TOKENIZERS_PARALLELISM": "false"}

def _cmd(out_root, variants=f"{A},{B}", *extra):
    return [sys.executable, "-m", "pause_nb.experiments", "run", "--preset", "cpu-tiny", "--variants", variants,
            "--run", "r", "--out-root", str(out_root), *extra, "--set", *TOY]

def test_kill_and_resume(tmp_path, env):
    "Kill the runner during the second variant: the first stays finished and is skipped on rerun; the report is rebuilt."
    run = tmp_path / "out" / "r"
    p = subprocess.Popen(_cmd(tmp_path / "out"), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 400
    while not (run / B / "parameters.json").exists():
        assert p.poll() is None, p.stdout.read().decode()[-3000:]
        assert time.time() < deadline, "runner did not reach the second variant"
        time.sleep(0.5)
    os.killpg(p.pid, signal.SIGKILL); p.wait(); time.sleep(2)
    assert (run / A / "metrics.json").exists() and not (run / B / "metrics.json").exists()
    finished = (run / A / "metrics.json").read_bytes()
    r = subprocess.run(_cmd(tmp_path / "out"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert f"{A}: skipped" in r.stdout
    assert (run / A / "metrics.json").read_bytes() == finished          # not redone
    assert (run / B / "metrics.json").exists() and (run / B / "experiment.ipynb").exists()
    m = json.loads((run / B / "metrics.json").read_text())
    assert m["n_questions"] == 8 and m["avg_pauses_per_reply"] == 0.0   # the baseline never pauses
    report = (run / "report.md").read_text()
    assert "warmup_tinyllama_pause KL on true probs" in report and "warmup tinyllama no pause (baseline)" in report
    for name in (A, B): assert list((run / name / "figures").glob("*.html")) and (run / name / "config.json").exists()

def _failing_template(path: Path) -> Path:
    "A template with the real parameters whose run fails for variant B and finishes for the others."
    real = nbformat.read(ROOT / "nbs" / "templates" / "experiment.ipynb", as_version=4)
    params = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
    nb = nbformat.v4.new_notebook(metadata=real.metadata)
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from pathlib import Path\nimport json\n"
        f"if variant == {B!r}: raise RuntimeError('boom: simulated failure')\n"
        "Path(out_dir).mkdir(parents=True, exist_ok=True)\n"
        "(Path(out_dir)/'metrics.json').write_text(json.dumps({'test_accuracy': 0.5}))")]
    nbformat.write(nb, path); return path

def test_failing_variant_does_not_stop_others(tmp_path, env):
    "A variant that fails leaves its executed notebook as evidence; the others finish; the runner says so and fails."
    tpl = _failing_template(tmp_path / "failing.ipynb")
    code = ("import sys, json; from pause_nb.experiments import run_experiments\n"
            f"s = run_experiments('cpu-tiny', '{B},{A}', 'r', out_root=sys.argv[1], template_path=sys.argv[2], overrides=json.loads(sys.argv[3]))\n"
            "print(json.dumps(s))")
    overrides = {k: json.loads(v) if v[:1] in "{[" or v[:1].isdigit() else v for k, v in (t.split("=", 1) for t in TOY)}
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out"), str(tpl), json.dumps(overrides)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    status = json.loads(r.stdout.strip().splitlines()[-1])
    assert status[B] == "failed" and status[A] == "done" and status["report"] == "done"
    evidence = (tmp_path / "out" / "r" / B / "experiment.ipynb").read_text()
    assert "boom: simulated failure" in evidence
    assert "missing (failed or unfinished): " + B in (tmp_path / "out" / "r" / "report.md").read_text()

def test_cli_rejects_unknown_names(tmp_path, env):
    r = subprocess.run(_cmd(tmp_path, "warmup_llama"), cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "valid: all, tinyllama" in r.stderr
    r = subprocess.run([*_cmd(tmp_path, A), "learning_rate=1"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "'learning_rate'" in r.stderr

def test_two_process_training_with_accelerate(tmp_path):
    "The multi-GPU code path (accelerate launch → torchrun → Trainer DDP) with 2 CPU processes over gloo."
    r = subprocess.run(["bash", "scripts/accelerate_cpu_smoke.sh", str(tmp_path / "acc")], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env=os.environ | {"PAUSE_NB_DATA": str(tmp_path / "data")})
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "accelerate smoke: world_size=2 train_steps=20" in r.stdout
