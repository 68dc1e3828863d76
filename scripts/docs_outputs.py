"""The outputs stored in the notebooks for the docs, and whether they are fresh (`scripts/docs.py store-outputs`, `stale`).

The docs build runs no notebook: CI would run ~20 of them twice (they run once as tests). So `store_outputs` runs a
notebook as nbdev's tests do (flagged cells skipped) in a quiet kernel — figures as plotly JSON, no progress bars, no
other libraries' warnings, no local or random paths — and records in nbs/.outputs.json (nbdev_clean drops unknown
notebook metadata) a sha256 of its code cells and the pause_nb modules they import, transitively, and one of its
outputs. tests/test_docs.py fails on a notebook whose code, imported modules or outputs changed since; prose may change.
No library does this: jupyter-cache keys on code cells only and keeps outputs out of the notebooks.
"""
from __future__ import annotations
import hashlib, json, os, re, subprocess, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = "nbs/.outputs.json"    # per stored notebook: fingerprint of its sources, of its outputs, the modules it read
MAX_STORED_KB, STREAM_LINES = 300, 40      # a bigger notebook is reported; a longer log keeps its first and last 20 lines
_FINGERPRINT_VERSION = "pause_nb stored outputs v1"
QUIET_ENV = {"PLOTLY_RENDERER": "plotly_mimetype",      # a figure stored as its JSON (kB), not with 3.5 MB of plotly.js
             "TOKENIZERS_PARALLELISM": "false", "TQDM_DISABLE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
             "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error", "PYTHONWARNINGS": "ignore::FutureWarning,ignore::DeprecationWarning"}
QUIET_CELL = 'import warnings; warnings.filterwarnings("ignore", module=r"(?!pause_nb\\b|__main__)")'   # run first, not stored
_TMP = re.compile(r"\btmp[a-z0-9_]{8}\b")        # tempfile's random names: an output must not change at every run
_LOCK = threading.Lock()

def settings() -> dict:
    cp = ConfigParser(); cp.read(ROOT/"settings.ini"); return dict(cp["DEFAULT"])
