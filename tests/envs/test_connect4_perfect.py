"""The perfect connect-four player and the exact scores behind it (the optional bitbully solver)."""

import builtins

import pytest
from pettingzoo.classic import connect_four_v3

import envs.connect4.perfect as perfect
from envs.connect4.perfect import columns_from_bitboards, outcome, solved_scores
from envs.connect4.players import AlphaBetaConnectFourPlayer, PerfectConnectFourPlayer
from envs.connect4.players import bitboards_from_env as connect4_bitboards_from_env
from envs.registry import reference_player
from muzero.core.errors import UserError
from tests.envs.test_opponents import FORCED_WIN_IN_THREE, env_after, play_game


def test_the_empty_board_is_won_by_the_centre_column_only():
    scores = solved_scores(0, 0)
    assert {column: outcome(score) for column, score in scores.items()} == {
        0: -1, 1: -1, 2: 0, 3: 1, 4: 0, 5: -1, 6: -1
    }  # fmt: skip


def test_bitboards_become_the_solvers_columns_with_the_first_players_stones_as_1():
    env = env_after(connect_four_v3.env, [3, 3, 0])  # X: 3 and 0, O: 3 on top of X; O to move
    columns = columns_from_bitboards(*connect4_bitboards_from_env(env))
    assert columns[0] == [1, 0, 0, 0, 0, 0]
    assert columns[3] == [1, 2, 0, 0, 0, 0]
    assert sum(map(sum, columns)) == 4


def test_the_only_forced_win_is_the_only_winning_column():
    env = env_after(connect_four_v3.env, FORCED_WIN_IN_THREE)
    scores = solved_scores(*connect4_bitboards_from_env(env))
    best = max(scores.values())
    assert [column for column, score in scores.items() if score == best] == [5]
    assert all(PerfectConnectFourPlayer(seed=seed).act(env) == 5 for seed in range(3))


def test_perfect_first_player_beats_alphabeta_and_never_loses_as_second():
    env = connect_four_v3.env()
    for game in range(2):
        first = {"player_0": PerfectConnectFourPlayer(seed=game), "player_1": AlphaBetaConnectFourPlayer(2, seed=game)}
        rewards, _ = play_game(env, first)
        assert rewards["player_0"] == 1
        second = {"player_0": AlphaBetaConnectFourPlayer(2, seed=game), "player_1": PerfectConnectFourPlayer(seed=game)}
        rewards, _ = play_game(env, second)
        assert rewards["player_1"] >= 0


def test_perfect_is_an_opponent_of_connect_four_too():
    assert isinstance(reference_player("connect4", "perfect", seed=0), PerfectConnectFourPlayer)


def test_a_missing_solver_is_one_line_naming_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_bitbully(name, *args, **kwargs):
        if name == "bitbully":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    perfect._solver.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_bitbully)
    try:
        with pytest.raises(UserError, match=r"^the perfect connect-four player needs the solver extra") as error:
            reference_player("connect4", "perfect", seed=0)
        assert "\n" not in str(error.value)
        assert not perfect.solver_available()
    finally:
        perfect._solver.cache_clear()
