"""What a user of papermill, pip and the console scripts tries first, through the real clients (issue 13): papermill's own
CLI on the templates, a wheel built from the repository and used from another folder, and the console scripts' exit
codes. Nothing here trains: a misspelled or mistyped parameter stops a template before its first step."""
import json, os, shutil, subprocess, sys, zipfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent            # the environment's console scripts: papermill, pause_nb_inject, ...
TEMPLATES = ROOT / "nbs" / "templates"

def _run(cmd, cwd=ROOT, env=None, timeout=300) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    r.output = r.stdout + r.stderr
    return r

def _papermill(template: str, tmp_path: Path, *params: str) -> subprocess.CompletedProcess:
    "papermill's own CLI on a template, writing its run folder (if it got that far) under `tmp_path`."
    where = ["-p", "run_dir", tmp_path / "run"] if template == "report" else ["-p", "out_dir", tmp_path / "run"]
    return _run([BIN / "papermill", TEMPLATES / f"{template}.ipynb", tmp_path / "out.ipynb", "-k", "python3", "--cwd", ROOT,
                 *where, *params])

# --- papermill ---

@pytest.mark.parametrize("template, wrong, right", [("experiment", "sed", "seed"), ("report", "run_dri", "run_dir")])
def test_papermill_rejects_a_misspelled_parameter(tmp_path, template, wrong, right):
    "papermill only warns about an undeclared parameter; the template stops, names it and suggests the declared one."
    late = ["-p", "preset", "no-such-preset"] if template != "report" else []   # without the check: stop at the config, not train
    r = _papermill(template, tmp_path, "-p", wrong, "3", *late)
    assert r.returncode != 0, r.output[-2000:]
    assert f"unknown parameter(s) '{wrong}' (did you mean '{right}'?)" in r.output, r.output[-2000:]
    assert not (tmp_path / "run" / "config.json").exists() and not (tmp_path / "run" / "report.md").exists()

@pytest.mark.parametrize("template, params, wants", [
    ("experiment", ["-p", "seed", "abc", "-p", "threads", "two", "-p", "log_level", "3"],
     ["seed: expected int, got 'abc'", "threads: expected int, got 'two'", "log_level: expected str, got 3"]),
    ("rl_experiment", ["-p", "threads", "two"], ["threads: expected int, got 'two'"])])
def test_papermill_rejects_a_wrong_type(tmp_path, template, params, wants):
    "`-p threads two` is an error naming `threads` and its type — every wrong parameter at once — before torch is imported or anything is written."
    r = _papermill(template, tmp_path, *params, "-p", "preset", "no-such-preset")   # types are checked first
    assert r.returncode != 0 and all(w in r.output for w in wants), r.output[-2000:]
    assert "set_num_threads" not in r.output and not (tmp_path / "run").exists()

def test_every_template_checks_what_papermill_injected():
    "The cell after each template's parameters cell calls `check_injected` (the two runs above exercise it for real)."
    for t in TEMPLATES.glob("*.ipynb"):
        cells = [c for c in json.loads(t.read_text())["cells"] if c["cell_type"] == "code"]
        i = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
        assert "check_injected(globals())" in "".join(cells[i + 1]["source"]), t.name

# --- a wheel, installed elsewhere ---

@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    "A wheel built from a copy of the repository's packaging files, installed with `pip --target` into a fresh folder."
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for f in ("setup.py", "settings.ini", "README.md"): (src / f).parent.mkdir(exist_ok=True); shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / "pause_nb", src / "pause_nb", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(TEMPLATES, src / "nbs" / "templates")           # pause_nb/templates links here, as in the repository
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", src], cwd=tmp)
    assert r.returncode == 0, r.output[-3000:]
    wheel = next((tmp / "dist").glob("pause_nb-*.whl"))
    r = _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", tmp / "site", wheel], cwd=tmp)
    assert r.returncode == 0, r.output[-3000:]
    env = os.environ | {"PYTHONPATH": str(tmp / "site")}           # the installed copy first, the stack from this environment
    return {"tmp": tmp, "wheel": wheel, "site": tmp / "site", "env": env, "cwd": tmp_path_factory.mktemp("elsewhere")}

