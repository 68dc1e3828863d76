"""pause_nb's documentation site, built offline from the notebooks into `_docs/`.

    python scripts/docs.py build                 # notebooks → _proc/docs/ → sphinx → _docs/          (`make docs`)
    python scripts/docs.py check                 # build, then open every page in headless chromium   (`make docs-check`)
    python scripts/docs.py store-outputs [--stale] [NB ...]   # run notebooks, store their outputs  (`make docs-outputs`)
    python scripts/docs.py stale                 # notebooks whose stored outputs no longer match their sources

Not `nbdev_docs`: it needs quarto, which cannot be installed here. nbdev's own processors (hidden cells, a `show_doc`
after every export, API links) feed myst-nb and sphinx (scripts/docs_conf/conf.py; a sphinx warning fails the build).
Two things are ours. Rendering `show_doc` runs cells, and nbdev would also run a cell that mixes an import with other
code (training): here only exported, import-only and `show_doc` cells run. And quarto's markup (`#| echo: false`,
`output: asis` API entries, plotly's JSON outputs, links to the doc host) becomes what myst-nb reads. No notebook runs
in the build: pages show the outputs stored in the notebooks (scripts/docs_outputs.py); scripts/docs_check.py is the check.
"""
from __future__ import annotations
import argparse, ast, json, multiprocessing, os, re, shutil, subprocess, sys, time
from concurrent.futures import ProcessPoolExecutor
from configparser import ConfigParser
from pathlib import Path
import docs_check, docs_outputs as outputs

ROOT = Path(__file__).resolve().parents[1]
PROC, SITE, CONF = ROOT/"_proc"/"docs", ROOT/"_docs", Path(__file__).with_name("docs_conf")
PLOTLY_MIME = "application/vnd.plotly.v1+json"
GUIDES = ("index", "real_scale")        # pages listed before the module notebooks

def settings() -> dict:
    cp = ConfigParser(); cp.read(ROOT/"settings.ini"); return dict(cp["DEFAULT"])
def _nbs() -> Path: return ROOT/settings().get("nbs_path", "nbs")
def _text(x) -> str: return "".join(x) if isinstance(x, list) else (x or "")

def page_name(nb: Path) -> str:
    "The page of notebook `nb`, named as nbdev names it: `00_data.ipynb` → `data`, `templates/report.ipynb` → `templates/report`."
    parts = nb.with_suffix("").relative_to(_nbs()).parts if nb.is_relative_to(_nbs()) else (nb.stem,)
    return "/".join(re.sub(r"^\d+[a-z]?_", "", p) for p in parts)

def source_notebooks() -> list[Path]:
    "The notebooks nbdev documents: `nbs/**/*.ipynb`, none in or named like a `_`/`.` folder."
    return [p for p in sorted(_nbs().rglob("*.ipynb")) if not any(s.startswith(("_", ".")) for s in p.relative_to(_nbs()).parts)]

# --- the build -------------------------------------------------------------------------------------------------

def _runs_for_docs(cell, skip_flags) -> bool:
    "nbdev's `_do_eval`, stricter: exported, import-only and `show_doc` cells; never `eval: false` or a test flag (`slow`)."
    from nbdev.processors import cell_lang, _show_docs
    if cell.cell_type != "code" or cell_lang(cell) != "python" or not cell.source: return False
    d = cell.directives_ or {}
    if d.get("eval:", [""])[0].lower() == "false": return False
    if d.keys() & {"export", "exports", "exporti", "exec_doc"}: return True
    trees = cell.parsed_()
    if d.keys() & set(skip_flags) or not trees: return False
    return all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in trees) or bool(_show_docs(trees))

