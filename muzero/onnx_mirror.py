"""A torch network served through onnxruntime, for self-play.

Self-play calls small networks thousands of times a second at batch 64, where onnxruntime on one thread
is about 3x faster than torch eager (benchmarks/inference_latency.py). `OnnxMirrorModel` answers with the
weights of its last `refresh()`, which re-exports the network's two graphs in memory (about 0.2 s for the
presets' networks); trainers refresh it whenever self-play takes newer weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from muzero.bundle import session_options
from muzero.inference import InitialOutput, check_observations, run_initial, run_recurrent
from muzero.networks.model import MuZeroNet
from muzero.search import RecurrentOutput


class OnnxMirrorModel:
    """The Model protocol for `network`, run by onnxruntime with the weights of the last `refresh()`."""

    def __init__(self, network: MuZeroNet, intra_op_threads: int = 1) -> None:
        self.network, self.intra_op_threads = network, intra_op_threads
        self.initial_session: Any = None
        self.recurrent_session: Any = None
        self.refresh()

    def refresh(self) -> None:
        """Exports the network's current weights and opens new sessions on them."""
        import onnxruntime

        from muzero.export import network_graphs

        options = session_options(self.intra_op_threads, 1)
        initial, recurrent = network_graphs(self.network, "{}")
        providers = ["CPUExecutionProvider"]
        self.initial_session = onnxruntime.InferenceSession(initial, options, providers=providers)
        self.recurrent_session = onnxruntime.InferenceSession(recurrent, options, providers=providers)

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        check_observations(observations, self.network.observation_shape)
        return run_initial(self.initial_session, observations, to_play)

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        return run_recurrent(self.recurrent_session, latents, actions)
