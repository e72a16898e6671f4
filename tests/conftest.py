"""Test-wide settings: torch on one thread (pytest-xdist runs one worker per core; small networks are
several times faster single-threaded than with threads fighting over the cores)."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    try:
        import torch
    except ImportError:  # the torch-free tests run in environments without it
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
