"""Model bundles: a folder with `initial.onnx`, `recurrent.onnx` and `model.json`, read without torch.

`model.json` holds a format marker and version, the game, the sizes, the supports, the training step, the
search defaults and the whole config; each ONNX file carries the same JSON text in its metadata under the
key "muzero", so a file that strayed from its folder still says what it is. Everything a user can get wrong
(a missing folder, a missing or broken file, an ONNX file of someone else's, a format version this code
does not read) is a one-line `UserError`. Only `open_session` imports onnxruntime.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from muzero.core.config import ExperimentConfig, config_from_dict
from muzero.core.errors import UserError

FORMAT = "muzero-nplayer-model"
VERSION = 1
METADATA_KEY = "muzero"  # the ONNX metadata_props key holding the model.json text
MODEL_JSON = "model.json"
INITIAL_FILE = "initial.onnx"
RECURRENT_FILE = "recurrent.onnx"
AFTERSTATE_FILE = "afterstate.onnx"  # a model with chance codes only
ENCODER_FILE = "encoder.onnx"  # a model with chance codes only: which code chance drew (muzero-diagnose)
INITIAL_INPUTS = ("observation", "to_play")  # float32[B, *observation_shape], int64[B]
INITIAL_OUTPUTS = ("latent", "policy_logits", "value")  # [B, *latent_shape], [B, A], [B, P]
RECURRENT_INPUTS = ("latent", "action")  # float32[B, *latent_shape], int64[B]
RECURRENT_OUTPUTS = ("next_latent", "reward", "next_player_logits", "policy_logits", "value")
# [B, *latent_shape], [B, P], [B, P], [B, A], [B, P]; with chance codes the latent is an afterstate and the
# action a code
AFTERSTATE_INPUTS = ("latent", "action")  # float32[B, *latent_shape], int64[B]
AFTERSTATE_OUTPUTS = ("afterstate", "chance_probabilities", "value")  # [B, *latent_shape], [B, C], [B, P]
ENCODER_INPUTS = ("observation", "next_observation")  # float32[B, *observation_shape] x 2
ENCODER_OUTPUTS = ("code_probabilities",)  # float32[B, C]
IDENTITY_FIELDS = (
    "game",
    "game_args",
    "num_players",
    "num_actions",
    "observation_shape",
    "latent_shape",
    "chance_codes",
)
PLAY_SECTIONS = ("game", "search")  # the config sections an agent plays by, read strictly


@dataclass(frozen=True)
class ModelInfo:
    """What model.json says about an exported model."""

    game: str  # the game's name, as `envs.make` takes it
    game_args: dict[str, Any]  # keyword arguments of `envs.make` (e.g. players=3)
    num_players: int
    num_actions: int
    observation_shape: tuple[int, ...]  # what `initial.onnx` takes per position (channels first for boards)
    latent_shape: tuple[int, ...]  # the latent state per position
    value_support: int  # S of the value head (0: plain scalars); decoded inside the graph
    reward_support: int  # S of the reward head (0: plain scalars); decoded inside the graph
    scale_transform: bool  # whether h^-1 is applied after the support expectation (inside the graph)
    training_step: int  # learner steps behind the exported weights
    search: dict[str, Any]  # the search at play: the config's [search], simulations as `muzero-export` set them
    config: dict[str, dict[str, Any]]  # the whole training config, as TOML-ready data
    chance_codes: int = 0  # C of the afterstates (afterstate.onnx); 0: plain MuZero (older bundles too)

    def to_json(self) -> str:
        data = {"format": FORMAT, "version": VERSION, **asdict(self)}
        return json.dumps(data, indent=1, sort_keys=False)

    def experiment_config(self) -> ExperimentConfig:
        """The config to play with: the game and the bundle's play search, read strictly (an unknown or bad
        field is a one-line UserError), and the training sections as far as this muzero reads them (they
        only inform: the network's sizes are model.json's own), so a model trained by a later muzero plays."""
        try:
            config = config_from_dict({"game": self.config.get("game", {}), "search": self.search})
        except UserError as error:
            raise UserError(f"the config in {MODEL_JSON} is not one this muzero reads: {error}") from None
        return with_training_sections(config, self.config)


@dataclass(frozen=True)
class Bundle:
    path: Path  # the bundle folder
    info: ModelInfo

    @property
    def initial_path(self) -> Path:
        return self.path / INITIAL_FILE

    @property
    def recurrent_path(self) -> Path:
        return self.path / RECURRENT_FILE

    @property
    def afterstate_path(self) -> Path | None:
        """afterstate.onnx, for a model with chance codes; None for one without."""
        return self.path / AFTERSTATE_FILE if self.info.chance_codes else None

    @property
    def encoder_path(self) -> Path | None:
        """encoder.onnx, for a model with chance codes; None for one without."""
        return self.path / ENCODER_FILE if self.info.chance_codes else None


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "game": str,
    "game_args": dict,
    "num_players": int,
    "num_actions": int,
    "observation_shape": list,
    "latent_shape": list,
    "value_support": int,
    "reward_support": int,
    "scale_transform": bool,
    "training_step": int,
    "search": dict,
    "config": dict,
}


def with_training_sections(config: ExperimentConfig, data: dict[str, Any]) -> ExperimentConfig:
    """`config` with the training sections of `data` (all but PLAY_SECTIONS), each field this muzero does not
    know left out; when they do not read together, section by section, one that cannot be read kept as is."""
    training: dict[str, dict[str, Any]] = {}
    for name in (field.name for field in dataclasses.fields(config)):
        values = data.get(name)
        if name not in PLAY_SECTIONS and isinstance(values, dict):
            known = {field.name for field in dataclasses.fields(getattr(config, name))}
            training[name] = {key: value for key, value in values.items() if key in known}
    try:
        return config_from_dict(training, config)
    except UserError:
        pass
    for name, values in training.items():
        try:
            config = config_from_dict({name: values}, config)
        except UserError:  # a setting this muzero reads otherwise: it does not change how the model plays
            continue
    return config


def is_bundle(path: str | Path) -> bool:
    """Whether `path` is a folder with a model.json (a model bundle, complete or not)."""
    return (Path(path) / MODEL_JSON).is_file()


def info_from_json(text: str, source: str) -> ModelInfo:
    """The ModelInfo in model.json text; `source` names where the text came from in error messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"{source} is not valid JSON ({error}): re-export the model with muzero-export") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError(f"{source} is not muzero model metadata (no '{FORMAT}' format marker)")
    if data.get("version") != VERSION:
        raise UserError(
            f"{source} has model format version {data.get('version')!r}; this muzero reads version {VERSION}: "
            "re-export the model with this muzero's muzero-export"
        )
    for name, expected in _FIELD_TYPES.items():
        value = data.get(name)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise UserError(f"{source}: field '{name}' is missing or not a {getattr(expected, '__name__', expected)}")
    fields = {name: data[name] for name in _FIELD_TYPES}
    codes = data.get("chance_codes", 0)
    if not isinstance(codes, int) or isinstance(codes, bool) or codes < 0:
        raise UserError(f"{source}: field 'chance_codes' is not a count >= 0")
    fields["chance_codes"] = codes
    fields["observation_shape"] = tuple(fields["observation_shape"])
    fields["latent_shape"] = tuple(fields["latent_shape"])
    return ModelInfo(**fields)


