"""The documentation site (`make docs`, `make docs-check`; built by scripts/docs.py).

Always run (seconds): the README's two commands are on the home page; the fix-up step; and a small site built
from a scratch notebook, which shows that a new exported function with a docstring reaches the API reference with
no other step — and, where chromium is installed, that the docs check passes on it and fails on a broken page.

The whole site built and opened in headless chromium takes about a minute from a cold cache on a 2-core machine
(each module notebook's API processing imports torch), so it runs with `make docs-check` (CI runs it after
`make test`), or here with `PAUSE_NB_DOCS_CHECK=1`.
"""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/"scripts"))
import docs, docs_check, docs_outputs  # scripts/docs*.py
from conftest import write_notebook

def _md(nb: Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown")

def readme_commands() -> list[str]:
    "The lines of the README's `## Two commands` code block."
    m = re.search(r"^## Two commands\s*\n+```bash\n(.*?)\n```", (ROOT/"README.md").read_text(), re.MULTILINE | re.DOTALL)
    assert m, "README.md has no `## Two commands` bash block"
    return m.group(1).splitlines()

def test_readme_commands_are_on_the_home_page():
    "`make demo` / `make test` and their descriptions read the same in README.md and nbs/index.ipynb."
    lines = readme_commands()
    assert [l.split()[:2] for l in lines] == [["make", "demo"], ["make", "test"]]
    home = _md(ROOT/"nbs"/"index.ipynb")
    for line in lines: assert line in home, f"nbs/index.ipynb lacks the README line (keep them identical):\n{line}"

def _tagline(text: str) -> str:
    "The first `> …` block quote of a markdown text, its lines joined."
    m = re.search(r"^(?:>.*\n?)+", text, re.MULTILINE)
    assert m, "no `> …` summary"
    return " ".join(l.removeprefix(">").strip() for l in m.group(0).splitlines())

def _named(text: str) -> dict[str, set]:
    "The commands a text names: make targets, `python -m pause_nb.…` modules, nbdev commands."
    return {"make": set(re.findall(r"`make ([a-z-]+)", text)) | set(re.findall(r"^make ([a-z-]+)", text, re.MULTILINE)),
            "module": set(re.findall(r"python -m (pause_nb\.\w+)", text)),
            "nbdev": set(re.findall(r"`(nbdev_\w+)`", text))}

def test_readme_and_home_page_agree():
    "README.md (the user's document, by hand) and nbs/index.ipynb (the home page) give the same summary, and every command the home page names is in the README and is real."
    readme, home = (ROOT/"README.md").read_text(), _md(ROOT/"nbs"/"index.ipynb")
    assert _tagline(readme) == _tagline(home), "the `> …` summaries of README.md and nbs/index.ipynb differ"
    r, h = _named(readme), _named(home)
    for kind in r: assert h[kind] <= r[kind], f"nbs/index.ipynb names {kind} {sorted(h[kind] - r[kind])} that README.md does not"
    targets = set(re.findall(r"^([a-z-]+):", (ROOT/"Makefile").read_text(), re.MULTILINE))
    assert r["make"] <= targets, f"README.md names make targets the Makefile lacks: {sorted(r['make'] - targets)}"
    for m in r["module"]: assert (ROOT/m.replace(".", "/")).with_suffix(".py").exists(), f"README.md names {m}, which does not exist"
    from pause_nb.nbdev_commands import REFUSED
    for text, where in ((readme, "README.md"), (home, "nbs/index.ipynb")):
        assert set(REFUSED) <= _named(text)["nbdev"] and "make docs" in text, f"{where} does not say which nbdev commands stop, and what runs instead"

def test_fix_up_turns_quarto_markup_into_plain_notebook_cells():
    fig = {"data": [{"type": "bar", "x": [0, 1], "y": [0.1, 0.2]}], "layout": {"height": 300}}
    nb = {"metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Scratch\n\n> A page."},
        {"cell_type": "markdown", "metadata": {}, "source": "[`f`](https://pause-nb.github.io/pause_nb/data.html#f){target=\"_blank\"} and [data](00_data.ipynb)\n\n| a | `x<|pause|>` |\n|---|---|"},
        {"cell_type": "code", "metadata": {}, "source": "#| echo: false\nprint(1)", "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]},
        {"cell_type": "code", "metadata": {}, "source": "fig", "outputs": [{"output_type": "execute_result", "metadata": {}, "execution_count": 1,
                                                                             "data": {docs.PLOTLY_MIME: fig, "text/plain": "Figure()"}}]},
    ]}
    info = docs.fix_up(nb, "scratch")
    assert info == {"name": "scratch", "figures": 1}
    title, md, hidden, figure = nb["cells"]
    assert title["source"] == "# Scratch\n\n> A page."
    assert "[`f`](data.html#f)" in md["source"] and "](data.html)" in md["source"]        # as the built site names pages
    assert "`x<\\|pause\\|>`" in md["source"]
    assert hidden["metadata"]["tags"] == ["remove-input"] and hidden["source"] == "print(1)"
    html = figure["outputs"][0]["data"]["text/html"]
    assert list(figure["outputs"][0]["data"]) == ["text/html"]
    assert 'Plotly.newPlot("scratch-fig-1"' in html and "cdn" not in html.lower() and "height:300px" in html

