"""Pretrain the cpu-tiny bases under each batching and score each on its own (the assets notebook's table).

    .venv/bin/python scripts/base_batching.py [--data DIR] [--limit 400] [--jobs 2]

Builds both bases (baseline, pause) with `train_sampling_strategy` random and group_by_length into DIR (default: a
new temporary folder, so nothing cached is reused), then prints one Markdown row per base: its greedy accuracy on the
first `--limit` test questions (`pause_nb.assets.base_check`), its final pretraining loss, steps and seconds, with the
commit and the wall time.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

STRATEGIES = ("random", "group_by_length")

def one(args):
    "Build (or find) one base in the data root and check it; returns its table row."
    kind, strategy, limit = args
    from pause_nb.assets import prepare_source, prepare_tokenizer, prepare_base, base_check
    from pause_nb.config import experiment_config
    preset = experiment_config("warmup_tinyllama_no_pause", "cpu-tiny", overrides={"train_sampling_strategy": strategy}).preset
    src = prepare_source(preset.data)
    path, _ = prepare_base(kind, preset, src, prepare_tokenizer(preset.model, src), log=lambda *a: None)
    info = json.loads((Path(path)/"base_info.json").read_text())
    return {"kind": kind, "batching": strategy, **base_check(path, src, limit=limit), "seconds": info.get("pretrain_seconds")}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data root (default: a new temporary folder)")
    ap.add_argument("--limit", type=int, default=400, help="test questions each base answers")
    ap.add_argument("--jobs", type=int, default=2, help="bases built at once (one thread each)")
    a = ap.parse_args()
    os.environ["PAUSE_NB_DATA"] = str(Path(a.data or tempfile.mkdtemp(prefix="pause_nb_bases_")).resolve())
    t0 = time.time()
    from pause_nb.assets import prepare_source, prepare_tokenizer
    from pause_nb.config import experiment_config
    p = experiment_config("warmup_tinyllama_no_pause", "cpu-tiny").preset
    prepare_tokenizer(p.model, prepare_source(p.data))     # shared by every base: built once, before the workers start
    jobs = [(k, s, a.limit) for s in STRATEGIES for k in ("baseline", "pause")]
    with ProcessPoolExecutor(a.jobs, mp_context=get_context("spawn")) as pool: rows = list(pool.map(one, jobs))
    git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True).stdout.strip()
    commit = (git("rev-parse", "--short", "HEAD") or "?") + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
    print(f"data root {os.environ['PAUSE_NB_DATA']}, commit {commit}, wall {time.time() - t0:.0f} s\n")
    print("| base | batching | greedy accuracy (first %d test questions) | final pretraining loss | steps | pretraining s |" % a.limit)
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['kind']} | `{r['batching']}` | {r['accuracy']:.4f} | {r['final_loss']:.4f} | {r['steps']} | {r['seconds']:.0f} |")

if __name__ == "__main__": sys.exit(main())
