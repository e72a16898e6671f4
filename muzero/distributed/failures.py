"""How the distributed run names what went wrong: one line, never a traceback."""

from __future__ import annotations

import re

from muzero.core.errors import UserError

_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): (.*)$")
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*m")


class TrainingFailed(RuntimeError):
    """A part the run cannot go on without (the learner, the replay buffer, the storage) failed, or the
    self-play workers kept failing. The message is one line and says what to do; checkpoints are intact."""


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return (text.splitlines() or [type(error).__name__])[0][:200]


def failure_reason(error: BaseException) -> str:
    """A short reason for a failed actor call: the remote exception's type and first line, or 'died'."""
    from ray.exceptions import RayActorError, RayTaskError

    if isinstance(error, RayTaskError):
        cause = error.cause
        if isinstance(cause, RayActorError):
            return "an actor it depends on died"
        return f"{type(cause).__name__}: {first_line(cause)}"
    if isinstance(error, RayActorError):
        return f"it failed to start: {_raised_in(error)}" if error.actor_init_failed else "its process died"
    return f"{type(error).__name__}: {first_line(error)}"


def user_error_cause(error: BaseException) -> UserError | None:
    """The UserError a remote call raised (e.g. a corrupt replay snapshot), if that is what failed."""
    from ray.exceptions import RayTaskError

    cause = error.cause if isinstance(error, RayTaskError) else error
    return cause if isinstance(cause, UserError) else None


def _raised_in(error: BaseException) -> str:
    """The last 'SomeError: message' line of a remote traceback in `error`'s text, else its first line."""
    for line in reversed(_TERMINAL_CODES.sub("", str(error)).splitlines()):
        match = _EXCEPTION_LINE.match(line.strip())
        if match:
            return f"{match.group(1)}: {match.group(2)[:200]}"
    return first_line(error)
