"""`python -m bench SCENARIO [options]`: run a benchmark and record it in bench/RESULTS.md."""

from __future__ import annotations

import sys

from bench import alerts, dataset, perf, statistics

SCENARIOS = {
    "perf": perf.main,
    "alerts": alerts.main,
    "dataset": dataset.main,
    "statistics": statistics.main,
}


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        args = ["perf", *args]  # `python -m bench` is the API-against-floor benchmark
    if args[0] not in SCENARIOS:
        print(f"usage: python -m bench [{'|'.join(SCENARIOS)}] [options]")
        return 2
    return SCENARIOS[args[0]](args[1:])


if __name__ == "__main__":
    sys.exit(main())
