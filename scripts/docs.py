"""Build pause_nb's documentation site offline, from the notebooks, into `_docs/` — and check it in headless Chromium.

    python scripts/docs.py build            # notebooks → _proc/docs/ → sphinx → _docs/   (`make docs`)
    python scripts/docs.py check            # build, then open pages in headless chromium   (`make docs-check`)
    python scripts/docs.py store-outputs nbs/10_stats.ipynb   # execute a notebook, keep its outputs + fingerprint
    python scripts/docs.py store-outputs --stale   # every module notebook whose outputs are out of date (`make docs-outputs`)
    python scripts/docs.py stale            # list notebooks whose stored outputs no longer match their sources

The route (quarto, which nbdev's own site builder needs, cannot be installed here):

1. **nbdev's notebook processing** (`nbdev.processors.FilterDefaults`, what `nbdev.serve.proc_nbs` runs): front
   matter from the `# Title` / `> summary` cell, hidden cells removed, and a `show_doc` (signature with docments,
   docstring) after every exported definition. So a new exported function with a docstring is in the API
   reference at the next build, with no other step.
2. **No heavy cell runs.** The build never executes a notebook: it shows the outputs stored in it. To render
   `show_doc`, nbdev's processing runs some cells; ours runs strictly fewer: exported cells (the module's own
   code, which `import pause_nb.x` runs anyway), cells made only of imports, and `show_doc` / `#| exec_doc`
   cells — never a cell flagged `#| eval: false` or with a test flag from settings.ini (`slow`, `gpu`, ...).
   nbdev itself would also run any cell that *contains* an import next to other code (training included).
3. **A fix-up step** for what only quarto understands: front matter → page title, `#| echo: false` → hidden input,
   `{target=…}` link attributes dropped, links to the configured doc host made relative, an anchor per API entry
   (`data.html#extract_answer`, as nbdev's link index writes them), and plotly outputs (stored as
   `application/vnd.plotly.v1+json`, which myst-nb drops) → HTML that draws the figure with plotly.js, shipped in
   `_static/` and loaded only on pages with a figure (no CDN); the output that loads plotly.js before a kernel's first
   figure (`pause_nb.viz.html_fallback`, plotly's notebook renderers: an executed run report holds one) is dropped.
4. **sphinx + myst-nb** (`nb_execution_mode = "off"`) + sphinx-book-theme: navigation, search, one page per
   notebook (numeric prefixes dropped, as nbdev does: `00_data.ipynb` → `data.html`).

**Outputs are stored in the notebooks, and checked for freshness** (not executed by the build with a cache): CI must
not spend minutes running the module notebooks again (it already runs each once as a test, and the two together would
overrun its time), and the pages then show exactly what the committed notebooks hold. `store-outputs` executes a notebook
as nbdev's tests do (cells flagged `slow`/`gpu`/`notest` or `#| eval: false` are skipped and keep no output) with
`PLOTLY_RENDERER=plotly_mimetype`, so a figure is stored as its JSON (a few kB), not with 3.5 MB of plotly.js, its
floats to 6 significant digits; progress bars are kept at their last state, logs over STREAM_LINES lines are cut in the
middle, local paths are made relative, and a notebook over MAX_STORED_KB is reported. It records in `nbs/.outputs.json` (a side file: nbdev_clean keeps
outputs, `clear_all = False`, but drops notebook metadata it does not know) a sha256 of the notebook's code cells and of
the `pause_nb/*.py` modules they import, transitively (found by name: `pause_nb.x`, `from pause_nb import x`, `from .x
import`), plus a sha256 of the stored outputs. Code, not prose: a markdown edit keeps outputs fresh; the imported
modules, not all of `pause_nb/`: an edit to the trainer does not stale the stats page. Not fingerprinted: data and
package versions. `tests/test_docs.py` fails on any recorded notebook (and any module notebook holding outputs) whose
fingerprints no longer match, naming it and the command to refresh it; `make docs-outputs` re-stores those (two at a
time, each in its own process).

Executed experiment reports (`outputs/*/report.ipynb`, run by the experiment runner) are added as pages when they
exist.
"""
from __future__ import annotations
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROC = ROOT/"_proc"/"docs"              # processed notebooks + generated conf.py (gitignored)
DOCTREES = ROOT/"_proc"/"doctrees"
SITE = ROOT/"_docs"                     # the built site (gitignored)
CONF_TEMPLATE = Path(__file__).with_name("sphinx_conf.py")
REPORT_GLOB = "outputs/*/report.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
GUIDES = ("index", "real_scale")        # pages listed before the module notebooks
CSS = """.pause-nb-source { font-size: smaller; text-align: right; margin-top: -0.5em; }
/* a table wider than the text column (a report's Results table) scrolls sideways instead of running off the page */
.bd-article table { display: block; max-width: 100%; overflow-x: auto; }
"""

def _settings() -> dict:
    from configparser import ConfigParser
    cp = ConfigParser(); cp.read(ROOT/"settings.ini")
    return dict(cp["DEFAULT"])

def page_name(nb: Path) -> str:
    "The page name of notebook `nb`, as nbdev names it: `00_data.ipynb` → `data`, `templates/report.ipynb` → `templates/report`."
    nbs = ROOT/_settings().get("nbs_path", "nbs")
    parts = nb.with_suffix("").relative_to(nbs).parts if nb.is_relative_to(nbs) else (nb.stem,)
    return "/".join(re.sub(r"^\d+[a-z]?_", "", p) for p in parts)

def source_notebooks() -> list[Path]:
    "Notebooks nbdev would document: every `*.ipynb` under nbs/ not in a `_`/`.` folder or named so."
    nbs = ROOT/_settings().get("nbs_path", "nbs")
    return [p for p in sorted(nbs.rglob("*.ipynb"))
            if not any(part.startswith(("_", ".")) for part in p.relative_to(nbs).parts) and ".ipynb_checkpoints" not in p.parts]

# ---------------------------------------------------------------------------------------------------------------
# 1–2. nbdev's processing, with the stricter rule for which cells run

