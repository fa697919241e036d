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
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from forewarn.integrations.snmp import SnmpConfig
from forewarn.integrations.snmp.oids import SYS_UPTIME
from forewarn.integrations.snmp.transport import EnginePool, PysnmpTransport, SnmpError
from forewarn.testing.loopback import free_port

REQUIRE_SERVICES = os.environ.get("FOREWARN_REQUIRE_SERVICES") == "1"
FIXTURES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "fixtures" / "snmpsim"
STARTUP = 15.0  # seconds an agent may take to answer after its start


def service_missing(what: str, why: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (FOREWARN_REQUIRE_SERVICES=1) but unavailable: {why}")
    pytest.skip(f"{what} unavailable: {why}")


@dataclass(frozen=True)
class V3User:
    name: str
    auth_protocol: str
    auth_key: str
    priv_protocol: str = "none"
    priv_key: str | None = None

    def params(self, **changes: Any) -> dict[str, Any]:
        fields = {"version": "3", "username": self.name, "auth_protocol": self.auth_protocol,
                  "auth_key": self.auth_key, "priv_protocol": self.priv_protocol, "priv_key": self.priv_key}
        return fields | changes


@dataclass
class Agent:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def config(self, **params: Any) -> SnmpConfig:
        return SnmpConfig(host="127.0.0.1", port=self.port, **params)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


COMMUNITY = "forewarn-ro"
USERS = {
    "sha_aes": V3User("fw-sha-aes", "SHA", "sha-auth-phrase", "AES", "aes-priv-phrase"),
    "md5_des": V3User("fw-md5-des", "MD5", "md5-auth-phrase", "DES", "des-priv-phrase"),
    "sha_auth": V3User("fw-sha-only", "SHA", "sha-only-phrase"),
}


def _snmpd_conf() -> str:
    lines = [f"rocommunity {COMMUNITY} 127.0.0.1"]
    for user in USERS.values():
        priv = f" {user.priv_protocol} \"{user.priv_key}\"" if user.priv_key else ""
        lines.append(f'createUser {user.name} {user.auth_protocol} "{user.auth_key}"{priv}')
        lines.append(f"rouser {user.name} {'priv' if user.priv_key else 'auth'}")
    return "\n".join(lines) + "\n"


def _wait_until_answering(agent: Agent, params: dict[str, Any], what: str) -> None:
    """Poll sysUpTime.0 until the agent answers; its log tells why when it never does."""

    config = agent.config(**params)

    async def probe() -> bool:
        pool = EnginePool()
        try:
            transport = await PysnmpTransport.open(config, "127.0.0.1", 0.3, pool.engine_for(config))
            await transport.get([SYS_UPTIME])
            return True
        except SnmpError:
            return False
        finally:
            pool.close()

    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if agent.process.poll() is not None:
            service_missing(what, f"it exited at start: {agent.log.read_text()[-600:]}")
        if asyncio.run(probe()):
            return
    agent.stop()
    pytest.fail(f"{what} did not answer on 127.0.0.1:{agent.port}: {agent.log.read_text()[-800:]}")


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    """Debian's net-snmp agent on a free loopback port, configured only by this file."""
    binary = shutil.which("snmpd") or next((p for p in ("/usr/sbin/snmpd",) if Path(p).exists()), None)
    if binary is None:
        service_missing("snmpd (Debian package snmpd)", "no snmpd binary on PATH or in /usr/sbin")
    home = tmp_path_factory.mktemp("snmpd")
    (home / "persist").mkdir()
    conf = home / "snmpd.conf"
    conf.write_text(_snmpd_conf())
    port, log = free_port("udp"), home / "snmpd.log"
    # -C: only our config; -m ''/-M: load no MIB files; persistent state (engine id, users) in tmp.
    command = [binary, "-f", "-Lo", "-C", "-c", str(conf), "-m", "", "-M", str(home / "no-mibs"),
               "-p", str(home / "snmpd.pid"), f"udp:127.0.0.1:{port}"]
    env = os.environ | {"SNMP_PERSISTENT_DIR": str(home / "persist"), "SNMPCONFPATH": str(home)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    agent = Agent(port, process, log)
    _wait_until_answering(agent, {"community": COMMUNITY}, "snmpd")
    yield agent
    agent.stop()


@pytest.fixture(scope="session")
def recordings() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded SNMP devices not found at {FIXTURES}")
    return FIXTURES


UPS_ON_BATTERY = """\
1.3.6.1.2.1.1.1.0|4|Made-up UPS-MIB agent for forewarn tests (not a recording)
1.3.6.1.2.1.1.3.0|67|4200
1.3.6.1.2.1.1.5.0|4|ups-lab
1.3.6.1.2.1.33.1.1.2.0|4|Test UPS 1500
1.3.6.1.2.1.33.1.2.1.0|2|3
1.3.6.1.2.1.33.1.2.2.0|2|310
1.3.6.1.2.1.33.1.2.3.0|2|4
1.3.6.1.2.1.33.1.2.4.0|2|18
1.3.6.1.2.1.33.1.2.5.0|2|236
1.3.6.1.2.1.33.1.2.7.0|2|31
1.3.6.1.2.1.33.1.4.1.0|2|5
"""


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
        (data / recording.name).symlink_to(recording)  # read in place, never copied
    (data / "ups-mib-on-battery.snmprec").write_text(UPS_ON_BATTERY)
    port, log = free_port("udp"), home / "snmpsim.log"
    command = [str(binary), f"--data-dir={data}", f"--cache-dir={home / 'cache'}",
               f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--log-level=error"]
    # snmpsim refuses to run as root unless told to; it then keeps root, on a loopback port only.
    env = os.environ | {"SNMPSIM_ALLOW_ROOT": "true"}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    agent = Agent(port, process, log)
    _wait_until_answering(agent, {"community": "linux-full-walk"}, "snmpsim")
    yield agent
    agent.stop()


@pytest.fixture
def silent_udp_port() -> Iterator[int]:
    """A bound loopback UDP socket that never answers: requests to it can only time out."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def run_check() -> Iterator[Callable[..., Any]]:
    """Run a check's `run` in the test's loop and close its engines afterwards."""
    made: list[Any] = []

    async def run(check: Any, config: SnmpConfig, ctx: Any) -> Any:
        made.append(check)
        return await check.run(config, ctx)

    yield run
    for check in made:
        check.close()
