"""End to end: a seconds-long training run saves, reloads and plays legal games; the CLI's errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import envs
from envs.opponents import RandomPlayer
from muzero import Agent
from muzero.core.config import ExperimentConfig, GameConfig, SearchConfig, with_overrides
from muzero.core.errors import UserError
from muzero.evaluation.evaluate import play_games
from muzero.faces.cli import train_main
from muzero.faces.games import game_kit
from muzero.search import SearchOutput, selfplay_actions
from muzero.training.train import RunSetup, train

TINY = [
    "network.latent_size=16",
    "network.hidden_size=32",
    "network.hidden_layers=1",
    "search.num_simulations=4",
    "selfplay.parallel_games=8",
    "learner.batch_size=16",
    "run.min_replay_positions=40",
    "run.replay_ratio=0.5",
    "run.training_steps=12",
    "run.checkpoint_interval=5",
    "run.log_interval=2",
]


def tiny_config(game: str, *settings: str) -> ExperimentConfig:
    return with_overrides(ExperimentConfig(game=GameConfig(name=game)), [*TINY, *settings])


def setup(config: ExperimentConfig, run_dir: Path, *, resume: bool = False) -> RunSetup:
    """A quiet run of `config` in `run_dir`."""
    return RunSetup(config, run_dir, game_kit(config.game), resume=resume, show_progress=False)


def play_one_game(agent: Agent, env) -> list[int]:
    """Agent in every seat; returns the actions, each checked legal before it is played."""
    env.reset(seed=0)
    actions = []
    for _ in env.agent_iter():
        observation, _, terminated, truncated, _ = env.last()
        if terminated or truncated:
            env.step(None)
            continue
        action = agent.act(env)
        assert observation["action_mask"][action] == 1
        actions.append(action)
        env.step(action)
    return actions


def test_tiny_tictactoe_run_trains_saves_reloads_and_plays(tmp_path):
    result = train(setup(tiny_config("tictactoe"), tmp_path / "run"))
    assert result.stopped_by == "steps" and result.counters.training_step == 12
    assert result.counters.games_played > 0
    run = tmp_path / "run"
    assert (run / "config.toml").is_file() and (run / "checkpoints" / "latest.pt").is_file()
    assert sorted(p.name for p in (run / "checkpoints").glob("step_*.pt")) == [
        "step_00000005.pt",
        "step_00000010.pt",
        "step_00000012.pt",
    ]
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [2, 4, 6, 8, 10, 12]
    assert all(np.isfinite(line["loss/total"]) for line in lines)
    assert any((run / "tensorboard").iterdir())
    agent = Agent.load(run, num_simulations=8)
    actions = play_one_game(agent, envs.make_env("tictactoe"))
    assert 5 <= len(actions) <= 9


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
def test_three_player_dots_and_boxes_run_plays_against_random_players(tmp_path, algorithm):
    board = ("game.players=3", "game.rows=2", "game.cols=2")
    config = tiny_config("dots_and_boxes", *board, f"search.algorithm={algorithm}")
    train(setup(config, tmp_path / "run"))
    agent = Agent.load(tmp_path / "run" / "checkpoints" / "latest.pt", num_simulations=4)
    returns = play_games(agent, RandomPlayer, agent.game.make_game, agent_seat=1, games=3, seed=0)
    assert returns.shape == (3, 3)
    np.testing.assert_array_equal(returns.sum(axis=1), [4, 4, 4])  # every box of the 2x2 board is taken


def test_resume_continues_the_step_count(tmp_path):
    config = tiny_config("tictactoe")
    train(setup(config, tmp_path / "run"))
    more = with_overrides(config, ["run.training_steps=20"])
    result = train(setup(more, tmp_path / "run", resume=True))
    assert result.counters.training_step == 20


def test_a_sync_run_evaluates_each_checkpoint_and_a_resumed_run_keeps_the_history(tmp_path):
    from muzero.evaluation.evaluations import EvaluationLog

    run = tmp_path / "run"
    train(setup(tiny_config("tictactoe"), run), evaluation_games_per_seat=1)
    history = EvaluationLog(run).history()
    assert [evaluation.training_step for evaluation in history] == [5, 10]  # the checkpoints of the loop
    for evaluation in history:
        assert [result.opponent for result in evaluation.results] == ["random", "perfect"]
        assert all(result.games == 2 for result in evaluation.results)  # one game in each seat
        assert evaluation.results[1].wins == 0  # nobody beats perfect play
    lines = [json.loads(line) for line in (run / "evaluations.jsonl").read_text().splitlines()]
    assert [(line["step"], line["opponent"]) for line in lines] == [
        (step, opponent) for step in (5, 10) for opponent in ("random", "perfect")
    ]
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    evaluated = [line for line in metrics if "eval/random/win_rate" in line]
    assert [line["step"] for line in evaluated] == [5, 10]
    assert evaluated[0]["eval/perfect/win_rate"] == 0.0
    more = with_overrides(tiny_config("tictactoe"), ["run.training_steps=20"])
    train(setup(more, run, resume=True), evaluation_games_per_seat=1)
    assert [evaluation.training_step for evaluation in EvaluationLog(run).history()] == [5, 10, 15, 20]


def test_agent_refuses_an_env_of_another_game(tmp_path):
    train(setup(tiny_config("tictactoe"), tmp_path / "run"))
    agent = Agent.load(tmp_path / "run")
    env = envs.make_env("connect4")
    env.reset(seed=0)
    with pytest.raises(UserError, match="this model plays tictactoe"):
        agent.act(env)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["chess"], "unknown game 'chess'"),
        (["tictactoe", "--set", "search.no_such_field=1"], "unknown config field 'search.no_such_field'"),
        (["tictactoe", "--set", "search.num_simulations=-3"], "'search.num_simulations' must be at least 1"),
        (["tictactoe", "--set", "search.discount=2"], "'search.discount' must be in (0, 1]"),
        (["connect4", "--set", "network.kind=resnet", "--set", "game.rows=3"], "bad game arguments"),
        (["gym:CartPole-v1", "--set", "network.kind=resnet", "--steps", "1"], "network.kind"),
    ],
)
def test_cli_user_errors_are_one_line_with_exit_code_2(argv, message, capsys, tmp_path):
    assert train_main([*argv, "--out", str(tmp_path / "run"), "--quiet"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("muzero-train: error:") and message in error


def test_muzero_train_console_script_runs_a_tiny_config(tmp_path):
    settings = [arg for setting in TINY for arg in ("--set", setting)]
    command = [str(Path(sys.executable).parent / "muzero-train"), "tictactoe", *settings, "--steps", "6"]
    completed = subprocess.run(
        [*command, "--out", str(tmp_path / "run"), "--quiet"], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    assert "stopped by steps after 6 steps" in completed.stdout
    assert (tmp_path / "run" / "checkpoints" / "latest.pt").is_file()


def test_random_opening_moves_cover_every_first_move():
    from muzero.model.torch_model import TorchModel
    from muzero.training import components
    from muzero.training.selfplay import SelfPlay

    config = tiny_config("tictactoe", "selfplay.random_opening_moves=1", "selfplay.parallel_games=64")
    kit = game_kit(config.game)
    make_game = kit.make_game
    network = components.build_network(config.network, kit.spec)
    rng = np.random.default_rng(0)
    selfplay = SelfPlay(make_game, TorchModel(network), config.search, config.selfplay, rng)
    selfplay.play_move(0)
    first_moves = [record.actions[0] for record in selfplay.records]
    assert set(first_moves) == set(range(9))  # an untrained search alone would not spread so evenly
    assert all(len(record.policies) == 1 for record in selfplay.records)


def first_two_moves(*settings: str) -> list[tuple[int, int]]:
    """Each of 64 tic-tac-toe self-play games' first two moves, searched without root noise and played at
    temperature 0: the same in every game unless moves are replaced by random ones."""
    return [(record.actions[0], record.actions[1]) for record in two_moves_of_selfplay(*settings)]


def two_moves_of_selfplay(*settings: str) -> list:
    """The records of 64 tic-tac-toe self-play games after two moves (see `first_two_moves`)."""
    import torch

    from muzero.model.torch_model import TorchModel
    from muzero.training import components
    from muzero.training.selfplay import SelfPlay

    greedy = ("selfplay.temperature_schedule=[[0, 0.0]]", "search.exploration_fraction=0", "selfplay.parallel_games=64")
    config = tiny_config("tictactoe", *greedy, *settings)
    kit = game_kit(config.game)
    make_game = kit.make_game
    torch.manual_seed(0)
    network = components.build_network(config.network, kit.spec)
    selfplay = SelfPlay(make_game, TorchModel(network), config.search, config.selfplay, np.random.default_rng(0))
    selfplay.play_move(0)
    selfplay.play_move(0)
    assert all(len(record.policies) == 2 for record in selfplay.records)  # random moves are recorded too
    return selfplay.records


def test_random_move_probability_replaces_searched_moves_all_through_the_game():
    searched = first_two_moves()
    assert len(set(searched)) == 1  # the same network searching the same position greedily: one line of play
    explored = first_two_moves("selfplay.random_move_probability=1.0")
    assert {first for first, _ in explored} == set(range(9))
    assert len({second for _, second in explored}) == 9  # the second move is random as well
    half = first_two_moves("selfplay.random_move_probability=0.5")
    assert 5 < sum(first != searched[0][0] for first, _ in half) < 59  # about 7 in 16 games leave the line


def test_a_random_move_is_marked_where_it_is_not_the_searched_move():
    line = first_two_moves()[0]
    records = two_moves_of_selfplay("selfplay.random_move_probability=1.0")
    marks = [record.trajectory().random_moves for record in records]
    assert [mark[0] for mark in marks] == [record.actions[0] != line[0] for record in records]
    assert 0 < sum(mark[0] for mark in marks) < len(records)  # 1 in 9 random first moves is the searched one
    assert all(mark.dtype == bool and mark.shape == (2,) for mark in marks)
    assert not any(record.trajectory().random_moves.any() for record in two_moves_of_selfplay())


def test_random_seats_play_every_move_at_random_and_one_seat_always_searches():
    line = first_two_moves()[0]
    records = two_moves_of_selfplay("selfplay.random_seat_probability=1.0")
    assert all(len(record.random_seats) == 1 for record in records)  # of two seats, one is kept searching
    first_random = [record.actions for record in records if record.random_seats == {0}]
    second_random = [record.actions for record in records if record.random_seats == {1}]
    assert first_random and second_random
    assert all(actions[0] == line[0] for actions in second_random)  # seat 0 searches: the line's first move
    assert len({actions[0] for actions in first_random}) > 3  # seat 0 random: its first moves spread
    assert len({actions[1] for actions in second_random}) > 3  # seat 1 random: so do its replies
    none = two_moves_of_selfplay("selfplay.random_seat_probability=0.0")
    assert all(not record.random_seats for record in none)


def test_a_random_seat_trains_no_value_targets():
    records = two_moves_of_selfplay("selfplay.random_seat_probability=1.0")
    for record in records:  # a trajectory of the two moves so far
        (random_seat,) = record.random_seats
        expected = [seat != random_seat for seat in range(2)]
        np.testing.assert_array_equal(record.trajectory().value_players, expected)
    assert all(record.trajectory().value_players is None for record in two_moves_of_selfplay())


def test_gumbel_self_play_records_the_improved_policy_over_the_legal_moves():
    from muzero.training import components
    from muzero.training.selfplay import SelfPlay

    config = tiny_config("dots_and_boxes", "game.players=3", "search.algorithm=gumbel", "selfplay.parallel_games=4")
    kit = game_kit(config.game)
    make_game = kit.make_game
    network = components.build_network(config.network, kit.spec)
    model = components.build_inference_model(config.selfplay.inference, network)
    selfplay = SelfPlay(make_game, model, config.search, config.selfplay, np.random.default_rng(0))
    for _ in range(3):
        selfplay.play_move(0)
    for record in selfplay.records:
        for policy, legal, action in zip(record.policies, record.legal_masks, record.actions, strict=True):
            assert legal[action]
            np.testing.assert_allclose(policy.sum(), 1.0, atol=1e-5)
            assert (policy[legal] > 0).all() and (policy[~legal] == 0).all()  # 4 simulations, 24 moves


def searched_output(visits: list[list[int]], action: list[int]) -> SearchOutput:
    """A search's output with these root visits and choices (the other fields are not read by the choice)."""
    counts = np.array(visits, dtype=np.int32)
    batch, actions = counts.shape
    return SearchOutput(
        visit_counts=counts,
        root_values=np.zeros((batch, 2), np.float32),
        q_values=np.zeros((batch, actions, 2), np.float32),
        priors=np.full((batch, actions), 1 / actions, np.float32),
        policy=(counts / counts.sum(axis=1, keepdims=True)).astype(np.float32),
        action=np.array(action, dtype=np.int64),
        tree=None,  # type: ignore[arg-type]
    )


def test_self_play_samples_puct_visits_where_asked_and_plays_gumbels_own_choice():
    output = searched_output([[0, 5, 5, 0]] * 400, [1] * 400)
    sampled = np.arange(400) < 200
    puct = selfplay_actions(output, SearchConfig(), 1.0, sampled, np.random.default_rng(0))
    assert set(puct[:200].tolist()) == {1, 2} and (puct[200:] == 1).all()  # only visited moves are drawn
    gumbel = selfplay_actions(output, SearchConfig(algorithm="gumbel"), 1.0, sampled, np.random.default_rng(0))
    np.testing.assert_array_equal(gumbel, output.action)  # its root noise explores: no temperature
    assert output.action.tolist() == [1] * 400  # the output itself is left as it was