def _runs_for_docs(cell, skip_flags) -> bool:
    "Whether the docs build may execute `cell`: exported code, import-only cells, `show_doc`/`exec_doc` cells."
    import ast
    from nbdev.processors import cell_lang, _show_docs
    if cell.cell_type != "code" or cell_lang(cell) != "python" or not cell.source: return False
    d = cell.directives_ or {}
    if d.get("eval:", [""])[0].lower() == "false": return False
    if d.keys() & {"export", "exports", "exporti", "exec_doc"}: return True
    if d.keys() & set(skip_flags): return False
    trees = cell.parsed_()
    if not trees: return False
    if all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in trees): return True
    return bool(_show_docs(trees))

def _filter():
    "nbdev's `FilterDefaults`, with `exec_show_docs` restricted by `_runs_for_docs`."
    from nbdev.processors import FilterDefaults, exec_show_docs
    from nbdev.config import get_config
    skip_flags = get_config().get("tst_flags", "").split()
    class docs_exec_show_docs(exec_show_docs):
        def __call__(self, cell):
            if not self.nb.has_docs_ or not hasattr(self, "k"): return
            if not _runs_for_docs(cell, skip_flags): return
            self.k.cell(cell)
            if self.k.exc:
                raise RuntimeError(f"{self.nb.path_}: cell {cell.idx_} failed while rendering the API docs:\n{cell.source}") from self.k.exc
    class DocsFilter(FilterDefaults):
        def base_procs(self): return [docs_exec_show_docs if p is exec_show_docs else p for p in super().base_procs()]
    return DocsFilter()

def process_notebook(src: Path, dst: Path, name: str|None = None) -> dict:
    "Run nbdev's processing and our fix-up on `src`, writing a notebook myst-nb can render to `dst`."
    from execnb.nbio import read_nb
    os.environ["IN_TEST"] = "1"             # what nbdev's own docs driver sets: `if not IN_TEST` guards stay quiet
    os.chdir(src.parent if src.is_relative_to(ROOT) else ROOT)   # nbdev finds settings.ini from the working folder
    nb = read_nb(src)
    _filter()(nb)
    nb = json.loads(json.dumps(nb, default=str))    # plain dicts from here on
    info = fix_up(nb, name or page_name(src))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    dst.with_suffix(".json").write_text(json.dumps(info))
    return info

# ---------------------------------------------------------------------------------------------------------------
# 3. The fix-up: what quarto would have understood, in terms myst-nb understands

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")
_ATTRS = re.compile(r"(\]\([^)\s]*\))\{[^}]*\}")           # [text](url){target="_blank" ...} → [text](url)
_SHOWDOC_HEADING = re.compile(r"^(#{2,4}) (\S+)\s*$", re.MULTILINE)
_SOURCE_LINK = re.compile(r"^\[source\]\((\S+)\)\s*$", re.MULTILINE)

def _slug(text: str) -> str:
    "The anchor myst gives a heading (`myst_heading_anchors`)."
    return re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", text.strip().lower()))

def _api_entry(md: str) -> str:
    "One `show_doc` entry as page markdown: heading (with nbdev's anchor), signature, docstring, source link."
    md = re.sub(r"^\s*---\s*\n", "", md)                  # quarto's rule above each entry: the heading separates them
    src = _SOURCE_LINK.search(md)
    md = _SOURCE_LINK.sub("", md).strip()
    m = _SHOWDOC_HEADING.search(md)
    if m:
        anchor = m.group(2).lower()          # nbdev's link index: `data.html#extract_answer`
        extra = f'\n<span id="{anchor}"></span>\n' if _slug(m.group(2)) != anchor else ""
        md = md[:m.end()] + "\n" + extra + md[m.end():]
    if src and _settings().get("git_url"): md += f'\n\n<p class="pause-nb-source"><a href="{src.group(1)}">source</a></p>'
    return md + "\n"

def _src(cell) -> str: return "".join(cell["source"]) if isinstance(cell["source"], list) else (cell["source"] or "")

_NB_LINK = re.compile(r"\]\((?:\./)?\d+[a-z]?_([\w-]+\.ipynb)")   # [x](00_data.ipynb) → [x](data.ipynb), as pages are named
_TABLE_ROW = re.compile(r"^\|.*\|[ \t]*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"`[^`\n]+`")      # a `|` inside code in a table row splits the cell (GFM) unless escaped
_HTML_LINK = re.compile(r"\[([^\]\n]+)\]\(([\w/.-]+\.html(?:#[^)\s]*)?)\)")

def _fix_markdown(text: str, doc_url: str, depth: int = 0) -> str:
    "Links as sphinx needs them: no quarto attributes, `NN_` prefixes dropped, links into this site relative."
    text = _NB_LINK.sub(r"](\1", _ATTRS.sub(r"\1", text))
    text = _TABLE_ROW.sub(lambda r: _CODE_SPAN.sub(lambda c: c.group(0).replace("|", "\\|"), r.group(0)), text)
    if doc_url: text = text.replace(doc_url, "")
    # nbdev's API links (`[extract_answer](data.html#extract_answer)`) point at built pages, which myst cannot
    # resolve as documents: write them as HTML links
    return _HTML_LINK.sub(lambda m: f'<a href="{"../" * depth}{m.group(2)}">{m.group(1)}</a>', text)

_SITE_LINK = re.compile(r'<a href="((?:\.\./)*)([\w/.-]+)\.html#([^"]*)">(.*?)</a>')
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)

def _markdown_texts(nb: dict):
    "(getter, setter) pairs for every markdown text of a processed notebook: markdown cells and markdown outputs."
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown": yield (lambda c=cell: _src(c)), (lambda t, c=cell: c.__setitem__("source", t))
        for o in cell.get("outputs", []):
            d = o.get("data", {})
            if "text/markdown" in d: yield (lambda d=d: _src({"source": d["text/markdown"]})), (lambda t, d=d: d.__setitem__("text/markdown", t))

