"""Layout is ruff format's: no source file opts out of it with ``# fmt: skip`` (or turns
it off), so one formatter decides every line (CONTRIBUTING.md)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
OPT_OUT = re.compile(r"#\s*fmt:\s*(skip|off)\b")


def tracked_python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    this = Path(__file__).resolve()
    return [
        REPOSITORY / name
        for name in listed
        if "/migrations/" not in name and (REPOSITORY / name).resolve() != this
    ]


def test_no_source_file_opts_out_of_the_formatter():
    files = tracked_python_files()
    offenders = [
        f"{path.relative_to(REPOSITORY)}:{number}"
        for path in files
        if path.exists()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OPT_OUT.search(line)
    ]

    assert len(files) > 100  # it looked at the project
    assert offenders == [], "remove '# fmt: skip' / '# fmt: off' and run `make format`"
