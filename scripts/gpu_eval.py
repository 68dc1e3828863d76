"""GPU evaluation throughput at the seed's scale: GSM8K's 1,319 test questions, TinyLlama-1.1B shape, bf16.

Random weights (no hub on the device machine), so every reply runs to `--max-new-tokens`: an upper bound on the time a
trained model needs. Decodes under the sampled protocol (T = 1, top-k 50) and greedily, through the package's own
`evaluate`, and prints one `name: value` line per figure with the card's name.

    python scripts/gpu_eval.py --gsm8k PATH/TO/gsm8k --batch-sizes 128,1319
"""
import argparse, time

import torch
from pause_nb.data import load_gsm8k, gsm8k_texts, train_tokenizer
from pause_nb.evaluate import PROTOCOLS, evaluate
from pause_nb.model import make_pause_model, tiny_causal_lm

TINYLLAMA = dict(arch="llama", hidden_size=2048, num_layers=22, num_heads=32, num_kv_heads=4, intermediate_size=5632, vocab_size=32000)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gsm8k", required=True); ap.add_argument("--max-new-tokens", type=int, default=256)
    ap.add_argument("--batch-sizes", default="128,1319"); ap.add_argument("--protocols", default="seed,greedy")
    ap.add_argument("--compile", action="store_true", help="decode through torch.compile (EvalConfig.torch_compile); figures named _compiled")
    a = ap.parse_args()
    tok = train_tokenizer(gsm8k_texts(load_gsm8k(a.gsm8k, "train")), vocab_size=8000)
    test = load_gsm8k(a.gsm8k, "test")
    lm = tiny_causal_lm(tok, **TINYLLAMA).to("cuda", torch.bfloat16)
    model = make_pause_model(lm, tok, head_init="half").eval()
    print(f"device: {torch.cuda.get_device_name()}")
    print(f"questions: {len(test)}")
    tag, t0 = "_compiled" if a.compile else "", time.time()
    evaluate(model, tok, list(test)[:64], PROTOCOLS["sampled"].eval_config(batch_size=64, max_new_tokens=16, progress=False,
                                                                       torch_compile=a.compile))   # warm-up (and compile)
    print(f"gpu_eval_warmup{tag}_seconds: {time.time() - t0:.1f}")
    for bs in [int(b) for b in a.batch_sizes.split(",")]:
        for name in a.protocols.split(","):
            torch.cuda.synchronize(); t0 = time.time()
            _, m = evaluate(model, tok, test, PROTOCOLS[name].eval_config(batch_size=bs, max_new_tokens=a.max_new_tokens, progress=False,
                                                                      torch_compile=a.compile))
            torch.cuda.synchronize(); dt = time.time() - t0
            tokens = m["avg_reply_tokens"] * m["n_replies"]
            print(f"gpu_eval_{name}_bs{bs}{tag}_seconds: {dt:.1f}")
            print(f"gpu_eval_{name}_bs{bs}{tag}_questions_per_s: {len(test) / dt:.1f}")
            print(f"gpu_eval_{name}_bs{bs}{tag}_tokens_per_s: {tokens / dt:.0f}")
            print(f"gpu_eval_{name}_bs{bs}{tag}_pause_token_fraction: {m['pause_token_fraction']:.3f}")
    print(f"gpu_eval_peak_memory_gb: {torch.cuda.max_memory_allocated() / 2**30:.1f}")

if __name__ == "__main__": main()
