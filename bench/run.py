"""`make bench`: run every bench/bench_*.py in its own process; each prints `name: value` lines."""
import subprocess, sys
from pathlib import Path

failed = []
for script in sorted(Path(__file__).parent.glob("bench_*.py")):
    r = subprocess.run([sys.executable, str(script)], stdout=sys.stdout, stderr=sys.stderr)
    if r.returncode: failed.append(script.name)
if failed: sys.exit(f"benchmarks failed: {failed}")