def _nbs() -> Path: return ROOT/settings().get("nbs_path", "nbs")
def _text(x) -> str: return "".join(x) if isinstance(x, list) else (x or "")
def record_key(nb: Path) -> str: return nb.resolve().relative_to(_nbs().resolve()).as_posix()
def read_record() -> dict: return json.loads((ROOT/RECORD).read_text(encoding="utf-8")) if (ROOT/RECORD).exists() else {}
def _write_record(rec: dict) -> None: (ROOT/RECORD).write_text(json.dumps(dict(sorted(rec.items())), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
def module_notebooks() -> list[Path]: return sorted(_nbs().glob("[0-9]*.ipynb"))
def stored_notebooks() -> list[Path]: return list(dict.fromkeys(module_notebooks() + [_nbs()/k for k in read_record() if (_nbs()/k).exists()]))
def _cells(nb: dict) -> list[dict]: return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
def has_outputs(nb: dict) -> bool: return any(c.get("outputs") for c in _cells(nb))

_MOD_RE = [re.compile(r"\bpause_nb\.([A-Za-z]\w*)"),                                # pause_nb.data, `-m pause_nb.experiments`
           re.compile(r"\bfrom\s+pause_nb\s+import\s+\(?\s*([\w\s,]+)"),              # from pause_nb import data, viz
           re.compile(r"^\s*from\s+\.([A-Za-z]\w*)\s+import", re.MULTILINE),          # (in a module) from .data import X
           re.compile(r"^\s*from\s+\.\s+import\s+\(?\s*([\w\s,]+)", re.MULTILINE)]     # (in a module) from . import data

def imported_modules(nb: dict) -> list[Path]:
    "The package modules whose code a notebook runs, in its kernel or a subprocess: those its code names, and theirs."
    lib = ROOT/settings().get("lib_path", "pause_nb")
    refs = lambda text: {lib/f"{n.strip()}.py" for rx in _MOD_RE for m in rx.finditer(text) for n in m.group(1).split(",")
                         if n.strip() not in ("", "_modidx") and (lib/f"{n.strip()}.py").exists()}
    code = "\n".join(_text(c.get("source")) for c in _cells(nb))
    todo, seen = refs(code), set()
    while todo: seen.add(m := todo.pop()); todo |= refs(m.read_text(encoding="utf-8")) - seen
    if seen or re.search(r"\bimport\s+pause_nb\b", code): seen.add(lib/"__init__.py")
    return sorted(seen)

def sources_fingerprint(nb: dict) -> tuple[str, list[str]]:
    "sha256 of the notebook's code cells and of the package modules they import; and those modules' paths."
    h, mods = hashlib.sha256(_FINGERPRINT_VERSION.encode()), imported_modules(nb)
    for c in _cells(nb): h.update(b"\0cell\0" + _text(c.get("source")).encode())
    for m in mods: h.update(b"\0module\0" + m.relative_to(ROOT).as_posix().encode() + b"\0" + m.read_bytes())
    return h.hexdigest(), [m.relative_to(ROOT).as_posix() for m in mods]

def outputs_fingerprint(nb: dict) -> str:
    "sha256 of the code cells' outputs as nbdev_clean leaves them: outputs not written by `store-outputs` change it."
    norm = [[{k: ({m: _text(v) for m, v in o[k].items()} if k == "data" else _text(o[k]) if k == "text" else o[k])
              for k in sorted(o) if k not in ("execution_count", "metadata")} for o in c.get("outputs", [])] for c in _cells(nb)]
    return hashlib.sha256(json.dumps(norm, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

def staleness(nb_path: Path, record: dict|None = None) -> str|None:
    "Why `nb_path`'s stored outputs are out of date (or missing); `None` when they are fresh."
    record, key = read_record() if record is None else record, record_key(nb_path)
    if not nb_path.exists(): return "the notebook no longer exists" if key in record else None
    nb, entry = json.loads(nb_path.read_text(encoding="utf-8")), record.get(key)
    if entry is None: return "its outputs were not stored by store-outputs" if has_outputs(nb) else "no outputs stored"
    sha, mods = sources_fingerprint(nb)
    if sha != entry.get("sources"):
        return f"its code cells or the modules it imports changed since its outputs were stored (it reads {', '.join(mods) or 'no pause_nb module'})"
    if outputs_fingerprint(nb) != entry.get("outputs"): return "its outputs are not the ones store-outputs wrote (re-run or cleared by hand?)"

def freshness_problems(notebooks: list[Path]|None = None) -> list[str]:
    "Stored outputs that do not match their sources: every recorded notebook, and module notebooks holding outputs."
    record, out = read_record(), []
    for nb in dict.fromkeys([_nbs()/k for k in record] + module_notebooks() if notebooks is None else notebooks):
        if record_key(nb) not in record and not (nb.exists() and has_outputs(json.loads(nb.read_text(encoding="utf-8")))): continue
        if why := staleness(nb, record):
            out.append(f"{record_key(nb)}: {why}; " + (f"refresh with `python scripts/docs.py store-outputs {nb.relative_to(ROOT)}` (or `make docs-outputs`)"
                                                      if nb.exists() else f"`make docs-outputs` drops its entry from {RECORD}"))
    return out

def _skipped(cell, flags) -> bool:
    "The cells nbdev's tests skip: `#| eval: false`, a test flag (`slow`, `gpu`, `notest`), `nbdev_export()`."
    from nbdev.process import extract_directives
    src = _text(cell.get("source"))
    d = extract_directives(cell, remove=False) if src.lstrip().startswith("#") else {}
    return "nbdev_export" + "(" in src or d.get("eval:", [""])[0].lower() == "false" or bool(set(flags) & d.keys())

def _tidy_outputs(nb) -> None:
    "Outputs as a reader wants them: no local or random paths, long logs cut, a figure's floats to 6 digits (not 17)."
    import site
    prefixes = sorted({str(Path(p)) + os.sep for p in site.getsitepackages()} | {str(ROOT) + os.sep}, key=len, reverse=True)
    def local(t: str) -> str:
        for pre in prefixes: t = t.replace(pre, "")
        return _TMP.sub("tmpXXXXXXXX", t)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        for o in cell.outputs:
            if o.get("output_type") == "stream":
                lines = o["text"].splitlines(keepends=True)
                if len(lines) > STREAM_LINES: lines[STREAM_LINES // 2:-STREAM_LINES // 2] = [f"... ({len(lines) - STREAM_LINES} lines left out of the stored output) ...\n"]
                o["text"] = local("".join(lines))
            for mime, v in (o.get("data") or {}).items():
                o["data"][mime] = local(v) if mime.startswith("text/") and isinstance(v, str) else \
                    json.loads(json.dumps(v), parse_float=lambda s: float(f"{float(s):.6g}")) if mime.endswith("plotly.v1+json") else v
        cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and not o["text"].strip())]

def store_outputs(nb_path: Path, timeout: int = 600) -> dict:
    "Execute `nb_path` in a fresh, quiet kernel as nbdev's tests do; save it with its outputs, nbdev_clean and record it."
    import nbformat
    from nbclient import NotebookClient
    flags = settings().get("tst_flags", "").split()
    class Client(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, *args, **kw):
            if cell.cell_type == "code" and _skipped(cell, flags): cell.outputs = []; return cell
            return await super().async_execute_cell(cell, cell_index, *args, **kw)
    t0, before = time.perf_counter(), nb_path.read_bytes()
    nb = nbformat.reads(before.decode("utf-8"), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(QUIET_CELL))
    Client(nb, timeout=timeout, kernel_name="python3", coalesce_streams=True,     # one output a stream; `\r` lines as a terminal shows them
           resources={"metadata": {"path": str(nb_path.parent)}}).execute(env={**os.environ, **QUIET_ENV})
    nb.cells.pop(0)
    _tidy_outputs(nb)
    if nb_path.read_bytes() != before: raise RuntimeError(f"{nb_path.relative_to(ROOT)} changed while it ran: left as it is now; store its outputs again")
    nbformat.write(nb, nb_path)
    subprocess.run([str(Path(sys.executable).parent/"nbdev_clean"), "--fname", str(nb_path)], cwd=ROOT, check=True)
    sha, mods = sources_fingerprint(json.loads(before))     # what ran
    entry = {"sources": sha, "outputs": outputs_fingerprint(json.loads(nb_path.read_text(encoding="utf-8"))), "modules": mods}
    with _LOCK: _write_record({**read_record(), record_key(nb_path): entry})
    kb = round(nb_path.stat().st_size / 1024)
    print(f"store-outputs: {nb_path.relative_to(ROOT)} in {time.perf_counter() - t0:.1f}s, {kb} kB" + (f"  WARNING: over {MAX_STORED_KB} kB" if kb > MAX_STORED_KB else ""), flush=True)
    return {**entry, "kB": kb}

def store_all(notebooks: list[Path], stale_only: bool = False, jobs: int = 2) -> int:
    "Store the outputs of `notebooks` (with `stale_only`, those out of date), `jobs` kernels at a time; 1 if one failed."
    record = read_record()
    with _LOCK: _write_record({k: v for k, v in record.items() if (_nbs()/k).exists()})     # deleted notebooks' entries go
    todo = [nb for nb in notebooks if not stale_only or staleness(nb, record)]
    print(f"store-outputs: {len(todo)} of {len(notebooks)} notebook(s) to run: {' '.join(p.name for p in todo)}", flush=True)
    def one(nb):
        try: store_outputs(nb)
        except Exception as e: return f"store-outputs: {nb.relative_to(ROOT)} FAILED (left as it was):\n{str(e)[-3000:]}"
    with ThreadPoolExecutor(max(1, jobs)) as ex: failed = [f for f in ex.map(one, todo) if f]
    print("\n".join(failed), file=sys.stderr)
    return 1 if failed else 0
