"""A command imports only what it uses: reading a file, listing rules or working out a deadline or a fee
must not load the store, the web stack, the export formats or OCR (issue 20: start like a linter).

Each command runs in a fresh `python -X importtime -m xxgk`, which logs every module imported, at any
time, on stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "pingtan_2022.txt"

# the top-level packages none of these commands needs
HEAVY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "pyarrow",
    "openpyxl",
    "rapidocr",
    "onnxruntime",
    "jinja2",
    "pebble",
    "rjieba",  # search only: its dictionary is loaded on import
    "pydantic",  # typer 0.29 imports it for every parameter (pyproject pins typer below it)
)


def imported(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """The exit status of `xxgk ARGS` and the names of every module it imported (its stdout a pipe,
    which neither $FORCE_COLOR nor $TTY_COMPATIBLE makes rich take for a terminal)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "xxgk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env={**env, "XXGK_CALENDAR_DIR": str(tmp_path / "calendar")},
    )
    # lines such as "import time:       565 |       9960 |         tomllib._parser"
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return done.returncode, names - {"cumulative"}  # the header line's last column


def heavy(names: set[str]) -> set[str]:
    return {name for name in names if name.split(".")[0] in HEAVY}


@pytest.mark.parametrize(
    ("args", "read"),
    [
        (("check", str(SAMPLE)), True),
        (("parse", "--json", str(SAMPLE)), True),
        (("rules",), False),
        (("deadline", "--received", "2025-01-20"), False),
        (("fee", "--pages", "30"), False),
    ],
    ids=["check", "parse-json", "rules", "deadline", "fee"],
)
def test_command_imports_no_store_web_or_ocr(tmp_path: Path, args: tuple[str, ...], read: bool) -> None:
    status, names = imported(tmp_path, *args)
    assert status in (0, 1), f"xxgk {' '.join(args)} exited {status}"  # 1: check found an error
    assert heavy(names) == set()
    if read:  # the log did see the reader, so an empty set above is not an empty log
        assert {"xxgk.read", "xxgk.extract", "xxgk.check"} <= names


def test_check_into_a_pipe_needs_neither_rich_nor_a_worker_pool(tmp_path: Path) -> None:
    # off a terminal the tables are laid out by output.plain; one file is read in this process
    status, names = imported(tmp_path, "check", str(SAMPLE))
    assert status in (0, 1)
    assert {name.split(".")[0] for name in names} & {"rich", "multiprocessing", "hashlib"} == set()
    assert "xxgk.output.plain" in names  # the log saw the view that printed


def test_the_log_sees_the_store_when_a_command_uses_it(tmp_path: Path) -> None:
    # the other side of the test above: a store command does import SQLAlchemy, and the log shows it
    (tmp_path / "store.db").touch()  # an empty database: `stats` opens no new one
    status, names = imported(tmp_path, "stats", "--db", f"sqlite:///{tmp_path / 'store.db'}", "--json")
    assert status == 0
    assert {"sqlalchemy", "alembic"} <= {name.split(".")[0] for name in heavy(names)}


def test_a_store_already_up_to_date_opens_without_alembic(tmp_path: Path) -> None:
    # the first command creates the database through the migrations; the next finds it at
    # SCHEMA_REVISION and does not load Alembic (a fifth of a second of every store command)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    (tmp_path / "store.db").touch()
    assert imported(tmp_path, "stats", "--db", url, "--json")[0] == 0
    status, names = imported(tmp_path, "stats", "--db", url, "--json")
    assert status == 0
    assert "sqlalchemy" in names and "alembic" not in {name.split(".")[0] for name in names}


def test_the_schema_revision_is_alembics_head() -> None:
    # a new migration must move SCHEMA_REVISION too, or a store at the old head would never
    # be migrated
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from xxgk.store.db import MIGRATIONS, SCHEMA_REVISION

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_REVISION]


LOADED = """
import sys, typer.main
from xxgk import cli
print(" ".join(sorted(typer.main.get_command(cli.load_commands(sys.argv[1:])).commands)))
"""


def test_each_command_name_loads_the_module_that_registers_it() -> None:
    # `xxgk NAME` imports only COMMAND_MODULES[NAME]: each name, alone in a fresh process, must
    # find its command, and loading every module must find no command the table lacks
    from xxgk import cli

    def loaded(*args: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", LOADED, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        )
        return set(done.stdout.split())

    assert loaded() == set(cli.COMMAND_MODULES)  # no name: every module
    by_module: dict[str, set[str]] = {}
    for name, module in cli.COMMAND_MODULES.items():
        by_module.setdefault(module, set()).add(name)
    for module, names in by_module.items():
        assert names <= loaded(min(names), "--help"), module  # a module may import another's
