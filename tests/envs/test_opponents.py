"""The reference opponents play legal, strong moves on the real PettingZoo environments."""

import itertools

import numpy as np
import pytest
from pettingzoo.classic import connect_four_v3, tictactoe_v3

from envs.connect4.players import AlphaBetaConnectFourPlayer
from envs.connect4.players import bitboards_from_env as connect4_bitboards_from_env
from envs.opponents import RandomPlayer
from envs.registry import reference_player
from envs.tictactoe.players import PerfectTicTacToePlayer
from envs.tictactoe.players import bitboards_from_env as tictactoe_board_from_env
from muzero.core.errors import UserError
from muzero.core.types import Player

# Connect four, player_0 to move; 5 wins by its third move at the latest whatever player_1 does,
# and no move wins sooner:     .......
#                              ...O...
#                              ...X...
#                              ...O...
#                              ...X...
#                              O.XXOOX
FORCED_WIN_IN_THREE = [3, 5, 3, 0, 6, 3, 3, 4, 2, 3]


def env_after(make_env, actions: list[int]):
    env = make_env()
    env.reset()
    for action in actions:
        env.step(action)
    return env


def play_game(env, players: dict[str, Player]) -> tuple[dict[str, float], list[int]]:
    """Plays to the end; returns the final rewards and the actions played."""
    env.reset()
    actions = []
    while not any(env.terminations.values()):
        action = players[env.agent_selection].act(env)
        actions.append(action)
        env.step(action)
    return dict(env.rewards), actions


# An independent connect-four model for brute force: columns of piece lists, bottom first.
def drop(columns: tuple[tuple[int, ...], ...], column: int, piece: int) -> tuple[tuple[int, ...], ...]:
    return tuple((*stack, piece) if c == column else stack for c, stack in enumerate(columns))


def has_four(columns: tuple[tuple[int, ...], ...], piece: int) -> bool:
    def at(column: int, row: int) -> bool:
        return 0 <= column < 7 and 0 <= row < len(columns[column]) and columns[column][row] == piece

    return any(
        all(at(column + k * dc, row + k * dr) for k in range(4))
        for column, row in itertools.product(range(7), range(6))
        for dc, dr in ((1, 0), (0, 1), (1, 1), (1, -1))
    )


def open_columns(columns: tuple[tuple[int, ...], ...]) -> list[int]:
    return [c for c in range(7) if len(columns[c]) < 6]


def forces_win(columns, mover: int, moves_left: int, first_move: int | None = None) -> bool:
    """Whether `mover` wins within `moves_left` of its own moves whatever the other side replies."""
    if moves_left == 0:
        return False
    for move in [first_move] if first_move is not None else open_columns(columns):
        after = drop(columns, move, mover)
        if has_four(after, mover):
            return True
        replies = open_columns(after)
        if replies and all(
            not has_four(drop(after, reply, 1 - mover), 1 - mover)
            and forces_win(drop(after, reply, 1 - mover), mover, moves_left - 1)
            for reply in replies
        ):
            return True
    return False


def model_from_actions(actions: list[int]) -> tuple[tuple[int, ...], ...]:
    columns: tuple[tuple[int, ...], ...] = ((),) * 7
    for index, column in enumerate(actions):
        columns = drop(columns, column, index % 2)
    return columns


def test_perfect_tictactoe_never_loses_to_random():
    env = tictactoe_v3.env()
    wins = 0
    for game in range(1000):
        perfect_seat, random_seat = env.possible_agents[:: 1 if game % 2 == 0 else -1]
        players = {
            perfect_seat: PerfectTicTacToePlayer(seed=game),
            random_seat: RandomPlayer(seed=10_000 + game),
        }
        rewards, _ = play_game(env, players)
        assert rewards[perfect_seat] >= 0, f"perfect player lost game {game}"
        wins += rewards[perfect_seat] == 1
    assert wins > 750, "a perfect player converts most games against a random one"


def test_perfect_tictactoe_draws_against_itself_in_varied_games():
    env = tictactoe_v3.env()
    games = set()
    for game in range(100):
        first, second = env.possible_agents
        players = {
            first: PerfectTicTacToePlayer(seed=2 * game),
            second: PerfectTicTacToePlayer(seed=2 * game + 1),
        }
        rewards, actions = play_game(env, players)
        assert rewards == {first: 0, second: 0}
        assert len(actions) == 9
        games.add(tuple(actions))
    assert len(games) > 20


