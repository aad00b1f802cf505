"""Starting Django (every management command, every Celery process) does not import web3:
it costs about a second of CPU, and only what reads the chain needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import django
django.setup()
from django.core.management import get_commands
get_commands()
heavy = sorted(name for name in ("web3", "aiohttp", "eth_tester") if name in sys.modules)
print(",".join(heavy))
"""


def test_setting_up_django_imports_no_web3():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPOSITORY,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert result.stdout.strip() == "", f"imported at start-up: {result.stdout.strip()}"
