"""The injector before issue 15 (pause_nb.inject at commit 38fa06a), frozen as the `_before` of `bench_inject.py`.

Every answer is tokenized by `encode_batch` with offsets, the draws are grouped into one list of offsets per sample
(`lexsort`), and each sample's string is cut and joined on its own. The drawing itself (`numpy`, one generator, one
fixed order) is the same as today's, so both give the same samples.
"""
import numpy as np
from pause_nb.data import PAUSE_TOKEN
from pause_nb.inject import InjectConfig, _join_at

def token_ends_before(texts: list[str], tokenizer) -> list[np.ndarray]:
    "Per text, the character offset at which each of its tokens ends (the tokenizer's offsets, every text)."
    encs = tokenizer.backend_tokenizer.encode_batch(list(texts), add_special_tokens=False)
    return [np.maximum.accumulate(np.array([e for _, e in enc.offsets], dtype=np.int64)) if enc.offsets else np.zeros(0, np.int64)
            for enc in encs]

def sample_pause_offsets_before(ends: list[np.ndarray], cfg: InjectConfig, rng: np.random.Generator) -> list[list[list[int]]]:
    "For each text and each of `cfg.k` samples, the sorted offsets that get a pause (probability mode)."
    n = np.array([len(e) for e in ends], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(n)])
    flat = np.concatenate(ends) if len(ends) else np.zeros(0, np.int64)
    j, t = np.nonzero(rng.random((cfg.k, len(flat))) < cfg.p)
    row = np.searchsorted(starts, t, side="right") - 1
    sample = row * cfg.k + j
    order = np.lexsort((flat[t], sample))
    offs = flat[t][order].tolist()
    bounds = np.concatenate([[0], np.cumsum(np.bincount(sample, minlength=len(n) * cfg.k))]).tolist()
    per_sample = [offs[bounds[s]:bounds[s + 1]] for s in range(len(n) * cfg.k)]
    return [per_sample[i * cfg.k:(i + 1) * cfg.k] for i in range(len(n))]

def inject_texts_before(texts: list[str], cfg: InjectConfig, tokenizer) -> tuple[list[str], list[int]]:
    "Augment each text `cfg.k` times (probability mode); the augmented texts and their pause counts, row by row."
    assert cfg.mode == "probability"
    for i, t in enumerate(texts):
        if PAUSE_TOKEN in t: raise ValueError(f"row {i}: the source text already contains {PAUSE_TOKEN!r}; strip it first")
    plans = sample_pause_offsets_before(token_ends_before(texts, tokenizer), cfg, np.random.default_rng(cfg.seed))
    out, n_pauses = [], []
    for t, plan in zip(texts, plans):
        for offs in plan:
            out.append(_join_at(t, offs)); n_pauses.append(len(offs))
    return out, n_pauses
