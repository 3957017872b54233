"""Fuzz every reader for a fixed time: damaged files of each format (tests/fuzzing.py), read
through the whole pipeline, must end in a report or in xxgk's own error.

    python bench/fuzz.py --seconds 300 [--formats text,html,docx,pdf,image,ole]

Runs rounds of a hypothesis search per format, in turn, until the time is up; a failure is
shrunk to a small input, printed with the seed that reproduces it, and ends the run with exit 1.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from tests.fuzzing import FORMATS, fuzz, seed

# examples a round, per format: a round of each takes a few seconds
ROUND = {"text": 200, "gb18030": 100, "html": 200, "docx": 150, "pdf": 60, "image": 10, "ole": 2}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    kinds = [k for k in args.formats.split(",") if k]
    unknown = set(kinds) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))} (known: {', '.join(FORMATS)})")
    warnings.simplefilter("error", FutureWarning)  # lxml's warning on element truth tests
    for kind in kinds:
        seed(kind)
    start = time.monotonic()
    examples = {kind: 0 for kind in kinds}
    while time.monotonic() - start < args.seconds:
        for kind in kinds:
            try:
                fuzz(kind, ROUND[kind])
            except Exception as error:  # hypothesis re-raises the shrunk failure
                print(f"FAILED on {kind}: {type(error).__name__}: {error}", file=sys.stderr)
                return 1
            examples[kind] += ROUND[kind]
            if time.monotonic() - start >= args.seconds:
                break
    took = time.monotonic() - start
    counts = ", ".join(f"{kind} {n:,}" for kind, n in examples.items())
    print(f"fuzz: {sum(examples.values()):,} inputs in {took:.0f} s, no exception but xxgk's own ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
