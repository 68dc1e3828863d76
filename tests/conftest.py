"""Two tiers. `make test` runs everything: the README's command and CI's. `make test-fast` (`pytest -m "not slow"`) is
the inner loop, about 1.5 minutes on the 2-core box: it leaves out the tests below, each of which took 5 s or more in a
full run on a fresh clone (`pytest --durations=0`), and lists them at the end so nobody mistakes it for the full suite."""
import os
from concurrent.futures import ThreadPoolExecutor
import pytest
from forkserver import ForkServer

# The environment the session started with. The fork servers get this copy, never os.environ as it is when they start:
# tests monkeypatch variables (PAUSE_NB_DATA above all), and a server started meanwhile would hand a test's temporary data
# root to every notebook; and a process started from another thread must not read the C environ while the main thread
# changes it (an exec then fails with EFAULT, "Bad address").
SESSION_ENV = dict(os.environ)

SLOW_FILES = {          # end-to-end runs through papermill, a wheel build, compiled models, the docs build, base pretraining,
    "test_experiments.py", "test_ecosystem.py", "test_compile.py", "test_docs.py", "test_bases.py",
    "test_evaluate_cli.py"}   # the real command in a fresh interpreter per case (~2.5 s each)
SLOW_NOTEBOOKS = {      # notebooks that train or decode at length (seconds in a full run on a fresh clone, tests/forkserver.py preloading)
    "02c_checkpoints.ipynb",      # 75 s: the real SmolLM2 checkpoint (converted from GGUF on a fresh clone; ~9 s less since its rows train on one row a step)
    "12_positive_control.ipynb",  # 19 s
    "04a_generate.ipynb", "04_evaluate.ipynb", "01_inject.ipynb",   # 14 s, 12 s, 10 s
    "02_model.ipynb", "03_train.ipynb", "02b_hub.ipynb", "07_pipeline.ipynb", "08_experiments.ipynb", "06_variants.ipynb"}   # 5-8 s
SLOW_FAULTS = {         # test_faults.py cases that run a CLI or a kernel end to end (5-10 s)
    "overwrite_keeps_the_users_files", "relative_data_root_reaches_the_kernel_absolute", "injector_output_holds_user_files"}

def _slow(item) -> bool:
    "Whether `item` belongs to the slow tier."
    params = getattr(getattr(item, "callspec", None), "params", {})
    return (item.path.name in SLOW_FILES or getattr(params.get("nb"), "name", None) in SLOW_NOTEBOOKS
            or (item.path.name == "test_faults.py" and params.get("case") in SLOW_FAULTS))

def write_notebook(path, *sources: str):
    "A notebook at `path` whose code cells are `sources`, in order: scratch input for the tests that run notebooks."
    import json
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": src}
             for i, src in enumerate(sources)]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path

def pytest_configure(config):
    global _fast
    _fast = "not slow" in (config.getoption("markexpr") or "")
    config.addinivalue_line("markers", "slow: left out of `make test-fast` (5 s or more in a full run)")

def pytest_collection_modifyitems(config, items):
    for item in items:
        if _slow(item): item.add_marker(pytest.mark.slow)

def pytest_deselected(items):
    if _fast: _left_out.extend(i for i in items if i.get_closest_marker("slow"))   # not what -k or -m of another kind leaves out

_left_out: list = []
_fast = False

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _left_out: return
    def name(i):
        params = getattr(getattr(i, "callspec", None), "params", {})
        if "nb" in params: return f"nbs/{params['nb'].name}"
        return f"{i.path.name}[{params['case']}]" if i.path.name not in SLOW_FILES and "case" in params else i.path.name
    names = sorted({name(i) for i in _left_out})
    terminalreporter.write_line(f"fast tier: {len(_left_out)} slow tests left out (`make test` runs them): {', '.join(names)}")

@pytest.fixture(scope="session")
def fork_server():
    "Scripts run in fresh processes with torch, transformers, trl… already imported (tests/forkserver.py)."
    server = ForkServer(SESSION_ENV)
    yield server
    server.close()

@pytest.fixture(scope="session", autouse=True)
def notebook_runs(request, tmp_path_factory):
    """Every selected notebook started with the session, in the background, one at a time (the slow ones first) in a fork
    server of its own: a notebook keeps about one core busy, so on the 2-core box the notebooks run beside the other
    tests, whose time goes mostly to one process at a time. Notebook path → a future of (exit code, output);
    `test_notebook` waits for its own. (A notebook writes to temporary folders and its cache under data/, not to the
    tree the other tests read: `git status` is clean after a run.)"""
    from test_notebooks import RUN
    nbs = [i.callspec.params["nb"] for i in request.session.items if i.originalname == "test_notebook"]
    if not nbs: yield {}; return
    nbs.sort(key=lambda nb: nb.name not in SLOW_NOTEBOOKS)   # the long ones first, the rest in collection order
    logs, pool, state = tmp_path_factory.mktemp("notebooks"), ThreadPoolExecutor(max_workers=1), {}
    def run(nb):
        if "server" not in state: state["server"] = ForkServer(SESSION_ENV)
        return state["server"].run(RUN, str(nb), cwd=nb.parent, log=logs/f"{nb.name}.log")
    futures = {nb: pool.submit(run, nb) for nb in nbs}
    yield futures
    for f in futures.values(): f.cancel()
    pool.shutdown(wait=True)
    if "server" in state: state["server"].close()
