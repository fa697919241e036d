"""The loopback servers other tests rely on: same port across restarts, certificates, DNS records."""

from __future__ import annotations

import socket
import ssl

import dns.message
import dns.rcode
import httpx

from forewarn.testing.loopback import (
    CertAuthority,
    LoopbackDnsServer,
    LoopbackHttpServer,
    LoopbackHttpsServer,
    LoopbackTcpServer,
    free_port,
)


def test_free_port_is_closed() -> None:
    port = free_port()

    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_http_server_keeps_its_port_across_restart() -> None:
    with LoopbackHttpServer() as server:
        port, url = server.port, server.url("/")
        server.reply("/", body="before")
        assert httpx.get(url, trust_env=False).text == "before"

        server.stop()
        assert not server.running
        server.restart()

        assert server.port == port
        assert httpx.get(url, trust_env=False).text == "before"  # routes survive a restart


def test_https_server_certificate_verifies_with_its_ca_file(tmp_path) -> None:
    ca = CertAuthority(tmp_path)
    with LoopbackHttpsServer(ca, hostnames=("localhost",)) as server:
        verify = ssl.create_default_context(cafile=server.ca_file)
        response = httpx.get(f"https://localhost:{server.port}/", verify=verify, trust_env=False)

    assert response.status_code == 200
    assert server.ca_file == str(tmp_path / "ca.pem")


def test_tcp_server_sends_banner_and_records_what_it_receives() -> None:
    with LoopbackTcpServer(banner="hello\n", reply="bye\n") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            assert sock.recv(100) == b"hello\n"
            sock.sendall(b"hi\n")
            assert sock.recv(100) == b"bye\n"

    assert server.received == [b"hi\n"]


def test_dns_server_answers_nxdomain_for_unknown_names() -> None:
    server = LoopbackDnsServer()
    server.add("known.example.test", "A", "192.0.2.1")

    known = dns.message.from_wire(server.answer(dns.message.make_query("known.example.test", "A").to_wire()))
    unknown = dns.message.from_wire(server.answer(dns.message.make_query("other.example.test", "A").to_wire()))

    assert known.rcode() == dns.rcode.NOERROR and known.answer[0][0].address == "192.0.2.1"
    assert unknown.rcode() == dns.rcode.NXDOMAIN