def test_heavy_cells_are_not_run_for_the_api_docs():
    "Only exported, import-only and show_doc cells run while the API reference is rendered."
    from nbdev.process import NBProcessor
    from execnb.nbio import dict2nb
    cells = [("#| export\ndef f(): pass", True), ("import torch", True), ("show_doc(f)", True),
             ("import torch\nmodel.train()", False), ("trainer.train()", False),
             ("#| eval: false\nimport torch", False), ("#| slow\nimport torch", False), ("#| gpu\nfrom x import y", False)]
    nb = NBProcessor(nb=dict2nb({"cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []} for s, _ in cells], "metadata": {}})).nb
    for cell, (src, want) in zip(nb.cells, cells):
        assert docs._runs_for_docs(cell, ["notest", "slow", "gpu"]) == want, src

SCRATCH = '''
# %% [markdown]
# # Scratch
#
# > A module notebook written just now.

# %%
#| default_exp scratch

# %%
#| export
def pause_share(n_pauses:int, # pauses in the reply
                n_tokens:int, # tokens in the reply, pauses included
               )->float:
    "Share of a reply's tokens that are pauses."
    return n_pauses / n_tokens

# %% [markdown]
# As nbdev links names: [`pause_share`](https://pause-nb.github.io/pause_nb/scratch.html#pause_share){target="_blank"}, and
# [`_private`](https://pause-nb.github.io/pause_nb/scratch.html#_private), which no page documents.

# %%
#| hide
secret_cell_marker = 1

# %%
import plotly.graph_objects as go
go.Figure(go.Bar(x=[1, 2, 3], y=[0.1, 0.12, 0.09]))
'''

@pytest.fixture(scope="module")
def scratch_site(tmp_path_factory):
    "A site built from a fresh notebook holding a new exported function (never exported, never executed)."
    import jupytext, nbformat
    from nbclient import NotebookClient
    d = tmp_path_factory.mktemp("docs")
    nb = jupytext.reads(SCRATCH, fmt="py:percent")
    os.environ["PLOTLY_RENDERER"] = "plotly_mimetype"     # as `scripts/docs.py store-outputs` stores figures
    try: NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    finally: os.environ.pop("PLOTLY_RENDERER", None)
    nbformat.write(nb, d/"99_scratch.ipynb")
    # an executed run report, as papermill leaves it: plotly's notebook renderer adds HTML that loads plotly.js
    for out in nb.cells[-1].outputs: out.data["text/html"] = '<script src="https://cdn.plot.ly/plotly-3.0.0.min.js"></script>'
    (d/"run-a").mkdir(); nbformat.write(nb, d/"run-a"/"report.ipynb")
    home = json.loads((ROOT/"nbs"/"index.ipynb").read_text())     # the home page, less its links to pages left out here
    for c in home["cells"]: c["source"] = re.sub(r"\[([^\]]*)\]\((?!https?:)[^)]*\.ipynb[^)]*\)", r"\1", "".join(c["source"]))
    (d/"index.ipynb").write_text(json.dumps(home))
    docs.build(site=d/"site", sources=[d/"index.ipynb", d/"99_scratch.ipynb"], reports=[d/"run-a"/"report.ipynb"], proc=d/"proc"/"docs")
    return d/"site"

def test_a_new_exported_function_is_in_the_api_reference(scratch_site):
    page = (scratch_site/"scratch.html").read_text()
    text = docs_check.page_text(page)
    assert re.search(r"def pause_share\( n_pauses:int, # pauses in the reply n_tokens:int, # tokens in the reply, pauses included \)->float:", text), text[:3000]
    assert "Share of a reply’s tokens that are pauses." in text or "Share of a reply's tokens that are pauses." in text
    assert 'id="pause_share"' in page and "secret_cell_marker" not in page
    assert '<a class="reference internal" href="scratch.html">' in (scratch_site/"index.html").read_text()

def test_api_links_point_into_the_site_or_are_unlinked(scratch_site):
    "nbdev's links to the doc host become relative; one to a name no page documents is plain code."
    page = (scratch_site/"scratch.html").read_text()
    assert re.search(r'<a [^>]*href="scratch.html#pause_share"[^>]*target="_blank"', page) or re.search(r'<a [^>]*target="_blank"[^>]*href="scratch.html#pause_share"', page)
    assert "#_private" not in page and "_private</span></code>" in page and "pause-nb.github.io" not in page

def test_run_reports_become_pages_with_offline_figures(scratch_site):
    page = (scratch_site/"report-run-a.html").read_text()
    assert "pause-nb-figure" in page and "cdn.plot.ly" not in page and "Scratch (run run-a)" in page
    assert 'href="report-run-a.html"' in (scratch_site/"index.html").read_text()

CHROMIUM = pytest.mark.skipif(not any(shutil.which(n) for n in ("chromium", "chromium-browser")), reason="chromium not installed (make docs-check installs it)")

@CHROMIUM
def test_the_docs_check_passes_on_the_scratch_site(scratch_site):
    res = docs_check.check(scratch_site, ["scratch.html"], api=("scratch.html", r"def pause_share\("))
    assert res["figures_drawn"] == {"index.html": 1, "report-run-a.html": 1, "scratch.html": 1} and res["pages"] >= 5, res
    assert "plotly.min.js" not in (scratch_site/"genindex.html").read_text()   # loaded only where a figure is

@CHROMIUM
def test_the_docs_check_fails_on_a_broken_site(scratch_site, tmp_path):
    "No plotly.js, a broken link, a table too wide and a page that is not one: each is named."
    site = tmp_path/"site"; shutil.copytree(scratch_site, site)
    (site/"_static"/"plotly.min.js").unlink()
    page = site/"scratch.html"
    page.write_text(page.read_text().replace("</main>", '<a href="nope.html">x</a><table style="width:4000px"><tr><td>t</td></tr></table></main>'))
    (site/"empty.html").write_text("<html><body>nothing</body></html>")
    with pytest.raises(AssertionError) as e: docs_check.check(site, ["scratch.html"], api=("scratch.html", r"def pause_share\("))
    for why in ("scratch.html: 0 of 1 figures drew", "scratch.html: 1 table(s) run past", "broken link: scratch.html -> nope.html", "empty.html: did not render"):
        assert why in str(e.value), str(e.value)

@pytest.mark.skipif(os.environ.get("PAUSE_NB_DOCS_CHECK") != "1", reason="the whole site: `make docs-check` (or PAUSE_NB_DOCS_CHECK=1)")
def test_whole_site_in_chromium():
    docs.build()
    res = docs.check()
    assert res["figures_drawn"] and res["pages"] >= 3

# ---------------------------------------------------------------------------------------------------------------
# Stored outputs: fresh, or the test says which notebook to refresh and how

def test_stored_outputs_match_their_sources():
    "Every notebook with stored outputs was stored by `store-outputs` from its current code and the modules it imports."
    problems = docs_outputs.freshness_problems()
    assert not problems, "stored outputs out of date (the docs would show results of other code):\n" + "\n".join(problems)

STORED = '''
# %% [markdown]
# # Tiny
#
# > A module notebook whose outputs are stored.

# %%
from pause_nb.data import strip_pauses

# %%
print(strip_pauses("a<|pause|>b"))

# %%
import tempfile, warnings, tqdm
for _ in tqdm.tqdm(range(3)): pass
warnings.warn_explicit("a library's warning", UserWarning, "somelib.py", 1, module="somelib")
print(tempfile.mkdtemp())

# %%
#| slow
print("a slow cell: skipped, as nbdev_test skips it")

# %%
#| eval: false
print("never run")
'''

def test_store_outputs_records_a_fingerprint_and_stale_outputs_are_caught(tmp_path, monkeypatch):
    "In a scratch project: stored outputs are fresh; a changed code cell, imported module or output makes them stale."
    import jupytext, nbformat
    for name in ("settings.ini",): shutil.copy(ROOT/name, tmp_path/name)
    shutil.copytree(ROOT/"pause_nb", tmp_path/"pause_nb", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path/"nbs").mkdir()
    nb_path = tmp_path/"nbs"/"01_tiny.ipynb"
    nbformat.write(jupytext.reads(STORED, fmt="py:percent"), nb_path)
    monkeypatch.setattr(docs_outputs, "ROOT", tmp_path)
    assert [p.name for p in docs_outputs.module_notebooks()] == ["01_tiny.ipynb"]
    assert docs_outputs.staleness(nb_path) == "no outputs stored" and docs_outputs.freshness_problems() == []
    entry = docs_outputs.store_outputs(nb_path)
    assert entry["modules"] == ["pause_nb/__init__.py", "pause_nb/data.py"] and entry["kB"] < 10
    stored = json.loads(nb_path.read_text())
    outs = ["".join(o.get("text", "")) for c in stored["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outs[0] == "ab\n" and len(outs) == 2, outs                 # flagged cells skipped, kept without output
    assert re.fullmatch(r"/tmp/tmpXXXXXXXX\n", outs[1]), outs          # quiet: no progress bar, no library warning, no random path
    assert docs_outputs.read_record()["01_tiny.ipynb"]["sources"] == entry["sources"]
    assert docs_outputs.freshness_problems() == []
    subprocess.run([str(Path(sys.executable).parent/"nbdev_clean"), "--fname", str(nb_path)], cwd=tmp_path, check=True)      # nbdev_clean (hooks, `make export`) keeps them fresh
    assert docs_outputs.freshness_problems() == []
    original = nb_path.read_text()

    def edited(fn):
        nb = json.loads(original); fn(nb); nb_path.write_text(json.dumps(nb, indent=1))
        problems = docs_outputs.freshness_problems(); nb_path.write_text(original)
        return problems

    i_print = next(i for i, c in enumerate(json.loads(original)["cells"]) if "print(strip_pauses" in "".join(c["source"]))
    def set_src(nb, src): nb["cells"][i_print]["source"] = src
    problems = edited(lambda nb: set_src(nb, 'print(strip_pauses("x<|pause|>y"))'))
    assert len(problems) == 1 and problems[0].startswith("01_tiny.ipynb: its code cells or the modules it imports changed") \
        and "python scripts/docs.py store-outputs nbs/01_tiny.ipynb" in problems[0], problems
    i_md = next(i for i, c in enumerate(json.loads(original)["cells"]) if c["cell_type"] == "markdown")
    assert edited(lambda nb: nb["cells"][i_md].__setitem__("source", "# Tiny\n\nProse may change freely.")) == []
    def hand_run(nb): nb["cells"][i_print]["outputs"][0]["text"] = ["ab\n", "run again by hand\n"]
    assert "not the ones store-outputs wrote" in edited(hand_run)[0]
    data = tmp_path/"pause_nb"/"data.py"
    data.write_text(data.read_text() + "\n# a change in an imported module\n")
    assert "changed since its outputs were stored" in docs_outputs.freshness_problems()[0]
    assert docs_outputs.staleness(nb_path) is not None
    data.write_text(data.read_text().replace("\n# a change in an imported module\n", ""))
    assert docs_outputs.freshness_problems() == []
    # a module notebook holding outputs that store-outputs did not write
    other = tmp_path/"nbs"/"02_other.ipynb"
    other.write_text(original)
    assert docs_outputs.freshness_problems() == ["02_other.ipynb: its outputs were not stored by store-outputs; refresh with "
                                         "`python scripts/docs.py store-outputs nbs/02_other.ipynb` (or `make docs-outputs`)"]

# Stored outputs are read: no progress bars, no other libraries' warnings, no random temporary paths (a store-outputs
# run in a quiet kernel leaves none; one stored before, or by hand, is named here)
NOISE = {"a progress bar": re.compile(r"\d+%\||\b(it|examples)/s\]|^(Map|Saving the dataset|Writing model shards|Loading weights)\b", re.M),
         "a library's warning": re.compile(r"^(?!.*pause_nb/).*\.py:\d+: \w*Warning:|\b(FutureWarning|DeprecationWarning)\b", re.M),
         "a random temporary path": re.compile(r"\btmp[a-z0-9_]{8}\b")}

def output_noise(nb: dict) -> list[str]:
    "What of NOISE a notebook's stored outputs hold, as `cell N: what: the line`."
    texts = [(i, "".join(o.get("text", "")) + "".join("".join(v) for m, v in o.get("data", {}).items() if m.startswith("text/")))
             for i, c in enumerate(nb["cells"]) for o in c.get("outputs", [])]
    return [f"cell {i}: {what}: {t[t.rfind(chr(10), 0, m.start()) + 1:][:120]!r}" for i, t in texts for what, rx in NOISE.items() for m in list(rx.finditer(t))[:1]]

def test_output_noise_is_caught():
    "Each pattern fires on what it guards against, and not on a quiet output."
    out = lambda t: {"cells": [{"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text": t}]}]}
    assert output_noise(out("Map: 100%|██████████| 48/48 [00:00<00:00, 10821.10 examples/s]\n"))
    assert output_noise(out("transformers/modeling_utils.py:3312: FutureWarning: `x` is deprecated\n"))
    assert output_noise(out("saved to /tmp/tmpyg1gzwl9/model\n"))
    assert not output_noise(out("pause_nb/assets.py:56: UserWarning: 3 of 20 test questions also appear in train\n/tmp/tmpXXXXXXXX/model\n"))

def test_stored_outputs_are_quiet():
    noisy = {nb.relative_to(ROOT).as_posix(): found[:3] for nb in sorted((ROOT/"nbs").rglob("*.ipynb"))
             if ".ipynb_checkpoints" not in nb.parts and (found := output_noise(json.loads(nb.read_text(encoding="utf-8"))))}
    assert not noisy, (f"{len(noisy)} notebook(s) store noisy outputs; re-store them (`python scripts/docs.py store-outputs NB`):\n"
                       + "\n".join(f"{k}: {v}" for k, v in noisy.items()))

NBDEV_PROC = "import os, sys; os.environ['IN_TEST'] = '1'; from execnb.nbio import read_nb; from nbdev.processors import FilterDefaults; FilterDefaults()(read_nb(sys.argv[1]))"

def _nbdev_processing_fails(fork_server, nbs: list[Path], logs: Path) -> dict:
    "Notebook name → the end of its error, for each of `nbs` that nbdev's docs processing fails on (each in a fresh process)."
    runs = {nb.name: fork_server.run(NBDEV_PROC, str(nb), cwd=ROOT/"nbs", log=logs/f"{nb.name}.log") for nb in nbs}
    return {name: out[-3000:] for name, (rc, out) in runs.items() if rc}

def test_notebooks_survive_nbdev_processing(fork_server, tmp_path):
    "nbdev's own docs processing (FilterDefaults, which its quarto commands run; refused here) runs some cells on their own: exported cells, show_doc cells and any cell with an import. Every module notebook and the home page survive it."
    nbs = [*sorted((ROOT/"nbs").glob("[0-9]*.ipynb")), ROOT/"nbs"/"index.ipynb"]
    assert not (failed := _nbdev_processing_fails(fork_server, nbs, tmp_path)), f"nbdev's processing failed on {failed}"
    broken = write_notebook(tmp_path/"broken.ipynb", "#| default_exp broken", "#| export\ndef f(): return 1", "natalia = 48",
                            "import math\nassert natalia == 48")   # a test cell with an import runs without the cells before it
    assert "natalia" in _nbdev_processing_fails(fork_server, [broken], tmp_path).get("broken.ipynb", "")
