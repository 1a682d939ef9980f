"""The seed's flow in Python: a custom gamma schedule, a training-like loop."""
import warnings

import numpy as np

import datasparse as ds


class Gamma(ds.Schedule):
    """Epoch 0: the base value; then the current value times gamma, capped."""

    def __init__(self, gamma, threshold):
        super().__init__()
        self.gamma, self.threshold = gamma, threshold

    def compute(self, name, epoch, base, current):
        return base if epoch == 0 else min(self.threshold, current * self.gamma)


batch = np.zeros((32, 64), dtype=np.float32)   # yours: the library borrows it, no copy
i = np.arange(batch.size).reshape(batch.shape)

# Re-adding a batch under the same name warns (as PyTorch does): count them.
with warnings.catch_warnings(record=True) as replaced, \
        ds.DataNormSparsifier(sparsity_level=0.1, norm="L2") as sparsifier:
    warnings.simplefilter("always", ds.DatasparseWarning)
    sparsifier.add_data("train_data", batch)
    scheduler = ds.DataScheduler(sparsifier, "sparsity_level", Gamma(2.0, 0.8))
    for epoch in range(5):
        for step in range(3):
            batch[...] = np.sin(0.37 * i + 1.3 * step + epoch)   # the next batch
            sparsifier.add_data("train_data", batch)
            # ... forward, backward, optimizer step ...
            sparsifier.step()
        level = sparsifier.get_param("train_data", "sparsity_level")
        sparsity = sparsifier.get_sparsity("train_data")
        print(f"epoch {epoch}: sparsity_level {level:.2f}, sparsity {sparsity:.3f}")
        scheduler.step()
print(f"{len(replaced)} replace warnings")
