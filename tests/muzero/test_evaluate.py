"""Evaluation games: the moves recorded, distinct games counted, and random openings that vary them."""

from envs.connect4.players import AlphaBetaConnectFourPlayer
from muzero.core.config import GameConfig
from muzero.evaluation.evaluate import PlayerAsAgent, evaluate_all_seats, record_seats
from muzero.faces.games import game_kit

CONNECT4 = game_kit(GameConfig(name="connect4"))


def alphabeta(depth: int):
    return lambda seed: AlphaBetaConnectFourPlayer(depth, seed=seed)


class FirstLegalColumn:
    """A deterministic player: the leftmost column that is not full."""

    def act(self, env) -> int:
        return int(env.observe(env.agent_selection)["action_mask"].argmax())


def test_recorded_games_hold_their_moves_and_their_returns_add_up():
    played = record_seats({0: PlayerAsAgent(FirstLegalColumn())}, alphabeta(1), CONNECT4.make_game, games=3, seed=4)
    assert len(played.actions) == 3 and all(len(actions) >= 7 for actions in played.actions)
    assert played.returns.shape == (3, 2) and (played.returns.sum(axis=1) == 0).all()  # a win is +1 and -1
    assert played.actions[0][0] == 0  # the deterministic player's first move


def test_deterministic_players_repeat_one_game_and_an_opening_set_varies_them():
    agent = PlayerAsAgent(FirstLegalColumn())
    repeated = record_seats({0: agent}, lambda seed: FirstLegalColumn(), CONNECT4.make_game, games=6, seed=0)
    assert repeated.distinct == 1
    opened = record_seats(
        {0: agent}, lambda seed: FirstLegalColumn(), CONNECT4.make_game, games=6, seed=0, opening_plies=2
    )
    assert opened.distinct > 1
    assert len({actions[:2] for actions in opened.actions}) == opened.distinct  # only the openings differ
    again = record_seats(
        {0: agent}, lambda seed: FirstLegalColumn(), CONNECT4.make_game, games=6, seed=0, opening_plies=2
    )
    assert again.actions == opened.actions  # the opening set is seeded


def test_seat_results_count_distinct_games_and_connect_four_opens_with_two_random_moves():
    assert CONNECT4.opening_plies == 2
    seats = evaluate_all_seats(
        PlayerAsAgent(FirstLegalColumn()), alphabeta(2), CONNECT4.make_game, games_per_seat=8, seed=0,
        opening_plies=CONNECT4.opening_plies,
    )  # fmt: skip
    assert [seat.games for seat in seats] == [8, 8]
    assert all(1 < seat.distinct_games <= 8 for seat in seats)
    assert all(seat.losses >= 6 for seat in seats)  # leftmost-column play loses to alpha-beta
