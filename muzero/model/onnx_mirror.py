"""A torch network served through onnxruntime, for self-play.

Self-play calls small networks thousands of times a second at batch 64, where onnxruntime on one thread
is about 3x faster than torch eager (benchmarks/inference_latency.py). `OnnxMirrorModel` exports the
network's graphs once, in memory and without constant folding, so that every weight is an initializer
named after its state_dict key; `refresh()` copies the network's current weights into those initializers
and opens new sessions (milliseconds, against a fraction of a second for a new export).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper

from muzero.model.bundle import session_options
from muzero.model.inference import InitialOutput, check_observations, run_initial, run_step
from muzero.model.onnx_graphs import network_graphs
from muzero.networks.model import MuZeroNet
from muzero.search import RecurrentOutput

WEIGHT_PREFIX = "network."  # the export wrappers hold the network as their `network` attribute


class OnnxMirrorModel:
    """The Model protocol for `network`, run by onnxruntime with the weights of the last `refresh()`."""

    def __init__(self, network: MuZeroNet, intra_op_threads: int = 1) -> None:
        self.network, self.intra_op_threads = network, intra_op_threads
        # serialized ModelProtos: initial, recurrent, and afterstate with chance codes (self-play needs no encoder)
        self.graphs = network_graphs(network, "{}", constant_folding=False)[:3]
        self.sessions: tuple[Any, ...] = (None, None)
        self.refresh()

    def refresh(self) -> None:
        """Copies the network's current weights into the graphs and opens new sessions on them."""
        state = {WEIGHT_PREFIX + key: value for key, value in self.network.state_dict().items()}
        options = session_options(self.intra_op_threads, 1)
        sessions = []
        for serialized in self.graphs:
            graph = onnx.load_from_string(serialized)  # a fresh message: protobuf arenas only grow
            for initializer in graph.graph.initializer:
                if initializer.name in state:
                    array = state[initializer.name].detach().cpu().numpy()
                    initializer.CopyFrom(numpy_helper.from_array(array, initializer.name))
            model = graph.SerializeToString()
            sessions.append(onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"]))
        self.sessions = tuple(sessions)  # initial, recurrent, and afterstate with chance codes

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        check_observations(observations, self.network.observation_shape)
        return run_initial(self.sessions[0], observations, to_play)

    @property
    def chance_codes(self) -> int:
        return self.network.chance_codes

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput:
        shape = (self.network.num_actions, self.network.num_players, self.chance_codes)
        afterstate = self.sessions[2] if self.chance_codes else None
        return run_step((afterstate, self.sessions[1]), latents, actions, from_chance, shape)
