"""The book's problems and experiments: what the chapters run the optimizers on.

* `agreement`: run each framework's optimizer on one gradient sequence and compare the
  results in units in the last place (the tests and chapters 5, 8 and A2).
* `landscapes`: two-dimensional test functions and optimizer trajectories.
* `mnist`: MNIST loading that also works offline; `quickstart`: the MNIST model and
  seeded runs.
* `moments`, `schedules`: Adam's moving averages and learning-rate schedules, step by
  step.
* `softmax`, `sparse_features`: small classification problems in NumPy.
* `replicates`: how many seeds tell two means apart (the range of n normal draws).
* `online`: Reddi et al.'s counterexample; `reinforce`: a policy-gradient agent.
* `sharding`: optimizer state split over devices (ZeRO stage 1) with Keras on JAX.
* `warmup_clipping`: a tiny Transformer that needs warm-up, and a bad batch clipping
  contains.
* `successors`: the problems on which Lion, Adafactor, Muon and Schedule-Free AdamW meet
  Adam.
"""
