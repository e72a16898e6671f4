"""N-player dots and boxes: `env(players=3)` (order-enforced) or `raw_env(...)`; `GAME`, its definition."""

from envs.dots_and_boxes.env import env, raw_env
from envs.dots_and_boxes.game import GAME

__all__ = ["GAME", "env", "raw_env"]
