"""An snmpsim agent on a loopback port for the discovery tests: recorded and made-up devices.

The community selects the device: it is the .snmprec file's name. Skips with the reason when
snmpsim is missing, unless FOREWARN_REQUIRE_SERVICES=1 makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from forewarn.integrations.discovery import NetworkProber
from forewarn.testing.loopback import free_port

FIXTURES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "fixtures" / "snmpsim"
REQUIRE_SERVICES = os.environ.get("FOREWARN_REQUIRE_SERVICES") == "1"

# Made up for these tests (not recordings): a switch known by its sysObjectID, a printer by its words.
MADE_UP = {
    "made-up-switch": "1.3.6.1.2.1.1.1.0|4|Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), "
                      "Version 15.0(2)SE\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1208\n"
                      "1.3.6.1.2.1.1.3.0|67|100\n1.3.6.1.2.1.1.5.0|4|core-sw1\n",
    "made-up-printer": "1.3.6.1.2.1.1.1.0|4|Office LaserJet MFP, firmware 2.1\n"
                       "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1\n1.3.6.1.2.1.1.5.0|4|printer-2f\n",
}


def missing(what: str, why: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (FOREWARN_REQUIRE_SERVICES=1) but unavailable: {why}")
    pytest.skip(f"{what} unavailable: {why}")


@dataclass
class SnmpAgent:
    port: int
    process: subprocess.Popen[bytes]


async def _answers(port: int) -> bool:
    prober = NetworkProber()
    try:
        return await prober.snmp_system("127.0.0.1", port, "linux-full-walk", 0.3) is not None
    finally:
        prober.close()
        await asyncio.sleep(0)


@pytest.fixture(scope="session")
def snmp_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpAgent]:
    found = Path(sys.executable).parent / "snmpsim-command-responder"
    binary = str(found) if found.exists() else shutil.which("snmpsim-command-responder")
    if binary is None:
        missing("snmpsim", "no snmpsim-command-responder next to the interpreter or on PATH")
    if not (FIXTURES / "linux-full-walk.snmprec").exists():
        missing("recorded SNMP devices", f"not found at {FIXTURES}")
    home = tmp_path_factory.mktemp("discovery-snmpsim")
    data = home / "data"
    data.mkdir()
    # Copies, not symlinks: snmpsim derives the community from the resolved file path.
    shutil.copyfile(FIXTURES / "linux-full-walk.snmprec", data / "linux-full-walk.snmprec")
    for name, text in MADE_UP.items():
        (data / f"{name}.snmprec").write_text(text)
    port = free_port("udp")
    command = [binary, f"--data-dir={data}", f"--cache-dir={home / 'cache'}",
               f"--agent-udpv4-endpoint=127.0.0.1:{port}", "--log-level=error"]
    log = home / "snmpsim.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env=os.environ | {"SNMPSIM_ALLOW_ROOT": "true"})
    agent = SnmpAgent(port, process)
    deadline = time.monotonic() + 15
    while not asyncio.run(_answers(port)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"snmpsim did not answer on 127.0.0.1:{port}: {log.read_text()[-800:]}")
    yield agent
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
