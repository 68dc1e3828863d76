"""The trainer's loss before issue 15 (pause_nb.train at commit 662d651), frozen as the `_before` of `make bench`.

Its `compute_loss` asked the pause model for LM logits at every position (prompt, padding and pause targets
included) and took the cross-entropy with `ignore_index`; the loss itself is the same (`pause_sft_loss`). With
`train_sampling_strategy="random"` (transformers' default, the trainer's then) this is the training step as it was.
"""
from pause_nb.train import PauseSFTTrainer, pause_sft_loss

class BeforeTrainer(PauseSFTTrainer):
    "`PauseSFTTrainer` computing the LM logits at every position."
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        pause_id = getattr(self.accelerator.unwrap_model(model), "pause_token_id", None)
        fwd = {k: v for k, v in inputs.items() if k in ("input_ids", "attention_mask", "position_ids")}
        if pause_id is not None: fwd.update(pause_temperature=1.0, forbid_pause=False, lm_logits_only=True)
        out = model(**fwd, use_cache=False)
        a = self.args
        losses = pause_sft_loss(out, inputs["labels"], pause_id, a.pause_loss, a.pause_p, a.pause_loss_reduction, a.pause_loss_weight)
        for name in ("lm_loss", "pause_loss"):          # logged as it was, so that the two steps do the same bookkeeping
            v = getattr(losses, name)
            if v is not None: self._metrics["train"][name].append(self.accelerator.gather_for_metrics(v.detach()).mean().item())
        return (losses.loss, out) if return_outputs else losses.loss