def test_wheel_has_the_templates_and_console_scripts(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for t in ("experiment", "rl_experiment", "report"): assert f"pause_nb/templates/{t}.ipynb" in names
    ep = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    scripts = zipfile.ZipFile(installed["wheel"]).read(ep).decode()
    for s in ("pause_nb_inject = pause_nb.inject:main", "pause_nb_experiments = pause_nb.experiments:main", "pause_nb_rl = pause_nb.experiments:stage2_main",
              "pause_nb_evaluate = pause_nb.evaluate:main"):
        assert s in scripts, scripts

def test_installed_package_runs_from_another_folder(installed):
    "From a folder outside the checkout, the installed copy is imported and finds its templates inside itself."
    site, env, cwd = installed["site"], installed["env"], installed["cwd"]
    code = ("import pause_nb, pause_nb.experiments as e\nprint(pause_nb.__file__)\n"
            "print(*(e.template(t) for t in ('experiment', 'rl_experiment', 'report')), sep='\\n')")
    r = _run([sys.executable, "-c", code], cwd=cwd, env=env)
    assert r.returncode == 0, r.output[-2000:]
    paths = r.stdout.split()
    assert all(p.startswith(str(site)) for p in paths), paths
    r = _run([sys.executable, "-m", "pause_nb.experiments", "run", "--help"], cwd=cwd, env=env)
    assert r.returncode == 0 and "--log-level" in r.stdout, r.output[-2000:]
    for s, module, fn in [("pause_nb_inject", "inject", "main"), ("pause_nb_experiments", "experiments", "main"),
                          ("pause_nb_rl", "experiments", "stage2_main"), ("pause_nb_evaluate", "evaluate", "main")]:
        assert f"from pause_nb.{module} import {fn}" in (site / "bin" / s).read_text(), s
    r = _run([site / "bin" / "pause_nb_inject", "--help"], cwd=cwd, env=env)
    assert r.returncode == 0 and "--dataset_location" in r.stdout, r.output[-2000:]

# --- console scripts' exit codes ---

GSM8K_ROWS = [{"question": f"Tom has {a} apples and buys {b} more. How many apples does he have?",
               "answer": f"He has {a}+{b}=<<{a}+{b}={a + b}>>{a + b} apples.\n#### {a + b}"} for a, b in [(3, 4), (5, 6), (7, 8)]]

def test_inject_exit_codes(tmp_path):
    "`pause_nb_inject`: 0 on success (the output and its card written), non-zero with a message on a missing folder."
    data = tmp_path / "gsm8k"; data.mkdir()
    for split in ("train", "test"): (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in GSM8K_ROWS))
    inject = [BIN / "pause_nb_inject", "--mode", "patterns", "--patterns", '{"=": 1}']
    r = _run([*inject, "--dataset_location", data, "--augm_dataset_save_location", tmp_path / "out"], cwd=tmp_path)
    assert r.returncode == 0, r.output[-2000:]
    assert (tmp_path / "out" / "README.md").exists()
    r = _run([*inject, "--dataset_location", tmp_path / "nope", "--augm_dataset_save_location", tmp_path / "out2"], cwd=tmp_path)
    assert r.returncode != 0 and "error:" in r.stderr and "nope" in r.stderr, r.output[-2000:]

def test_experiments_and_rl_exit_codes(tmp_path):
    "`pause_nb_experiments report` on a missing folder fails without creating it; `pause_nb_rl --help` is 0."
    r = _run([BIN / "pause_nb_experiments", "report", tmp_path / "nonexistent"], cwd=tmp_path)
    assert r.returncode != 0 and "nonexistent" in r.stderr, r.output[-2000:]
    assert not (tmp_path / "nonexistent").exists()
    r = _run([BIN / "pause_nb_rl", "--help"], cwd=tmp_path)
    assert r.returncode == 0 and "usage:" in r.stdout, r.output[-2000:]

# --- transformers, after `import pause_nb` ---

def test_import_pause_nb_then_the_trainer(tmp_path):
    "`import pause_nb` then transformers' Trainer (which imports modeling_utils before the Auto classes) works and registers."
    code = ("import pause_nb\nfrom transformers import Trainer\nfrom transformers import AutoConfig\n"
            "from transformers.models.auto.configuration_auto import CONFIG_MAPPING\nprint('pause_lm' in CONFIG_MAPPING)")
    r = _run([sys.executable, "-c", code], cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.split()[-1] == "True", r.output[-2000:]
