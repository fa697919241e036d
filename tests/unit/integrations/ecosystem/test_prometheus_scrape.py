"""The Prometheus check scraping real endpoints: fixture scrapes on a loopback server and node_exporter."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forewarn.core.clock import FakeClock
from forewarn.integrations.prometheus import PrometheusCheck
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckStatus, MetricPoint
from forewarn.testing.loopback import LoopbackHttpServer

TEXT = {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
OPENMETRICS = {"Content-Type": "application/openmetrics-text; version=1.0.0; charset=utf-8"}
COUNTERS = """# TYPE jobs_total counter
jobs_total{queue="a"} 100
jobs_total{queue="b"} 10
# TYPE depth gauge
depth{queue="a"} 4
"""


async def scrape(check: PrometheusCheck, ctx: CheckContext, **params: object) -> CheckOutcome:
    return await check.run(check.parse_config(params), ctx)


def points(outcome: CheckOutcome, name: str) -> list[MetricPoint]:
    return [m for m in outcome.metrics if m.name == name]


@pytest.fixture
def fake_ctx(make_ctx) -> CheckContext:
    return make_ctx(clock=FakeClock())


async def test_fixture_scrape_gauges_now_counter_rates_next_time(
    fixtures_dir: Path, http_server: LoopbackHttpServer, fake_ctx: CheckContext
) -> None:
    text = (fixtures_dir / "node_exporter" / "e2e-output.txt").read_text()
    http_server.reply("/metrics", body=text, headers=TEXT)
    check = PrometheusCheck()
    params = {"url": http_server.url("/metrics"), "include": ["node_cpu_seconds_total", "node_memory_*"]}
    first = await scrape(check, fake_ctx, **params)
    assert first.status == CheckStatus.OK, first.summary
    assert first.summary.startswith(f"3027 series from {http_server.url('/metrics')} in ")
    assert "counters get a rate from the next scrape" in first.summary
    free = points(first, "node_memory_MemFree_bytes")
    assert [(m.value, m.unit, m.labels) for m in free] == [(2.30883328e+08, "B", {})]
    assert not points(first, "node_cpu_seconds_per_second")

    idle = 'node_cpu_seconds_total{cpu="0",mode="idle"} 10870.69'
    assert idle in text
    http_server.reply("/metrics", body=text.replace(idle, idle.replace("10870.69", "10880.69")), headers=TEXT)
    fake_ctx.clock.advance(20.0)  # type: ignore[attr-defined]
    second = await scrape(check, fake_ctx, **params)
    rates = {(m.labels["cpu"], m.labels["mode"]): m for m in points(second, "node_cpu_seconds_per_second")}
    assert rates[("0", "idle")].value == pytest.approx(0.5)
    assert rates[("0", "idle")].unit == "s/s"
    assert rates[("0", "iowait")].value == 0.0
    assert "rates" in second.summary and "next scrape" not in second.summary


@pytest.mark.parametrize("name", ["e2e-output-darwin.txt", "e2e-output-freebsd.txt"])
async def test_other_os_fixture_scrapes(fixtures_dir: Path, http_server: LoopbackHttpServer,
                                        fake_ctx: CheckContext, name: str) -> None:
    http_server.reply("/metrics", body=(fixtures_dir / "node_exporter" / name).read_bytes(), headers=TEXT)
    outcome = await scrape(PrometheusCheck(), fake_ctx, url=http_server.url("/metrics"))
    assert outcome.status == CheckStatus.OK, outcome.summary
    assert points(outcome, "scrape_series")[0].value > 100


async def test_counter_reset_between_scrapes(http_server: LoopbackHttpServer, fake_ctx: CheckContext) -> None:
    check = PrometheusCheck()
    http_server.reply("/metrics", body=COUNTERS, headers=TEXT)
    await scrape(check, fake_ctx, url=http_server.url("/metrics"))
    http_server.reply("/metrics", body=COUNTERS.replace("100", "30").replace("} 10\n", "} 20\n"), headers=TEXT)
    fake_ctx.clock.advance(10.0)  # type: ignore[attr-defined]
    outcome = await scrape(check, fake_ctx, url=http_server.url("/metrics"))
    rates = {m.labels["queue"]: m.value for m in points(outcome, "jobs_per_second")}
    assert rates == {"a": 3.0, "b": 1.0}  # a restarted and counted to 30; b grew by 10
    assert "(1 counters were reset)" in outcome.summary
    assert [m.value for m in points(outcome, "depth")] == [4.0]


async def test_rates_are_kept_per_config(http_server: LoopbackHttpServer, fake_ctx: CheckContext) -> None:
    check = PrometheusCheck()
    http_server.reply("/metrics", body=COUNTERS, headers=TEXT)
    await scrape(check, fake_ctx, url=http_server.url("/metrics"))
    fake_ctx.clock.advance(10.0)  # type: ignore[attr-defined]
    other = await scrape(check, fake_ctx, url=http_server.url("/metrics"), match_labels={"queue": "a"})
    assert not points(other, "jobs_per_second")  # a different selection starts its own history


async def test_label_matchers_and_max_series(http_server: LoopbackHttpServer, fake_ctx: CheckContext) -> None:
    http_server.reply("/metrics", body=COUNTERS, headers=TEXT)
    url = http_server.url("/metrics")
    only_b = await scrape(PrometheusCheck(), fake_ctx, url=url, match_labels={"queue": "b"})
    assert "reporting 0 gauges, 0 rates (1 counters" in only_b.summary
    bounded = await scrape(PrometheusCheck(), fake_ctx, url=url, max_series=1)
    assert "(only the first 1 of 3 matching series" in bounded.summary


async def test_nothing_selected_is_unknown(http_server: LoopbackHttpServer, fake_ctx: CheckContext) -> None:
    http_server.reply("/metrics", body=COUNTERS, headers=TEXT)
    outcome = await scrape(PrometheusCheck(), fake_ctx, url=http_server.url("/metrics"), include=["nope_*"])
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary.endswith("none matched include ['nope_*']")


async def test_malformed_exposition_is_unknown(http_server: LoopbackHttpServer, fake_ctx: CheckContext) -> None:
    http_server.reply("/metrics", body="up 1\nbroken{a=b} 1\n", headers=TEXT)
    outcome = await scrape(PrometheusCheck(), fake_ctx, url=http_server.url("/metrics"))
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == (f"malformed exposition from {http_server.url('/metrics')}: "
                               "line 2: 'broken{a=b} 1': Invalid labels: a=b")


async def test_content_type_selects_the_openmetrics_parser(http_server: LoopbackHttpServer,
                                                           fake_ctx: CheckContext) -> None:
    body = "# TYPE up gauge\nup 1\n"
    http_server.reply("/om", body=body, headers=OPENMETRICS)
    http_server.reply("/text", body=body, headers=TEXT)
    check = PrometheusCheck()
    assert (await scrape(check, fake_ctx, url=http_server.url("/text"))).status == CheckStatus.OK
    missing_eof = await scrape(check, fake_ctx, url=http_server.url("/om"), prefer_openmetrics=True)
    assert missing_eof.status == CheckStatus.UNKNOWN and "malformed exposition" in missing_eof.summary
    http_server.reply("/om", body=body + "# EOF\n", headers=OPENMETRICS)
    ok = await scrape(check, fake_ctx, url=http_server.url("/om"), prefer_openmetrics=True)
    assert ok.status == CheckStatus.OK and [m.value for m in points(ok, "up")] == [1.0]
    assert http_server.requests[-1].headers["Accept"].startswith("application/openmetrics-text")


async def test_a_scrape_over_the_bound_is_unknown(http_server: LoopbackHttpServer, fake_ctx: CheckContext) -> None:
    ten_mb = 10 * 1024 * 1024
    http_server.reply("/metrics", body=b"x 1\n" * (ten_mb // 4 + 1), headers=TEXT)
    outcome = await scrape(PrometheusCheck(), fake_ctx, url=http_server.url("/metrics"))
    assert outcome.status == CheckStatus.UNKNOWN
    assert f"larger than max_scrape_bytes {ten_mb} (announced {ten_mb + 4} bytes)" in outcome.summary


async def test_an_endless_stream_is_cut_at_the_bound(fake_ctx: CheckContext) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while True:  # no Content-Length and no end: only the bound stops the reader
            sent += 65536
            yield b"# filler\n" * 7281 + b"x 1\n"

    def transport() -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(lambda request: httpx.Response(200, headers=TEXT, content=endless()))

    outcome = await scrape(PrometheusCheck(transport=transport), fake_ctx,
                           url="http://exporter.test/metrics", max_scrape_bytes=1_048_576)
    assert outcome.status == CheckStatus.UNKNOWN
    assert "larger than max_scrape_bytes 1048576; stopped reading" in outcome.summary
    assert sent < 2 * 1_048_576


async def test_the_bound_applies_after_decompression(fake_ctx: CheckContext) -> None:
    bomb = gzip.compress(b"x 1\n" * 1_000_000)  # 4 MB of text in a few KB

    def transport() -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(lambda request: httpx.Response(
            200, headers={**TEXT, "Content-Encoding": "gzip"}, content=bomb))

    outcome = await scrape(PrometheusCheck(transport=transport), fake_ctx,
                           url="http://exporter.test/metrics", max_scrape_bytes=1_048_576)
    assert outcome.status == CheckStatus.UNKNOWN and "max_scrape_bytes" in outcome.summary


async def test_http_error_refused_and_timeout_are_critical(
    http_server: LoopbackHttpServer, make_ctx, closed_port: int
) -> None:
    http_server.reply("/metrics", status=503, body="down")
    check = PrometheusCheck()
    down = await scrape(check, make_ctx(), url=http_server.url("/metrics"))
    assert (down.status, down.summary) == (CheckStatus.CRITICAL,
                                           f"scrape of {http_server.url('/metrics')} answered HTTP 503")
    refused = await scrape(check, make_ctx(), url=f"http://127.0.0.1:{closed_port}/metrics")
    assert refused.status == CheckStatus.CRITICAL and refused.summary.startswith("connection refused to")
    http_server.reply("/slow", body="up 1\n", delay=2.0)
    slow = await scrape(check, make_ctx(timeout=0.3), url=http_server.url("/slow"))
    assert slow.status == CheckStatus.CRITICAL and "within 0.3 s" in slow.summary


async def test_url_from_the_asset_address_and_bearer_token(http_server: LoopbackHttpServer, make_ctx) -> None:
    http_server.reply("/metrics", body="up 1\n", headers=TEXT)
    check = PrometheusCheck()
    cfg = check.parse_config({"port": http_server.port, "bearer_token": "t0ken"})
    outcome = await check.run(cfg, make_ctx(asset_address="127.0.0.1"))
    assert outcome.status == CheckStatus.OK
    assert http_server.requests[-1].headers["Authorization"] == "Bearer t0ken"
    assert cfg.redacted()["bearer_token"] == "********"
    assert (await check.run(cfg, make_ctx())).status == CheckStatus.UNKNOWN


async def test_real_node_exporter(node_exporter: str, make_ctx) -> None:
    check = PrometheusCheck()
    params = {"url": node_exporter, "include": ["node_cpu_seconds_total", "node_load*", "node_memory_MemTotal*"],
              "match_labels": {"mode": "?*"}}
    first = await scrape(check, make_ctx(timeout=5.0), **{**params, "match_labels": {}})
    assert first.status == CheckStatus.OK, first.summary
    assert points(first, "node_load1") and points(first, "node_memory_MemTotal_bytes")[0].value > 0
    assert points(first, "scrape_series")[0].value > 100

    ctx = make_ctx(timeout=5.0)
    await scrape(check, ctx, **params)
    second = await scrape(check, ctx, **params)
    rates = points(second, "node_cpu_seconds_per_second")
    assert rates, second.summary
    assert all(r.value >= 0 and r.unit == "s/s" and {"cpu", "mode"} <= set(r.labels) for r in rates)
    assert not points(second, "node_load1")  # node_load1 has no mode label; '?*' wants a non-empty one
