"""Two tiers. `make test` runs everything: the README's command and CI's. `make test-fast` (`pytest -m "not slow"`) is
the inner loop, about 1.5 minutes on the 2-core box: it leaves out the tests below, each of which took 8 s or more in a
full run (`pytest --durations=0`), and lists them at the end so nobody mistakes it for the full suite."""
import pytest
from forkserver import ForkServer

SLOW_FILES = {          # end-to-end runs through papermill, a wheel build, compiled models, the docs build, base pretraining
    "test_experiments.py", "test_ecosystem.py", "test_compile.py", "test_docs.py", "test_bases.py"}
SLOW_NOTEBOOKS = {      # notebooks that train, decode at length or run the runner (seconds in a full run)
    "index.ipynb",                # 111 s: the home page's injection and figures
    "02c_checkpoints.ipynb",      # 91 s: the real SmolLM2 checkpoint
    "07_pipeline.ipynb",          # 44 s
    "12_positive_control.ipynb",  # 28 s
    "04a_generate.ipynb", "04_evaluate.ipynb",   # 24 s, 22 s
    "06_variants.ipynb",          # 9 s: registers a row and runs it at toy size
    "02_model.ipynb", "07_assets.ipynb", "02b_hub.ipynb", "01_inject.ipynb", "08_experiments.ipynb", "03_train.ipynb"}   # 12-15 s each

def _slow(item) -> bool:
    "Whether `item` belongs to the slow tier."
    nb = getattr(item, "callspec", None) and item.callspec.params.get("nb")
    return item.path.name in SLOW_FILES or (nb is not None and nb.name in SLOW_NOTEBOOKS)

def pytest_configure(config):
    global _fast
    _fast = "not slow" in (config.getoption("markexpr") or "")
    config.addinivalue_line("markers", "slow: left out of `make test-fast` (8 s or more in a full run)")

def pytest_collection_modifyitems(config, items):
    for item in items:
        if _slow(item): item.add_marker(pytest.mark.slow)

def pytest_deselected(items):
    if _fast: _left_out.extend(i for i in items if i.get_closest_marker("slow"))   # not what -k or -m of another kind leaves out

_left_out: list = []
_fast = False

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _left_out: return
    names = sorted({i.path.name if i.path.name != "test_notebooks.py" else f"nbs/{i.callspec.params['nb'].name}" for i in _left_out})
    terminalreporter.write_line(f"fast tier: {len(_left_out)} slow tests left out (`make test` runs them): {', '.join(names)}")

@pytest.fixture(scope="session")
def fork_server():
    "Scripts run in fresh processes with torch, transformers, trl… already imported (tests/forkserver.py)."
    server = ForkServer()
    yield server
    server.close()
