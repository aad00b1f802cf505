"""make run prints the URL only once the site answers, with one line per ready process."""

import io
import socket

import pytest
from django.core.management import call_command

from health.services.heartbeats import heartbeat_record


@pytest.mark.django_db(transaction=True)
def test_each_ready_process_gets_a_line_then_the_url(live_server):
    heartbeat_record(hostname="worker@test", region="local")
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "announce_when_ready",
        url=live_server.url,
        processes="web worker",
        timeout=30,
        exit=True,
        stdout=out,
        stderr=err,
    )

    lines = out.getvalue().splitlines()
    assert f"ready: web server answers at {live_server.url}/" in lines
    assert "ready: worker is running tasks (heartbeat recorded)" in lines
    assert (
        lines.index(
            f"  Connector Hub: {live_server.url}/   (API docs: {live_server.url}/api/docs/)"
        )
        > 1
    )
    assert err.getvalue() == ""


@pytest.mark.django_db
def test_a_process_that_never_answers_is_named_after_the_timeout():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "announce_when_ready",
        url=f"http://127.0.0.1:{port}/",
        processes="web",
        timeout=1,
        exit=True,
        stdout=out,
        stderr=err,
    )

    assert "not ready after 1 s: web" in err.getvalue()
    assert "ready: web" not in out.getvalue()
