"""Real SNMP agents on 127.0.0.1 for the SNMP check tests: Debian's snmpd and snmpsim replays.

snmpd runs with a generated configuration (a v2c community, v3 users) and its own persistent
directory; snmpsim replays the recorded devices in shared/data/fixtures/snmpsim, where the
community is the recording's file name. Both skip with the reason when their binary is missing,
unless FOREWARN_REQUIRE_SERVICES=1, which makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from forewarn.integrations.snmp import SnmpConfig
from forewarn.testing.loopback import free_port

from .agents import (
    COMMUNITY,
    FIXTURES,
    UPS_ON_BATTERY,
    Agent,
    service_missing,
    snmpd_conf,
    wait_until_answering,
)


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    """Debian's net-snmp agent on a free loopback port, configured only by this file."""
    binary = shutil.which("snmpd") or next((p for p in ("/usr/sbin/snmpd",) if Path(p).exists()), None)
    if binary is None:
        service_missing("snmpd (Debian package snmpd)", "no snmpd binary on PATH or in /usr/sbin")
    home = tmp_path_factory.mktemp("snmpd")
    (home / "persist").mkdir()
    conf = home / "snmpd.conf"
    conf.write_text(snmpd_conf())
    port, log = free_port("udp"), home / "snmpd.log"
    # -C: only our config; -m ''/-M: load no MIB files; persistent state (engine id, users) in tmp.
    command = [binary, "-f", "-Lo", "-C", "-c", str(conf), "-m", "", "-M", str(home / "no-mibs"),
               "-p", str(home / "snmpd.pid"), f"udp:127.0.0.1:{port}"]
    env = os.environ | {"SNMP_PERSISTENT_DIR": str(home / "persist"), "SNMPCONFPATH": str(home)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    agent = Agent(port, process, log)
    wait_until_answering(agent, {"community": COMMUNITY}, "snmpd")
    yield agent
    agent.stop()


@pytest.fixture(scope="session")
def recordings() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded SNMP devices not found at {FIXTURES}")
    return FIXTURES




@pytest.fixture(scope="session")
def snmpsim(tmp_path_factory: pytest.TempPathFactory, recordings: Path) -> Iterator[Agent]:
    """snmpsim replaying each recording under its file name as community, plus a made-up UPS-MIB one."""
    found = Path(sys.executable).parent / "snmpsim-command-responder"
    binary = found if found.exists() else shutil.which("snmpsim-command-responder")
    if binary is None:
        service_missing("snmpsim", "no snmpsim-command-responder next to the interpreter or on PATH")
    home = tmp_path_factory.mktemp("snmpsim")
    data = home / "data"
    data.mkdir()
    for recording in recordings.glob("*.snmprec"):
        # A copy in the test's temp dir (never in the repo): snmpsim derives the community from the
        # resolved file path, which a symlink to another tree garbles.
        shutil.copyfile(recording, data / recording.name)
    (data / "ups-mib-on-battery.snmprec").write_text(UPS_ON_BATTERY)
    port, log = free_port("udp"), home / "snmpsim.log"
    command = [str(binary), f"--data-dir={data}", f"--cache-dir={home / 'cache'}",
               f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--log-level=error"]
    # snmpsim refuses to run as root unless told to; it then keeps root, on a loopback port only.
    env = os.environ | {"SNMPSIM_ALLOW_ROOT": "true"}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    agent = Agent(port, process, log)
    wait_until_answering(agent, {"community": "linux-full-walk"}, "snmpsim")
    yield agent
    agent.stop()


@pytest.fixture
def silent_udp_port() -> Iterator[int]:
    """A bound loopback UDP socket that never answers: requests to it can only time out."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
async def run_check() -> AsyncIterator[Callable[..., Any]]:
    """Run a check's `run` in the test's loop and close its engines (and sockets) afterwards."""
    made: list[Any] = []

    async def run(check: Any, config: SnmpConfig, ctx: Any) -> Any:
        made.append(check)
        return await check.run(config, ctx)

    yield run
    for check in made:
        check.close()
    await asyncio.sleep(0)  # the loop completes the sockets' closing
