"""Playing: a model with its search (`SearchPlayer`), on PettingZoo envs or Gymnasium observations."""
