"""The README's screenshots (docs/screenshot-*.png) of the app over the tests' store: `make screenshots`.

The browser tests take the same pictures into a temporary folder, so `make test` leaves docs/ alone.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' store and browser helpers (tests/browser.py)

from tests.browser import chromium, filled_app, serving, take_screenshots  # noqa: E402


def main() -> None:
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as folder, chromium() as browser:
        app = filled_app(Path(folder))
        with serving(app) as server:
            for picture in take_screenshots(browser, server, docs):
                print(f"wrote {picture.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
