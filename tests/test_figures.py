"""Figures outside JupyterLab: an executed notebook's figures in `jupyter nbconvert --to html`, and the run report's page.

A notebook holding a pause_nb figure is executed in a real kernel (as papermill runs the templates), converted by
nbconvert, and the page must hold the figure's div and data and plotly.js exactly once; where chromium is installed,
the page is opened offline and the figures must draw. The report of a fake run folder must load plotly.js once, be
tens of kB instead of the 4.8 MB of a page with plotly.js inside, style its tables, and (chromium) draw its charts
with no legend over an axis title and no title under plotly's toolbar. About 20 s."""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/"scripts"))
import docs, docs_check  # scripts/docs.py: the fix-up step; scripts/docs_check.py: headless chromium

PLOTLYJS = re.compile(r"\* plotly\.js v\d")         # the banner opening every copy of plotly.js
HAVE_CHROMIUM = any(shutil.which(n) for n in ("chromium", "chromium-browser"))

NOTEBOOK = [  # hand-made records: what the two figure functions read
    "from pause_nb.data import PAUSE_TOKEN\nfrom pause_nb.viz import html_fallback, pauses_per_reply_figure, calibration_figure",
    "html_fallback()",
    "records = [{'n_pauses': n, 'correct': ok, 'tokens': ['4', PAUSE_TOKEN, '=', '4'], 'pause_probs': [0.1, 0.6, 0.2, 0.05]}\n"
    "           for n, ok in ((1, True), (2, True), (0, False))]\n"
    "pauses_per_reply_figure(records)",                                  # a bare figure, as the notebooks show them
    "calibration_figure(records, pause_p=0.1).show()",                   # fig.show(), as the run templates do
]

