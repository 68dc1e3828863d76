"""trl's own trainers and peft's defaults on a pause model, as a researcher calls them (issue 26): plain `trl.SFTTrainer`
optimises the model's own loss (the one-hot joint NLL) and trains the pause head and embedding, `trl.GRPOTrainer` trains
the pause head through the combined distribution, and `LoraConfig()` needs no `target_modules`. Tiny models, a few
steps each (see the model notebook's "trl's trainers" and "peft's LoRA default")."""
import copy, random, subprocess, sys, warnings
import pytest
import torch
from datasets import Dataset, DatasetDict
from peft import LoraConfig
from trl import GRPOConfig, GRPOTrainer, SFTConfig, SFTTrainer

from pause_nb.data import format_prompt, synthetic_problem, to_prompt_completion, train_tokenizer
from pause_nb.inject import InjectConfig, inject_dataset
from pause_nb.model import make_pause_model, tiny_causal_lm
from pause_nb.rl import completion_logprobs, rollout_batch
from pause_nb.train import pause_sft_loss

CPU = dict(use_cpu=True, report_to="none", save_strategy="no", disable_tqdm=True, bf16=False, dataloader_pin_memory=False,
           activation_checkpointing=False, seed=0)

@pytest.fixture(scope="module")
def toy():
    "A tokenizer (with the pause token), 16 problems with pauses injected at p = 0.3 as prompt/completion rows, and the raw rows."
    torch.set_num_threads(1)
    rng = random.Random(0)
    rows = [synthetic_problem(rng) for _ in range(16)]
    tok = train_tokenizer([format_prompt(r["question"]) + " " + r["answer"] for r in rows], vocab_size=300)
    make_pause_model(tiny_causal_lm(tok, hidden_size=32, num_layers=1), tok)          # adds the pause token to `tok`
    aug = inject_dataset(DatasetDict(train=Dataset.from_list(rows)), InjectConfig(p=0.3, k=1, seed=0), tok, clean_splits=())["train"]
    return tok, aug.map(to_prompt_completion, remove_columns=aug.column_names), rows

def _pause_model(tok):
    return make_pause_model(tiny_causal_lm(tok, hidden_size=32, num_layers=1), copy.deepcopy(tok), seed=0)   # reference head

def _params(model, *names) -> dict:
    return {n: p.detach().clone() for n, p in model.named_parameters() if n.startswith(names)}

def test_plain_sft_trainer_optimises_the_joint_nll(toy, tmp_path):
    "One batch of all 16 rows per step: the loss trl logs at step 1 is the model's `labels` loss on that batch."
    tok, ds, _ = toy
    model = _pause_model(tok)
    cfg = SFTConfig(output_dir=str(tmp_path), max_steps=3, per_device_train_batch_size=len(ds), learning_rate=1e-2,
                    logging_steps=1, **CPU)
    trainer = SFTTrainer(model=model, args=cfg, train_dataset=ds, processing_class=tok)
    assert "forward" not in model.__dict__                        # trl's fused LM head was not installed
    batch = next(iter(trainer.get_train_dataloader()))
    assert (batch["labels"] == model.pause_token_id).sum() > 5     # pauses among the targets
    with torch.no_grad():
        out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"])
        ours = pause_sft_loss(out, batch["labels"], model.pause_token_id, "one_hot", reduction="per_token").loss
        reference = pause_sft_loss(out, batch["labels"], model.pause_token_id, "one_hot", reduction="summed").loss
    before = _params(model, "pause_head", "pause_embedding", "lm.")
    trainer.train()
    logged = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert abs(logged[0] - out.loss.item()) < 1e-5, (logged[0], out.loss.item())
    assert len(logged) == 3 and logged[-1] < logged[0]
    assert abs(reference.item() - out.loss.item()) < 1e-5            # = PauseSFTTrainer's one_hot with the summed reduction
    assert abs(ours.item() - out.loss.item()) > 1e-3                 # not its default reduction ("per_token")
    after = _params(model, "pause_head", "pause_embedding", "lm.")
    for n in ("pause_head.weight", "pause_head.bias", "pause_embedding.weight"): assert not torch.equal(before[n], after[n]), n
    assert sum(not torch.equal(before[n], after[n]) for n in before if n.startswith("lm.")) >= 5

def test_plain_sft_trainer_with_a_default_lora_config(toy, tmp_path):
    "`peft_config=LoraConfig(r=8)`, no target_modules: adapters train, the LM's weights do not, the pause parts only when named."
    tok, ds, _ = toy
    model = _pause_model(tok)
    cfg = SFTConfig(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=8, learning_rate=1e-2, **CPU)
    lcfg = LoraConfig(r=8, modules_to_save=["pause_head"])
    trainer = SFTTrainer(model=model, args=cfg, train_dataset=ds, processing_class=tok, peft_config=lcfg)
    before = _params(trainer.model, "")
    trainer.train()
    after = _params(trainer.model, "")
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert {n.split(".")[-4] for n in changed if "lora_B" in n} == {"q_proj", "v_proj"}
    assert {n for n in changed if "lora_" not in n} == {f"base_model.model.pause_head.modules_to_save.default.{w}" for w in ("weight", "bias")}

def test_grpo_trainer_trains_the_pause_head(toy, tmp_path):
    "One GRPO step rewarding pauses: completions are scored under the combined distribution, so the pause head moves."
    tok, _, rows = toy
    model = _pause_model(tok)
    pid = model.pause_token_id
    prompts = Dataset.from_list([{"prompt": format_prompt(r["question"])} for r in rows[:4]])
    cfg = GRPOConfig(output_dir=str(tmp_path), max_steps=1, per_device_train_batch_size=8, num_generations=4,
                     max_completion_length=8, learning_rate=1e-2, logging_steps=1, **CPU)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = GRPOTrainer(model=model, reward_funcs=lambda completion_ids, **kw: [float(ids.count(pid)) for ids in completion_ids],
                              args=cfg, train_dataset=prompts, processing_class=tok)   # trl's completion texts have no pauses
    assert "forward" not in model.__dict__
    before = _params(model, "pause_head")
    trainer.train()
    log = next(h for h in trainer.state.log_history if "reward" in h)
    assert log["reward_std"] > 0                                     # pause counts differ: the advantages are not all zero
    after = _params(model, "pause_head")
    assert all(not torch.equal(before[n], after[n]) for n in before), log
    prompt, completion = tok(prompts[0]["prompt"])["input_ids"], [pid, 50, 60, pid, 70]   # GRPO's log-probs = the package's
    batch = rollout_batch([prompt], [completion], tok.pad_token_id)
    with torch.no_grad():
        trl_lp = trainer._get_per_token_logps_and_entropies(model, batch.input_ids, batch.attention_mask, len(completion))[0]
        assert torch.allclose(trl_lp, completion_logprobs(model, batch), atol=1e-5), (trl_lp, completion_logprobs(model, batch))

def test_peft_default_registered_in_any_import_order(tmp_path):
    "`import pause_nb` then peft (which imports the Auto classes, which import pause_nb.model): `pause_lm` has its default."
    code = ("import pause_nb, peft\nfrom peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as m\n"
            "from transformers import AutoModelForCausalLM\nprint(m.get('pause_lm'))")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.split("\n")[-2] == "['c_attn', 'q_proj', 'v_proj']", r.stdout + r.stderr[-2000:]
