"""nbdev's quarto commands, as installed by pip from settings.ini's console scripts, run in a copy of the project:
each stops at once with one line naming what to run instead, and writes nothing (no `_proc/`, no pip install, README
untouched). Outside pause_nb the same scripts are nbdev's own."""
import hashlib, os, shutil, subprocess, sys, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["nbdev_readme", "nbdev_docs", "nbdev_preview", "nbdev_proc_nbs", "nbdev_prepare"]

def _own_install() -> str|None:
    "Where this environment's pip says pause_nb is installed (None: not installed)."
    r = subprocess.run([sys.executable, "-m", "pip", "show", "pause_nb"], capture_output=True, text=True, cwd="/")
    return next((l for l in r.stdout.splitlines() if l.startswith(("Location", "Editable project location"))), None)

@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    "A copy of the project, and pause_nb installed from it by pip into a prefix of its own: (copy, bin, site-packages)."
    d = tmp_path_factory.mktemp("nbdev_commands")
    src = d / "project"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "data", "outputs", "_docs", "_proc", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    before = _own_install()
    r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                        "--ignore-installed",   # else pip uninstalls this environment's pause_nb first, and every later test loses it
                        "--prefix", str(d / "prefix"), str(src)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert _own_install() == before, f"installing into a prefix changed this environment's pause_nb: {before} → {_own_install()}"
    site = next((d / "prefix").glob("lib/python*/site-packages"))
    return src, d / "prefix" / "bin", site

def _tree(d: Path) -> dict:
    "Every file under `d` (links too) → its size, mtime and SHA-256."
    return {str(p.relative_to(d)): (p.lstat().st_size, p.lstat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None)
            for p in sorted(d.rglob("*"))}

def _run(script: Path, cwd: Path, site: Path, *args):
    "Run an installed console script in `cwd`, importing pause_nb from `site`; (result, seconds)."
    t0 = time.time()
    r = subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                       env=os.environ | {"PYTHONPATH": str(site)})
    return r, time.time() - t0

@pytest.mark.parametrize("name", COMMANDS)
def test_refused_inside_the_project(installed, name):
    "In the project (and in its nbs/), the command exits 2 within seconds, with one line naming `make …`, and changes no file."
    src, bin_, site = installed
    assert "pause_nb.nbdev_commands" in (bin_ / name).read_text()    # pip wrote pause_nb's script under nbdev's name
    for cwd in (src, src / "nbs"):
        before = _tree(src)
        r, secs = _run(bin_ / name, cwd, site)
        lines = (r.stdout + r.stderr).splitlines()
        assert r.returncode == 2 and secs < 15 and len(lines) == 1, (r.returncode, secs, r.stdout, r.stderr)
        assert lines[0].startswith(f"{name}: not used in pause_nb") and "run `make" in lines[0] and "make docs" in lines[0]
        assert _tree(src) == before and not (src / "_proc").exists()    # no _proc/, no quarto files, README untouched

def test_nbdev_own_command_elsewhere(installed, tmp_path):
    "In another nbdev project the same script is nbdev's command (its own help)."
    _, bin_, site = installed
    (tmp_path / "settings.ini").write_text("[DEFAULT]\nlib_name = other\nrepo = other\n")
    r, _ = _run(bin_ / "nbdev_readme", tmp_path, site, "--help")
    assert r.returncode == 0 and "Create README.md from readme_nb" in r.stdout, r.stdout + r.stderr