def unlink_missing(out: Path, names: list[str]) -> int:
    "Unlink links to anchors no page has (nbdev links private names and methods too: `model.html#_pausecolumn`); how many."
    nbs = {name: json.loads((out/f"{name}.ipynb").read_text(encoding="utf-8")) for name in names}
    anchors = {name: {a for get, _ in _markdown_texts(nb) for a in re.findall(r'<span id="([^"]+)"', get()) + [_slug(h) for h in _HEADING.findall(get())]}
               for name, nb in nbs.items()}
    n = 0
    def fix(m):
        nonlocal n
        if m.group(2) not in anchors or m.group(3) in anchors[m.group(2)]: return m.group(0)
        n += 1; return m.group(4)
    for name, nb in nbs.items():
        before = n
        for get, put in _markdown_texts(nb): put(_SITE_LINK.sub(fix, get()))
        if n > before: (out/f"{name}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    return n

def _frontmatter(text: str) -> dict:
    import yaml
    m = re.match(r"^---\s*\n(.*?)\n---\s*$", text.strip(), re.DOTALL)
    return (yaml.safe_load(m.group(1)) or {}) if m else {}

def plotly_html(fig_json: dict, div_id: str) -> str:
    "HTML drawing a stored plotly figure with the page's plotly.js (no CDN, no embedded copy)."
    data = json.dumps(fig_json.get("data", []), separators=(",", ":")).replace("</", "<\\/")
    layout = json.dumps(fig_json.get("layout", {}), separators=(",", ":")).replace("</", "<\\/")
    config = json.dumps({"responsive": True, **fig_json.get("config", {})}, separators=(",", ":"))
    height = fig_json.get("layout", {}).get("height") or 450
    return (f'<div id="{div_id}" class="plotly-graph-div pause-nb-figure" style="height:{height}px; width:100%;"></div>\n'
            f'<script type="text/javascript">Plotly.newPlot("{div_id}", {data}, {layout}, {config});</script>\n')

def plotlyjs_loader(data: dict) -> bool:
    "Whether an output only loads plotly.js (4.8 MB, or from a CDN), as `html_fallback` does before a kernel's first figure: the site ships its own."
    page = _src({"source": data.get("text/html", "")})
    return PLOTLY_MIME not in data and "window.PlotlyConfig" in page and "plotly-graph-div" not in page

def fix_up(nb: dict, name: str) -> dict:
    "Turn nbdev's quarto-flavoured output into plain notebook cells + tags; return what the page holds."
    doc_url, depth = _doc_url(), name.count("/")
    cells, n_fig, title = [], 0, None
    for cell in nb["cells"]:
        src = _src(cell)
        if cell["cell_type"] == "raw":
            fm = _frontmatter(src)
            if not fm: continue
            title = fm.get("title") or name
            if name.startswith("report-"): title = f"{title} (run {name[len('report-'):]})"   # one page per run
            md = f"# {title}\n" + (f"\n> {fm['description']}\n" if fm.get("description") else "")
            cells.append({"cell_type": "markdown", "metadata": {}, "source": md}); continue
        if cell["cell_type"] == "markdown":
            if not src.strip(): continue
            if "<!-- WARNING: THIS FILE WAS AUTOGENERATED" in src: continue
            cell["source"] = _fix_markdown(src, doc_url, depth); cells.append(cell); continue
        if cell["cell_type"] != "code": continue
        # directives: quarto's meaning, as myst-nb tags; directive lines never shown
        tags, kept, asis = set(cell.get("metadata", {}).get("tags", [])), [], False
        for line in src.splitlines():
            m = _DIRECTIVE.match(line)
            if not m: kept.append(line); continue
            key, val = m.group(1), m.group(2).lower()
            if key == "echo" and val == "false": tags.add("remove-input")
            elif key == "output" and val == "false": tags.add("remove-output")
            elif key == "output" and val == "asis": asis = True
            elif key == "include" and val == "false": tags.add("remove-cell")
        cell["source"] = "\n".join(kept).strip("\n")
        outs = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and plotlyjs_loader(data): continue
            if data and PLOTLY_MIME in data:
                n_fig += 1
                out["data"] = {"text/html": plotly_html(data[PLOTLY_MIME], f"{name}-fig-{n_fig}")}
            elif data and "text/markdown" in data:
                data["text/markdown"] = _fix_markdown(_src({"source": data["text/markdown"]}), doc_url, depth)
                data.pop("text/plain", None)
            outs.append(out)
        if asis:   # `show_doc` (nbdev marks it `output: asis`): its markdown becomes part of the page, as in quarto
            for out in outs:
                md = (out.get("data") or {}).get("text/markdown")
                if md: cells.append({"cell_type": "markdown", "metadata": {}, "source": _api_entry(md)})
            continue
        cell["outputs"] = outs
        if not cell["source"] and not outs: continue
        if not cell["source"]: tags.add("remove-input")
        if tags: cell.setdefault("metadata", {})["tags"] = sorted(tags)
        cells.append(cell)
    nb["cells"] = cells
    nb["metadata"] = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                      "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    return {"name": name, "title": title, "figures": n_fig}

def _doc_url() -> str:
    s = _settings()
    host, base = s.get("doc_host", "").rstrip("/"), s.get("doc_baseurl", "").strip("/")
    return f"{host}/{base}/" if host else ""

# ---------------------------------------------------------------------------------------------------------------
# 4. sphinx

def _proc_one(src: Path, dst: Path, name: str|None = None) -> dict:
    "Process one notebook in a fresh Python process (nbdev runs its cells in-process: keep notebooks apart)."
    r = subprocess.run([sys.executable, __file__, "_process", str(src), str(dst), name or page_name(src)], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0: raise SystemExit(f"docs: processing {src.name} failed:\n{r.stderr[-6000:]}")
    return json.loads(dst.with_suffix(".json").read_text())

def process_all(sources: list[Path], out: Path, workers: int = 2) -> list[dict]:
    "Process `sources` into `out` (in parallel processes; unchanged notebooks are reused from the last build)."
    stamp = max(Path(__file__).stat().st_mtime, (ROOT/"settings.ini").stat().st_mtime)
    jobs, infos = [], {}
    for src in sources:
        dst = out/f"{page_name(src)}.ipynb"
        meta = dst.with_suffix(".json")
        if dst.exists() and meta.exists() and dst.stat().st_mtime > max(src.stat().st_mtime, stamp):
            infos[src] = json.loads(meta.read_text())
        else: jobs.append((src, dst))
    if jobs:
        with ThreadPoolExecutor(max_workers=workers) as ex:
            for (src, _), info in zip(jobs, ex.map(lambda j: _proc_one(*j), jobs)): infos[src] = info
    return [infos[s] for s in sources]

def _toctree(caption: str, names: list[str]) -> str:
    return "```{toctree}\n:caption: " + caption + "\n:maxdepth: 1\n\n" + "\n".join(names) + "\n```\n" if names else ""

def write_sources(sources: list[Path], reports: list[Path], out: Path) -> list[dict]:
    "Processed notebooks, conf.py, plotly.js and the navigation in `out`."
    out.mkdir(parents=True, exist_ok=True)
    names = {page_name(p) for p in sources} | {f"report-{p.parent.name}" for p in reports}
    for stale in out.rglob("*.ipynb"):
        if str(stale.relative_to(out).with_suffix("")) not in names: stale.unlink(); stale.with_suffix(".json").unlink(missing_ok=True)
    infos = process_all(sources, out)
    for rep in reports:     # executed experiment reports: outputs only, nothing to run or document
        infos.append(_proc_one(rep, out/f"report-{rep.parent.name}.ipynb", f"report-{rep.parent.name}"))
    if "index" not in [i["name"] for i in infos]: raise SystemExit("nbs/index.ipynb is missing: it is the home page")
    unlink_missing(out, [i["name"] for i in infos])
    # navigation: appended to the home page
    guides = [n for n in GUIDES[1:] if n in names]
    modules = [i["name"] for i in infos if i["name"] not in GUIDES and "/" not in i["name"] and not i["name"].startswith("report-")]
    templates = [i["name"] for i in infos if "/" in i["name"]]
    report_pages = [i["name"] for i in infos if i["name"].startswith("report-")]
    home = out/"index.ipynb"
    nb = json.loads(home.read_text())
    nav = _toctree("Guides", guides) + _toctree("API reference and worked examples", modules) + _toctree("Experiment templates", templates) + _toctree("Experiment reports", report_pages)
    nb["cells"] = [c for c in nb["cells"] if not c["metadata"].get("pause_nb_nav")] + [
        {"cell_type": "markdown", "metadata": {"pause_nb_nav": True}, "source": nav}]    # replaced at every build
    home.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    # plotly.js beside the pages; conf.py from the template
    import plotly
    static = out/"_static"; static.mkdir(exist_ok=True)
    pjs = Path(plotly.__file__).parent/"package_data"/"plotly.min.js"
    if not (static/"plotly.min.js").exists() or (static/"plotly.min.js").stat().st_size != pjs.stat().st_size:
        shutil.copy(pjs, static/"plotly.min.js")
    (static/"pause_nb.css").write_text(CSS)
    (static/"no-mathjax.js").write_text("/* MathJax is not shipped: the site works offline and the notebooks hold no LaTeX. */\n")
    s = _settings()
    conf = CONF_TEMPLATE.read_text().replace("@PROJECT@", repr(s["title"])).replace("@AUTHOR@", repr(s["author"])) \
        .replace("@COPYRIGHT@", repr(s["copyright"])).replace("@DESCRIPTION@", repr(s["description"])) \
        .replace("@VERSION@", repr(s["version"])).replace("@GIT_URL@", repr(s.get("git_url", "")))
    if not (out/"conf.py").exists() or (out/"conf.py").read_text() != conf: (out/"conf.py").write_text(conf)
    return infos

def build(site: Path = SITE, sources: list[Path]|None = None, reports: list[Path]|None = None, proc: Path = PROC,
          doctrees: Path|None = None, quiet: bool = True) -> list[dict]:
    "Build the site: process the notebooks, then sphinx (no notebook is executed)."
    t0 = time.perf_counter()
    sources = source_notebooks() if sources is None else sources
    reports = sorted(ROOT.glob(REPORT_GLOB)) if reports is None else reports
    infos = write_sources(sources, reports, proc)
    t1 = time.perf_counter()
    # sphinx writes into proc.parent/html (myst-nb puts a `jupyter_execute/` folder beside its output folder), then
    # the site is copied to `site` whole: no stale pages, while sphinx's environment (doctrees) stays cached.
    html = proc.parent/"html"
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-j", "1", "-d", str(doctrees or proc.parent/"doctrees"), str(proc), str(html)]
    if quiet: cmd.insert(3, "-q")
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    warnings = [l for l in (r.stderr or "").splitlines() if "WARNING" in l or "ERROR" in l]
    if r.returncode != 0: raise SystemExit(f"sphinx failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}")
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(html, site, ignore=shutil.ignore_patterns(".buildinfo*", "_sources"))
    (site/".nojekyll").touch()
    figs = sum(i["figures"] for i in infos)
    print(f"docs: {len(infos)} pages, {figs} interactive figure(s) -> {site.relative_to(ROOT) if site.is_relative_to(ROOT) else site}"
          f"  (processing {t1-t0:.1f}s, sphinx {time.perf_counter()-t1:.1f}s)")
    for w in warnings: print("  " + w)
    return infos

# ---------------------------------------------------------------------------------------------------------------
# The headless check

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]

def chromium(install: bool = True) -> str:
    "Path of the chromium binary; installed with apt-get (Debian package `chromium`) when missing and we are root."
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name): return shutil.which(name)
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        print("docs-check: installing chromium (apt-get)...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, env=env, capture_output=True)
        if shutil.which("chromium"): return shutil.which("chromium")
    raise SystemExit("docs-check needs chromium: `apt-get update && apt-get install -y chromium` (as root)")

def _chrome(page: Path, *args: str, fragment: str = "", timeout: int = 60) -> str:
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri() + fragment],
                           capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0: raise AssertionError(f"chromium failed on {page}: {r.stderr[-2000:]}")
    return r.stdout

