"""A tiny authoritative DNS server over UDP on 127.0.0.1 that answers records tests configure."""

from __future__ import annotations

import socketserver

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from forewarn.testing.server_base import LOOPBACK, LoopbackServer, QuietMixin


class _DnsHandler(socketserver.BaseRequestHandler):
    server: _DnsServer

    def handle(self) -> None:
        data, sock = self.request
        answer = self.server.owner.answer(data)
        if answer is not None:
            sock.sendto(answer, self.client_address)


class _DnsServer(QuietMixin, socketserver.ThreadingUDPServer):
    daemon_threads = True

    def __init__(self, owner: LoopbackDnsServer) -> None:
        self.owner = owner
        super().__init__((owner.host, owner.port), _DnsHandler)


class LoopbackDnsServer(LoopbackServer):
    """Answers what `add()` configured; unknown names get NXDOMAIN, known names without the asked
    type get an empty NOERROR answer. `silent = True` drops every query (a resolver timeout).
    """

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        super().__init__(host, port)
        self.records: dict[dns.name.Name, dict[int, dns.rrset.RRset]] = {}
        self.silent = False
        self.queries: list[tuple[str, str]] = []

    def add(self, name: str, rdtype: str, *values: str, ttl: int = 60) -> None:
        """Add records, e.g. `add("www.example.test", "A", "192.0.2.1", "192.0.2.2")`."""
        # Owner and target names are made absolute: queries carry absolute names, and relative
        # targets (CNAME, MX) cannot be put on the wire.
        rrset = dns.rrset.from_text_list(
            dns.name.from_text(name), ttl, "IN", rdtype, values,
            origin=dns.name.root, relativize=False,
        )
        by_type = self.records.setdefault(rrset.name, {})
        if rrset.rdtype in by_type:
            by_type[rrset.rdtype].union_update(rrset)
        else:
            by_type[rrset.rdtype] = rrset

    def _make_server(self) -> socketserver.BaseServer:
        return _DnsServer(self)

    def clear(self) -> None:
        self.records.clear()

    def answer(self, wire: bytes) -> bytes | None:
        """The response to one query in wire format, or None to stay silent."""
        if self.silent:
            return None
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None  # not a DNS message: a real server drops it too
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        for question in query.question:
            self.queries.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype)))
            self._fill(response, question.name, question.rdtype)
        return response.to_wire()

    def _fill(self, response: dns.message.Message, name: dns.name.Name, rdtype: int) -> None:
        by_type = self.records.get(name)
        if by_type is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return
        if rdtype in by_type:
            response.answer.append(by_type[rdtype])
            return
        cname = by_type.get(dns.rdatatype.CNAME)
        if cname is not None:
            # Give the alias and, when known here, its target's records, as a real server would.
            response.answer.append(cname)
            target = self.records.get(cname[0].target, {}).get(rdtype)
            if target is not None:
                response.answer.append(target)
