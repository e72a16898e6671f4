"""Dots and boxes: PettingZoo API conformance, the rules through the AEC interface, and the greedy player."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pettingzoo.test import api_test, seed_test

import envs.dots_and_boxes as dots_and_boxes
from envs.dots_and_boxes import rules
from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
from envs.dots_and_boxes.render import BOX_PIXELS, MARGIN_PIXELS
from muzero.core.errors import IllegalActionError, UserError

# Edges of a 3x3 board: horizontal h[r][c] = r*3 + c, vertical v[r][c] = 12 + r*4 + c.
BOX_00_SIDES = (0, 3, 12, 13)  # top, bottom, left, right of box (0, 0)
BOX_01_OTHER_SIDES = (1, 4, 14)  # top, bottom, right of box (0, 1); its left side is 13
SHAPES = [(2, 3, 3), (3, 3, 3), (4, 3, 3), (2, 2, 3), (3, 2, 3), (4, 3, 2)]

# Generic PettingZoo advice that does not apply: classic board games use dict observations and an empty
# board is all zeros (PettingZoo only silences these for its own environments, by name).
EXPECTED_API_WARNINGS = (
    "Observation is not a NumPy array",
    "Observation space for each agent probably should be",
    "Observation numpy array is all zeros",
)


def play(env, edges) -> None:
    for edge in edges:
        env.step(edge)


def random_edge(env, rng: np.random.Generator) -> int:
    mask = env.observe(env.agent_selection)["action_mask"]
    return int(rng.choice(np.flatnonzero(mask)))


@pytest.mark.parametrize(("players", "rows", "cols"), SHAPES)
def test_pettingzoo_api_test_passes(players, rows, cols):
    env = dots_and_boxes.env(players=players, rows=rows, cols=cols)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api_test(env, num_cycles=60, verbose_progress=False)
    unexpected = [str(w.message) for w in caught if not str(w.message).startswith(EXPECTED_API_WARNINGS)]
    assert unexpected == []


@pytest.mark.parametrize(("players", "rows", "cols"), SHAPES)
def test_pettingzoo_seed_test_passes(players, rows, cols):
    seed_test(lambda: dots_and_boxes.env(players=players, rows=rows, cols=cols), num_cycles=60)


def test_spaces_and_agents_follow_the_layout():
    env = dots_and_boxes.raw_env(players=3, rows=2, cols=3)
    env.reset(seed=7)
    assert env.possible_agents == ["player_0", "player_1", "player_2"]
    edges = 3 * 3 + 2 * 4
    assert env.action_space("player_1").n == edges
    space = env.observation_space("player_2")
    assert space["observation"].shape == (5, 7, 6) and space["observation"].dtype == np.int8
    assert space["action_mask"].shape == (edges,) and space["action_mask"].dtype == np.int8
    assert env.metadata["name"] == "dots_and_boxes_v0"


def test_a_move_that_closes_nothing_passes_the_turn_in_seat_order():
    env = dots_and_boxes.env(players=3)
    env.reset()
    seen = [env.agent_selection]
    for edge in (0, 3, 12, 1):
        env.step(edge)
        seen.append(env.agent_selection)
        assert all(reward == 0 for reward in env.rewards.values())
    assert seen == ["player_0", "player_1", "player_2", "player_0", "player_1"]


def test_fourth_side_gives_plus_one_and_an_extra_turn():
    env = dots_and_boxes.env(players=3)
    env.reset()
    play(env, BOX_00_SIDES[:3])  # player_0, player_1, player_2
    assert env.agent_selection == "player_0"
    env.step(BOX_00_SIDES[3])
    assert env.rewards == {"player_0": 1, "player_1": 0, "player_2": 0}
    assert env.agent_selection == "player_0"
    assert env.last()[1] == 1
    assert env.unwrapped.state.owners[0, 0] == 0
    assert env.unwrapped.state.scores.tolist() == [1, 0, 0]


def test_one_edge_closing_two_boxes_gives_plus_two_and_one_extra_turn():
    env = dots_and_boxes.env(players=3)
    env.reset()
    play(env, (0, 3, 12, *BOX_01_OTHER_SIDES))  # six moves, nothing closed: player_0 to move
    assert env.agent_selection == "player_0"
    assert rules.boxes_completed_by(env.unwrapped.state, 13) == 2
    env.step(13)
    assert env.rewards["player_0"] == 2
    assert env.agent_selection == "player_0"
    env.step(2)  # closes nothing: the turn passes on once
    assert env.agent_selection == "player_1"
    assert env.unwrapped.state.scores.tolist() == [2, 0, 0]


def test_apply_returns_a_new_state_and_leaves_the_input_alone():
    state = rules.initial_state(players=2, rows=3, cols=3)
    for edge in BOX_00_SIDES[:3]:
        state, _ = rules.apply(state, edge)
    before = state.copy()
    after, captured = rules.apply(state, BOX_00_SIDES[3])
    assert captured == 1 and after.owners[0, 0] == state.to_play
    assert np.array_equal(state.edges, before.edges) and state.owners[0, 0] == rules.NOBODY
    assert rules.sides_drawn(state)[0, 0] == 3 and rules.sides_drawn(after)[0, 0] == 4
    assert not state.edges.flags.writeable


@pytest.mark.parametrize(("players", "rows", "cols", "seed"), [(3, 3, 3, 0), (4, 3, 4, 1), (4, 2, 2, 2)])
def test_full_game_to_the_end_scores_match_rewards(players, rows, cols, seed):
    env = dots_and_boxes.env(players=players, rows=rows, cols=cols)
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    total_reward = dict.fromkeys(env.possible_agents, 0)
    finished = set()
    for agent in env.agent_iter():
        _, reward, terminated, truncated, _ = env.last()
        total_reward[agent] += reward
        assert not truncated
        if terminated:
            finished.add(agent)
            if len(finished) == 1:
                assert all(env.terminations.values()) and not any(env.truncations.values())
            env.step(None)
        else:
            env.step(random_edge(env, rng))
    state = env.unwrapped.state
    assert finished == set(env.possible_agents)
    assert rules.is_over(state) and int(state.scores.sum()) == rows * cols
    assert [total_reward[agent] for agent in env.possible_agents] == state.scores.tolist()


def snapshot(env) -> tuple:
    raw = env.unwrapped
    observations = [raw.observe(agent) for agent in raw.possible_agents]
    state = raw.state
    return (
        state.edges.tolist(),
        state.owners.tolist(),
        state.scores.tolist(),
        state.to_play,
        [(o["observation"].tolist(), o["action_mask"].tolist()) for o in observations],
        raw.agent_selection,
        dict(raw.rewards),
        dict(raw._cumulative_rewards),
    )


@pytest.mark.parametrize("bad_edge", [0, 24, -1, np.int64(99)])
def test_illegal_edge_raises_and_changes_nothing(bad_edge):
    env = dots_and_boxes.env(players=3)
    env.reset()
    play(env, BOX_00_SIDES)  # player_0 captures and moves again
    before = snapshot(env)
    legal = np.flatnonzero(rules.legal_mask(env.unwrapped.state)).tolist()
    with pytest.raises(IllegalActionError) as raised:
        env.step(bad_edge)
    message = str(raised.value)
    assert f"action {int(bad_edge)} " in message and str(legal) in message
    assert snapshot(env) == before


def test_channel_one_shows_the_observers_own_boxes():
    env = dots_and_boxes.env(players=3)
    env.reset()
    play(env, (*BOX_00_SIDES[:3], 5))  # player_0, player_1, player_2, player_0
    play(env, (*BOX_01_OTHER_SIDES[:2], 13))  # player_1, player_2, player_0 closes (0, 0): 13 is its right
    assert env.unwrapped.state.owners[0, 0] == 0
    grid = {agent: env.observe(agent)["observation"] for agent in env.possible_agents}
    assert grid["player_0"][1, 1, 1:4].tolist() == [1, 0, 0]  # mine
    assert grid["player_1"][1, 1, 1:4].tolist() == [0, 0, 1]  # owner 0 is two seats after player_1
    assert grid["player_2"][1, 1, 1:4].tolist() == [0, 1, 0]  # owner 0 is the next seat after player_2
    for view in grid.values():
        assert view[0, 1, 0] == 1 and view[1, 0, 0] == 1 and view[1, 2, 0] == 1  # h[0][0], v[0][0], v[0][1]
        assert view[0, 5, 0] == 0 and view[0::2, 0::2].sum() == 0  # h[0][2] not drawn; dots always 0
        assert view[:, :, 1:4].sum() == 1


def test_the_last_channels_mark_open_boxes_with_three_and_with_two_sides_and_their_open_sides():
    env = dots_and_boxes.env(players=3)
    env.reset()
    play(env, BOX_00_SIDES[:2])  # top and bottom of box (0, 0); the bottom is also the top of box (1, 0)
    view = env.observe(env.agent_selection)["observation"]
    two_sided = np.zeros((7, 7), dtype=np.int8)
    two_sided[1, 0:3] = 1  # box (0, 0) at (1, 1), its open left side v[0][0] at (1, 0) and right v[0][1] at (1, 2)
    assert view[:, :, 5].tolist() == two_sided.tolist()
    assert view[:, :, 4].sum() == 0
    play(env, BOX_00_SIDES[2:3])  # its left side: three sides, one move (its right side) takes it
    view = env.observe(env.agent_selection)["observation"]
    three_sided = np.zeros((7, 7), dtype=np.int8)
    three_sided[1, 1:3] = 1  # box (0, 0) and the edge that takes it
    assert view[:, :, 4].tolist() == three_sided.tolist()
    assert view[:, :, 5].sum() == 0
    play(env, BOX_00_SIDES[3:])  # taken: owned boxes are in neither channel
    view = env.observe(env.agent_selection)["observation"]
    assert view[:, :, 4:].sum() == 0 and view[1, 1, 1:4].sum() == 1


def test_an_edge_between_a_two_sided_and_a_three_sided_box_is_in_both_channels():
    env = dots_and_boxes.env(players=2)
    env.reset()
    play(env, (0, 3, 12, 1, 4))  # box (0, 0): three sides, open right side 13; box (0, 1): top and bottom
    view = env.observe(env.agent_selection)["observation"]
    three_sided, two_sided = view[:, :, 3], view[:, :, 4]  # two players: channels 3 and 4
    assert three_sided[1, 2] == 1 and two_sided[1, 2] == 1  # v[0][1] takes (0, 0), gives (0, 1) a third side
    assert two_sided[1, 4] == 1 and three_sided[1, 4] == 0  # v[0][2]: only gives (0, 1) away
    assert three_sided[1, 0] == 0  # v[0][0] is drawn


def test_action_mask_is_legal_for_the_mover_and_zero_for_the_others_and_at_the_end():
    env = dots_and_boxes.env(players=2, rows=1, cols=1)
    env.reset()
    env.step(0)
    assert env.agent_selection == "player_1"
    assert env.observe("player_1")["action_mask"].tolist() == [0, 1, 1, 1]
    assert env.observe("player_0")["action_mask"].tolist() == [0, 0, 0, 0]
    play(env, (1, 2, 3))
    assert all(env.terminations.values())
    assert all(env.observe(agent)["action_mask"].sum() == 0 for agent in env.possible_agents)


def test_render_ansi_draws_the_board_and_a_score_line():
    env = dots_and_boxes.env(players=2, rows=1, cols=1, render_mode="ansi")
    env.reset()
    play(env, (0, 1, 2, 3))  # player_1 closes the box
    assert env.render().splitlines() == [
        "+---+",
        "| 1 |",
        "+---+",
        "scores: player_0=0 player_1=1 | game over",
    ]


def test_render_rgb_array_has_the_right_dtype_and_shape():
    env = dots_and_boxes.env(players=3, rows=2, cols=3, render_mode="rgb_array")
    env.reset()
    empty = env.render()
    assert empty.dtype == np.uint8
    assert empty.shape == (2 * BOX_PIXELS + 2 * MARGIN_PIXELS, 3 * BOX_PIXELS + 2 * MARGIN_PIXELS, 3)
    play(env, (0, 3, 9, 10))  # player_0 closes box (0, 0) on the 2x3 board
    assert not np.array_equal(env.render(), empty)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [({"players": 5}, "players"), ({"players": 1}, "players"), ({"rows": 0}, "rows"), ({"cols": -2}, "cols")],
)
def test_bad_arguments_raise_a_user_error_naming_them(kwargs, named):
    with pytest.raises(UserError, match=named):
        dots_and_boxes.env(**kwargs)


def env_after(edges, players=2, rows=1, cols=2):
    env = dots_and_boxes.raw_env(players=players, rows=rows, cols=cols)
    env.reset()
    play(env, edges)
    return env


def test_greedy_takes_the_edge_completing_the_most_boxes():
    single = env_after(BOX_00_SIDES[:3], rows=3, cols=3)
    double = env_after((0, 3, 12, *BOX_01_OTHER_SIDES, 8, 11, 22), rows=3, cols=3)  # 23 closes (2, 2)
    for seed in range(20):
        assert GreedyDotsAndBoxesPlayer(seed).act(single) == 13
        assert GreedyDotsAndBoxesPlayer(seed).act(double) == 13


def test_greedy_does_not_give_a_box_away_when_a_safe_edge_exists():
    # 1x2 board: edges 0, 1 top; 2, 3 bottom; 4, 5, 6 verticals. Box (0, 0) has top and bottom drawn.
    env = env_after((0, 2))
    choices = {GreedyDotsAndBoxesPlayer(seed).act(env) for seed in range(40)}
    assert choices == {1, 3, 6}  # 4 and 5 would give box (0, 0) its third side


def test_greedy_gives_away_the_fewest_when_every_edge_gives_something():
    env = env_after((0, 2, 1, 3))  # both boxes have two sides: 5 gives two away, 4 and 6 one each
    choices = {GreedyDotsAndBoxesPlayer(seed).act(env) for seed in range(40)}
    assert choices == {4, 6}


def test_greedy_beats_a_uniform_random_player():
    env = dots_and_boxes.raw_env(players=2, rows=3, cols=3)
    greedy = GreedyDotsAndBoxesPlayer(seed=0)
    rng = np.random.default_rng(1)
    games, wins = 200, 0
    for game in range(games):
        greedy_seat = game % 2
        env.reset(seed=game)
        while not rules.is_over(env.state):
            seat = env.state.to_play
            env.step(greedy.act(env) if seat == greedy_seat else random_edge(env, rng))
        scores = env.state.scores
        wins += int(scores[greedy_seat] > scores[1 - greedy_seat])
    assert wins >= 0.8 * games
