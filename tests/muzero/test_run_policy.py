"""The run's rules that both trainers follow: learner steps owed to the replay ratio, where the learner stops,
the step and time limits, self-play's lead; the stop flag and the rates of a metrics line."""

import signal

import pytest

from muzero.core.config import RunConfig
from muzero.training.checkpoint import Counters
from muzero.training.run_policy import MINUTES, STEPS, RateWindow, RunPolicy, StopFlag, stop_on_signals

RATIO = RunPolicy(RunConfig(replay_ratio=0.5, min_replay_positions=40, training_steps=12))


def test_no_step_is_owed_before_the_buffer_holds_its_minimum():
    played = Counters(training_step=0, positions_played=60)
    assert RATIO.steps_owed(played, buffered_positions=39, capacity=1000) == 0
    assert RATIO.steps_owed(played, buffered_positions=40, capacity=1000) == 10  # 0.5 x (60 - 40)


def test_a_buffer_smaller_than_the_minimum_counts_as_filled_once_full_but_never_when_empty():
    played = Counters(training_step=0, positions_played=60)
    assert RATIO.steps_owed(played, buffered_positions=30, capacity=30) == 10
    none_needed = RunPolicy(RunConfig(replay_ratio=1.0, min_replay_positions=0))
    assert none_needed.steps_owed(Counters(positions_played=5), buffered_positions=0, capacity=100) == 0
    assert none_needed.steps_owed(Counters(positions_played=5), buffered_positions=1, capacity=100) == 5


def test_steps_owed_are_those_not_taken_yet_and_never_negative():
    assert RATIO.steps_owed(Counters(training_step=4, positions_played=60), 100, 1000) == 6
    assert RATIO.steps_owed(Counters(training_step=10, positions_played=60), 100, 1000) == 0
    assert RATIO.steps_owed(Counters(training_step=25, positions_played=60), 100, 1000) == 0  # ahead: none


def test_the_learner_stops_at_the_next_metrics_line_checkpoint_or_the_step_limit():
    policy = RunPolicy(RunConfig(log_interval=4, checkpoint_interval=6, training_steps=14))
    assert [policy.next_stop_step(step) for step in (0, 3, 4, 5, 6, 11, 12, 13)] == [4, 4, 6, 6, 8, 12, 14, 14]
    assert [step for step in range(1, 15) if policy.logs_at(step)] == [4, 8, 12]
    assert [step for step in range(1, 15) if policy.checkpoints_at(step)] == [6, 12]


def test_the_step_limit_comes_before_the_time_limit_and_no_minutes_means_no_time_limit():
    timed = RunPolicy(RunConfig(training_steps=12, minutes=2.0))
    assert timed.limit_reached(Counters(training_step=11), seconds=119.0) == ""
    assert timed.limit_reached(Counters(training_step=11), seconds=120.0) == MINUTES
    assert timed.limit_reached(Counters(training_step=12), seconds=0.0) == STEPS
    assert timed.limit_reached(Counters(training_step=12), seconds=500.0) == STEPS
    untimed = RunPolicy(RunConfig(training_steps=12, minutes=0.0))
    assert untimed.limit_reached(Counters(training_step=3), seconds=10**9) == ""


def test_self_play_is_ahead_only_beyond_its_lead():
    policy = RunPolicy(RunConfig(replay_ratio=0.05, min_replay_positions=2000, selfplay_lead=1000))
    # after 100 steps the ratio asks for 2000 + 100 / 0.05 = 4000 positions; the lead allows 1000 more
    assert not policy.selfplay_ahead(Counters(training_step=100, positions_played=5000))
    assert policy.selfplay_ahead(Counters(training_step=100, positions_played=5001))
    unlimited = RunPolicy(RunConfig(replay_ratio=0.05, min_replay_positions=2000, selfplay_lead=0))
    assert not unlimited.selfplay_ahead(Counters(training_step=0, positions_played=10**9))


def test_policies_are_frozen_values_of_their_run_settings():
    assert RunPolicy(RunConfig(seed=3)) == RunPolicy(RunConfig(seed=3))
    with pytest.raises(AttributeError):
        RATIO.run = RunConfig()  # type: ignore[misc]


def test_the_stop_flag_keeps_its_first_reason_and_a_signal_sets_it():
    stop = StopFlag()
    assert not stop
    stop.set("")
    assert not stop
    stop.set(STEPS)
    stop.set(MINUTES)
    assert stop and stop.reason == STEPS
    caught, before = StopFlag(), signal.getsignal(signal.SIGINT)
    with stop_on_signals(caught):
        signal.raise_signal(signal.SIGINT)
    assert caught.reason == "signal"
    assert signal.getsignal(signal.SIGINT) is before  # the previous handler is put back


def test_the_rate_window_counts_since_its_previous_call():
    window = RateWindow(Counters(training_step=10, positions_played=100), now=50.0)
    rates = window.rates(Counters(training_step=14, positions_played=180), now=52.0)
    assert rates == {"positions_per_second": 40.0, "steps_per_second": 2.0}
    assert window.rates(Counters(training_step=17, positions_played=180), now=53.0)["steps_per_second"] == 3.0
