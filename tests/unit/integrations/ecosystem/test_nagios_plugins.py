"""The Nagios check running the real Debian monitoring plugins against loopback targets."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from forewarn.integrations.nagios import NagiosCheck, NagiosConfig
from forewarn.integrations.process import ProcessRun, run_process
from forewarn.plugins.v1 import CheckContext, CheckOutcome, CheckStatus
from forewarn.testing.loopback import LoopbackHttpServer, LoopbackTcpServer

Locate = Callable[[str], str]


async def run(command: list[str], ctx: CheckContext, **params: object) -> CheckOutcome:
    check = NagiosCheck()
    return await check.run(check.parse_config({"command": command, **params}), ctx)


async def ended(pid: int, within: float = 5.0) -> bool:
    """True once `pid` is gone or a zombie (this container's init may never reap it)."""
    stat = Path(f"/proc/{pid}/stat")
    for _ in range(int(within / 0.02)):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        await asyncio.sleep(0.02)
    return False


def values(outcome: CheckOutcome) -> dict[str, float]:
    return {m.name: m.value for m in outcome.metrics}


async def test_check_tcp_up(nagios_plugin: Locate, make_ctx, make_tcp_server) -> None:
    server: LoopbackTcpServer = make_tcp_server()
    outcome = await run([nagios_plugin("check_tcp"), "-H", "127.0.0.1", "-p", str(server.port)], make_ctx())
    assert outcome.status == CheckStatus.OK, outcome.summary
    assert outcome.summary.startswith("TCP OK")
    assert "time" in values(outcome)
    assert {m.labels["plugin"] for m in outcome.metrics} == {"check_tcp"}


async def test_check_tcp_down(nagios_plugin: Locate, make_ctx, closed_port: int) -> None:
    outcome = await run([nagios_plugin("check_tcp"), "-H", "127.0.0.1", "-p", str(closed_port)], make_ctx())
    assert outcome.status == CheckStatus.CRITICAL
    assert "Connection refused" in outcome.summary


async def test_bare_plugin_names_and_host_macro(nagios_plugin: Locate, make_ctx, make_tcp_server) -> None:
    nagios_plugin("check_tcp")
    server = make_tcp_server()
    outcome = await run(["check_tcp", "-H", "$HOSTADDRESS$", "-p", str(server.port), "-t", "$TIMEOUT$"],
                        make_ctx(asset_address="127.0.0.1", timeout=3.0))
    assert outcome.status == CheckStatus.OK, outcome.summary


@pytest.mark.parametrize("address", [None, "", "-oProxyCommand=touch /tmp/pwned"])
async def test_host_macro_without_a_usable_address(make_ctx, address: str | None) -> None:
    outcome = await run(["check_tcp", "-H", "$HOSTADDRESS$"], make_ctx(asset_address=address))
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == "command uses $HOSTADDRESS$ but the asset has no usable address"


async def test_cancelling_the_check_kills_the_plugin(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    task = asyncio.ensure_future(run_process(
        ["/bin/sh", "-c", f"sleep 30 & echo $! > {pidfile}; wait"], {}, 30.0, 4096))
    for _ in range(200):  # wait (bounded) for the child to exist
        if pidfile.exists() and pidfile.read_text().strip():
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await ended(int(pidfile.read_text()))


async def test_check_http_ok_with_perfdata(nagios_plugin: Locate, make_ctx,
                                           http_server: LoopbackHttpServer) -> None:
    http_server.reply("/health", body="all healthy\n")
    outcome = await run([nagios_plugin("check_http"), "-H", "127.0.0.1", "-p", str(http_server.port),
                         "-u", "/health", "-s", "healthy"], make_ctx())
    assert outcome.status == CheckStatus.OK, outcome.summary
    assert outcome.summary.startswith("HTTP OK")
    metrics = {m.name: m for m in outcome.metrics}
    assert metrics["time"].unit == "s" and metrics["size"].unit == "B"
    assert metrics["size"].value > 0
    assert [r.path for r in http_server.requests] == ["/health"]


async def test_check_http_server_error_is_critical(nagios_plugin: Locate, make_ctx,
                                                   http_server: LoopbackHttpServer) -> None:
    http_server.reply("/", status=500, body="boom")
    outcome = await run([nagios_plugin("check_http"), "-H", "127.0.0.1", "-p", str(http_server.port)],
                        make_ctx())
    assert outcome.status == CheckStatus.CRITICAL
    assert "500" in outcome.summary


async def test_check_disk_root(nagios_plugin: Locate, make_ctx) -> None:
    outcome = await run([nagios_plugin("check_disk"), "-w", "10%", "-c", "5%", "-p", "/"], make_ctx())
    assert outcome.status in (CheckStatus.OK, CheckStatus.WARNING, CheckStatus.CRITICAL)
    assert outcome.summary.startswith("DISK ")
    metrics = {m.name: m for m in outcome.metrics}
    assert metrics["root"].labels["label"] == "/" and metrics["root"].unit in ("B", "MB")
    assert 0 < metrics["root"].value <= metrics["root_max"].value
    assert metrics["root_warn"].value < metrics["root_crit"].value <= metrics["root_max"].value


async def test_check_load(nagios_plugin: Locate, make_ctx) -> None:
    outcome = await run([nagios_plugin("check_load"), "-w", "500,400,300", "-c", "1000,800,600"], make_ctx())
    assert outcome.status == CheckStatus.OK, outcome.summary
    got = values(outcome)
    assert {"load1", "load5", "load15"} <= set(got)
    assert got["load1_warn"] == 500.0 and got["load15_crit"] == 600.0


async def test_plugin_usage_error_is_unknown(nagios_plugin: Locate, make_ctx) -> None:
    outcome = await run([nagios_plugin("check_load")], make_ctx())
    assert outcome.status == CheckStatus.UNKNOWN
    assert "check_load" in outcome.summary


async def test_timeout_kills_the_whole_process_group(make_ctx, tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = f"sleep 30 & echo $! > {pidfile}; echo 'started'; wait"
    outcome = await run(["/bin/sh", "-c", script], make_ctx(timeout=0.5))
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == "sh: plugin timed out after 0.5 s"
    assert await ended(int(pidfile.read_text()))


async def test_env_reaches_the_plugin_but_forewarns_does_not(make_ctx, monkeypatch) -> None:
    monkeypatch.setenv("FOREWARN_TEST_LEAK", "should-not-pass")
    script = 'echo "OK - $GREETING $TOKEN ${FOREWARN_TEST_LEAK:-clean} $LC_ALL|n=1"'
    outcome = await run(["/bin/sh", "-c", script], make_ctx(),
                        env={"GREETING": "hello"}, secret_env={"TOKEN": "s3cret"})
    assert outcome.summary == "OK - hello s3cret clean C"


async def test_missing_plugin_is_unknown(make_ctx, tmp_path: Path) -> None:
    outcome = await run([str(tmp_path / "check_nothing")], make_ctx())
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == f"cannot run {tmp_path / 'check_nothing'}: no such file or directory"


async def test_huge_output_is_bounded(make_ctx) -> None:
    # 8 MB of output against a 64 KiB bound: read and dropped, so the child never blocks
    script = "echo 'OK - lots|a=1'; head -c 8000000 /dev/zero | tr '\\0' 'x'; echo; echo '| b=2'"
    outcome = await run(["/bin/sh", "-c", script], make_ctx(timeout=10), max_output_bytes=65536)
    assert outcome.status == CheckStatus.OK
    assert outcome.summary == "OK - lots (output truncated at 65536 bytes)"
    assert [m.name for m in outcome.metrics] == ["a"]


async def test_killed_by_a_signal(make_ctx) -> None:
    outcome = await run(["/bin/sh", "-c", "echo 'partial'; kill -SEGV $$"], make_ctx())
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == "sh was killed by SIGSEGV: partial"


async def test_runner_seam_receives_the_resolved_argv(make_ctx) -> None:
    seen: list[tuple[list[str], dict[str, str], float, int]] = []

    async def fake(argv: list[str], env: dict[str, str], timeout: float, max_output: int) -> ProcessRun:
        seen.append((argv, dict(env), timeout, max_output))
        return ProcessRun(1, b"WARNING - fake|x=5")

    check = NagiosCheck(runner=fake)
    cfg = NagiosConfig(command=["/opt/check_fake", "$HOSTADDRESS$"], env={"A": "1"})
    outcome = await check.run(cfg, make_ctx(asset_address="10.0.0.5", timeout=4.0))
    assert outcome.status == CheckStatus.WARNING and values(outcome) == {"x": 5.0}
    assert seen == [(["/opt/check_fake", "10.0.0.5"], {"A": "1"}, 4.0, 65536)]
    assert os.path.basename(seen[0][0][0]) == "check_fake"


@pytest.mark.parametrize("code", [0, 1, 2, 3])
async def test_check_dummy_statuses(nagios_plugin: Locate, make_ctx, code: int) -> None:
    outcome = await run([nagios_plugin("check_dummy"), str(code), "said so"], make_ctx())
    assert outcome.status == CheckStatus(code)
    assert outcome.summary.endswith("said so")
