"""`torch.compile` (issue 15): with `PauseSFTConfig(torch_compile=True)` (what `TrainSettings.torch_compile` sets, see
`07_assets`) the Trainer compiles the pause model and trains exactly what the eager steps do (same losses, same weights
after); `EvalConfig(torch_compile=True)` decodes the eager replies."""
import copy, random
import pytest, torch
from datasets import Dataset, DatasetDict
from pause_nb.data import synthetic_problem, train_tokenizer, gsm8k_texts
from pause_nb.inject import InjectConfig, inject_dataset
from pause_nb.model import tiny_causal_lm, make_pause_model
from pause_nb.train import train_sft, PauseSFTConfig

@pytest.fixture(scope="module")
def setup():
    rng = random.Random(0)
    rows = Dataset.from_list([synthetic_problem(rng) for _ in range(24)])
    tok = train_tokenizer(gsm8k_texts(rows), vocab_size=300)
    model = make_pause_model(tiny_causal_lm(tok, arch="llama", hidden_size=32, num_layers=1, num_heads=2), tok, head_init="p")
    data = inject_dataset(DatasetDict(train=rows), InjectConfig(p=0.1, k=2, seed=0), tok, clean_splits=())["train"]
    return model, tok, data

def _train(model, tok, data, compiled: bool):
    cfg = PauseSFTConfig(max_steps=3, per_device_train_batch_size=8, learning_rate=1e-3, logging_steps=1, seed=0, use_cpu=True,
                         torch_compile=compiled)
    tr = train_sft(copy.deepcopy(model), tok, data, config=cfg)
    return tr, [h["loss"] for h in tr.state.log_history if "loss" in h]

def test_compiled_training_matches_eager(setup):
    "Three steps compiled and eager from the same weights: the same losses and the same trained weights."
    model, tok, data = setup
    eager, eager_losses = _train(model, tok, data, compiled=False)
    comp, comp_losses = _train(model, tok, data, compiled=True)
    assert isinstance(comp.model_wrapped, torch._dynamo.eval_frame.OptimizedModule)    # the trainer really compiled it
    assert not isinstance(eager.model_wrapped, torch._dynamo.eval_frame.OptimizedModule)
    assert len(comp_losses) == 3
    assert comp_losses == pytest.approx(eager_losses, rel=1e-4), (comp_losses, eager_losses)
    for (name, a), b in zip(eager.model.named_parameters(), comp.model.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)
    assert not torch.equal(eager.model.pause_head.weight, model.pause_head.weight)           # and it did train

def test_compiled_decoding_gives_the_eager_replies(setup):
    "Greedy and sampled replies through `EvalConfig(torch_compile=True)` are the eager ones, P(pause) included."
    from pause_nb.evaluate import EvalConfig, generate_replies
    model, tok, data = setup
    questions = [f"Ann has {n} apples and buys {n + 2} more. How many apples does she have?" for n in range(6)]
    for cfg in (EvalConfig(max_new_tokens=12, batch_size=4, progress=False),
                EvalConfig(max_new_tokens=12, batch_size=2, do_sample=True, top_k=50, k=2, seed=3, progress=False)):
        eager = generate_replies(model, tok, questions, cfg)
        calls = torch._dynamo.utils.counters["stats"]["calls_captured"]
        comp = generate_replies(model, tok, questions, EvalConfig(**{**cfg.__dict__, "torch_compile": True}))
        assert torch._dynamo.utils.counters["stats"]["calls_captured"] > calls or cfg.do_sample   # compiled (sampling: reused)
        assert [[r["ids"] for r in q] for q in comp] == [[r["ids"] for r in q] for q in eager]
        for qc, qe in zip(comp, eager):
            for rc, re_ in zip(qc, qe): assert rc["pause_probs"] == pytest.approx(re_["pause_probs"], abs=1e-5)

def test_compiled_inference_has_no_graph_break(setup):
    "`torch.compile(model)(ids)` with gradients on (as a user calls it, outside `no_grad`) breaks no graph: the pause column's autograd traces."
    model, tok, data = setup
    torch._dynamo.reset(); torch._dynamo.utils.counters.clear()
    m = torch.compile(copy.deepcopy(model))
    ids = torch.tensor([tok("Question: 2 + 3? Answer: 5 #### 5").input_ids])
    out = m(input_ids=ids)
    assert dict(torch._dynamo.utils.counters["graph_break"]) == {}, dict(torch._dynamo.utils.counters["graph_break"])
    torch.testing.assert_close(out.logits, copy.deepcopy(model)(input_ids=ids).logits, rtol=1e-5, atol=1e-5)

def test_generate_runs_compiled_through_a_compiled_forward(setup):
    "`torch.compile(model).generate` runs eager (`generate` is the module's own method: nothing is captured); compiling `forward` makes `generate` compiled — no graph break, the eager tokens."
    model, tok, _ = setup
    ids = torch.tensor([tok("Question: 2 + 3? Answer:").input_ids])
    kw = dict(max_new_tokens=8, do_sample=False, pad_token_id=tok.pad_token_id)
    eager = model.eval().generate(ids, **kw)
    torch._dynamo.reset(); torch._dynamo.utils.counters.clear()
    torch.compile(copy.deepcopy(model)).generate(ids, **kw)
    assert not torch._dynamo.utils.counters["stats"]["calls_captured"]          # the pitfall: eager, silently
    m = copy.deepcopy(model); m.forward = torch.compile(m.forward, dynamic=True)
    out = m.generate(ids, **kw)
    assert torch._dynamo.utils.counters["stats"]["calls_captured"] > 0 and not torch._dynamo.utils.counters["graph_break"]
    assert torch.equal(out, eager)
