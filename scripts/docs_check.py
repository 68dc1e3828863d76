"""`make docs-check`: every page of the built site opened in headless chromium (`scripts/docs.py check` builds it first).

Sphinx checks what it writes; only a browser shows what a reader gets. A page fails when it did not render (no main part
or heading), when a figure on it did not draw, when a table runs past the text column without scrolling, when it loads
anything from the network (the site works offline), or when it links to a page or anchor that does not exist. The home
page must show the README's commands and the navigation, the API page a signature, and each page of a notebook with
stored outputs those outputs.
"""
from __future__ import annotations
import html, json, os, re, shutil, subprocess, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars"]

def chromium(install: bool = True) -> str:
    "Path of the chromium binary; installed with apt-get (Debian's `chromium`) when missing and we are root."
    if found := shutil.which("chromium") or shutil.which("chromium-browser"): return found
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        print("docs-check: installing chromium (apt-get)...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]): subprocess.run(cmd, check=True, env=env, capture_output=True)
        return chromium(install=False)
    raise SystemExit("docs-check needs chromium: `apt-get update && apt-get install -y chromium` (as root)")

def chrome(page: Path, *args: str, timeout: int = 60) -> str:
    "Run headless chromium on `page` with `args` in a fresh profile; its stdout."
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0: raise AssertionError(f"chromium failed on {page}: {r.stderr[-2000:]}")
    return r.stdout

def dump_dom(page: Path) -> str:
    "The page's DOM after its scripts ran (5 s of virtual time)."
    return chrome(page, "--dump-dom", "--virtual-time-budget=5000")

def page_text(dom: str) -> str:
    "The visible text of a DOM dump, whitespace collapsed."
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.DOTALL))))

_PROBE = """<script>window.addEventListener("load", () => setTimeout(() => {
  const art = document.querySelector("main"), right = art ? art.getBoundingClientRect().right : 0;
  const scrolls = t => { for (let e = t; e && e !== art; e = e.parentElement) if (["auto", "scroll"].includes(getComputedStyle(e).overflowX)) return true; return false; };
  document.body.dataset.check = JSON.stringify({article: !!art, heading: !!document.querySelector("main h1"),
    figures: document.querySelectorAll(".pause-nb-figure").length, drawn: [...document.querySelectorAll(".pause-nb-figure")].filter(f => f.querySelector(".main-svg")).length,
    outputs: document.querySelectorAll(".cell_output").length, toctree: document.querySelectorAll(".bd-article .toctree-wrapper a").length,
    cut: [...document.querySelectorAll("main table")].filter(t => !scrolls(t) && (t.getBoundingClientRect().right > right + 1 || t.scrollWidth > t.clientWidth + 1)).length});
}, 1000));</script>"""

def probe(page: Path, width: int = 1280) -> dict:
    "What `page` shows in chromium at `width` px: article, heading, figures placed and drawn, outputs, tables cut off; its text."
    tmp = page.with_name(f".check-{page.name}")         # beside the page, so its relative links resolve
    tmp.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    try: dom = chrome(tmp, "--dump-dom", "--virtual-time-budget=5000", f"--window-size={width},1600")
    finally: tmp.unlink()
    m = re.search(r'data-check="([^"]*)"', dom)
    return {**(json.loads(html.unescape(m.group(1))) if m else {"article": False}), "text": page_text(dom)}

def broken_links(site: Path) -> list[str]:
    "Links between the site's pages (`model.html`, `model.html#combine_logits`) whose page or anchor does not exist."
    pages = sorted(site.rglob("*.html"))
    ids = {p.resolve(): set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding="utf-8"))) for p in pages}
    return [f"{p.relative_to(site)} -> {href}{anchor}" for p in pages for href, anchor in re.findall(r'href="([^"#:?]+\.html)(#[^"]*)?"', p.read_text(encoding="utf-8"))
            if (t := (p.parent/href).resolve()).is_relative_to(site.resolve()) and (t not in ids or anchor[1:] and anchor[1:] not in ids[t])]

_NETWORK = re.compile(r'<(?:script|img|iframe)[^>]*\bsrc="(https?:[^"]+)"|<link[^>]*rel="(?:stylesheet|preload)"[^>]*href="(https?:[^"]+)"')

def check(site: Path, output_pages: list[str] = (), api: tuple[str, str] = ("data.html", r"def extract_answer\( ?text:str ?\)->str \| None:")) -> dict:
    "Open every page of `site` in chromium, four at a time; assert each rendered (see the module docstring); a summary."
    t0, pages = time.perf_counter(), [p for p in sorted(site.rglob("*.html")) if not p.relative_to(site).parts[0].startswith((".", "_"))]
    net = {p.name: n for p in pages if (n := _NETWORK.findall(p.read_text(encoding="utf-8")))}
    assert not net, f"pages load resources from the network: {list(net.items())[:3]}"
    with ThreadPoolExecutor(4) as ex: seen = {p.relative_to(site).as_posix(): r for p, r in zip(pages, ex.map(probe, pages))}
    bad = [f"{name}: {why}" for name, r in seen.items() for why, failed in (
        ("did not render (no main part or heading)", not (r["article"] and r.get("heading"))),
        (f"{r.get('drawn')} of {r.get('figures')} figures drew", r.get("drawn", 0) < r.get("figures", 0)),
        (f"{r.get('cut')} table(s) run past the text column without scrolling", r.get("cut")),
        ("shows no stored outputs", name in output_pages and not r.get("outputs"))) if failed]
    home, doc = seen.get("index.html", {"text": ""}), seen.get(api[0], {"text": ""})
    bad += [f"index.html: lacks {w!r}" for w in ("What pause tokens are", "make demo", "make test") if w not in home["text"]]
    bad += ["index.html: no navigation"] * (not home.get("toctree")) + [f"{api[0]}: no signature {api[1]!r}"] * (not re.search(api[1], doc["text"]))
    bad += [f"broken link: {b}" for b in broken_links(site)] + ["no page holds a figure"] * (not any(r.get("figures") for r in seen.values()))
    assert not bad, f"{len(bad)} problem(s) in the site:\n" + "\n".join(bad[:30])
    return {"pages": len(seen), "figures_drawn": {n: r["drawn"] for n, r in seen.items() if r.get("figures")},
            "pages_with_outputs": sum(1 for r in seen.values() if r.get("outputs")), "seconds": round(time.perf_counter() - t0, 1)}
