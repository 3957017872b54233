"""Bad input gets one clear line and exit 2; encodings that government sites use are read."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import xxgk
from tests.conftest import CORPUS

WUXI = CORPUS / "001_0e974329021f3c6f.txt"


def run(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`xxgk` with these arguments (`env`: variables set besides this process's own), in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "xxgk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=None if env is None else {**os.environ, **env},
        cwd=cwd,
        preexec_fn=preexec_fn,
    )


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_bytes(b"  \n\n \t\n")
    (tmp / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp / "essay.txt").write_text("今天天气很好。我们去公园散步，看见了很多花。\n" * 20, encoding="utf-8")
    (tmp / "odd.txt").write_bytes(bytes(range(128, 256)) * 30)
    (tmp / "folder").mkdir()
    # read as text, the numbers in their strings made reports no one printed (before)
    line = {"file": "a.txt", "sha256": "0" * 64, "template": "2021", "narrative": "本年新收申请 12 件"}
    (tmp / "results.txt").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp / "data.json").write_text('{\n "收到申请": [12, 3, 0]\n}\n', encoding="utf-8")
    return {
        "missing": (tmp / "nope.txt", "no such file"),
        "directory": (tmp / "folder", "is a directory"),
        "empty": (tmp / "empty.txt", "empty file"),
        "whitespace only": (tmp / "blank.txt", "empty file"),
        "binary": (tmp / "binary.txt", "binary data"),
        "not a report": (tmp / "essay.txt", "not a government information-disclosure annual report"),
        "unknown encoding": (tmp / "odd.txt", "unknown text encoding"),
        "results": (tmp / "results.txt", "results of `xxgk parse --out` (JSON Lines), not a report"),
        "JSON": (tmp / "data.json", "JSON data, not a report"),
    }


CASES = [
    "missing",
    "directory",
    "empty",
    "whitespace only",
    "binary",
    "not a report",
    "unknown encoding",
    "results",
    "JSON",
]


# check reads a folder (tests/test_cli.py); parse reads one only with --out
@pytest.mark.parametrize(
    ("command", "case"),
    [("parse", case) for case in CASES] + [("check", case) for case in CASES if case != "directory"],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path, case, command):
    path, words = _bad_inputs(tmp_path)[case]
    result = run(command, "--json", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("xxgk: error: ") and str(path) in lines[0] and words in lines[0]
    assert "Traceback" not in result.stderr


def test_the_library_raises_typed_errors(tmp_path):
    cases = _bad_inputs(tmp_path)
    with pytest.raises(xxgk.InputError, match="no such file"):
        xxgk.parse_path(cases["missing"][0])
    with pytest.raises(xxgk.NotAReportError):
        xxgk.parse_path(cases["not a report"][0])


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_reports_in_chinese_encodings_are_read_like_utf8(tmp_path, encoding):
    text = WUXI.read_text(encoding="utf-8").replace("\xa0", " ")  # GBK has no NBSP
    path = tmp_path / f"report.{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert xxgk.parse_path(path).tables() == xxgk.parse_path(WUXI).tables()
    assert xxgk.parse_path(path).meta.agency == "无锡市滨湖区河埒街道办事处"


@pytest.mark.parametrize(
    "text",
    [
        "北京市海淀区人民政府\n",
        "海淀区\n",
        "文件,机关\nh.txt,北京市海淀区人民政府\n",
    ],
)
def test_a_few_gbk_words_are_not_taken_for_korean_or_big5(text):
    """Short GBK (a list of bodies, a manifest) that the detector takes for another East Asian
    encoding, as checked first, is read as GB18030."""
    from xxgk.read.decode import _OTHER_CJK, _detect, decode_text

    data = text.encode("gbk")
    assert _detect(data) in _OTHER_CJK  # cp949 or big5: the case mended
    assert decode_text(data, "names.csv") == text


def test_gbk_text_with_a_character_outside_gb2312_is_decoded(tmp_path):
    # 埒 is in GBK but not in GB2312: decoding GBK files as GB2312 would lose it
    path = tmp_path / "gbk.txt"
    path.write_bytes(WUXI.read_text(encoding="utf-8").replace("\xa0", " ").encode("gbk"))
    assert "河埒街道" in xxgk.parse_path(path).meta.agency


def test_a_bad_file_among_good_ones_does_not_stop_the_others(tmp_path):
    result = run("parse", "--json", str(WUXI), str(tmp_path / "nope.txt"), str(CORPUS / "pt004.txt"))
    assert result.returncode == 2
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["meta"]["year"] for o in objects] == [2020, 2022]
    assert "nope.txt: no such file" in result.stderr


def test_a_file_is_read_whole_and_at_the_cost_of_its_size(tmp_path, monkeypatch):
    """A batch reads thousands of files: reading one took the size limit's memory (64 MB) before
    it shrank to the file. A file that grows while it is read is read on, and refused past the
    limit (tests/test_hostile.py: a file past it is refused before it is read)."""
    import dataclasses
    import tracemalloc

    import xxgk.read
    from xxgk.errors import InputError
    from xxgk.read import limits, load_path

    path = tmp_path / "report.txt"
    path.write_bytes((CORPUS / "pt001.txt").read_bytes())
    tracemalloc.start()
    try:
        data = load_path(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data == path.read_bytes()
    assert peak < 10 * len(data), peak

    # the file measured 100 bytes short of what it holds: it grew after it was measured
    def measured_short(real: Callable[..., os.stat_result]) -> Callable[..., os.stat_result]:
        def short(*args: object, **kwargs: object) -> os.stat_result:
            info = real(*args, **kwargs)
            return os.stat_result((*info[:6], info.st_size - 100, *info[7:]))

        return short

    for limit, whole in ((len(data) + 100, True), (len(data) - 50, False)):
        lowered = dataclasses.replace(limits.LIMITS, file_bytes=limit)
        with monkeypatch.context() as patch:
            patch.setattr(xxgk.read, "LIMITS", lowered)
            patch.setattr(limits, "LIMITS", lowered)
            patch.setattr(os, "stat", measured_short(os.stat))
            patch.setattr(os, "fstat", measured_short(os.fstat))
            if whole:
                assert load_path(path) == data
            else:
                with pytest.raises(InputError, match="grew"):
                    load_path(path)


@pytest.mark.parametrize("command", [["check"], ["parse", "--out", "out.jsonl"], ["ingest"]])
def test_an_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, command):
    # `xxgk check "$FILE"` with FILE unset: Path("") is "." and would read every file under it
    (tmp_path / "report.txt").write_text(WUXI.read_text(encoding="utf-8"), encoding="utf-8")
    result = run(*command, "", cwd=tmp_path)
    assert result.returncode == 2
    assert "an empty path; name a file or folder" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # nothing read, written or made


def test_ingesting_the_folder_that_holds_the_database_leaves_its_files_alone(tmp_path):
    # `cd reports; xxgk ingest .` makes ./xxgk.db (its journal, its lock) in the folder it reads:
    # those files are the store's, not reports that failed; named, a file is read as given
    (tmp_path / "report.txt").write_text(WUXI.read_text(encoding="utf-8"), encoding="utf-8")

    def ingest(*paths: str) -> subprocess.CompletedProcess[str]:
        return run("ingest", *paths, cwd=tmp_path, env={"XXGK_DB": ""})

    first = ingest(".")
    assert first.returncode == 0, first.stderr
    assert "stored 1 new" in first.stderr and "failed 0" in first.stderr
    assert (tmp_path / "xxgk.db").exists()
    again = ingest(".")
    assert again.returncode == 0, again.stderr
    assert "1 unchanged, failed 0" in again.stderr and "skipped" not in again.stderr
    named = ingest("xxgk.db")
    assert named.returncode == 2 and "xxgk.db: binary data" in named.stderr


def test_a_folder_or_a_huge_file_given_as_the_bodies_list_is_one_line(tmp_path):
    from xxgk.read.limits import LIMITS

    huge = tmp_path / "bodies.csv"
    with huge.open("wb") as handle:
        handle.truncate(LIMITS.file_bytes + 1)  # sparse: its size without the disk
    database = f"sqlite:///{tmp_path / 'x.db'}"
    for path, words in [(tmp_path, "a folder, not a file"), (huge, "over the limit of")]:
        result = run("bodies", "import", str(path), "--db", database)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"xxgk: error: {path}: "), result.stderr
        assert words in lines[0]


def test_checking_a_folder_with_no_files_is_said_not_passed(tmp_path):
    # a wrong folder, a copy that failed: `check` printed nothing and exited 0, as if all were well
    (tmp_path / "empty" / ".hidden").mkdir(parents=True)
    (tmp_path / "empty" / ".hidden" / "r.txt").write_bytes(WUXI.read_bytes())  # hidden: not read
    result = run("check", str(tmp_path / "empty"), str(WUXI))
    assert result.returncode == 2
    assert result.stderr == f"xxgk: error: {tmp_path / 'empty'}: no files in this folder\n"
    assert "河埒街道" in result.stdout  # the file named is checked all the same


def _xxgk(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "xxgk", *args]
    return subprocess.run(argv, input=stdin, capture_output=True, check=False)


def test_a_password_is_asked_on_a_terminal_or_read_as_utf8_text(tmp_path):
    # bytes not UTF-8 on stdin were a traceback; no terminal and no --password-stdin printed
    # getpass's warning and "Aborted." (before); neither makes the database
    db = ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    binary = _xxgk("user", "add", "carol", "--password-stdin", *db, stdin=bytes(range(128, 256)))
    assert binary.returncode == 2
    assert binary.stderr == b"xxgk: error: the password on stdin is not UTF-8 text\n"
    asked = _xxgk("user", "add", "alice", *db)
    assert asked.returncode == 2
    assert asked.stderr.decode() == (
        "xxgk: error: no terminal to ask the password on; give it on stdin with --password-stdin\n"
    )
    assert not (tmp_path / "x.db").exists()
    given = _xxgk("user", "add", "dave", "--password-stdin", *db, stdin="密码pässwörd\n".encode())
    assert given.returncode == 0, given.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["register", "monthly", "--body", "甲局", "--year", "-1"],
        ["register", "lock", "--body", "甲局", "--year", "0", "--by", "boss"],
        ["review", "--region", "x", "--year", "1999", "--out", "r.docx"],
        ["compile", "--body", "甲局", "--year", "10000", "--out", "r.docx"],
        ["serve", "--port", "70000"],
    ],
)
def test_a_year_or_a_port_out_of_range_is_refused_before_any_work(tmp_path, args):
    # register monthly --year -1 was a traceback (date out of range), review --year 1999 wrote a
    # review of a year before the reports began, a port past 65535 was uvicorn's traceback
    result = _xxgk(*args, "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2 and b"is not in the range" in result.stderr
    assert b"Traceback" not in result.stderr and not (tmp_path / "x.db").exists()


def test_serving_on_an_address_that_cannot_be_had_is_one_line_before_anything_starts(tmp_path):
    # a port in use, a host no resolver knows, an address not of this machine: uvicorn's own
    # log lines (started, startup complete, the error, shutdown) and exit 3, the store made (before)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cases = {
            ("127.0.0.1", port): "the port is in use (another server is on it: choose another with --port)",
            ("nosuchhost.invalid", port + 1): "no such address (",
            ("192.0.2.1", port + 1): "the address is not one of this machine's (see --host)",  # TEST-NET-1
        }
        for (host, at), reason in cases.items():
            result = _xxgk(
                "serve", "--host", host, "--port", str(at), "--db", f"sqlite:///{tmp_path / 'x.db'}"
            )
            line = f"xxgk: error: cannot serve on {host}:{at}: {reason}".encode()
            assert result.returncode == 2 and result.stderr.startswith(line), result.stderr
            assert result.stderr.count(b"\n") == 1 and not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("command", [["calendar", "import"], ["register", "import", "--body", "甲局"]])
def test_a_folder_given_for_a_file_to_import_is_called_a_folder(tmp_path, command):
    # "no such file" for a folder that is there (before) sent the user looking for a typo
    db = ["--db", f"sqlite:///{tmp_path / 'x.db'}"] if command[0] == "register" else []
    result = run(*command, str(tmp_path), *db, env={"XXGK_CALENDAR_DIR": str(tmp_path / "calendar")})
    assert (result.returncode, result.stderr) == (2, f"xxgk: error: {tmp_path}: a folder, not a file\n")
