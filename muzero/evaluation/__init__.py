"""Evaluating: matches of many games at once, Wilson intervals, round robins, Elo, episode returns and the
records of a run's evaluations."""
