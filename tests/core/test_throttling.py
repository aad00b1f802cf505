"""The anonymous API rate limit counts each client once, whatever it writes in
X-Forwarded-For, and in one count shared by every process when the cache is Redis."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.checks import Warning as CheckWarning
from django.test import RequestFactory
from rest_framework.views import APIView

from core import checks
from core.throttling import AnonRateThrottle, client_ip
from tests.celery_worker import _database_url, database_is_shared

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/exchanges/"
LIMIT = 3


@pytest.fixture
def throttled(monkeypatch, db):  # type: ignore[no-untyped-def]
    """The production throttle (the test settings turn it off) at LIMIT requests a minute,
    counting in a clean default cache."""
    monkeypatch.setattr(APIView, "throttle_classes", [AnonRateThrottle])
    monkeypatch.setattr(AnonRateThrottle, "rate", f"{LIMIT}/min", raising=False)
    cache.clear()
    yield
    cache.clear()


def statuses(client, n: int, **headers) -> list[int]:  # type: ignore[no-untyped-def]
    return [client.get(URL, **headers).status_code for _ in range(n)]


def test_limit_holds_for_one_client(client, throttled):
    assert statuses(client, LIMIT + 2) == [200] * LIMIT + [429, 429]


def test_a_made_up_forwarded_for_does_not_reset_the_count(client, throttled):
    # given NUM_PROXIES = 0 (the default): nothing in front of the site to trust
    # when every request claims another address
    answers = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(LIMIT + 2)
    ]

    # then they are counted as the one client they are
    assert answers == [200] * LIMIT + [429, 429]


def test_behind_a_proxy_the_address_it_appended_is_counted(client, throttled, settings):
    # given one reverse proxy, which appends the address it saw
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    # when one client writes a different made-up address before it every time
    answers = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.7").status_code
        for n in range(LIMIT + 1)
    ]

    # then it is counted by the proxy's address for it, and another client is not
    assert answers == [200] * LIMIT + [429]
    assert client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_client_ip_follows_num_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.1.1.1, 198.51.100.7"
    )
    assert client_ip(request) == "192.0.2.1"

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(request) == "198.51.100.7"

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}
    assert client_ip(request) == "10.1.1.1"


def test_client_ip_is_the_peer_when_the_header_holds_no_address(settings):
    # NUM_PROXIES larger than the proxies in front: the client wrote the whole header
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="x' OR 1")

    assert client_ip(request) == "192.0.2.1"


# --- a shared count -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "warned"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.dummy.DummyCache", True),
        ("django.core.cache.backends.redis.RedisCache", False),
    ],
)
def test_deploy_check_warns_when_the_cache_is_not_shared(settings, backend, warned):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/1"}}

    messages = checks.throttle_cache_is_shared()

    assert bool(messages) is warned
    assert all(isinstance(m, CheckWarning) and m.id == "core.W001" for m in messages)


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

# Each process: the production settings (throttle on) with CACHE_URL naming Redis; a few
# anonymous requests through Django's test client; prints the statuses it got.
CLIENT_PROCESS = """
import json, sys
import django
django.setup()
from django.test import Client
url, count, address = sys.argv[1], int(sys.argv[2]), sys.argv[3]
client = Client(REMOTE_ADDR=address)
print(json.dumps([client.get(url, secure=True).status_code for _ in range(count)]))
"""


def redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.mark.integration
def test_two_processes_sharing_redis_share_one_count(db):
    if not database_is_shared():
        pytest.skip("needs PostgreSQL (set DATABASE_URL) so the processes see the test database")
    if not redis_is_up():
        pytest.skip(f"needs Redis at {REDIS_URL} (set TEST_REDIS_URL)")

    # given two web processes whose cache is the same Redis, with a limit of 5 a minute,
    # and a client address of this test's own (other runs may share the Redis database)
    address = str(ipaddress.IPv6Address(uuid.uuid4().int))
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-test-only-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "ETH_RPC_URL": "http://127.0.0.1:8545",
        "CACHE_URL": REDIS_URL,
        "API_ANON_RATE": "5/min",
    }

    def run(requests: int) -> list[int]:
        result = subprocess.run(
            [sys.executable, "-c", CLIENT_PROCESS, URL, str(requests), address],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    try:
        # when one process answers 4 requests and then the other 4
        first, second = run(4), run(4)
    finally:
        import redis

        redis.Redis.from_url(REDIS_URL).delete(f":1:throttle_anon_{address}")

    # then the second process goes on from the first's count: 5 pass in all, not 8
    assert first == [200, 200, 200, 200]
    assert second == [200, 429, 429, 429]