def dump_dom(page: Path) -> str:
    "The page's DOM after its scripts ran (5 s of virtual time)."
    return _chrome(page, "--dump-dom", "--virtual-time-budget=5000")

_FOCUS_JS = """<script>document.addEventListener("DOMContentLoaded", () => {
  // headless screenshots cannot scroll: hide what comes before the element instead (keeping one block of context)
  let el = document.getElementById(%s), kept = 0;
  while (el && !el.classList.contains("bd-article")) {
    let prev = el.previousElementSibling;
    while (prev) { const p = prev.previousElementSibling; if (kept++ >= 1) prev.style.display = "none"; prev = p; }
    el = el.parentElement;
  }
});</script>"""

def screenshot(page: Path, png: Path, size: str = "1280,1600", focus: str|None = None) -> Path:
    "A PNG of the page's first screen; with `focus`, of the part of the page starting just above element `focus`."
    png.parent.mkdir(parents=True, exist_ok=True)
    if focus is None:
        _chrome(page, f"--screenshot={png}", f"--window-size={size}", "--virtual-time-budget=5000"); return png
    tmp = page.with_name(f".focus-{page.name}")         # beside the page, so its relative links still resolve
    tmp.write_text(page.read_text(encoding="utf-8").replace("</body>", _FOCUS_JS % json.dumps(focus) + "</body>"), encoding="utf-8")
    try: _chrome(tmp, f"--screenshot={png}", f"--window-size={size}", "--virtual-time-budget=5000")
    finally: tmp.unlink()
    return png