@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    "The notebook executed in a python3 kernel (working folder: the project) and nbconvert's HTML of it."
    import nbformat
    from nbclient import NotebookClient
    d = tmp_path_factory.mktemp("nb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK])
    env = os.environ.pop("PLOTLY_RENDERER", None)          # a kernel as a user's or papermill's: plotly's own default
    try: NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        if env is not None: os.environ["PLOTLY_RENDERER"] = env
    nbformat.write(nb, d/"figures.ipynb")
    r = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(d/"figures.ipynb")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return nb, d/"figures.html"

def test_nbconvert_html_holds_each_figure_and_plotlyjs_once(executed):
    nb, page = executed
    outs = [o for c in nb.cells for o in c.outputs]
    figs = [o for o in outs if docs.PLOTLY_MIME in o.get("data", {})]
    assert len(figs) == 2 and all("text/html" in o.data for o in figs), [list(o.get("data", {})) for o in outs]   # HTML beside the JSON
    html = page.read_text(encoding="utf-8")
    assert len(PLOTLYJS.findall(html)) == 1, "plotly.js must be in the page exactly once"
    assert html.count('class="plotly-graph-div"') == 2 and html.count("Plotly.newPlot(") == 2
    assert "correct (n=2, mean 1.50)" in html and "injection p = 0.1" in html          # each figure's own data
    srcs = re.findall(r'<script[^>]*src="([^"]+)"', html)                              # nbconvert's template loads require.js, MathJax
    assert not [s for s in srcs if "plot" in s or "tex-svg" in s], srcs                  # but nothing of ours comes from a CDN

@pytest.mark.skipif(not HAVE_CHROMIUM, reason="chromium not installed (make docs-check installs it)")
def test_nbconvert_html_draws_offline_in_chromium(executed):
    dom = docs_check.dump_dom(executed[1])
    assert dom.count('class="main-svg"') >= 2, "the figures did not draw"

def test_the_docs_drop_the_plotlyjs_output(executed):
    "The site draws figures with its own plotly.js: the kernel's 4.8 MB copy (an executed run report holds one) is left out."
    nb = json.loads(json.dumps(executed[0]))
    info = docs.fix_up(nb, "figures")
    html = json.dumps(nb)
    assert info["figures"] == 2 and html.count("pause-nb-figure") == 2
    assert not PLOTLYJS.search(html) and "window.PlotlyConfig" not in html

def test_html_fallback_changes_nothing_outside_a_notebook():
    code = "import plotly.io as pio; before = pio.renderers.default; from pause_nb.viz import html_fallback; print(html_fallback() == before)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.split() == ["True"], r.stderr[-2000:]

# --- the run report --------------------------------------------------------------------------------------------

def fake_run(d: Path, spec: dict, n: int = 40):
    "A run folder: spec = {variant: (questions answered right, pauses per reply)}, seed 0, both protocols."
    from pause_nb.config import config_dict, experiment_config
    from pause_nb.evaluate import compute_metrics
    for name, (right, pauses) in spec.items():
        out = d/name/"seed-0"; out.mkdir(parents=True)
        (out/"config.json").write_text(json.dumps(config_dict(experiment_config(name, "cpu-tiny", 0))))
        protos = {}
        for proto in ("sampled", "greedy"):
            recs = [{"index": i, "sample": 0, "question": f"q{i}", "correct": i < right, "correct_reference": i < right, "extracted_answer": "1",
                     "extracted_answer_reference": "1", "ground_truth": "#### 1", "ground_truth_answer": "1", "n_pauses": pauses,
                     "n_tokens": 20, "finished": True} for i in range(n)]
            (out/f"predictions-{proto}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
            protos[proto] = {"settings": {"name": proto}, "reference": compute_metrics(recs, "reference"), "ours": compute_metrics(recs)}
        (out/"metrics.json").write_text(json.dumps({"protocols": protos, "train_steps": 10, "base": {"base_kind": "pause" if pauses else "baseline"}}))

_OVERLAPS = """<script>setTimeout(() => {   // after plotly drew: which parts of each figure overlap
  const hit = (a, b) => !!a && !!b && a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const found = [...document.querySelectorAll(".plotly-graph-div")].map(g => {
    const at = s => g.querySelector(s)?.getBoundingClientRect();
    return {drawn: !!g.querySelector(".main-svg"), legend_on_axis_title: hit(at(".legend"), at(".xtitle")),
            title_under_toolbar: hit(at(".gtitle"), at(".modebar"))};
  });
  document.body.insertAdjacentHTML("beforeend", "<pre id='overlaps'>" + JSON.stringify(found) + "</pre>");
}, 1500);</script>"""

def test_report_loads_plotlyjs_once_styles_tables_and_is_small(tmp_path):
    from pause_nb.report import write_report
    fake_run(tmp_path, {"warmup_tinyllama_pause_kl_true": (24, 3), "warmup_tinyllama_no_pause": (20, 0)})
    rep = write_report(tmp_path)
    page = rep["html"].read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*src=[^>]*>", page) == ['<script src="plotly.min.js">'] and not PLOTLYJS.search(page)   # once, beside it
    assert PLOTLYJS.search((tmp_path/"plotly.min.js").read_text(encoding="utf-8")[:200])
    assert page.count("Plotly.newPlot(") == 2
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    assert all(k in style for k in ("border-collapse", "padding", "nth-child(even)")), style
    assert '<td style="text-align:right">0.6000</td>' in page                          # numbers right-aligned
    embedded = write_report(tmp_path, plotlyjs="embed")["html"].read_text(encoding="utf-8")
    assert len(PLOTLYJS.findall(embedded)) == 1 and "<script src=" not in embedded    # one page on its own: plotly.js once, inside
    print(f"report.html: {len(page):,} bytes with plotly.min.js beside it; {len(embedded):,} with plotly.js inside")
    assert len(page) < 100_000 and len(page) * 20 < len(embedded)
    for f in rep["figures"].values():
        assert (f.layout.legend.yref, f.layout.legend.yanchor, f.layout.title.yref) == ("container", "bottom", "paper")

@pytest.mark.skipif(not HAVE_CHROMIUM, reason="chromium not installed (make docs-check installs it)")
@pytest.mark.parametrize("width", [1000, 640])
def test_report_charts_draw_clear_of_axis_titles_and_toolbar(tmp_path, width):
    from pause_nb.report import write_report
    fake_run(tmp_path, {"warmup_tinyllama_pause_kl_true": (24, 3), "warmup_tinyllama_no_pause": (20, 0)})
    page = write_report(tmp_path)["html"]
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", _OVERLAPS + "</body>"), encoding="utf-8")
    dom = docs_check.chrome(page, "--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},900")
    found = json.loads(re.search(r"<pre id=\"overlaps\">(.*?)</pre>", dom, re.DOTALL).group(1))
    assert found == [{"drawn": True, "legend_on_axis_title": False, "title_under_toolbar": False}] * 2, found
