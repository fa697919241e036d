"""Real agents for the SNMP tests: how snmpd is configured, and starting/stopping agent processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from forewarn.integrations.snmp import SnmpConfig
from forewarn.integrations.snmp.oids import SYS_UPTIME
from forewarn.integrations.snmp.transport import EnginePool, PysnmpTransport, SnmpError

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


def snmpd_conf() -> str:
    lines = [f"rocommunity {COMMUNITY} 127.0.0.1"]
    for user in USERS.values():
        priv = f" {user.priv_protocol} \"{user.priv_key}\"" if user.priv_key else ""
        lines.append(f'createUser {user.name} {user.auth_protocol} "{user.auth_key}"{priv}')
        lines.append(f"rouser {user.name} {'priv' if user.priv_key else 'auth'}")
    return "\n".join(lines) + "\n"


def wait_until_answering(agent: Agent, params: dict[str, Any], what: str) -> None:
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
            await asyncio.sleep(0)  # let the loop finish closing the socket

    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if agent.process.poll() is not None:
            service_missing(what, f"it exited at start: {agent.log.read_text()[-600:]}")
        if asyncio.run(probe()):
            return
    agent.stop()
    pytest.fail(f"{what} did not answer on 127.0.0.1:{agent.port}: {agent.log.read_text()[-800:]}")


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
