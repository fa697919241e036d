"""HTTP check against a loopback HTTP(S) server: status, body text, redirects, TLS, timeouts."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from forewarn.integrations.http import HttpCheck, HttpConfig
from forewarn.integrations.http.config import parse_status_ranges
from forewarn.integrations.http.probe import HttpExchange
from forewarn.integrations.http.result import evaluate
from forewarn.plugins.v1 import CheckStatus

TIMEOUT = 0.5  # seconds: short keeps the timeout cases fast, still ample on loopback


def metrics(outcome) -> dict[str, float]:
    return {m.name: m.value for m in outcome.metrics}


async def test_ok_page_reports_status_latency_and_size(make_ctx, http_server) -> None:
    http_server.reply("/health", body="all good")

    outcome = await HttpCheck().run(HttpConfig(url=http_server.url("/health")), make_ctx())

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith("HTTP 200 OK in ")
    values = metrics(outcome)
    assert values["status_code"] == 200 and values["body_bytes"] == len("all good")
    assert values["response_ms"] > 0


async def test_server_error_is_critical_with_the_expected_codes(make_ctx, http_server) -> None:
    http_server.reply("/", status=503, body="maintenance")

    outcome = await HttpCheck().run(HttpConfig(url=http_server.url()), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary.startswith("HTTP 503 Service Unavailable in ")
    assert outcome.summary.endswith("; expected 200-399")
    assert metrics(outcome)["status_code"] == 503


async def test_custom_expected_status_accepts_a_404(make_ctx, http_server) -> None:
    config = HttpConfig(url=http_server.url("/gone"), expected_status="200,404")

    outcome = await HttpCheck().run(config, make_ctx())

    assert outcome.status is CheckStatus.OK
    assert outcome.summary.startswith("HTTP 404 Not Found")


async def test_expected_text_found_and_missing(make_ctx, http_server) -> None:
    http_server.reply("/", body="<h1>Welcome to the shop</h1>")

    found = await HttpCheck().run(HttpConfig(url=http_server.url(), expect_text="Welcome"), make_ctx())
    missing = await HttpCheck().run(HttpConfig(url=http_server.url(), expect_text="Checkout"), make_ctx())

    assert found.status is CheckStatus.OK
    assert missing.status is CheckStatus.CRITICAL
    assert missing.summary.endswith("; expected text 'Checkout' not found in the body")


async def test_redirect_is_followed_to_the_final_page(make_ctx, http_server) -> None:
    http_server.redirect("/old", "/new", status=301)
    http_server.reply("/new", body="moved here")

    outcome = await HttpCheck().run(HttpConfig(url=http_server.url("/old"), expect_text="moved"), make_ctx())

    assert outcome.status is CheckStatus.OK
    assert f"after 1 redirect(s) to {http_server.url('/new')}" in outcome.summary
    assert [r.path for r in http_server.requests] == ["/old", "/new"]


async def test_redirect_not_followed_is_judged_on_the_redirect_itself(make_ctx, http_server) -> None:
    http_server.redirect("/old", "/new")
    accepts_3xx = HttpConfig(url=http_server.url("/old"), follow_redirects=False)
    wants_200 = HttpConfig(url=http_server.url("/old"), follow_redirects=False, expected_status="200")

    lenient = await HttpCheck().run(accepts_3xx, make_ctx())
    strict = await HttpCheck().run(wants_200, make_ctx())

    assert lenient.status is CheckStatus.OK
    assert "HTTP 302 Found" in lenient.summary and "(redirect to /new, not followed)" in lenient.summary
    assert strict.status is CheckStatus.CRITICAL
    assert [r.path for r in http_server.requests] == ["/old", "/old"]


async def test_redirect_loop_stops_at_max_redirects(make_ctx, http_server) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")

    outcome = await HttpCheck().run(HttpConfig(url=http_server.url("/a"), max_redirects=3), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"more than 3 redirects starting at {http_server.url('/a')}"


async def test_connection_refused_is_critical(make_ctx, closed_port) -> None:
    url = f"http://127.0.0.1:{closed_port}/"

    outcome = await HttpCheck().run(HttpConfig(url=url), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.CRITICAL, f"connection refused to {url}")


async def test_slow_server_times_out(make_ctx, http_server) -> None:
    http_server.reply("/slow", delay=30)

    outcome = await HttpCheck().run(HttpConfig(url=http_server.url("/slow")), make_ctx(timeout=TIMEOUT))

    assert outcome.status is CheckStatus.CRITICAL
    assert outcome.summary == f"no response from {http_server.url('/slow')} within {TIMEOUT:g} s"


async def test_target_down_then_back_on_the_same_url(make_ctx, http_server) -> None:
    config = HttpConfig(url=http_server.url())

    http_server.stop()
    down = await HttpCheck().run(config, make_ctx())
    http_server.start()
    up = await HttpCheck().run(config, make_ctx())

    assert down.summary.startswith("connection refused")
    assert up.status is CheckStatus.OK


async def test_url_is_built_from_the_asset_address(make_ctx, http_server) -> None:
    http_server.reply("/status", body="up")
    config = HttpConfig(port=http_server.port, path="/status")

    outcome = await HttpCheck().run(config, make_ctx(asset_address="127.0.0.1"))

    assert outcome.status is CheckStatus.OK
    assert http_server.requests[-1].path == "/status"


async def test_no_url_and_no_asset_address_is_unknown(make_ctx) -> None:
    outcome = await HttpCheck().run(HttpConfig(), make_ctx())

    assert (outcome.status, outcome.summary) == (CheckStatus.UNKNOWN, "no url or host configured")


async def test_headers_secret_headers_and_basic_auth_are_sent(make_ctx, http_server) -> None:
    config = HttpConfig(
        url=http_server.url(),
        headers={"X-Tenant": "acme"},
        secret_headers={"X-Api-Key": "s3cr3t"},
        username="monitor",
        password="hunter2",
    )

    await HttpCheck().run(config, make_ctx())

    sent = http_server.requests[-1].headers
    assert sent["X-Tenant"] == "acme" and sent["X-Api-Key"] == "s3cr3t"
    assert sent["Authorization"] == "Basic " + base64.b64encode(b"monitor:hunter2").decode()


async def test_head_request_reads_no_body(make_ctx, http_server) -> None:
    outcome = await HttpCheck().run(HttpConfig(url=http_server.url(), method="HEAD"), make_ctx())

    assert outcome.status is CheckStatus.OK
    assert metrics(outcome)["body_bytes"] == 0
    assert http_server.requests[-1].method == "HEAD"


async def test_body_is_read_only_up_to_the_limit(make_ctx, http_server) -> None:
    http_server.reply("/big", body=b"x" * 100_000 + b"needle")
    config = HttpConfig(url=http_server.url("/big"), max_body_bytes=10_000, expect_text="needle")

    outcome = await HttpCheck().run(config, make_ctx())

    assert metrics(outcome)["body_bytes"] < 100_000
    assert outcome.status is CheckStatus.CRITICAL  # the needle lies past the limit


async def test_https_trusted_through_ca_file(make_ctx, make_https_server) -> None:
    server = make_https_server(hostnames=("localhost", "127.0.0.1"))

    outcome = await HttpCheck().run(HttpConfig(url=server.url(), ca_file=server.ca_file), make_ctx())

    assert outcome.status is CheckStatus.OK, outcome.summary


async def test_https_with_an_unknown_ca_is_critical_unless_verification_is_off(
    make_ctx, make_https_server
) -> None:
    server = make_https_server(hostnames=("127.0.0.1",))

    verified = await HttpCheck().run(HttpConfig(url=server.url()), make_ctx())
    unverified = await HttpCheck().run(HttpConfig(url=server.url(), verify_tls=False), make_ctx())

    assert verified.status is CheckStatus.CRITICAL
    assert verified.summary == (
        f"TLS certificate of {server.url()} not accepted: unable to get local issuer certificate"
    )
    assert unverified.status is CheckStatus.OK


async def test_https_certificate_for_another_host_is_critical(make_ctx, make_https_server) -> None:
    server = make_https_server(hostnames=("www.example.test",))

    outcome = await HttpCheck().run(HttpConfig(url=server.url(), ca_file=server.ca_file), make_ctx())

    assert outcome.status is CheckStatus.CRITICAL
    assert "not accepted: IP address mismatch" in outcome.summary


async def test_unreadable_ca_file_is_unknown(make_ctx, tmp_path) -> None:
    missing = tmp_path / "nope.pem"

    outcome = await HttpCheck().run(HttpConfig(url="https://127.0.0.1/", ca_file=str(missing)), make_ctx())

    assert outcome.status is CheckStatus.UNKNOWN
    assert outcome.summary.startswith(f"cannot load ca_file {missing}")


def test_evaluate_docstring_example() -> None:
    exchange = HttpExchange(200, "OK", 12.0, b"hello", 5, "http://127.0.0.1:8081/")

    outcome = evaluate(exchange, "200-399", None)

    assert (outcome.status, outcome.summary) == (CheckStatus.OK, "HTTP 200 OK in 12 ms")


def test_status_ranges_parse_and_explain_mistakes() -> None:
    assert parse_status_ranges("200-299, 301,404") == ((200, 299), (301, 301), (404, 404))
    with pytest.raises(ValueError, match="'2xx' is not a status code or range"):
        parse_status_ranges("2xx")
    with pytest.raises(ValueError, match="'399-200' must be codes between 100 and 599"):
        parse_status_ranges("399-200")


def test_config_errors_name_the_field() -> None:
    with pytest.raises(ValidationError, match=r"expected_status\n  Value error, 'ok'"):
        HttpConfig(expected_status="ok")
    with pytest.raises(ValidationError, match=r"url\n  Value error, url must start with http"):
        HttpConfig(url="ftp://127.0.0.1/")
    with pytest.raises(ValidationError, match=r"timeout\n  Extra inputs are not permitted"):
        HttpConfig(url="http://127.0.0.1/", timeout=3)


def test_redacted_hides_secret_headers_and_password_only() -> None:
    config = HttpConfig(
        url="http://127.0.0.1/",
        headers={"X-Tenant": "acme"},
        secret_headers={"Authorization": "Bearer abc"},
        username="monitor",
        password="hunter2",
    )

    shown = config.redacted()

    assert shown["secret_headers"] == "********" and shown["password"] == "********"
    assert shown["headers"] == {"X-Tenant": "acme"} and shown["username"] == "monitor"
    assert "Bearer abc" not in repr(shown) and "hunter2" not in repr(shown)
