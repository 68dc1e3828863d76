"""`python -m pause_nb.evaluate` as a user runs it (issue 26): a saved plain model and a saved pause model, each evaluated
by the real command in a subprocess from another folder; its files, their schema and provenance; `--help`; and bad input
refused with exit status 2, one line naming the option, and nothing written. Tiny random models: about 30 s on 2 cores."""
import copy, hashlib, json, os, re, subprocess, sys
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {k: v for k, v in os.environ.items() if k != "PAUSE_NB_GSM8K"} | {
    "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),   # this checkout's package
    "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}

def _evaluate(*args, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pause_nb.evaluate", *map(str, args)], cwd=cwd, env=ENV | (env or {}),
                          capture_output=True, text=True, timeout=120)

@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    "A synthetic GSM8K folder, and a plain and a pause model saved beside it as users save them (tokenizers included)."
    import torch
    from pause_nb.data import SyntheticConfig, add_pause_token, gsm8k_texts, load_gsm8k, train_tokenizer, write_synthetic_gsm8k
    from pause_nb.hub import save_pause_model
    from pause_nb.model import make_pause_model, tiny_causal_lm
    torch.set_num_threads(1)
    d = tmp_path_factory.mktemp("cli")
    write_synthetic_gsm8k(d/"gsm8k", SyntheticConfig(n_train=200, n_test=12, seed=0))
    plain_tok = train_tokenizer(gsm8k_texts(load_gsm8k(d/"gsm8k", "train")), vocab_size=400)
    tiny_causal_lm(plain_tok, hidden_size=32, num_layers=1, num_heads=2).save_pretrained(d/"plain")
    plain_tok.save_pretrained(d/"plain")
    tok = copy.deepcopy(plain_tok); add_pause_token(tok)
    save_pause_model(make_pause_model(tiny_causal_lm(plain_tok, hidden_size=32, num_layers=1, num_heads=2), tok), d/"pause", tok)
    return d

@pytest.mark.parametrize("kind", ["plain", "pause"])
def test_evaluates_a_saved_model(saved, kind):
    "rc 0; five prediction records; results.json with both rules' metrics, the protocol's settings and a full provenance block."
    out = saved/f"eval-{kind}"
    data = ["--data", "gsm8k"] if kind == "pause" else []           # the plain model: the default, the local GSM8K ($PAUSE_NB_GSM8K)
    r = _evaluate(kind, *data, "--limit", 5, "--protocol", "greedy", "--max-new-tokens", 8, "--out", out.name, cwd=saved,
                  env={"PAUSE_NB_GSM8K": str(saved/"gsm8k")})
    assert r.returncode == 0, r.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["predictions-greedy.jsonl", "results.json"]   # no temporary files left
    records = [json.loads(l) for l in (out/"predictions-greedy.jsonl").read_text().splitlines()]
    assert len(records) == 5 and [r["index"] for r in records] == list(range(5))
    assert all((r["pause_probs"] is None) == (kind == "plain") for r in records)   # the pause model loaded as a pause model
    res = json.loads((out/"results.json").read_text())
    assert res["schema"] == "pause_nb.evaluate/results-1" and res["protocol"] == "greedy" and res["predictions"] == "predictions-greedy.jsonl"
    for rule in ("reference", "ours"):
        assert res["metrics"][rule]["n_questions"] == 5 and res["metrics"][rule]["n_replies"] == 5
        assert "test_accuracy" in res["metrics"][rule] and "avg_pauses_per_reply" in res["metrics"][rule]
    assert res["settings"]["do_sample"] is False and res["settings"]["name"] == "greedy"
    assert {k: res["eval_config"][k] for k in ("max_new_tokens", "limit", "do_sample", "temperature", "top_k", "top_p", "k", "seed")} == \
           {"max_new_tokens": 8, "limit": 5, "do_sample": False, "temperature": 1.0, "top_k": 0, "top_p": 1.0, "k": 1, "seed": 0}
    prov = res["provenance"]
    assert prov["model_path"] == res["model"] == str((saved/kind).resolve())         # a relative MODEL, made absolute
    assert prov["pause_nb"] == "0.1.0" or re.fullmatch(r"\d+\.\d+\.\d+.*", prov["pause_nb"])
    assert prov["python"] == ".".join(map(str, sys.version_info[:3]))
    for pkg in ("torch", "transformers", "trl", "datasets", "peft"): assert prov["packages"][pkg] == version(pkg), pkg
    date = datetime.fromisoformat(prov["date"])
    assert date.utcoffset() == timedelta(0) and abs(datetime.now(timezone.utc) - date) < timedelta(minutes=10)
    test_file = saved/"gsm8k"/"test.jsonl"
    assert prov["data"]["source"] == res["data"] == str((saved/"gsm8k").resolve())
    assert prov["data"]["files"] == {"test.jsonl": hashlib.sha256(test_file.read_bytes()).hexdigest()} and len(prov["data"]["sha256"]) == 64
    assert prov["settings"]["protocol"] == "greedy" and prov["settings"]["max_new_tokens"] == 8
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode == 0: assert prov["git"]["commit"] == head.stdout.strip() and isinstance(prov["git"]["dirty"], bool)

def test_help_describes_every_option(saved):
    "`--help` exits 0 and prints each option with its description."
    from pause_nb.evaluate import make_parser
    r = _evaluate("--help", cwd=saved)
    assert r.returncode == 0, r.stderr[-2000:]
    text = " ".join(r.stdout.split())
    for action in make_parser()._actions:
        name = action.option_strings[-1] if action.option_strings else action.metavar
        assert name in text, name
        assert action.help and " ".join(action.help.split()[:6]) in text, (name, action.help)
    for p in ("sampled", "greedy"): assert p in text

BAD = {  # case: (the arguments but --out, the option the one line must name)
    "missing model folder": (["gsm8k/model", "--data", "gsm8k"], "MODEL"),    # `gsm8k` is a folder here: a path, not a hub name
    "folder without a saved model": (["gsm8k", "--data", "gsm8k"], "MODEL"),
    "unloadable model": (["broken", "--data", "gsm8k"], "MODEL"),
    "unknown protocol": (["pause", "--protocol", "beam"], "--protocol"),
    "missing data folder": (["pause", "--data", "no-such-dir/gsm8k"], "--data"),
    "no --data, and the local GSM8K missing": (["pause"], "--data"),       # $PAUSE_NB_GSM8K names a folder that is not there
    "missing split": (["pause", "--data", "gsm8k", "--split", "dev"], "--split"),
    "zero limit": (["pause", "--data", "gsm8k", "--limit", "0"], "--limit"),
}

@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused(saved, case):
    "Exit status 2, exactly one line on stderr naming the option at fault, and no output folder."
    args, option = BAD[case]
    (saved/"broken").mkdir(exist_ok=True); (saved/"broken"/"config.json").write_text("{}")
    out = saved/f"bad-{case.replace(' ', '-')}"
    r = _evaluate(*args, "--out", out.name, cwd=saved, env={"PAUSE_NB_GSM8K": str(saved/"moved-away")})
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and option in lines[0], (r.returncode, r.stderr[-2000:])
    assert lines[0].startswith("python -m pause_nb.evaluate: error: ")
    assert not out.exists() and r.stdout == ""
