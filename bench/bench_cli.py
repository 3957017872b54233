"""Start-up of the CLI on one file: `xxgk check FILE` against the library call it wraps.

Prints the median wall time over the runs of each, in fresh processes run alternately, and their
ratio (issue 20's target: the command within 1.3× of the library call). The processes may write
bytecode (into a temporary PYTHONPYCACHEPREFIX), as an installed xxgk has it: under
PYTHONDONTWRITEBYTECODE every start would compile xxgk's source again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "pingtan_2022.txt"


def _wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: `check` found an error-severity finding
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=SAMPLE, help="a report (default: a sample)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    library = [sys.executable, "-c", f"import xxgk; xxgk.parse_path({str(args.file)!r})"]
    # the installed console script, as a user runs it (`python -m xxgk` adds runpy's few ms)
    script = Path(sys.executable).with_name("xxgk")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "xxgk"]
    command = [*launcher, "check", str(args.file)]
    bare = [sys.executable, "-c", "pass"]
    times: dict[str, list[float]] = {"python -c pass": [], "library call": [], "xxgk check": []}
    with tempfile.TemporaryDirectory() as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        for argv in (library, command):  # warm the file cache and write the bytecode
            _wall(argv, env)
        for _ in range(args.runs):
            for label, argv in zip(times, (bare, library, command), strict=True):
                times[label].append(_wall(argv, env))
    print(f"CLI start-up on {args.file.name}: wall time of {args.runs} fresh processes, median (best)")
    medians = {label: statistics.median(runs) for label, runs in times.items()}
    for label, median in medians.items():
        print(f"{label:16} {1000 * median:7.0f} ms  ({1000 * min(times[label]):.0f} ms)")
    ratio = medians["xxgk check"] / medians["library call"]
    best = min(times["xxgk check"]) / min(times["library call"])
    print(f"xxgk check takes {ratio:.2f}x the library call ({best:.2f}x best to best; target: 1.3x)")


if __name__ == "__main__":
    main()
