"""Configuration: one frozen dataclass per concern, composed into an ExperimentConfig.

Defaults follow the MuZero paper (Schrittwieser et al., 2020, appendix C) where it gives one, scaled down
for small board games where the comment says so. Configs are saved and loaded as TOML, derived with
`dataclasses.replace` or `with_overrides("section.field=value", ...)`, and validated on load: a bad value
raises `UserError` with a one-line message naming the field.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from muzero.core.errors import UserError


@dataclass(frozen=True)
class GameConfig:
    name: str  # a name of envs.names(), "pettingzoo:MODULE" or "gym:ID"
    args: dict[str, Any] = field(default_factory=dict)  # keyword arguments of envs.make (e.g. players=3)

    def __post_init__(self) -> None:
        check_section(self, "game")

    def text(self) -> str:
        """The game as a user reads it, e.g. `dots_and_boxes (players=3)`."""
        arguments = ", ".join(f"{key}={value}" for key, value in self.args.items())
        return f"{self.name} ({arguments})" if arguments else self.name


@dataclass(frozen=True)
class NetworkConfig:
    kind: str = "mlp"  # "mlp" (flat observations, small games) or "resnet" (board planes, C x H x W)
    latent_size: int = 64  # mlp: width of the latent state
    hidden_size: int = 128  # mlp: width of the hidden layers of every function
    hidden_layers: int = 2  # mlp: hidden layers per function (h, g, f)
    channels: int = 32  # resnet: channels of the latent planes (paper: 256)
    blocks: int = 3  # resnet: residual blocks of the representation h (paper: 16), and of g and f by default
    dynamics_blocks: int = -1  # resnet: residual blocks of the dynamics g; -1 = as many as `blocks`
    prediction_blocks: int = -1  # resnet: residual blocks of the prediction f; -1 = as many as `blocks`
    value_support: int = 10  # value as categorical over -S..S (paper: 300); 0 = a plain scalar
    reward_support: int = 10  # reward likewise (paper: 300); 0 = a plain scalar
    scale_transform: bool = True  # h(x) = sign(x)(sqrt(|x|+1)-1)+0.001x before the support (paper: on)
    # two-player zero-sum games: one value head (player 0's value), player 1's value its negation, instead of
    # a value per player (AlphaZero's single value)
    zero_sum_value: bool = False
    # Stochastic MuZero (Antonoglou et al. 2022): C > 0 splits each step of the learned model into an afterstate
    # (the move made) and one of C chance codes learned from the data by an encoder, searched with chance
    # nodes; a deterministic game is the case C = 1. 0: plain MuZero, each move one step of the dynamics
    chance_codes: int = 0

    def __post_init__(self) -> None:
        check_section(self, "network")

    def tower_blocks(self) -> tuple[int, int, int]:
        """Residual blocks of the representation, dynamics and prediction towers (resnet)."""

        def own(blocks: int) -> int:
            return self.blocks if blocks == -1 else blocks

        return self.blocks, own(self.dynamics_blocks), own(self.prediction_blocks)


@dataclass(frozen=True)
class SearchConfig:
    num_simulations: int = 50  # simulations per move (paper, board games: 800)
    pb_c_base: float = 19652.0  # PUCT constant c2 (paper: 19652)
    pb_c_init: float = 1.25  # PUCT constant c1 (paper: 1.25)
    discount: float = 1.0  # gamma, in (0, 1] (paper, board games: 1)
    dirichlet_alpha: float = 0.3  # root noise concentration (paper: 0.3 chess, 0.15 shogi, 0.03 Go)
    exploration_fraction: float = 0.25  # share of the root prior given to noise (paper: 0.25); 0 = no noise
    unvisited_q: str = "zero"  # puct: value score of unvisited children: "zero" (paper) or "parent" (node's mean)
    # "puct" (MuZero: PUCT, Dirichlet noise, visit-count policy targets, temperature sampling) or "gumbel"
    # (Gumbel MuZero, Danihelka et al. 2022: Gumbel-top-k and sequential halving at the root, improved-policy
    # targets; it improves the policy even with few simulations; the temperature schedule is not used)
    algorithm: str = "puct"
    max_considered_actions: int = 16  # gumbel: root actions sampled for sequential halving (paper: 16)
    gumbel_scale: float = 1.0  # gumbel: scale of the root Gumbel noise in self-play (paper: 1)
    value_scale: float = 0.1  # gumbel: c_scale of sigma(q) = (maxvisit_init + max N) * c_scale * q (paper: 0.1)
    maxvisit_init: float = 50.0  # gumbel: c_visit of sigma (paper: 50)
    # gumbel: inside the tree, the nodes of the other players than the root's aim their visits at
    # (1 - p) * their improved policy + p * uniform over the actions their prior deems legal, a model of
    # opponents who play a uniformly random move with probability p (as selfplay.random_move_probability's
    # do), whose value the backup averages over; 0 = every player maximises its own value (max^n)
    opponent_random_probability: float = 0.0
    # agents at play (muzero.Agent: muzero-eval, the arena, the benchmarks) evaluate every position under each
    # symmetry the game declares and average the answers (AlphaGo: the board's 8), which cancels part of the
    # network's error at K times the network work; self-play and the run's evaluator play the plain network
    average_symmetries_at_play: bool = False
    # what the tree steps: "learned" (MuZero: the learned dynamics g; rewards, the next player and values
    # predicted) or "rules" (AlphaZero-style: copies of the real game, stepped by its own rules, so rewards,
    # the next player and the end of the game are exact; the network gives the prior and the value only). The
    # rules need a game that can be copied (every registered game; any PettingZoo env through a deep copy)
    dynamics: str = "learned"

    def __post_init__(self) -> None:
        check_section(self, "search")
        if self.opponent_random_probability > 0 and self.algorithm != "gumbel":
            raise UserError("config field 'search.opponent_random_probability' needs search.algorithm = \"gumbel\"")

    def at_play(self) -> SearchConfig:
        """These settings without root noise (no Dirichlet noise, no Gumbel noise): how agents search at play."""
        return dataclasses.replace(self, exploration_fraction=0.0, gumbel_scale=0.0)


@dataclass(frozen=True)
class ReplayConfig:
    capacity: int = 100_000  # positions kept; the oldest games go first (paper: 1e6 games)
    unroll_steps: int = 5  # K, steps the model is unrolled in training (paper: 5); 0 = no dynamics trained
    # (search.dynamics = "rules" only: the network then learns the prior and the value, as AlphaZero's does)
    td_steps: int = 100  # n of the n-step value target (paper: board games use the final outcome)
    # share of the search's root value in the value target: (1 - m) * z + m * root value, z the n-step return
    # (0: z alone, the paper; 0.5: (z + q) / 2, which halves the noise of one game's outcome)
    search_value_mix: float = 0.0
    priority_exponent: float = 1.0  # alpha of prioritised sampling; 0 = uniform (paper: 1)
    importance_exponent: float = 1.0  # beta of the importance weights (paper: 1)
    augment_symmetries: bool = True  # sample positions under random symmetries the game declares (AlphaGo Zero)
    # a player's value target ends at its own next random move (selfplay.random_move_probability, random
    # openings) with the search's root value there: the return after it is not that of the agent's play
    bootstrap_at_random_moves: bool = True

    def __post_init__(self) -> None:
        check_section(self, "replay")


@dataclass(frozen=True)
class LearnerConfig:
    batch_size: int = 128  # positions per step (paper: 2048 board games, 1024 Atari)
    optimizer: str = "adam"  # "adam" or "sgd" (paper: SGD, momentum 0.9)
    learning_rate: float = 3e-3  # initial rate (paper: 0.2 board games with SGD)
    lr_warmup_steps: int = 100  # linear warm-up from 0
    lr_decay_rate: float = 0.1  # exponential decay factor reached after lr_decay_steps (paper: 0.1)
    lr_decay_steps: int = 100_000  # (paper: 400e3 board games)
    momentum: float = 0.9  # sgd only (paper: 0.9)
    weight_decay: float = 1e-4  # L2 penalty (paper: 1e-4)
    max_grad_norm: float = 5.0  # gradient clipping by global norm; 0 = none
    value_loss_weight: float = 0.25  # weight of the value loss (MuZero Reanalyse: 0.25)
    next_player_loss_weight: float = 1.0  # weight of the next-player cross-entropy
    # network.chance_codes > 0: weight of the chance terms, the afterstate's code distribution against the
    # encoder's code and the encoder's commitment to its one-hot code (Stochastic MuZero)
    chance_loss_weight: float = 1.0

    def __post_init__(self) -> None:
        check_section(self, "learner")


@dataclass(frozen=True)
class SelfPlayConfig:
    parallel_games: int = 32  # games played at once, one batched search per move
    max_moves: int = 500  # a game is cut (not terminal) after this many decisions
    temperature_schedule: tuple[tuple[int, float], ...] = ((0, 1.0), (5_000, 0.5), (10_000, 0.25))
    # (from training step, visit-count temperature) pairs, as in the paper's Atari schedule
    temperature_moves: int = 1_000  # after this many moves in a game, play greedily (temperature 0)
    random_opening_moves: int = 0  # the first moves of each game are uniform among the legal ones (coverage);
    # they are searched and recorded as usual, only the move played is random
    random_move_probability: float = 0.0  # each later move is uniform among the legal ones with this probability
    # (epsilon exploration): positions after a mistake are seen in training, and the value targets include
    # opponents that err; searched and recorded as usual
    random_seat_probability: float = 0.0  # at the start of each game every seat is, with this probability, a
    # uniformly random player for the whole game (one seat at least always searches): the searching seats'
    # value targets then include games against players who never take what they are offered; a random
    # seat's moves are searched and recorded as usual, its own value targets are left out of training
    inference: str = "onnx"  # self-play's network runtime: "onnx" (onnxruntime on a re-exported copy of the
    # weights, ~3x faster for small networks) or "torch" (the network itself)
    refresh_steps: int = 50  # synchronous loop: learner steps between refreshes of self-play's onnx copy
    # playout-cap randomisation (KataGo, Wu 2019): each move gets the full search (search.num_simulations, root
    # noise) with this probability and becomes a policy target; the other moves get a fast search of
    # `fast_simulations` without noise, are played greedily and train the value only. 1 = every move in full
    full_search_probability: float = 1.0
    fast_simulations: int = 16

    def __post_init__(self) -> None:
        check_section(self, "selfplay")


@dataclass(frozen=True)
class RunConfig:
    seed: int = 0
    training_steps: int = 1_000_000  # stop after this many learner steps (--steps)
    minutes: float = 0.0  # stop after this many minutes of training; 0 = no time limit (--minutes)
    replay_ratio: float = 0.25  # learner steps per new self-play position (Ray: the learner never runs ahead)
    selfplay_lead: int = 0  # Ray: workers pause while self-play is more than this many positions ahead of
    # what the replay ratio asks for, leaving the CPU to the learner; 0 = they never pause
    min_replay_positions: int = 1_000  # self-play only until the buffer holds this many positions
    checkpoint_interval: int = 1_000  # learner steps between checkpoints
    log_interval: int = 50  # learner steps between metrics lines
    threads: int = 0  # torch intra-op threads; 0 = torch's default

    def __post_init__(self) -> None:
        check_section(self, "run")


@dataclass(frozen=True)
class ExperimentConfig:
    game: GameConfig  # every config names its game: there is no default game
    network: NetworkConfig = field(default_factory=NetworkConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    replay: ReplayConfig = field(default_factory=ReplayConfig)
    learner: LearnerConfig = field(default_factory=LearnerConfig)
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    run: RunConfig = field(default_factory=RunConfig)

    @property
    def discount(self) -> float:
        """The returns' discount, one value for the value targets and the search: files keep it as
        `search.discount` (presets, bundles); all but the search (its own `SearchConfig`) read it here."""
        return self.search.discount


_SECTION_TYPES: dict[str, type] = {
    "game": GameConfig,
    "network": NetworkConfig,
    "search": SearchConfig,
    "replay": ReplayConfig,
    "learner": LearnerConfig,
    "selfplay": SelfPlayConfig,
    "run": RunConfig,
}


def config_to_dict(config: ExperimentConfig) -> dict[str, dict[str, Any]]:
    """Plain TOML-ready data (tuples become lists)."""
    return {name: _plain(dataclasses.asdict(getattr(config, name))) for name in _SECTION_TYPES}


def config_from_dict(data: dict[str, Any], base: ExperimentConfig | None = None) -> ExperimentConfig:
    """`base` (default: the defaults, for the game `data` names) with the fields present in `data` replaced, then
    validated."""
    for section_name in data:
        if section_name not in _SECTION_TYPES:
            raise UserError(f"unknown config section {section_name!r}; known: {', '.join(_SECTION_TYPES)}")
    config = base or ExperimentConfig(game=GameConfig(_game_name(data)))
    for section_name, values in data.items():
        if not isinstance(values, dict):
            raise UserError(f"config section {section_name!r} must be a table of fields")
        section = _replace_fields(getattr(config, section_name), section_name, values)
        config = dataclasses.replace(config, **{section_name: section})
    validate(config)
    return config


def _game_name(data: dict[str, Any]) -> str:
    game = data.get("game")
    name = game.get("name") if isinstance(game, dict) else None
    if not isinstance(name, str) or not name:
        raise UserError('a config names its game: a [game] table with name = "GAME"')
    return name


def load_config(path: str | Path, base: ExperimentConfig | None = None) -> ExperimentConfig:
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UserError(f"config file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"config file {path} is not valid TOML: {error}") from None
    return config_from_dict(data, base)


def config_to_toml(config: ExperimentConfig) -> str:
    import tomli_w

    return tomli_w.dumps(config_to_dict(config))


def with_overrides(config: ExperimentConfig, assignments: list[str]) -> ExperimentConfig:
    """Applies `section.field=value` assignments (values in TOML syntax; bare words are strings).

    `game.KEY=VALUE` for any KEY but `name` sets a keyword argument of the game (e.g. game.players=3).
    """
    data: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        key, value = _parse_assignment(assignment)
        section, _, field_name = key.partition(".")
        if section == "game" and field_name != "name":
            args = data.setdefault("game", {}).setdefault("args", dict(config.game.args))
            args[field_name] = value
        else:
            data.setdefault(section, {})[field_name] = value
    return config_from_dict(data, config)


def _parse_assignment(assignment: str) -> tuple[str, Any]:
    key, equals, text = assignment.partition("=")
    key = key.strip()
    if not equals or key.count(".") != 1 or not all(key.split(".")):
        raise UserError(f"bad setting {assignment!r}: expected section.field=value, e.g. search.num_simulations=100")
    try:
        value = tomllib.loads(f"value = {text.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    return key, value


def _replace_fields(section: Any, section_name: str, values: dict[str, Any]) -> Any:
    types = {f.name: f.type for f in dataclasses.fields(section)}
    changes = {}
    for name, value in values.items():
        if name not in types:
            raise UserError(f"unknown config field '{section_name}.{name}'; known: {', '.join(sorted(types))}")
        changes[name] = _coerce(value, types[name], f"{section_name}.{name}")
    return dataclasses.replace(section, **changes)


def _coerce(value: Any, annotation: str, where: str) -> Any:
    """`value` as the annotated type: ints widen to float, lists become tuples; anything else is an error."""
    expected = {"int": int, "float": float, "str": str, "bool": bool}.get(annotation)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is not None:
        if type(value) is not expected:
            raise UserError(f"config field '{where}' must be {annotation}, got {value!r}")
        return value
    if annotation.startswith("dict") and isinstance(value, dict):
        return dict(value)
    if annotation.startswith("tuple[tuple[int, float]") and isinstance(value, list | tuple):
        return _schedule(value, where)
    raise UserError(f"config field '{where}' must be {annotation}, got {value!r}")


def _schedule(value: list | tuple, where: str) -> tuple[tuple[int, float], ...]:
    pairs = []
    for item in value:
        ok = isinstance(item, list | tuple) and len(item) == 2
        if not ok or not isinstance(item[0], int) or not isinstance(item[1], int | float):
            raise UserError(f"config field '{where}' must be a list of [training_step, value] pairs")
        pairs.append((item[0], float(item[1])))
    return tuple(pairs)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _positive(x: float) -> bool:
    return x > 0


def _non_negative(x: float) -> bool:
    return x >= 0


def _unit_interval(x: float) -> bool:
    return 0 <= x <= 1


# field -> (check, what it must be); every field not listed is free within its type
_RULES: dict[str, tuple[Any, str]] = {
    "game.name": (bool, "a game name"),
    "network.kind": (lambda k: k in ("mlp", "resnet"), '"mlp" or "resnet"'),
    "network.latent_size": (_positive, "positive"),
    "network.hidden_size": (_positive, "positive"),
    "network.hidden_layers": (_non_negative, ">= 0"),
    "network.channels": (_positive, "positive"),
    "network.blocks": (_non_negative, ">= 0"),
    "network.dynamics_blocks": (lambda b: b >= -1, ">= 0, or -1 for as many as network.blocks"),
    "network.prediction_blocks": (lambda b: b >= -1, ">= 0, or -1 for as many as network.blocks"),
    "network.value_support": (_non_negative, ">= 0"),
    "network.reward_support": (_non_negative, ">= 0"),
    "network.chance_codes": (_non_negative, ">= 0"),
    "search.num_simulations": (_positive, "at least 1"),
    "search.pb_c_base": (_positive, "positive"),
    "search.pb_c_init": (_non_negative, ">= 0"),
    "search.discount": (lambda d: 0 < d <= 1, "in (0, 1]"),
    "search.dirichlet_alpha": (_positive, "positive"),
    "search.exploration_fraction": (_unit_interval, "in [0, 1]"),
    "search.unvisited_q": (lambda u: u in ("zero", "parent"), '"zero" or "parent"'),
    "selfplay.inference": (lambda i: i in ("onnx", "torch"), '"onnx" or "torch"'),
    "selfplay.refresh_steps": (_positive, "at least 1"),
    "search.algorithm": (lambda a: a in ("puct", "gumbel"), '"puct" or "gumbel"'),
    "search.max_considered_actions": (_positive, "at least 1"),
    "search.gumbel_scale": (_non_negative, ">= 0"),
    "search.value_scale": (_positive, "positive"),
    "search.maxvisit_init": (_non_negative, ">= 0"),
    "search.opponent_random_probability": (_unit_interval, "in [0, 1]"),
    "replay.capacity": (_positive, "positive"),
    "replay.unroll_steps": (_non_negative, ">= 0"),
    "replay.search_value_mix": (_unit_interval, "in [0, 1]"),
    "search.dynamics": (lambda d: d in ("learned", "rules"), '"learned" or "rules"'),
    "selfplay.full_search_probability": (_unit_interval, "in [0, 1]"),
    "selfplay.fast_simulations": (_positive, "at least 1"),
    "replay.td_steps": (_positive, "at least 1"),
    "replay.priority_exponent": (_non_negative, ">= 0"),
    "replay.importance_exponent": (_non_negative, ">= 0"),
    "learner.batch_size": (_positive, "at least 1"),
    "learner.optimizer": (lambda o: o in ("adam", "sgd"), '"adam" or "sgd"'),
    "learner.learning_rate": (_positive, "positive"),
    "learner.lr_warmup_steps": (_non_negative, ">= 0"),
    "learner.lr_decay_rate": (lambda r: 0 < r <= 1, "in (0, 1]"),
    "learner.lr_decay_steps": (_positive, "positive"),
    "learner.momentum": (_unit_interval, "in [0, 1]"),
    "learner.weight_decay": (_non_negative, ">= 0"),
    "learner.max_grad_norm": (_non_negative, ">= 0"),
    "learner.value_loss_weight": (_non_negative, ">= 0"),
    "learner.next_player_loss_weight": (_non_negative, ">= 0"),
    "learner.chance_loss_weight": (_non_negative, ">= 0"),
    "selfplay.parallel_games": (_positive, "at least 1"),
    "selfplay.max_moves": (_positive, "at least 1"),
    "selfplay.temperature_schedule": (
        lambda s: bool(s) and s[0][0] == 0 and all(t >= 0 for _, t in s) and list(s) == sorted(s),
        "[training_step, temperature] pairs sorted by step, the first at step 0, temperatures >= 0",
    ),
    "selfplay.temperature_moves": (_non_negative, ">= 0"),
    "selfplay.random_opening_moves": (_non_negative, ">= 0"),
    "selfplay.random_move_probability": (_unit_interval, "in [0, 1]"),
    "selfplay.random_seat_probability": (_unit_interval, "in [0, 1]"),
    "run.training_steps": (_non_negative, ">= 0"),
    "run.minutes": (_non_negative, ">= 0"),
    "run.replay_ratio": (_positive, "positive"),
    "run.min_replay_positions": (_non_negative, ">= 0"),
    "run.selfplay_lead": (_non_negative, ">= 0"),
    "run.checkpoint_interval": (_positive, "at least 1"),
    "run.log_interval": (_positive, "at least 1"),
    "run.threads": (_non_negative, ">= 0"),
}


def check_section(section: Any, section_name: str) -> None:
    """Raises UserError naming the first field of `section` whose value is out of its range.

    Every section calls it when it is made (`__post_init__`), so a section out of range never exists."""
    for field_name in (f.name for f in dataclasses.fields(section)):
        path = f"{section_name}.{field_name}"
        if path in _RULES:
            check, expected = _RULES[path]
            value = getattr(section, field_name)
            if not check(value):
                raise UserError(f"config field '{path}' must be {expected}, got {value!r}")


def validate(config: ExperimentConfig) -> None:
    """Raises UserError for settings that do not fit together (each section checks its own fields)."""
    if config.replay.unroll_steps == 0 and config.search.dynamics != "rules":
        raise UserError(
            "config field 'replay.unroll_steps' is 0 (no dynamics trained), which needs search.dynamics = \"rules\""
        )
    if config.network.chance_codes and config.search.average_symmetries_at_play:
        raise UserError(
            "config field 'search.average_symmetries_at_play' cannot average a model with chance codes "
            "(network.chance_codes): its learned codes differ from one view to the next"
        )
    if config.replay.capacity < config.selfplay.max_moves:
        raise UserError(
            f"config field 'replay.capacity' ({config.replay.capacity}) must hold at least one game "
            f"of selfplay.max_moves ({config.selfplay.max_moves}) positions"
        )
