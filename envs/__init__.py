"""Games and adapters implementing `muzero.core.types.Game`; each registered game declares itself in its own folder."""

from envs.registry import game_definition, make, make_env, names

__all__ = ["game_definition", "make", "make_env", "names"]