def figure_pages(site: Path = SITE) -> list[Path]:
    "Pages holding an interactive figure: experiment reports first, then module pages, then the home page."
    pages = [p for p in sorted(site.glob("*.html")) if "pause-nb-figure" in p.read_text(encoding="utf-8")]
    return sorted(pages, key=lambda p: (not p.stem.startswith("report-"), p.stem == "index", p.stem))

def page_text(dom: str) -> str:
    "The visible text of a DOM dump, whitespace collapsed."
    import html
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", dom)))

def broken_links(site: Path = SITE) -> list[str]:
    "Links between the site's pages (`model.html#combine_logits`) whose page or anchor does not exist."
    root, ids, bad = site.resolve(), {}, []
    pages = sorted(site.rglob("*.html"))
    for p in pages: ids[p.resolve()] = set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding="utf-8")))
    for p in pages:
        for href, anchor in re.findall(r'href="([^"#:?]+\.html)#([^"]+)"', p.read_text(encoding="utf-8")):
            target = (p.parent/href).resolve()
            if not target.is_relative_to(root): continue
            if target not in ids or anchor not in ids[target]: bad.append(f"{p.relative_to(site)} -> {href}#{anchor}")
    return bad

_TABLES_JS = """<script>window.addEventListener("load", () => {
  const a = (document.querySelector(".bd-article") || document.body).getBoundingClientRect();
  document.body.setAttribute("data-tables", JSON.stringify([...document.querySelectorAll(".bd-article table")].map(t => {
    const r = t.getBoundingClientRect();
    return {right: r.right, article: a.right, scrolls: getComputedStyle(t).overflowX, wider: t.scrollWidth > t.clientWidth}; })));
});</script>"""

def table_layout(page: Path, width: int = 1280) -> list[dict]:
    "Each table of `page`'s article at window width `width`: its right edge, the article's, and whether it scrolls."
    import html
    tmp = page.with_name(f".tables-{page.name}")        # beside the page, so its relative links still resolve
    tmp.write_text(page.read_text(encoding="utf-8").replace("</body>", _TABLES_JS + "</body>"), encoding="utf-8")
    try: dom = _chrome(tmp, "--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},1600")
    finally: tmp.unlink()
    m = re.search(r'data-tables="([^"]*)"', dom)
    return json.loads(html.unescape(m.group(1))) if m else []

