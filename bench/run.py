"""`make bench`: run every bench/bench_*.py in its own process; each prints `name: value` lines, shown as they come.

The figures are also written to bench/figures.json (name → value, with when, where and at which commit they were
measured): the README and the notebooks cite figures by name from that file instead of copying numbers by hand.
A benchmark that fails or is skipped keeps its figures from the last run that had them.
"""
import datetime, json, os, platform, subprocess, sys
from pathlib import Path

HERE = Path(__file__).parent
FIGURES = HERE/"figures.json"

def value(text: str):
    "A figure as a number where it is one (`0.93`, `1200`), else as printed (`inf`, a device name)."
    try: return int(text)
    except ValueError:
        try: return float(text) if text not in ("inf", "nan") else text
        except ValueError: return text

def run(script: Path) -> tuple[dict, bool]:
    "Run one benchmark, echoing its output; its `name: value` figures and whether it succeeded."
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    figures = {}
    for line in p.stdout:
        sys.stdout.write(line); sys.stdout.flush()
        name, sep, val = line.strip().partition(": ")
        if sep and name.isidentifier(): figures[name] = value(val.strip())
    return figures, p.wait() == 0

def main():
    old = json.loads(FIGURES.read_text()) if FIGURES.exists() else {"figures": {}}
    figures, failed = dict(old["figures"]), []
    for script in sorted(HERE.glob("bench_*.py")):
        new, ok = run(script)
        figures.update(new)
        if not ok: failed.append(script.name)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
    FIGURES.write_text(json.dumps({"measured": {"date": datetime.date.today().isoformat(), "commit": commit, "machine": platform.machine(),
                                                "cpus": os.cpu_count(), "failed": failed},
                                   "figures": dict(sorted(figures.items()))}, indent=1) + "\n")
    print(f"bench: {len(figures)} figures -> {FIGURES.relative_to(HERE.parent)}")
    if failed: sys.exit(f"benchmarks failed: {failed}")

if __name__ == "__main__": main()
