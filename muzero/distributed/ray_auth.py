"""Ray's token authentication, kept on and kept quiet.

Since Ray 2.5x a Ray cluster refuses any process without its token: a local `ray.init()` turns token mode on
by itself (creating `~/.ray/auth_token` when missing) and warns about it on every run; `ray start --head`
turns it on when the machine has a token. A driver or node joining a cluster by address sends the token only
when `RAY_AUTH_MODE=token` is set: Ray never turns that on by itself there, so `ray.init(address=...)` is
refused by a head with token auth, after twenty seconds of retries and a generic "Failed to connect".

Ray looks for the token (in this order) in the `RAY_AUTH_TOKEN` environment variable, the file named by
`RAY_AUTH_TOKEN_PATH`, then `~/.ray/auth_token`; `ray get-auth-token` prints it. Here:

- a local Ray asks for token mode explicitly (`RAY_AUTH_MODE=token`, unless the user set the variable), which
  keeps the protection and is what silences Ray's warning;
- joining a cluster turns token mode on when this machine has a token, and first asks the cluster (one gRPC
  call to its GCS) whether it accepts it, so a missing or wrong token is one line saying how to supply it.

With a Ray that predates token authentication, all of this does nothing.
"""

from __future__ import annotations

import os

from muzero.core.errors import UserError

AUTH_MODE = "RAY_AUTH_MODE"
TOKEN_VARIABLE = "RAY_AUTH_TOKEN"
TOKEN_PATH_VARIABLE = "RAY_AUTH_TOKEN_PATH"
PROBE_SECONDS = 5.0  # how long the question to the cluster's GCS may take
PROBE_METHOD = "/ray.rpc.NodeInfoGcsService/GetClusterId"  # answered by every GCS, refused without the token
SUPPLY_TOKEN = (
    f"give it the head node's token: copy the head's ~/.ray/auth_token to ~/.ray/auth_token here, or set "
    f"{TOKEN_VARIABLE} to what `ray get-auth-token` prints on the head"
)

try:  # Ray with token authentication (2.5x and later)
    from ray._raylet import AuthenticationTokenLoader, Config
    from ray.exceptions import AuthenticationError

    AUTHENTICATION_ERRORS: tuple[type[Exception], ...] = (AuthenticationError,)
except ImportError:  # an older Ray: no tokens
    AuthenticationTokenLoader = Config = None
    AUTHENTICATION_ERRORS = ()


def use_token_auth_locally() -> None:
    """Before `ray.init()` starts a local Ray: token mode on, asked for explicitly (no warning)."""
    if Config is not None and AUTH_MODE not in os.environ:
        _token_mode_on()


def prepare_to_join(address: str) -> None:
    """Before `ray.init(address=...)`: sends this machine's token when it has one (unless RAY_AUTH_MODE says
    otherwise); raises a one-line UserError when the cluster at a HOST:PORT address refuses this machine or
    nothing answers there (Ray itself would retry for minutes)."""
    loader = AuthenticationTokenLoader.instance() if AuthenticationTokenLoader is not None else None
    has_token = loader is not None and loader.has_token(ignore_auth_mode=True)
    if AUTH_MODE not in os.environ and has_token:
        _token_mode_on()
    if "://" in address or ":" not in address:  # "auto", "local" or a Ray Client address: Ray checks those
        return
    sends_token = has_token and os.environ.get(AUTH_MODE, "").lower() == "token"
    answer = ask_cluster(address, loader.get_raw_token(ignore_auth_mode=True) if sends_token else None)
    if answer == "refused":
        raise UserError(token_refused(address, sends_token))
    if answer == "silent":
        raise UserError(
            f"cannot join the Ray cluster at {address}: nothing answers there; start it with "
            "`ray start --head --port=PORT` on the head node, or check the address and that the port is open"
        )


def ask_cluster(address: str, token: str | None) -> str:
    """How the GCS at HOST:PORT answers a request carrying `token` (None: none): "answered", "refused"
    (UNAUTHENTICATED), "silent" (nothing answers in PROBE_SECONDS) or "other" (something else answers: left
    to `ray.init` to report in its own words)."""
    try:
        import grpc
    except ImportError:
        return "other"
    metadata = [("authorization", f"Bearer {token}")] if token else []
    with grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)]) as channel:  # as Ray's own
        try:
            channel.unary_unary(PROBE_METHOD)(b"", timeout=PROBE_SECONDS, metadata=metadata)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                return "refused"
            silent = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
            return "silent" if error.code() in silent else "other"
    return "answered"


def token_refused(address: str, sent_token: bool) -> str:
    """One line: why the cluster at `address` refused this machine, and how to give it the cluster's token."""
    cannot = f"cannot join the Ray cluster at {address}"
    if sent_token:
        return f"{cannot}: it refused this machine's authentication token (from {token_source()}); {SUPPLY_TOKEN}"
    if os.environ.get(AUTH_MODE, "").lower() == "disabled":
        return f"{cannot}: it requires its authentication token but {AUTH_MODE}=disabled here; unset that and " + (
            SUPPLY_TOKEN
        )
    return f"{cannot}: it requires its authentication token and this machine has none; {SUPPLY_TOKEN}"


def token_missing(error: Exception) -> str:
    """One line for Ray's AuthenticationError (token mode asked for, no token found), without Ray's page."""
    del error  # its text is Ray's paragraph of advice
    return f"{AUTH_MODE}=token but Ray found no authentication token on this machine; {SUPPLY_TOKEN}"


def token_source() -> str:
    """Where Ray reads this machine's token from, in Ray's order of looking."""
    if os.environ.get(TOKEN_VARIABLE, "").strip():
        return TOKEN_VARIABLE
    if os.environ.get(TOKEN_PATH_VARIABLE):
        return f"{TOKEN_PATH_VARIABLE} ({os.environ[TOKEN_PATH_VARIABLE]})"
    return "~/.ray/auth_token"


def _token_mode_on() -> None:
    """As Ray does it itself: the variable (read by this process's Ray and inherited by the processes it starts),
    then Ray's cached config of this process refreshed from it."""
    os.environ[AUTH_MODE] = "token"
    Config.initialize("")
