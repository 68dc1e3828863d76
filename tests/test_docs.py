"""The documentation site (`make docs`, `make docs-check`; built by scripts/docs.py).

Always run (seconds): the README's two commands are on the home page; the fix-up step; and a one-page site built
from a scratch notebook, which shows that a new exported function with a docstring reaches the API reference with
no other step — and, where chromium is installed, that the page renders with its signature and a plotly figure.

The whole site built and opened in headless chromium takes about a minute from a cold cache on a 2-core machine
(each module notebook's API processing imports torch), so it runs with `make docs-check` (CI runs it after
`make test`), or here with `PAUSE_NB_DOCS_CHECK=1`.
"""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/"scripts"))
import docs  # scripts/docs.py

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
        {"cell_type": "raw", "metadata": {}, "source": "---\ntitle: Scratch\ndescription: A page.\n---"},
        {"cell_type": "markdown", "metadata": {}, "source": "[`f`](https://pause-nb.github.io/pause_nb/data.html#f){target=\"_blank\"} and [data](00_data.ipynb)\n\n| a | `x<|pause|>` |\n|---|---|"},
        {"cell_type": "code", "metadata": {}, "source": "#| echo: false\nprint(1)", "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]},
        {"cell_type": "code", "metadata": {}, "source": "fig", "outputs": [{"output_type": "execute_result", "metadata": {}, "execution_count": 1,
                                                                             "data": {docs.PLOTLY_MIME: fig, "text/plain": "Figure()"}}]},
    ]}
    info = docs.fix_up(nb, "scratch")
    assert info == {"name": "scratch", "title": "Scratch", "figures": 1}
    title, md, hidden, figure = nb["cells"]
    assert title["source"] == "# Scratch\n\n> A page.\n"
    assert '<a href="data.html#f">`f`</a>' in md["source"] and "target" not in md["source"] and "](data.ipynb)" in md["source"]
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
    shutil.copy(ROOT/"nbs"/"index.ipynb", d/"index.ipynb")
    docs.build(site=d/"site", sources=[d/"index.ipynb", d/"99_scratch.ipynb"], reports=[d/"run-a"/"report.ipynb"], proc=d/"proc"/"docs")
    return d/"site"

def test_a_new_exported_function_is_in_the_api_reference(scratch_site):
    page = (scratch_site/"scratch.html").read_text()
    text = docs.page_text(page)
    assert re.search(r"def pause_share\( n_pauses:int, # pauses in the reply n_tokens:int, # tokens in the reply, pauses included \)->float:", text), text[:3000]
    assert "Share of a reply’s tokens that are pauses." in text or "Share of a reply's tokens that are pauses." in text
    assert 'id="pause_share"' in page and "secret_cell_marker" not in page
    assert '<a class="reference internal" href="scratch.html">' in (scratch_site/"index.html").read_text()

def test_run_reports_become_pages_with_offline_figures(scratch_site):
    page = (scratch_site/"report-run-a.html").read_text()
    assert "pause-nb-figure" in page and "cdn.plot.ly" not in page
    assert docs.figure_pages(scratch_site)[0].name == "report-run-a.html"     # the check opens a report first
    assert 'href="report-run-a.html"' in (scratch_site/"index.html").read_text()

def test_the_scratch_page_renders_in_chromium(scratch_site):
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser")): pytest.skip("chromium not installed (make docs-check installs it)")
    dom = docs.dump_dom(scratch_site/"scratch.html")
    assert re.search(r"def pause_share\(", docs.page_text(dom))
    assert 'class="main-svg"' in dom, "the plotly figure did not draw"
    assert "_static/plotly.min.js" in dom                                   # shipped with the site, not a CDN
    assert "plotly.min.js" not in (scratch_site/"genindex.html").read_text()   # and loaded only where a figure is

@pytest.mark.skipif(os.environ.get("PAUSE_NB_DOCS_CHECK") != "1", reason="the whole site: `make docs-check` (or PAUSE_NB_DOCS_CHECK=1)")
def test_whole_site_in_chromium():
    docs.build()
    res = docs.check(shots=None)
    assert res["figure_page"] and res["pages"] >= 3

# ---------------------------------------------------------------------------------------------------------------
# Stored outputs: fresh, or the test says which notebook to refresh and how

def test_stored_outputs_match_their_sources():
    "Every notebook with stored outputs was stored by `store-outputs` from its current code and the modules it imports."
    problems = docs.freshness_problems()
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
    monkeypatch.setattr(docs, "ROOT", tmp_path)
    assert [p.name for p in docs.module_notebooks()] == ["01_tiny.ipynb"]
    assert docs.staleness(nb_path) == "no outputs stored" and docs.freshness_problems() == []
    entry = docs.store_outputs(nb_path)
    assert entry["modules"] == ["pause_nb/__init__.py", "pause_nb/data.py"] and entry["kB"] < 10
    stored = json.loads(nb_path.read_text())
    outs = ["".join(o.get("text", "")) for c in stored["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outs == ["ab\n"], outs                                     # flagged cells skipped, kept without output
    assert docs.read_record()["01_tiny.ipynb"]["sources"] == entry["sources"]
    assert docs.freshness_problems() == []
    subprocess.run([str(Path(sys.executable).parent/"nbdev_clean"), "--fname", str(nb_path)], cwd=tmp_path, check=True)      # nbdev_clean (hooks, `make export`) keeps them fresh
    assert docs.freshness_problems() == []
    original = nb_path.read_text()

    def edited(fn):
        nb = json.loads(original); fn(nb); nb_path.write_text(json.dumps(nb, indent=1))
        problems = docs.freshness_problems(); nb_path.write_text(original)
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
    assert "changed since its outputs were stored" in docs.freshness_problems()[0]
    assert docs.staleness(nb_path) is not None
    data.write_text(data.read_text().replace("\n# a change in an imported module\n", ""))
    assert docs.freshness_problems() == []
    # a module notebook holding outputs that store-outputs did not write
    other = tmp_path/"nbs"/"02_other.ipynb"
    other.write_text(original)
    assert docs.freshness_problems() == ["02_other.ipynb: its outputs were not stored by store-outputs; refresh with "
                                         "`python scripts/docs.py store-outputs nbs/02_other.ipynb` (or `make docs-outputs`)"]
