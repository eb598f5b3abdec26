"""Median wall time of `briefer --help` (and friends) beside `python -c pass`.

    python bench/startup.py [--runs 30]

Run it from the environment briefer is installed in. Numbers are for this machine only.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_ms(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=False)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    exe = Path(sys.executable).parent / "briefer"
    briefer = [str(exe)] if exe.exists() else [shutil.which("briefer") or "briefer"]
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "briefer --help": [*briefer, "--help"],
        "briefer --version": [*briefer, "--version"],
        "briefer schema": [*briefer, "schema"],
        "python -c 'import openai'": [sys.executable, "-c", "import openai"],
    }
    print(f"{'command':<28} median of {args.runs} runs")
    for name, cmd in cases.items():
        print(f"{name:<28} {median_ms(cmd, args.runs):8.1f} ms")


if __name__ == "__main__":
    main()
