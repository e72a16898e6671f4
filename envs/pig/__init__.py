"""Pig, the dice game, for 2 to 4 players: its pure rules (`rules.py`, the die's faces as chance outcomes)
and its reference policies (`optimal.py`: the two-player policy that maximises the chance of winning, by
value iteration, and `hold20`). Not yet a registered game: it becomes one with the chance nodes of the
search (the rules search must not step a copy that already knows the next roll)."""
