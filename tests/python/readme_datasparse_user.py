"""A PyTorch user's data sparsifier and scheduler: embeddings and a weight, pruned gradually."""
import torch
from torch import nn
from datasparse import DataNormSparsifier
from datasparse import BaseDataScheduler


class StepUp(BaseDataScheduler):
    """Raises every item's sparsity_level by 0.2 an epoch, up to 0.9."""

    def get_schedule_param(self):
        return {name: min(0.9, self.base_param[name] + 0.2 * self.last_epoch)
                for name in self.data_sparsifier.data_groups}


torch.manual_seed(0)
embedding = nn.Embedding(1000, 16)
weight = nn.Parameter(torch.randn(64, 64))

sparsifier = DataNormSparsifier(sparsity_level=0.3, sparse_block_shape=(1, 4), norm="L2")
sparsifier.add_data(name="embedding", data=embedding)
sparsifier.add_data(name="weight", data=weight, sparse_block_shape=(4, 4), zeros_per_block=16)
scheduler = StepUp(sparsifier, "sparsity_level")

for epoch in range(4):
    # ... training: the optimizer updates embedding.weight and weight in place ...
    sparsifier.step()
    for name in ("embedding", "weight"):
        mask = sparsifier.get_mask(name)
        level = sparsifier.data_groups[name]["sparsity_level"]
        print(f"epoch {epoch} {name}: level {level:.1f}, {1 - mask.float().mean().item():.4f} masked")
    scheduler.step()

state = sparsifier.state_dict()                 # plain dicts: masks, configs and data
sparsifier.squash_mask()                         # zeros written into the tensors themselves
print(f"embedding zeros: {(embedding.weight == 0).float().mean().item():.4f}")
print(f"weight zeros: {(weight == 0).float().mean().item():.4f}")
restored = DataNormSparsifier()
restored.load_state_dict(state)
print(f"restored: {sorted(restored.data_groups)}, equal masks: "
      f"{all(torch.equal(restored.get_mask(n), state['state'][n]['mask'].to_dense()) for n in state['state'])}")
