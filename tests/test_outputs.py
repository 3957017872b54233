"""Every file xxgk writes goes through xxgk.output_file: a path where nothing can be written is one
line `xxgk: error: WHERE: WHAT` and exit 2, never a traceback; no temporary file is left beside the
target and an existing target is kept as it was when writing fails; a register's two CSVs are
written both or neither; every output gets the mode the umask gives a new file.

Run through the CLI as a user runs it. /proc stands for a folder where nothing can be made (even by
root, who may write in any folder of mode 0555); a file size limit (RLIMIT_FSIZE) for a disk that
fills up while writing.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.registers import HAND, facts_file
from tests.test_clock import NOTICE_2027_CSV
from tests.test_documents import REGION, YEAR, region_store, series_store
from tests.test_inputs import run

NOWHERE = Path("/proc")  # no file can be made in it
BODY = "某某市教育局"
REGISTER_BODY = "某局"
APPEALS_CSV = "-复议诉讼.csv"  # beside a register's CSV export: its reviews and lawsuits


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Databases (absolute SQLite URLs) and files the writing commands read."""
    register = f"sqlite:///{tmp_path_factory.mktemp('register') / 'register.db'}"
    added = run(
        "register", "add", "--body", REGISTER_BODY, "--received", "2025-01-02", "--channel", "网络",
        "--applicant-type", "自然人", "--db", register,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    return {
        "reports": region_store(tmp_path_factory.mktemp("reports")),
        "series": series_store(tmp_path_factory.mktemp("series")),
        "register": register,
        "facts": str(facts_file(HAND, tmp_path_factory.mktemp("facts"))),
    }


# each writing command: the suffix of its output, its arguments but --out, the store or file it reads
WRITERS: dict[str, tuple[str, list[str], tuple[str, str] | None]] = {
    "export": (".csv", ["export", "--format", "csv"], ("--db", "reports")),
    "notice": (".html", ["notice", "--body", BODY, "--year", str(YEAR)], ("--db", "reports")),
    "review": (".html", ["review", "--region", REGION, "--year", str(YEAR)], ("--db", "reports")),
    "compare": (".xlsx", ["compare", "--body", BODY, "--years", "2021", "2022"], ("--db", "series")),
    "compile": (".json", ["compile", "--year", "2023"], ("--facts", "facts")),
    "register template": (".xlsx", ["register", "template"], None),
    "register export": (".xlsx", ["register", "export", "--body", REGISTER_BODY], ("--db", "register")),
}


def _args(stores: dict[str, str], writer: str, out: str) -> list[str]:
    _, args, reads = WRITERS[writer]
    return [*args, "--out", out, *([reads[0], stores[reads[1]]] if reads else [])]


def _one_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 and exactly one line on stderr, `xxgk: error: …`, holding `words`."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xxgk: error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _temporaries(folder: Path) -> list[str]:
    """What writing may leave beside its target: hidden files (.xxgk-…, .x.csv.part), *.tmp."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp"))


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Sets the umask of this process (and so of the commands it runs); the old one is put back."""
    old = os.umask(0o022)

    def set_to(mask: int) -> None:
        os.umask(mask)

    try:
        yield set_to
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- a place where nothing can be written ------------------------------------------------------


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_folder_where_nothing_can_be_made_is_one_line(stores, writer):
    out = NOWHERE / f"xxgk-test{WRITERS[writer][0]}"
    done = run(*_args(stores, writer, str(out)))
    _one_error(done, str(out), "cannot write here (")


@pytest.mark.parametrize("writer", ["export", "register template", "register export"])
def test_an_existing_folder_is_one_line_and_left_alone(stores, tmp_path, writer):
    out = tmp_path / f"out{WRITERS[writer][0]}"
    out.mkdir()
    (out / "kept.txt").write_text("mine", encoding="utf-8")
    done = run(*_args(stores, writer, str(out)))
    _one_error(done, str(out), "a folder, not a file")
    assert [p.name for p in out.iterdir()] == ["kept.txt"]
    assert _temporaries(tmp_path) == []


def test_a_register_csv_export_over_a_folder_is_one_line(stores, tmp_path):
    out = tmp_path / "x.csv"
    out.mkdir()
    done = run("register", "export", "--body", REGISTER_BODY, "--out", str(out), "--db", stores["register"])
    _one_error(done, str(out), "a folder, not a file")
    assert _temporaries(tmp_path) == []


# a path ending in "/" names a folder; Path() drops the slash, so the CLI checks the text typed
FOLDER_NAMED = list(WRITERS)


@pytest.mark.parametrize("writer", FOLDER_NAMED)
def test_a_path_ending_in_a_slash_is_refused_and_nothing_made(stores, tmp_path, writer):
    out = f"{tmp_path / 'newdir'}{WRITERS[writer][0]}/"
    done = run(*_args(stores, writer, out))
    _one_error(done, out, "a folder name, not a file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", ["export", "notice", "review", "compile", "register template"])
def test_an_empty_path_is_one_line(stores, tmp_path, writer):
    done = run(*_args(stores, writer, ""), cwd=tmp_path)
    _one_error(done, "--out", "an empty file name")
    assert list(tmp_path.iterdir()) == []


def test_a_suffix_that_contradicts_the_export_format_is_refused(stores, tmp_path):
    out = tmp_path / "e.csv"
    out.write_text("mine", encoding="utf-8")
    done = run("export", "--format", "xlsx", "--out", str(out), "--db", stores["reports"])
    _one_error(done, str(out), ".xlsx", ".csv")
    assert out.read_text(encoding="utf-8") == "mine"
    assert _temporaries(tmp_path) == []


# --- a disk that fills up while writing ----------------------------------------------------------

# (writer, suffix, the bytes a file may grow to): each output is larger (the export's CSV some 60 kB,
# the review's DOCX 60 kB, the compiled JSON 40 kB, the template 8 kB); reading SQLite takes files of
# up to 32 kB beside it, so the commands that read a store get more
FULL_DISK = [
    ("export", ".csv", 40_000),
    ("review", ".docx", 40_000),
    ("compile", ".json", 4096),
    ("register template", ".xlsx", 4096),
    ("export", ".xlsx", 35_000),  # 37 kB; openpyxl streams a sheet through lxml into a temporary file
]


def _run_on_a_full_disk(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    def full() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return run(*args, env={"PYTHONDONTWRITEBYTECODE": "1"}, preexec_fn=full)


@pytest.mark.parametrize(("writer", "suffix", "limit"), FULL_DISK)
def test_a_write_that_fails_midway_keeps_the_existing_file(stores, tmp_path, writer, suffix, limit):
    out = tmp_path / f"out{suffix}"
    out.write_bytes(b"mine")
    args = _args(stores, writer, str(out))
    if suffix == ".xlsx" and writer == "export":
        args[args.index("csv")] = "xlsx"
    done = _run_on_a_full_disk(limit, *args)
    _one_error(done, str(out), "cannot write here (File too large)")
    assert out.read_bytes() == b"mine"
    assert _temporaries(tmp_path) == []


# --- a register's CSV export: two files, both or neither -----------------------------------------


def test_a_register_csv_export_writes_both_files_or_neither(stores, tmp_path):
    out, appeals = tmp_path / "hw.csv", tmp_path / f"hw{APPEALS_CSV}"
    appeals.mkdir()  # the second file cannot be written
    export = ["register", "export", "--body", REGISTER_BODY, "--out", str(out), "--db", stores["register"]]
    done = run(*export)
    _one_error(done, str(appeals), "a folder, not a file")
    assert not out.exists()
    out.write_text("old applications", encoding="utf-8")
    done = run(*export)
    _one_error(done, str(appeals), "a folder, not a file")
    assert out.read_text(encoding="utf-8") == "old applications"
    assert _temporaries(tmp_path) == []
    appeals.rmdir()
    done = run(*export)
    assert done.returncode == 0, done.stderr
    assert "申请人" in out.read_text(encoding="utf-8-sig") and "立案日期" in appeals.read_text("utf-8-sig")


def test_a_pair_whose_second_rename_fails_puts_the_first_back(tmp_path, monkeypatch):
    """The rename of the second file fails after the first is in place: the first is put back."""
    from xxgk.errors import InputError
    from xxgk.output_file import output_files

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a", encoding="utf-8")
    real = os.replace

    def replace(source: os.PathLike[str] | str, target: os.PathLike[str] | str) -> None:
        if Path(target) == second:
            raise OSError(28, "No space left on device", str(target))
        real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with (
        pytest.raises(InputError, match="No space left on device") as raised,
        output_files(first, second) as parts,
    ):
        for part, text in zip(parts, ("new a", "new b"), strict=True):
            part.write_text(text, encoding="utf-8")
    assert raised.value.where == str(second)
    assert first.read_text(encoding="utf-8") == "old a" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_failure_that_is_not_the_disks_goes_through_and_leaves_nothing(tmp_path):
    from xxgk.output_file import output_file

    out = tmp_path / "x.csv"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(RuntimeError, match="a bug"), output_file(out) as part:
        part.write_text("half", encoding="utf-8")
        raise RuntimeError("a bug")
    assert out.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


# --- the calendar folder ---------------------------------------------------------------------------


def _notice(tmp_path: Path) -> Path:
    path = tmp_path / "2027.csv"
    path.write_text(NOTICE_2027_CSV, encoding="utf-8")
    return path


def test_a_calendar_folder_that_is_a_file_is_one_line(tmp_path):
    folder = tmp_path / "ls"
    folder.write_bytes(b"a program")
    done = run("calendar", "import", str(_notice(tmp_path)), "--calendar-dir", str(folder))
    _one_error(done, str(folder), "a file, not a folder")
    assert folder.read_bytes() == b"a program"


def test_a_calendar_folder_that_cannot_be_made_is_one_line(tmp_path):
    folder = NOWHERE / "xxgk-calendar"
    done = run("calendar", "import", str(_notice(tmp_path)), "--calendar-dir", str(folder))
    _one_error(done, str(folder), "cannot make this folder (")


# --- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o027], ids=["umask 022", "umask 027"])
def test_every_output_gets_the_mode_the_umask_gives(stores, tmp_path, umask, mask):
    umask(mask)
    expected = 0o666 & ~mask
    written: list[Path] = []
    for writer, (suffix, _, _) in WRITERS.items():
        out = tmp_path / f"{writer.replace(' ', '-')}{suffix}"
        done = run(*_args(stores, writer, str(out)))
        assert done.returncode == 0, (writer, done.stderr)
        written.append(out)
    out = tmp_path / "register.csv"
    assert run(*_args(stores, "register export", str(out))).returncode == 0
    written += [out, tmp_path / f"register{APPEALS_CSV}"]
    calendar = tmp_path / "calendar"
    assert run("calendar", "import", str(_notice(tmp_path)), "--calendar-dir", str(calendar)).returncode == 0
    written.append(calendar / "notices.json")
    assert {path.name: oct(_mode(path)) for path in written} == {path.name: oct(expected) for path in written}
    assert _temporaries(tmp_path) == [] and _temporaries(calendar) == []
