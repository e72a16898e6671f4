"""Cost and memory of refreshing self-play's onnxruntime copy of a network (`OnnxMirrorModel.refresh`).

Refreshes the preset network's mirror `--refreshes` times and prints the milliseconds per refresh and this
process's resident memory every 50 refreshes: flat memory means no session or graph is kept behind.
Writes benchmarks/results/mirror_refresh.json.

    python benchmarks/mirror_refresh.py [--game tictactoe] [--refreshes 400]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "mirror_refresh.json"


def resident_megabytes() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default="tictactoe", help="a game with a preset")
    parser.add_argument("--refreshes", type=int, default=400)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    import torch

    from muzero.faces.games import experiment_config, game_kit
    from muzero.model.onnx_mirror import OnnxMirrorModel
    from muzero.training import components

    torch.set_num_threads(1)
    config = experiment_config(args.game, None, [])
    network = components.build_network(config.network, game_kit(config.game).spec)
    mirror = OnnxMirrorModel(network)
    samples, start = [], time.perf_counter()
    for refresh in range(1, args.refreshes + 1):
        mirror.refresh()
        if refresh % 50 == 0:
            milliseconds = (time.perf_counter() - start) / refresh * 1000
            samples.append({"refreshes": refresh, "mib": resident_megabytes(), "ms_per_refresh": milliseconds})
            print(f"{refresh:5d} refreshes: {samples[-1]['mib']:7.1f} MiB, {milliseconds:5.1f} ms per refresh")
    mib = [sample["mib"] for sample in samples]
    report = {"game": args.game, "samples": samples, "max_over_min_mib": max(mib) / min(mib)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"memory max/min {report['max_over_min_mib']:.3f}; wrote {args.output}")


if __name__ == "__main__":
    main()
