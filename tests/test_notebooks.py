"""Every notebook in nbs/ is a test: each runs in its own process through nbdev's `test_nb` (a fresh fork of a server
that has imported torch, transformers and trl once: tests/forkserver.py).

Cells flagged `#| slow` or `#| gpu` (settings.ini `tst_flags`) are skipped unless named in
`$PAUSE_NB_TEST_FLAGS` (e.g. `PAUSE_NB_TEST_FLAGS=slow make test`). Folders holding a `.notest`
file (the papermill templates) are left out, as nbdev_test does.
"""
import shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import SESSION_ENV, write_notebook
from forkserver import ForkServer

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"

def _notebooks():
    "Notebooks nbdev_test would run: none under `_`/`.` folders or beside a `.notest` file."
    for p in sorted(NBS.rglob("*.ipynb")):
        rel = p.relative_to(NBS)
        if any(part.startswith(("_", ".")) for part in rel.parts): continue
        if any((q / ".notest").exists() for q in [p.parent, *p.parent.parents] if NBS in [q, *q.parents]): continue
        yield p

RUN = """
import sys, os
from pathlib import Path
from nbdev.test import test_nb
force = os.environ.get("PAUSE_NB_TEST_FLAGS", "").split()
ok, secs = test_nb(Path(sys.argv[1]), skip_flags=["notest", "slow", "gpu"], force_flags=force)
print(f"{sys.argv[1]}: {secs:.1f}s")
sys.exit(0 if ok else 1)
"""

@pytest.mark.parametrize("nb", list(_notebooks()), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb, notebook_runs):
    rc, out = notebook_runs[nb].result()   # run in the background since the session started (conftest.notebook_runs)
    assert rc == 0, f"{nb.name} failed (exit {rc}):\n{out[-6000:]}"

def test_package_is_exported_from_notebooks(tmp_path):
    "pause_nb/ is exactly what nbdev_export makes of nbs/ (edit the notebooks, then `make export`)."
    for name in ("nbs", "pause_nb"): shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("settings.ini", "setup.py", "README.md"): shutil.copy(ROOT / name, tmp_path / name)
    exporter = Path(sys.executable).parent / "nbdev_export"
    subprocess.run([str(exporter)], cwd=tmp_path, check=True, capture_output=True)
    for f in sorted((ROOT / "pause_nb").glob("*.py")):
        assert (tmp_path / "pause_nb" / f.name).read_text() == f.read_text(), f"pause_nb/{f.name} is out of sync with nbs/: run `make export`"
    assert sorted(p.name for p in (tmp_path / "pause_nb").glob("*.py")) == sorted(p.name for p in (ROOT / "pause_nb").glob("*.py"))

def test_notebooks_are_clean(tmp_path):
    "Notebooks are committed cleaned by nbdev_clean (no outputs' metadata noise, ids normalised)."
    shutil.copytree(NBS, tmp_path / "nbs")
    shutil.copy(ROOT / "settings.ini", tmp_path / "settings.ini")
    subprocess.run([str(Path(sys.executable).parent / "nbdev_clean")], cwd=tmp_path, check=True, capture_output=True)
    dirty = [str(p.relative_to(tmp_path / "nbs")) for p in (tmp_path / "nbs").rglob("*.ipynb")
             if p.read_bytes() != (NBS / p.relative_to(tmp_path / "nbs")).read_bytes()]
    assert not dirty, f"not cleaned (run `make export`): {dirty}"

def test_the_fork_server_reports_pass_fail_and_timeout(fork_server, tmp_path, monkeypatch):
    "A notebook that passes gives 0, one whose cell raises gives 1, one past its time limit is killed (SIGALRM); scripts see the session's environment, not a test's."
    run = lambda name, src, **kw: fork_server.run(RUN, str(write_notebook(tmp_path/name, src)), cwd=tmp_path, log=tmp_path/f"{name}.log", **kw)
    assert run("ok.ipynb", "assert 1 + 1 == 2")[0] == 0
    rc, out = run("bad.ipynb", "assert 1 + 1 == 3, 'wrong sum'")
    assert rc == 1 and "wrong sum" in out
    assert run("slow.ipynb", "import time; time.sleep(30)", timeout=1)[0] == -14
    assert fork_server.run("import os, sys; print(os.getcwd(), sys.argv[1:]); sys.exit(3)", "x", cwd=tmp_path, log=tmp_path/"e")[0] == 3
    monkeypatch.setenv("PAUSE_NB_DATA", str(tmp_path/"a-test's-data"))   # a server started now still gets the session's environment
    server = ForkServer(SESSION_ENV, preload=False)
    try: out = server.run("import os; print(os.environ.get('PAUSE_NB_DATA'))", cwd=tmp_path, log=tmp_path/"env")[1]
    finally: server.close()
    assert out.strip() == str(SESSION_ENV.get("PAUSE_NB_DATA")), out