def process_notebook(src: Path, dst: Path, name: str) -> dict:
    "nbdev's processors (less quarto's front matter: the `# Title` cell stays) and `fix_up` on `src`, written to `dst`."
    from execnb.nbio import read_nb
    from nbdev import processors as P
    from nbdev.config import get_config
    from nbdev.frontmatter import FrontmatterProc
    os.environ["IN_TEST"] = "1"             # as nbdev's docs driver: `if not IN_TEST` guards stay quiet
    os.chdir(src.parent if src.is_relative_to(ROOT) else ROOT)   # nbdev finds settings.ini from the working folder
    flags = get_config().get("tst_flags", "").split()
    P._do_eval = lambda cell: _runs_for_docs(cell, flags)         # what nbdev's `exec_show_docs` asks
    nb = read_nb(src)
    P.NBProcessor(nb=nb, procs=[p for p in P.FilterDefaults().procs() if p not in (FrontmatterProc, P.insert_warning)]).process()
    nb = json.loads(json.dumps(nb, default=str))
    info = fix_up(nb, name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    dst.with_suffix(".json").write_text(json.dumps(info))
    return info

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")
_TAGS = {("echo", "false"): "remove-input", ("output", "false"): "remove-output", ("include", "false"): "remove-cell"}
_NB_LINK = re.compile(r"\]\(((?:\.\./)*)(?:\d+[a-z]?_)?([\w-]+)\.ipynb")    # [x](00_data.ipynb) → [x](data.html)
_TABLE_ROW = re.compile(r"^\|.*\|[ \t]*$", re.MULTILINE)

def fix_markdown(text: str, depth: int = 0) -> str:
    "Links as the built site has them (the doc host's made relative); a `|` in a table row's code escaped (GFM)."
    s = settings()
    host = "/".join(x for x in (s.get("doc_host", "").rstrip("/"), s.get("doc_baseurl", "").strip("/")) if x)
    if host: text = text.replace(host + "/", "../" * depth)
    text = _NB_LINK.sub(r"](\1\2.html", text)
    return _TABLE_ROW.sub(lambda r: re.sub(r"`[^`\n]+`", lambda c: c.group(0).replace("|", "\\|"), r.group(0)), text)

def api_entry(md: str) -> str:
    "A `show_doc` entry as page markdown: quarto's rule dropped (myst reads a leading `---` as front matter); nbdev's anchor."
    md = re.sub(r"^\s*---\s*\n", "", md)
    m = re.search(r"^#{2,4} (\S+)\s*$", md, re.MULTILINE)
    if m and re.search(r"[^\w-]", m.group(1)):      # `PauseModel.forward`: myst's anchor would drop the dot
        md = md[:m.end()] + f'\n\n<span id="{m.group(1).lower()}"></span>\n' + md[m.end():]
    return md + "\n"

def plotly_html(fig: dict, div_id: str) -> str:
    "HTML drawing a stored plotly figure with the site's own plotly.js (myst-nb drops plotly's JSON; no CDN)."
    js = lambda x: json.dumps(x, separators=(",", ":")).replace("</", "<\\/")
    layout = fig.get("layout", {})
    return (f'<div id="{div_id}" class="plotly-graph-div pause-nb-figure" style="height:{layout.get("height") or 450}px; width:100%;"></div>\n'
            f'<script>Plotly.newPlot("{div_id}", {js(fig.get("data", []))}, {js(layout)}, {js({"responsive": True, **fig.get("config", {})})});</script>\n')

def plotlyjs_loader(data: dict) -> bool:
    "Whether an output only loads plotly.js (`pause_nb.viz.html_fallback`, a kernel's first figure): the site ships its own."
    page = _text(data.get("text/html"))
    return PLOTLY_MIME not in data and "window.PlotlyConfig" in page and "plotly-graph-div" not in page

def fix_up(nb: dict, name: str) -> dict:
    "Quarto's meaning in myst-nb's terms: directives → tags, API entries → page markdown, plotly JSON → HTML."
    depth, cells, n_fig = name.count("/"), [], 0
    for cell in nb["cells"]:
        src = _text(cell["source"])
        if cell["cell_type"] == "markdown" and src.strip():
            if not cells and name.startswith("report-"): src = re.sub(r"^(# .+)$", rf"\1 (run {name[7:]})", src, count=1, flags=re.M)
            cells.append({**cell, "source": fix_markdown(src, depth)})
        if cell["cell_type"] != "code": continue
        tags, kept, asis = set(cell.get("metadata", {}).get("tags", [])), [], False
        for line in src.splitlines():
            m = _DIRECTIVE.match(line)
            if not m: kept.append(line); continue
            key = (m.group(1), m.group(2).lower())
            if key in _TAGS: tags.add(_TAGS[key])
            asis |= key == ("output", "asis")
        outs = []
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if plotlyjs_loader(data): continue
            if PLOTLY_MIME in data:
                n_fig += 1; out["data"] = {"text/html": plotly_html(data[PLOTLY_MIME], f"{name.replace('/', '-')}-fig-{n_fig}")}
            elif "text/markdown" in data: data["text/markdown"] = fix_markdown(_text(data["text/markdown"]), depth)
            outs.append(out)
        if asis:        # `show_doc` (nbdev marks it `output: asis`): its markdown is part of the page, as in quarto
            cells += [{"cell_type": "markdown", "metadata": {}, "source": api_entry(o["data"]["text/markdown"])} for o in outs if "text/markdown" in o.get("data", {})]
            continue
        src = "\n".join(kept).strip("\n")
        if not src and not outs: continue
        cells.append({**cell, "source": src, "outputs": outs, "metadata": {"tags": sorted(tags | ({"remove-input"} if not src else set()))}})
    nb["cells"] = cells
    nb["metadata"] = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}, "language_info": {"name": "python"}}
    return {"name": name, "figures": n_fig}

