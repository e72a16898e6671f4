"""N-player dots and boxes: `env(players=3)` (order-enforced) or `raw_env(...)`."""

from pettingzoo.utils import wrappers

from envs.dots_and_boxes.env import raw_env


def env(**kwargs) -> wrappers.OrderEnforcingWrapper:
    """The AEC environment wrapped like PettingZoo's own; an illegal action raises IllegalActionError."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))


__all__ = ["env", "raw_env"]
