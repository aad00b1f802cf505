"""How much CPU a management command costs to start, against importing Django alone.

``manage.py help`` loads settings, every app (models, admin, providers) and the command list:
what every management command and every Celery process pays before doing anything. The goal
(issue 15) is under 1.5 s of CPU on the embedded defaults; the ratio to ``import django``,
measured in the same run, tells regressions apart from a slow machine.

    .venv/bin/python -m bench.startup [--runs 7] [--settings config.settings.local]

CPU is user + system time of the child process (``resource.getrusage``), the median of
``--runs``; the load average is printed beside it (run on an otherwise idle machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 1.5


def cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_cpu(command: list[str], env: dict[str, str], runs: int) -> float:
    cpu_seconds(command, env)  # warm the file cache and .pyc files
    return statistics.median(cpu_seconds(command, env) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--settings", default="config.settings.local")
    args = parser.parse_args()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": args.settings}
    baseline = median_cpu([sys.executable, "-c", "import django"], env, args.runs)
    help_cpu = median_cpu([sys.executable, "manage.py", "help"], env, args.runs)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}  (median of {args.runs} runs)")
    print(f"python -c 'import django'   {baseline:6.3f} s CPU")
    print(f"manage.py help              {help_cpu:6.3f} s CPU  ({help_cpu / baseline:.1f}x)")
    verdict = "met" if help_cpu < GOAL_SECONDS else "MISSED"
    print(f"goal: manage.py help under {GOAL_SECONDS} s of CPU: {verdict}")
    return 0 if help_cpu < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
