"""mypy's strict rules reach every services and selectors module, whether a module or a
package (``governance/services/votes.py`` as much as ``health/services.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]

UNTYPED = "def rule(value):\n    return value\n"


@pytest.mark.parametrize(
    ("path", "strict"),
    [
        ("someapp/services/rules.py", True),
        ("someapp/services.py", True),
        ("someapp/selectors/reads.py", True),
        ("someapp/views.py", False),
    ],
)
def test_untyped_functions_fail_only_in_services_and_selectors(tmp_path, path, strict):
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    for package in {target.parent, tmp_path / "someapp"}:
        (package / "__init__.py").touch()
    target.write_text(UNTYPED)

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPOSITORY / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            path,
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = result.stdout + result.stderr
    assert ("Function is missing a type annotation" in output) is strict, output
