"""The package's import graph: no circles, and a command line that lists rows without loading torch.

`import_graph` reads every module's imports of `pause_nb` modules from its source — at the top, inside functions
(a lazy import is still a dependency) and through `importlib.import_module` — but not inside an
`if __name__ == "__main__":` block: that is a script's entry point, run by `python -m`, never by an importer."""
import ast, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pause_nb"

def _is_main_guard(node) -> bool:
    return isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test)

def _imports(tree: ast.AST, here: str, modules: set[str]) -> set[str]:
    "Which of `modules` a module's source imports, outside `__main__` blocks."
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if _is_main_guard(node): continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level: base = ".".join(["pause_nb", *([base] if base else [])])
            if base == "pause_nb": found |= {f"pause_nb.{a.name}" for a in node.names}
            elif base.startswith("pause_nb."): found.add(base)
        elif isinstance(node, ast.Import): found |= {a.name for a in node.names if a.name.startswith("pause_nb.")}
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module") and node.args:
            if isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("pause_nb."): found.add(node.args[0].value)
        stack.extend(ast.iter_child_nodes(node))
    return {m for m in found if m in modules and m != here}

def import_graph() -> dict[str, set[str]]:
    "Module → the pause_nb modules it imports."
    modules = {f"pause_nb.{p.stem}" for p in PKG.glob("*.py")}
    return {f"pause_nb.{p.stem}": _imports(ast.parse(p.read_text()), f"pause_nb.{p.stem}", modules) for p in sorted(PKG.glob("*.py"))
            if p.stem not in ("__init__", "_modidx")}

def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    "Every strongly connected group of more than one module (Tarjan), each sorted."
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop(); on.discard(w); group.append(w)
                if w == v: break
            if len(group) > 1: out.append(sorted(group))
    for v in graph:
        if v not in index: visit(v)
    return out

def test_cycle_finder_finds_a_hand_made_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    tree = ast.parse("from .x import y\nimport pause_nb.z\nif __name__ == '__main__':\n    from pause_nb.w import main\n"
                     "def f():\n    from pause_nb import v\n    importlib.import_module('pause_nb.u')\n")
    mods = {f"pause_nb.{m}" for m in "uvwxyz"}
    assert _imports(tree, "pause_nb.q", mods) == {"pause_nb.x", "pause_nb.z", "pause_nb.v", "pause_nb.u"}   # not w: a script's entry

def test_no_import_circles():
    g = import_graph()
    assert g["pause_nb.variants"] and "pause_nb.data" in g["pause_nb.inject"]   # the reader sees imports at all
    assert cycles(g) == [], cycles(g)

def test_algorithms_do_not_know_the_runner():
    g = import_graph()
    for low in ("pause_nb.rl", "pause_nb.train", "pause_nb.model", "pause_nb.evaluate", "pause_nb.config", "pause_nb.variants", "pause_nb.pipeline"):
        assert "pause_nb.experiments" not in g[low], f"{low} imports the runner"

def test_listing_rows_loads_no_torch():
    code = "import sys, pause_nb.experiments as e; e.main(['list']); print(sorted(m for m in ('torch', 'trl', 'transformers', 'datasets') if m in sys.modules))"
    t0 = time.time()
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout[-500:]
    assert "warmup_tinyllama_no_pause" in r.stdout and "presets:" in r.stdout

def public_definitions(tree: ast.AST) -> set[str]:
    "The names in a module's `__all__` that the module itself defines (a function, class or assignment), not ones it re-exports."
    names = next((set(ast.literal_eval(n.value)) for n in tree.body if isinstance(n, ast.Assign)
                  and any(getattr(t, "id", None) == "__all__" for t in n.targets)), set())
    defined = set()
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): defined.add(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]): defined |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
    return names & defined

def same_names(defs: dict[str, set[str]], allowed=("main",)) -> dict[str, list[str]]:
    "Each public name that more than one module defines → those modules (`main`, a `python -m` entry point, allowed)."
    seen = {}
    for mod, names in defs.items():
        for n in names: seen.setdefault(n, []).append(mod)
    return {n: sorted(ms) for n, ms in seen.items() if len(ms) > 1 and n not in allowed}

def test_same_name_finder_finds_a_hand_made_pair():
    a = ast.parse("__all__ = ['f', 'g', 'main']\ndef f(): pass\nfrom .b import g\ndef main(): pass\n")
    b = ast.parse("__all__ = ['f', 'g', 'main']\nf = 1\ndef g(): pass\ndef main(): pass\n")
    assert public_definitions(a) == {"f", "main"} and public_definitions(b) == {"f", "g", "main"}
    assert same_names({"a": public_definitions(a), "b": public_definitions(b)}) == {"f": ["a", "b"]}   # g is one object, re-exported

def test_no_two_public_definitions_share_a_name():
    defs = {p.stem: public_definitions(ast.parse(p.read_text())) for p in sorted(PKG.glob("*.py")) if p.stem not in ("__init__", "_modidx")}
    assert "evaluate" in defs["evaluate"] and "build_model" in defs["pipeline"]   # the reader sees definitions at all
    assert same_names(defs) == {}, same_names(defs)
