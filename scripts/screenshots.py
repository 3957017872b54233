"""The README's screenshots (docs/screenshot-*.png) of the app over the tests' store, and the first
page of the review and of a notice as PDF (docs/page-*.png, LibreOffice and pdftoppm): `make screenshots`.

The browser tests take the same pictures into a temporary folder, so `make test` leaves docs/ alone.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' store and browser helpers (tests/browser.py)

from tests.browser import chromium, filled_app, serving, take_screenshots  # noqa: E402


def document_pages(docs: Path) -> list[Path]:
    """The first page of each PDF an overseer sends, over the documents tests' region."""
    from tests.test_documents import REGION, YEAR, region_store

    from xxgk.documents import write
    from xxgk.documents.notice import notice
    from xxgk.documents.review import review
    from xxgk.store import Store

    day = date(YEAR + 1, 4, 1)
    made = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(region_store(Path(folder)))
        documents = {
            "review": review(
                store,
                REGION,
                YEAR,
                number="某某市政务公开〔2024〕3号",
                signer="某某市政务公开办公室",
                day=day,
            ),
            "notice": notice(
                store,
                "某某市某某区人民政府",
                YEAR,
                everything=True,
                number="某某市政务公开〔2024〕4号",
                signer="某某市政务公开办公室",
                day=day,
            ),
        }
        for name, document in documents.items():
            pdf = Path(folder) / f"{name}.pdf"
            write(document, pdf)
            target = docs / f"page-{name}"
            subprocess.run(
                ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf), str(target)],
                check=True,
            )
            made.append(target.with_suffix(".png"))
    return made


def main() -> None:
    docs = ROOT / "docs"
    for picture in document_pages(docs):
        print(f"wrote {picture.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory() as folder, chromium() as browser:
        app = filled_app(Path(folder))
        with serving(app) as server:
            for picture in take_screenshots(browser, server, docs):
                print(f"wrote {picture.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
