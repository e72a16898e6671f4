"""Games and adapters implementing `muzero.types.Game`."""

from envs.registry import make, make_env, names

__all__ = ["make", "make_env", "names"]
