"""The evaluator's decoding before issue 15 (pause_nb.evaluate at commit 268e3e7), frozen as the `_before` of `make bench`.

`generate` on left-padded batches of `batch_size` questions: a batch lasts as long as its longest reply, finished rows
keep decoding padding, and P(pause) is recorded by a forward hook. `before_path()` makes `pause_nb.evaluate.evaluate`
use it, so both paths build their records and metrics with the same code.
"""
import contextlib
import torch
from tqdm.auto import tqdm
import pause_nb.evaluate as ev
from pause_nb.data import format_prompt
from pause_nb.evaluate import EvalConfig, pause_token_id_of
from pause_nb.generate import _last_pause_prob

class _PauseProbRecorder:
    "A forward hook keeping P(pause) of the last position at each `generate` step."
    def __init__(self, pause_id: int): self.pause_id, self.steps = pause_id, []
    def __call__(self, module, args, out): self.steps.append(_last_pause_prob(out, self.pause_id))

@torch.inference_mode()
def _teacher_forced_pause_probs(model, seqs, mask, prompt_len: int, pause_id: int) -> torch.Tensor:
    "P(pause) before each generated token of `seqs` (B, prompt_len + N) → (B, N), in one forward pass."
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=seqs, attention_mask=mask, position_ids=pos, use_cache=False)
    probs = getattr(out, "pause_probs", None)
    if probs is None: probs = out.logits.float().log_softmax(-1)[..., pause_id].exp()
    return probs[:, prompt_len - 1:-1].float()

def _generate_batch(model, enc, gen, pause_id: int|None, k: int, eos: int):
    "Generated ids (B·k, N) of one batch and P(pause) at each (or `None`)."
    rec = _PauseProbRecorder(pause_id) if pause_id is not None else None
    handle = model.register_forward_hook(rec) if rec is not None else None
    try: seqs = model.generate(**enc, generation_config=gen)
    finally:
        if handle is not None: handle.remove()
    L = enc["input_ids"].shape[1]
    new, probs = seqs[:, L:], None
    if rec is not None and len(rec.steps) == new.shape[1] and all(p.shape[0] == new.shape[0] for p in rec.steps):
        probs = torch.stack(rec.steps, 1) if rec.steps else new.new_zeros(new.shape, dtype=torch.float)
    elif rec is not None:   # the hook did not see the decoding steps: one teacher-forced pass
        done = (new == eos).long().cumsum(1)
        keep = (done - (new == eos).long()) == 0                  # the reply and its EOS
        mask = torch.cat([enc["attention_mask"].repeat_interleave(k, 0), keep.long()], 1)
        probs = _teacher_forced_pause_probs(model, seqs, mask, L, pause_id)
    return new, probs

@torch.inference_mode()
def generate_replies_before(model, tokenizer, questions: list[str], cfg: EvalConfig = EvalConfig()) -> list[list[dict]]:
    "For each question, `cfg.k` replies (ids, finished, P(pause)), generated in left-padded batches with KV cache."
    pause_id, eos, pad = pause_token_id_of(model, tokenizer), tokenizer.eos_token_id, tokenizer.pad_token_id
    gen = cfg.generation_config(eos, pad)
    prompts = [format_prompt(q, cfg.prompt_suffix) for q in questions]
    lengths = [len(x) for x in tokenizer(prompts)["input_ids"]]
    order = sorted(range(len(prompts)), key=lambda i: -lengths[i])      # similar lengths share a batch: less padding
    out = [[] for _ in prompts]
    with torch.random.fork_rng():                                       # seeded sampling, caller's RNG untouched
        torch.manual_seed(cfg.seed)
        _generate_all(model, tokenizer, prompts, order, gen, pause_id, eos, cfg, out)
    return out

def _generate_all(model, tokenizer, prompts, order, gen, pause_id, eos, cfg, out):
    "Fill `out` with the replies to `prompts`, batch by batch in `order`."
    side, was_training = tokenizer.padding_side, model.training
    device = next(model.parameters()).device
    try:
        tokenizer.padding_side = "left"; model.eval()
        for b in tqdm(range(0, len(order), cfg.batch_size), desc="generating", unit="batch", disable=not cfg.progress):
            idx = order[b:b + cfg.batch_size]
            enc = tokenizer([prompts[i] for i in idx], padding=True, return_tensors="pt").to(device)
            new, probs = _generate_batch(model, enc, gen, pause_id, cfg.k, eos)
            is_eos = new == eos
            n = torch.where(is_eos.any(1), is_eos.int().argmax(1), new.shape[1]).tolist()
            new, probs = new.cpu(), None if probs is None else probs.cpu()
            for r, nr in enumerate(n):
                out[idx[r // cfg.k]].append({"ids": new[r, :nr].tolist(), "finished": nr < new.shape[1],
                                             "pause_probs": None if probs is None else probs[r, :nr].tolist()})
    finally:
        tokenizer.padding_side = side; model.train(was_training)

@contextlib.contextmanager
def before_path():
    "Within this context, `pause_nb.evaluate.evaluate` decodes the way it did before issue 15."
    new, ev.generate_replies = ev.generate_replies, generate_replies_before
    try: yield
    finally: ev.generate_replies = new
