"""Stand-ins for the ACME example's services on 127.0.0.1, so `examples/acme.yaml` checks go green.

Run from the repository root: `.venv/bin/python examples/acme_standins.py` (Ctrl-C stops them).
The website's certificate is issued by a throwaway CA written to var/acme-standins/ca.pem.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from forewarn.testing.certs import CertAuthority
from forewarn.testing.dns_server import LoopbackDnsServer
from forewarn.testing.loopback import LoopbackHttpServer, LoopbackHttpsServer, LoopbackTcpServer


def main() -> None:
    ca = CertAuthority(Path("var/acme-standins"), common_name="ACME example CA")
    intranet = LoopbackHttpServer(port=18080)
    intranet.reply("/", body="<h1>ACME intranet</h1>")
    website = LoopbackHttpsServer(ca=ca, hostnames=("www.acme.test",), days_after=60, port=18443)
    website.reply("/", body="<h1>ACME Dental</h1><a>Book an appointment</a>")
    database = LoopbackTcpServer(port=15432)
    dns = LoopbackDnsServer(port=15353)
    dns.add("www.acme.test", "A", "127.0.0.1")
    servers = [intranet, website, database, dns]
    for server in servers:
        server.start()
    print("stand-ins running: intranet :18080, website :18443, database :15432, dns :15353 (Ctrl-C stops)")
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
