"""The Makefile's setup step, run with a stand-in for python that makes a stand-in virtualenv."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# `python -m venv DIR` writes DIR/bin/python (which "imports xxgk": exits 0) and DIR/bin/pip, and
# logs each virtualenv made
FAKE_PYTHON = """#!/bin/sh
echo "$@" >> "$LOG"
mkdir -p "$3/bin"
printf '#!/bin/sh\\nexit 0\\n' > "$3/bin/python"
printf '#!/bin/sh\\nexit 0\\n' > "$3/bin/pip"
chmod +x "$3/bin/python" "$3/bin/pip"
"""


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_a_broken_venv_is_rebuilt_and_a_sound_one_kept(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    log = tmp_path / "made.log"
    _script(tmp_path / "fake-python", FAKE_PYTHON)

    def setup() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", "setup", f"PYTHON={tmp_path / 'fake-python'}"],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "LOG": str(log)},
            capture_output=True,
            text=True,
            check=True,
        )

    def made() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0

    setup()
    assert made() == 1 and (tmp_path / ".venv/.installed").exists()
    setup()
    assert made() == 1  # sound and up to date: left alone
    _script(tmp_path / ".venv/bin/python", "#!/bin/sh\nexit 1\n")  # e.g. its interpreter is gone
    run = setup()
    assert made() == 2 and "broken" in run.stderr
    assert subprocess.run([tmp_path / ".venv/bin/python"]).returncode == 0
