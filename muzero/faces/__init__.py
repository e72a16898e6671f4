"""The faces: the console scripts, `muzero.Agent` and the bridge from game names to games (the one place
below the arena that imports `envs`)."""