def test_perfect_tictactoe_takes_a_win_rather_than_blocking():
    # X: 0 1, O: 3 4, X to move; cell 2 wins, cell 5 would only block.
    env = env_after(tictactoe_v3.env, [0, 3, 1, 4])
    assert tictactoe_board_from_env(env) == (0b11, 0b11000)
    assert {PerfectTicTacToePlayer(seed=seed).act(env) for seed in range(20)} == {2}


def test_perfect_tictactoe_blocks_an_immediate_loss():
    # X: 0 1, O: 4, O to move; only cell 2 stops X's top row.
    env = env_after(tictactoe_v3.env, [0, 4, 1])
    assert {PerfectTicTacToePlayer(seed=seed).act(env) for seed in range(20)} == {2}


def test_connect4_bitboards_follow_the_standard_layout():
    env = env_after(connect_four_v3.env, [3, 3, 0])
    current, mask = connect4_bitboards_from_env(env)  # player_1 to move
    assert mask == (1 << 21) | (1 << 22) | (1 << 0)
    assert current == 1 << 22


def test_alphabeta_finds_a_forced_win_in_three():
    env = env_after(connect_four_v3.env, FORCED_WIN_IN_THREE)
    assert not any(env.terminations.values())
    position = model_from_actions(FORCED_WIN_IN_THREE)
    assert not forces_win(position, mover=0, moves_left=2), "the position must need three moves"
    assert [c for c in range(7) if forces_win(position, mover=0, moves_left=3, first_move=c)] == [5]
    for seed in range(3):
        move = AlphaBetaConnectFourPlayer(depth=5, seed=seed).act(env)
        assert forces_win(position, mover=0, moves_left=3, first_move=move), f"column {move} does not force"


def test_alphabeta_takes_an_immediate_win_rather_than_blocking():
    # X has 1 2 3 on the bottom row (0 and 4 win), O has three in column 6 (6 would only block).
    env = env_after(connect_four_v3.env, [1, 6, 2, 6, 3, 6])
    moves = {AlphaBetaConnectFourPlayer(depth=5, seed=seed).act(env) for seed in range(20)}
    assert moves == {0, 4}


def test_alphabeta_blocks_an_immediate_loss():
    # X has 0 1 2 on the bottom row; O must play 3 (O has no win of its own).
    env = env_after(connect_four_v3.env, [0, 6, 1, 6, 2])
    assert AlphaBetaConnectFourPlayer(depth=4, seed=0).act(env) == 3


def test_alphabeta_depth_4_beats_random_in_both_seats():
    env = connect_four_v3.env()
    for game in range(40):
        seat, other = env.possible_agents[:: 1 if game % 2 == 0 else -1]
        players = {seat: AlphaBetaConnectFourPlayer(depth=4, seed=game), other: RandomPlayer(seed=500 + game)}
        rewards, _ = play_game(env, players)
        assert rewards[seat] == 1, f"alpha-beta did not win game {game} as {seat}"


@pytest.mark.parametrize("make_env", [tictactoe_v3.env, connect_four_v3.env])
def test_random_player_only_plays_legal_actions_and_covers_them(make_env):
    env = make_env()
    player = RandomPlayer(seed=0)
    env.reset()
    first_moves = {player.act(env) for _ in range(200)}
    assert first_moves == set(np.flatnonzero(env.observe(env.agent_selection)["action_mask"]))
    for _ in range(30):
        env.reset()
        while not any(env.terminations.values()):
            action = player.act(env)
            assert env.observe(env.agent_selection)["action_mask"][action] == 1
            env.step(action)


def test_opponent_factory_builds_players_and_rejects_unknown_names():
    env = env_after(connect_four_v3.env, [3])
    player = reference_player("connect4", "alphabeta:3", seed=1)
    assert isinstance(player, AlphaBetaConnectFourPlayer) and player.depth == 3
    assert env.observe(env.agent_selection)["action_mask"][player.act(env)] == 1
    assert isinstance(reference_player("connect4", "random"), RandomPlayer)
    assert isinstance(reference_player("tictactoe", "perfect"), PerfectTicTacToePlayer)
    for name in ("nonsense", "alphabeta", "alphabeta:0", "alphabeta:x"):
        with pytest.raises(UserError, match=r"random, perfect, alphabeta:DEPTH"):
            reference_player("connect4", name)


def test_board_readers_reject_the_wrong_game():
    env = env_after(tictactoe_v3.env, [])
    with pytest.raises(UserError, match="connect_four_v3"):
        AlphaBetaConnectFourPlayer(depth=2).act(env)