def write_sources(sources: list[Path], reports: list[Path], out: Path) -> list[dict]:
    "The processed notebooks (unchanged ones kept from the last build) and the navigation, in `out`."
    jobs = {out/f"{page_name(s)}.ipynb": (s, page_name(s)) for s in sources} | {out/f"report-{r.parent.name}.ipynb": (r, f"report-{r.parent.name}") for r in reports}
    for old in set(out.rglob("*.ipynb")) - set(jobs): old.unlink(); old.with_suffix(".json").unlink(missing_ok=True)
    stamp = max(Path(__file__).stat().st_mtime, (ROOT/"settings.ini").stat().st_mtime)
    todo = [(s, d, n) for d, (s, n) in jobs.items() if not (d.with_suffix(".json").exists() and d.stat().st_mtime > max(s.stat().st_mtime, stamp))]
    if todo:    # nbdev runs cells in its own process: one fresh process a notebook
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as ex: list(ex.map(process_notebook, *zip(*todo)))
    names = [json.loads(d.with_suffix(".json").read_text())["name"] for d in jobs]
    if "index" not in names: raise SystemExit("nbs/index.ipynb is missing: it is the home page")
    nav = {"Guides": [n for n in GUIDES[1:] if n in names],
           "API reference and worked examples": [n for n in names if n not in GUIDES and "/" not in n and not n.startswith("report-")],
           "Experiment templates": [n for n in names if "/" in n], "Experiment reports": [n for n in names if n.startswith("report-")]}
    home = json.loads((out/"index.ipynb").read_text())
    home["cells"] = [c for c in home["cells"] if not c["metadata"].get("pause_nb_nav")] + [{"cell_type": "markdown", "metadata": {"pause_nb_nav": True},
        "source": "".join(f"```{{toctree}}\n:caption: {c}\n:maxdepth: 1\n\n" + "\n".join(ns) + "\n```\n" for c, ns in nav.items() if ns)}]
    (out/"index.ipynb").write_text(json.dumps(home, indent=1, ensure_ascii=False))
    return [json.loads(d.with_suffix(".json").read_text()) for d in jobs]

_API_LINK = re.compile(r'<a class="reference external" href="((?:\.\./)*[\w/.-]+\.html)#([^"]+)">(<code [^>]*>.*?</code>)</a>')

def unlink_missing(site: Path) -> int:
    "Unlink nbdev's API links to names no page documents (its index has private names and methods too); how many."
    pages = sorted(site.rglob("*.html"))
    ids, n = {p.resolve(): set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding="utf-8"))) for p in pages}, 0
    for p in pages:
        def fix(m):
            nonlocal n
            if m.group(2) in ids.get((p.parent/m.group(1)).resolve(), ()): return m.group(0)
            n += 1; return m.group(3)
        html = p.read_text(encoding="utf-8")
        if (new := _API_LINK.sub(fix, html)) != html: p.write_text(new, encoding="utf-8")
    return n

def build(site: Path = SITE, sources: list[Path]|None = None, reports: list[Path]|None = None, proc: Path = PROC) -> list[dict]:
    "Build the site (no notebook is executed): process the notebooks, then sphinx, where a warning is an error."
    t0 = time.perf_counter()
    infos = write_sources(source_notebooks() if sources is None else sources, sorted(ROOT.glob("outputs/*/report.ipynb")) if reports is None else reports, proc)
    html = proc.parent/"html"       # myst-nb writes jupyter_execute/ beside it; the site is copied whole: no stale pages
    r = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-b", "html", "-c", str(CONF), "-d", str(proc.parent/"doctrees"), str(proc), str(html)],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode: raise SystemExit(f"sphinx failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}")
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(html, site, ignore=shutil.ignore_patterns(".buildinfo*", "_sources"))
    n = unlink_missing(site)
    print(f"docs: {len(infos)} pages, {sum(i['figures'] for i in infos)} interactive figure(s), {n} link(s) to undocumented names unlinked -> {site} in {time.perf_counter() - t0:.1f}s")
    return infos

def check(site: Path = SITE) -> dict:
    "Open every page of the built site in headless chromium; the pages of notebooks with stored outputs must show them."
    return docs_check.check(site, [f"{page_name(_nbs()/k)}.html" for k in outputs.read_record() if (_nbs()/k).exists()])

def main(argv=None):
    p = argparse.ArgumentParser(prog="python scripts/docs.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="build the site into _docs/")
    sub.add_parser("check", help="build, then open every page in headless chromium").add_argument("--no-build", action="store_true")
    so = sub.add_parser("store-outputs", help=f"execute notebooks and keep their outputs (fingerprints in {outputs.RECORD})")
    so.add_argument("notebooks", nargs="*", type=Path, help=f"default: the module notebooks and every notebook in {outputs.RECORD}")
    so.add_argument("--stale", action="store_true", help="only those whose stored outputs are out of date (`make docs-outputs`)")
    so.add_argument("-j", "--jobs", type=int, default=2, help="notebooks run at once")
    sub.add_parser("stale", help="list notebooks whose stored outputs do not match their sources (exit 1 if any)")
    a = p.parse_args(argv)
    if a.cmd == "build": build()
    elif a.cmd == "check":
        docs_check.chromium()           # installed first, when missing
        t0 = time.perf_counter()
        if not a.no_build: build()
        res = check()
        print(f"docs-check: ok in {time.perf_counter() - t0:.1f}s " + json.dumps(res))
    elif a.cmd == "stale":
        probs = outputs.freshness_problems()
        print("\n".join(probs) or "stored outputs: all fresh"); sys.exit(1 if probs else 0)
    else: sys.exit(outputs.store_all([nb.resolve() for nb in a.notebooks] or outputs.stored_notebooks(), stale_only=a.stale, jobs=a.jobs))

if __name__ == "__main__": main()