def check(site: Path = SITE, shots: Path|None = ROOT/"_proc"/"check", api_page: str = "data.html",
          api_signature: str = r"def extract_answer\( ?text:str ?\)->str \| None:") -> dict:
    "Open the home page, an API page and a figure page in headless chromium; assert they rendered."
    t0 = time.perf_counter()
    home, api = site/"index.html", site/api_page
    for p in (home, api): assert p.exists(), f"{p} was not built"
    for p in site.glob("*.html"):     # offline: nothing may be fetched from elsewhere
        html = p.read_text(encoding="utf-8")
        ext = re.findall(r'<(?:script|img)[^>]*\bsrc="(https?:[^"]+)"|<link[^>]*rel="(?:stylesheet|preload)"[^>]*href="(https?:[^"]+)"', html)
        assert not ext, f"{p.name} loads resources from the network: {ext[:3]}"
    dom = dump_dom(home)
    text = page_text(dom)
    assert "<h1" in dom and "What pause tokens are" in text and "make demo" in text and "make test" in text, "home page did not render"
    assert 'class="bd-sidebar' in dom or "toctree" in dom, "home page has no navigation"
    api_dom = dump_dom(api)
    assert re.search(api_signature, page_text(api_dom)), f"{api_page}: API signature {api_signature!r} not found"
    assert 'id="extract_answer"' in api_dom, f"{api_page}: no anchor for extract_answer"
    figs = figure_pages(site)
    assert figs, "no page with an interactive figure was built"
    fig_dom = dump_dom(figs[0])
    n_div = fig_dom.count("pause-nb-figure")
    assert 'class="main-svg"' in fig_dom, f"{figs[0].name}: the plotly figure did not draw (no main-svg)"
    assert "plotly.min.js" in fig_dom and "cdn" not in re.findall(r'src="[^"]*plotly[^"]*"', fig_dom)[0]
    # the pages of notebooks with stored outputs show them, and every figure on them draws
    shown = {}
    for key in read_record() if site == SITE else []:
        page = site/f"{page_name(_nbs()/key)}.html"
        if not page.exists(): continue
        html = page.read_text(encoding="utf-8")
        n_out, n_fig = html.count('class="cell_output'), html.count('class="plotly-graph-div pause-nb-figure')
        assert n_out, f"{page.name}: {key} has stored outputs, but the page shows none"
        if n_fig:
            drawn = len(re.findall(r'class="[^"]*\bsvg-container\b', fig_dom if page == figs[0] else dump_dom(page)))
            assert drawn >= n_fig, f"{page.name}: {drawn} of {n_fig} plotly figures drew"
        shown[page.name] = {"outputs": n_out, "figures": n_fig}
    bad = broken_links(site)
    assert not bad, f"{len(bad)} link(s) to a missing page or anchor: {bad[:5]}"
    git_url = _settings().get("git_url", "")
    sources = [h for p in site.glob("*.html") for h in re.findall(r'class="pause-nb-source"><a href="([^"]+)"', p.read_text(encoding="utf-8"))]
    assert all(h.startswith(git_url) for h in sources) if git_url else not sources, \
        f"source links must point into settings.ini's git_url ({git_url or 'empty: no source links'}): {sources[:3]}"
    wide = next((p for p in sorted(site.glob("*.html"), key=lambda p: not p.stem.startswith("report-"))
                 if "<table" in p.read_text(encoding="utf-8")), None)
    tables = table_layout(wide) if wide else []
    cut = [t for t in tables if t["right"] > t["article"] + 1 or (t["wider"] and t["scrolls"] not in ("auto", "scroll"))]
    assert not cut, f"{wide.name}: {len(cut)} table(s) run past the text column without scrolling: {cut[:2]}"
    res = {"home": home.name, "api": api.name, "figure_page": figs[0].name, "figures_on_page": n_div,
           "pages": len(list(site.glob("*.html"))), "links_checked": "ok", "source_links": len(sources),
           "table_page": wide.name if wide else None, "tables": len(tables), "wide_tables_scroll": sum(t["wider"] for t in tables),
           "stored_outputs_shown": shown}
    if shots is not None:
        fig_id = re.search(r'<div id="([^"]+)" class="plotly-graph-div pause-nb-figure', figs[0].read_text(encoding="utf-8")).group(1)
        res["screenshots"] = [str(screenshot(home, shots/"home.png")), str(screenshot(api, shots/"api.png", focus="extract-answer")),
                              str(screenshot(figs[0], shots/"figure.png", size="1280,1000", focus=fig_id))]
    res["seconds"] = round(time.perf_counter() - t0, 1)
    return res

# ---------------------------------------------------------------------------------------------------------------
# Outputs kept on purpose, and whether they are fresh

RECORD = "nbs/.outputs.json"    # per stored notebook: fingerprint of its sources, of its outputs, the modules it read
MAX_STORED_KB = 300             # a stored notebook over this is reported (trim the output, or show less)
STREAM_LINES = 40               # a longer stream output (a training log) keeps its first and last STREAM_LINES/2 lines
_FINGERPRINT_VERSION = "pause_nb stored outputs v1"
# environment noise, not the notebook's: tqdm.auto in a kernel without ipywidgets warns at import
_NOISE = [re.compile(r"^.*TqdmWarning: IProgress not found.*\n(?:\s+from \.autonotebook import tqdm as notebook_tqdm\n)?", re.MULTILINE)]

def _nbs() -> Path: return ROOT/_settings().get("nbs_path", "nbs")
def record_path() -> Path: return ROOT/RECORD
def record_key(nb: Path) -> str: return nb.resolve().relative_to(_nbs().resolve()).as_posix()

def module_notebooks() -> list[Path]:
    "The module notebooks, `nbs/[0-9]*.ipynb`: those `make docs-outputs` keeps stored."
    return sorted(_nbs().glob("[0-9]*.ipynb"))

def _cells(nb: dict) -> list[dict]: return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
def _text(x) -> str: return "".join(x) if isinstance(x, list) else (x or "")

def has_outputs(nb: dict) -> bool: return any(c.get("outputs") for c in _cells(nb))

_MOD_RE = [re.compile(r"\bpause_nb\.([A-Za-z]\w*)"),                                # pause_nb.data, `-m pause_nb.experiments`
           re.compile(r"\bfrom\s+pause_nb\s+import\s+\(?\s*([\w\s,]+)"),              # from pause_nb import data, viz
           re.compile(r"^\s*from\s+\.([A-Za-z]\w*)\s+import", re.MULTILINE),          # (in a module) from .data import X
           re.compile(r"^\s*from\s+\.\s+import\s+\(?\s*([\w\s,]+)", re.MULTILINE)]     # (in a module) from . import data

def _module_refs(text: str, lib: Path) -> set[Path]:
    names = {n.strip() for rx in _MOD_RE for m in rx.finditer(text) for n in m.group(1).split(",")}
    return {lib/f"{n}.py" for n in names if n and n != "_modidx" and (lib/f"{n}.py").exists()}

def imported_modules(nb: dict) -> list[Path]:
    "The package modules whose code a notebook runs: those its code names, and what they import, transitively."
    lib = ROOT/_settings().get("lib_path", "pause_nb")
    code = "\n".join(_text(c.get("source")) for c in _cells(nb))
    todo, seen = _module_refs(code, lib), set()
    while todo:
        m = todo.pop(); seen.add(m)
        todo |= _module_refs(m.read_text(encoding="utf-8"), lib) - seen
    if seen or re.search(r"\bimport\s+pause_nb\b", code): seen.add(lib/"__init__.py")   # read, not followed: it imports nothing eagerly
    return sorted(seen)

