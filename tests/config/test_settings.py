"""Production settings: hardened, and they refuse to start without their real parts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-for-checks" + "y" * 10,
    "DJANGO_ALLOWED_HOSTS": "hub.example.org",
    "DATABASE_URL": "postgres://hub@db.example.org:5432/connector_hub",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "ETH_RPC_URL": "https://rpc.example.org",
    # Shared by every web process, so the API rate limit holds (core.W001 otherwise).
    "CACHE_URL": "redis://redis.example.org:6379/1",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    leaks = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_DEBUG", "NUM_PROXIES"}
    clean = {k: v for k, v in os.environ.items() if k not in leaks}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_deploy_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_the_rate_limit_cache_is_per_process():
    # given production without CACHE_URL (each process's own memory)
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}

    # when the deployment checks run
    result = run_manage("check", "--deploy", env=env)

    # then they pass with a warning that names the fix
    assert result.returncode == 0, result.stderr
    assert "core.W001" in result.stderr
    assert "CACHE_URL" in result.stderr


def test_negative_num_proxies_fails_clearly():
    result = run_manage("check", env={**PRODUCTION_ENV, "NUM_PROXIES": "-1"})

    assert result.returncode != 0
    assert "NUM_PROXIES=-1" in result.stderr


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ETH_RPC_URL"]
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_malformed_boolean_setting_fails_clearly():
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "maybe" in result.stderr


def test_collected_js_modules_import_each_other_by_hashed_name(tmp_path):
    # given the production static storage
    env = {**PRODUCTION_ENV, "DJANGO_STATIC_ROOT": str(tmp_path)}

    # when the static files are collected
    result = run_manage("collectstatic", "--noinput", "-v", "0", env=env)

    # then a page module imports the shared wallet module under its hashed, cacheable name
    assert result.returncode == 0, result.stderr
    [vote] = (tmp_path / "js").glob("vote.*.js")
    [shared] = (tmp_path / "js").glob("ethereum.*.js")
    assert f'from "./{shared.name}"' in vote.read_text()
