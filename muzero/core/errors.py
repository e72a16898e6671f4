"""Errors caused by what a user asked for. The command-line faces print them as one line and exit 2."""


class UserError(ValueError):
    """A mistake the user can fix: the message says what was wrong and what to do."""


class UnknownGameError(UserError):
    """A game name that is not registered and matches no adapter pattern."""


class IllegalActionError(UserError):
    """An action that is out of range or not legal in the current state; the state is left unchanged."""