def sources_fingerprint(nb: dict) -> tuple[str, list[str]]:
    "sha256 of the notebook's code cells and of the package modules they import; and those modules' paths."
    import hashlib
    h, mods = hashlib.sha256(_FINGERPRINT_VERSION.encode()), imported_modules(nb)
    for c in _cells(nb): h.update(b"\0cell\0" + _text(c.get("source")).encode())
    for m in mods: h.update(b"\0module\0" + m.relative_to(ROOT).as_posix().encode() + b"\0" + m.read_bytes())
    return h.hexdigest(), [m.relative_to(ROOT).as_posix() for m in mods]

def outputs_fingerprint(nb: dict) -> str:
    "sha256 of the code cells' outputs (as nbdev_clean leaves them): outputs not written by `store-outputs` change it."
    import hashlib
    norm = [[{k: ({m: _text(v) for m, v in o[k].items()} if k == "data" else _text(o[k]) if k == "text" else o[k])
              for k in sorted(o) if k not in ("execution_count", "metadata")} for o in c.get("outputs", [])] for c in _cells(nb)]
    return hashlib.sha256(json.dumps(norm, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

def read_record() -> dict:
    p = record_path()
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}

def _update_record(key: str, entry: dict|None) -> None:
    "Set (or, with `None`, remove) one notebook's entry, under a lock: notebooks are stored in parallel."
    import fcntl
    p, lock_file = record_path(), ROOT/"_proc"/"outputs.lock"      # _proc/ is gitignored: the lock file stays there
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rec = read_record()
        if entry is None: rec.pop(key, None)
        else: rec[key] = entry
        p.write_text(json.dumps(dict(sorted(rec.items())), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

def staleness(nb_path: Path, record: dict|None = None) -> str|None:
    "Why `nb_path`'s stored outputs are out of date (or missing); `None` when they are fresh."
    record = read_record() if record is None else record
    key = record_key(nb_path)
    if not nb_path.exists(): return "the notebook no longer exists" if key in record else None
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    entry = record.get(key)
    if entry is None: return "its outputs were not stored by store-outputs" if has_outputs(nb) else "no outputs stored"
    sha, mods = sources_fingerprint(nb)
    if sha != entry.get("sources"):
        changed = sorted(set(mods) ^ set(entry.get("modules", [])))
        return ("its code cells or the modules it imports changed since its outputs were stored"
                + (f" (modules now read: {mods}; then: {entry.get('modules')})" if changed else f" (it reads {', '.join(mods) or 'no pause_nb module'})"))
    if outputs_fingerprint(nb) != entry.get("outputs"):
        return "its outputs are not the ones store-outputs wrote (re-run or cleared by hand?)"
    return None

def freshness_problems(notebooks: list[Path]|None = None) -> list[str]:
    "Stored outputs that do not match their sources: every recorded notebook, and module notebooks holding outputs."
    record = read_record()
    nbs = [_nbs()/k for k in record] + module_notebooks() if notebooks is None else notebooks
    out = []
    for nb in dict.fromkeys(nbs):
        if not nb.exists() and record_key(nb) not in record: continue
        if record_key(nb) not in record and not has_outputs(json.loads(nb.read_text(encoding="utf-8"))): continue
        why = staleness(nb, record)
        if why: out.append(f"{record_key(nb)}: {why}; refresh with `python scripts/docs.py store-outputs {nb.relative_to(ROOT)}`"
                           + " (or `make docs-outputs`)" if nb.exists() else f"{record_key(nb)}: {why}; `make docs-outputs` drops its entry from {RECORD}")
    return out

def _skipped(cell, skip_flags) -> bool:
    "Cells nbdev's tests skip: `#| eval: false`, a test flag (`slow`, `gpu`, `notest`), `nbdev_export()`."
    from nbdev.process import extract_directives
    if cell.get("cell_type") != "code": return True
    src = _text(cell.get("source"))
    if "nbdev_export" + "(" in src: return True
    d = extract_directives(cell, remove=False) if src.lstrip().startswith("#") else {}
    if d.get("eval:", [""])[0].lower() == "false": return True
    return bool(set(skip_flags) & d.keys())

def _round_floats(x, digits: int = 6):
    "`x` with every float to `digits` significant digits: a figure's JSON is stored a number a line, 17 digits each."
    if isinstance(x, float): return float(f"{x:.{digits}g}")
    if isinstance(x, list): return [_round_floats(v, digits) for v in x]
    if isinstance(x, dict): return {k: _round_floats(v, digits) for k, v in x.items()}
    return x

def _tidy_outputs(nb) -> None:
    "Stored as a reader would see them: progress bars at their last state, no environment noise, no local paths, long logs cut."
    import site
    prefixes = sorted({str(Path(p)) + os.sep for p in site.getsitepackages()} | {str(ROOT) + os.sep}, key=len, reverse=True)
    def local(t: str) -> str:
        for pre in prefixes: t = t.replace(pre, "")
        return t
    for cell in nb.cells:
        if cell.cell_type != "code": continue
        merged = []         # a progress bar arrives as many stream messages: one output per run of the same stream
        for o in cell.outputs:
            if o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream" and merged[-1]["name"] == o["name"]:
                merged[-1]["text"] += o["text"]
            else: merged.append(o)
        for o in merged:
            if o.get("output_type") == "stream":
                t = "\n".join(([seg for seg in line.split("\r") if seg] or [""])[-1] for line in o["text"].split("\n"))   # as a terminal shows it
                for rx in _NOISE: t = rx.sub("", t)
                lines = t.splitlines(keepends=True)
                if len(lines) > STREAM_LINES:
                    k = STREAM_LINES // 2
                    t = "".join(lines[:k] + [f"... ({len(lines) - 2 * k} lines left out of the stored output) ...\n"] + lines[-k:])
                o["text"] = local(t)
            for mime, v in (o.get("data") or {}).items():
                if mime.startswith("text/") and isinstance(v, str): o["data"][mime] = local(v)
                if mime == PLOTLY_MIME: o["data"][mime] = _round_floats(v)
        cell.outputs = [o for o in merged if not (o.get("output_type") == "stream" and not o["text"].strip())]

def store_outputs(nb_path: Path, timeout: int = 600) -> dict:
    """Execute `nb_path` in a kernel (cells nbdev's tests skip are skipped, and keep no output) and save it with its
    outputs (plotly figures as JSON), nbdev_clean it, and record the fingerprints of its sources and outputs."""
    import nbformat
    from nbclient import NotebookClient
    skip_flags = _settings().get("tst_flags", "").split()
    class Client(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            if _skipped(cell, skip_flags):
                if cell.cell_type == "code": cell.outputs = []
                return cell
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
    t0 = time.perf_counter()
    before = nb_path.read_bytes()
    nb = nbformat.reads(before.decode("utf-8"), as_version=4)
    sha, mods = sources_fingerprint(json.loads(before))    # what ran: read before running
    old = {k: os.environ.get(k) for k in ("PLOTLY_RENDERER", "TOKENIZERS_PARALLELISM")}
    os.environ.update(PLOTLY_RENDERER="plotly_mimetype", TOKENIZERS_PARALLELISM="false")
    try: Client(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(nb_path.parent)}}).execute()
    finally:
        for k, v in old.items():
            if v is None: os.environ.pop(k, None)
            else: os.environ[k] = v
    _tidy_outputs(nb)
    if nb_path.read_bytes() != before:     # edited while it ran (minutes): never overwrite someone's edit
        raise RuntimeError(f"{nb_path.relative_to(ROOT)} changed while it ran: left as it is now; store its outputs again")
    nbformat.write(nb, nb_path)
    subprocess.run([str(Path(sys.executable).parent/"nbdev_clean"), "--fname", str(nb_path)], cwd=ROOT, check=True)
    stored = json.loads(nb_path.read_text(encoding="utf-8"))
    kb = round(nb_path.stat().st_size / 1024)
    entry = {"sources": sha, "outputs": outputs_fingerprint(stored), "modules": mods}
    _update_record(record_key(nb_path), entry)
    big = sorted(((len(json.dumps(c.get("outputs", []))) // 1024, i) for i, c in enumerate(stored["cells"]) if c.get("outputs")), reverse=True)[:3]
    warn = f"  WARNING: over {MAX_STORED_KB} kB; largest outputs (kB, cell index): {big}" if kb > MAX_STORED_KB else ""
    print(f"store-outputs: {nb_path.relative_to(ROOT)} in {time.perf_counter() - t0:.1f}s, {kb} kB{warn}", flush=True)
    return {**entry, "kB": kb, "seconds": round(time.perf_counter() - t0, 1)}

def store_all(notebooks: list[Path], stale_only: bool = False, jobs: int = 2) -> int:
    "Store outputs of `notebooks` (with `stale_only`, only those out of date), `jobs` at a time, each in its own process."
    t0, record = time.perf_counter(), read_record()
    for key in [k for k in record if not (_nbs()/k).exists()]:
        _update_record(key, None); print(f"store-outputs: dropped the entry of {key} (no such notebook)")
    todo = [nb for nb in notebooks if not stale_only or staleness(nb, record)]
    print(f"store-outputs: {len(todo)} of {len(notebooks)} notebook(s) to run" + (": " + " ".join(p.name for p in todo) if todo else ""), flush=True)
    def one(nb):
        r = subprocess.run([sys.executable, __file__, "store-outputs", str(nb)], cwd=ROOT, capture_output=True, text=True)
        sys.stdout.write(r.stdout); sys.stdout.flush()
        return nb if r.returncode else None, r.stderr
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex: results = list(ex.map(one, todo))
    failed = [(nb, err) for nb, err in results if nb]
    for nb, err in failed: print(f"store-outputs: {nb.relative_to(ROOT)} FAILED (left as it was):\n{err[-3000:]}", file=sys.stderr)
    print(f"store-outputs: {len(todo) - len(failed)} stored, {len(failed)} failed, in {time.perf_counter() - t0:.0f}s", flush=True)
    return 1 if failed else 0

def main(argv=None):
    p = argparse.ArgumentParser(prog="python scripts/docs.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="build the site into _docs/")
    c = sub.add_parser("check", help="build, then check pages in headless chromium")
    c.add_argument("--no-build", action="store_true")
    so = sub.add_parser("store-outputs", help="execute notebooks and keep their outputs (with their fingerprint in " + RECORD + ")")
    so.add_argument("notebooks", nargs="*", type=Path, help="default: the module notebooks and every notebook in " + RECORD)
    so.add_argument("--stale", action="store_true", help="only those whose stored outputs are out of date (`make docs-outputs`)")
    so.add_argument("-j", "--jobs", type=int, default=2, help="notebooks run at once (with several notebooks)")
    sub.add_parser("stale", help="list notebooks whose stored outputs do not match their sources (exit 1 if any)")
    pr = sub.add_parser("_process", help=argparse.SUPPRESS)     # one notebook, in its own process
    pr.add_argument("src", type=Path); pr.add_argument("dst", type=Path); pr.add_argument("name")
    a = p.parse_args(argv)
    if a.cmd == "_process": process_notebook(a.src.resolve(), a.dst.resolve(), a.name); return
    if a.cmd == "build": build()
    elif a.cmd == "check":
        chromium()
        t0 = time.perf_counter()
        if not a.no_build: build()
        res = check()
        print(f"docs-check: ok in {time.perf_counter()-t0:.1f}s " + json.dumps(res))
    elif a.cmd == "stale":
        probs = freshness_problems()
        print("\n".join(probs) or "stored outputs: all fresh"); sys.exit(1 if probs else 0)
    else:
        nbs = [nb.resolve() for nb in a.notebooks] or list(dict.fromkeys(module_notebooks() + [_nbs()/k for k in read_record() if (_nbs()/k).exists()]))
        if len(nbs) == 1 and not a.stale: store_outputs(nbs[0])
        else: sys.exit(store_all(nbs, stale_only=a.stale, jobs=a.jobs))

if __name__ == "__main__": main()