def read_bundle(path: str | Path) -> Bundle:
    """The bundle in folder `path`, its model.json read and checked, its ONNX files present."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"model bundle {path} does not exist")
    if not path.is_dir():
        raise UserError(f"{path} is a file, not a model bundle folder (initial.onnx, recurrent.onnx, model.json)")
    if not is_bundle(path):
        raise UserError(f"{path} has no {MODEL_JSON}: not a model bundle (make one with muzero-export)")
    try:
        text = (path / MODEL_JSON).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path / MODEL_JSON} cannot be read: {error}") from None
    info = info_from_json(text, str(path / MODEL_JSON))
    for name in (INITIAL_FILE, RECURRENT_FILE, *((AFTERSTATE_FILE, ENCODER_FILE) if info.chance_codes else ())):
        if not (path / name).is_file():
            raise UserError(f"model bundle {path} lacks {name}: re-export it with muzero-export")
    return Bundle(path, info)


def check_metadata(metadata: dict[str, str], file: Path, info: ModelInfo) -> None:
    """Refuses an ONNX file without our metadata, or one exported for another model than model.json's."""
    if METADATA_KEY not in metadata:
        raise UserError(f"{file} has no '{METADATA_KEY}' metadata: not an ONNX file written by muzero-export")
    embedded = info_from_json(metadata[METADATA_KEY], f"the '{METADATA_KEY}' metadata of {file}")
    for name in (*IDENTITY_FIELDS, "training_step"):
        if getattr(embedded, name) != getattr(info, name):
            raise UserError(
                f"{file} was exported for {name} = {getattr(embedded, name)!r} but {MODEL_JSON} says "
                f"{getattr(info, name)!r}: the files come from different exports; re-export the bundle"
            )


def session_options(intra_op_threads: int = 1, inter_op_threads: int = 1) -> Any:
    """onnxruntime SessionOptions: sequential execution, these thread counts (0: one per core), errors only."""
    import onnxruntime

    if intra_op_threads < 0 or inter_op_threads < 0:
        raise UserError(f"onnxruntime threads must be >= 0 (0: default), got {intra_op_threads}, {inter_op_threads}")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = inter_op_threads
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    return options


def open_session(file: Path, info: ModelInfo, intra_op_threads: int = 1, inter_op_threads: int = 1) -> Any:
    """An onnxruntime InferenceSession on the CPU for one of the bundle's ONNX files, metadata checked."""
    import onnxruntime

    options = session_options(intra_op_threads, inter_op_threads)
    try:
        session = onnxruntime.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own types for unreadable or invalid models
        reason = (str(error).splitlines() or [type(error).__name__])[0][:200]
        raise UserError(f"{file} is not a readable ONNX model: {reason}") from None
    check_metadata(session.get_modelmeta().custom_metadata_map, file, info)
    return session


def write_file_atomically(path: Path, data: bytes) -> Path:
    """Writes `data` to a temporary file beside `path`, then renames it over `path` (readable by all)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes files private; a bundle is meant to be shipped and served
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
