"""Training: the synchronous loop, self-play, the learner, the run policy both trainers follow, checkpoints,
run folders, the live display, export to bundles and the evaluation of a run's network."""
