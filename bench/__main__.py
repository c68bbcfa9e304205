"""`python -m bench SCENARIO [options]`: run a benchmark and record it in bench/RESULTS.md."""

from __future__ import annotations

import sys

from bench import alerts, dataset, statistics

SCENARIOS = {"alerts": alerts.main, "dataset": dataset.main, "statistics": statistics.main}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in SCENARIOS:
        print(f"usage: python -m bench {{{','.join(SCENARIOS)}}} [options]")
        return 2
    return SCENARIOS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
