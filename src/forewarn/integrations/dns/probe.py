"""The outside effect of the DNS check: one lookup with dnspython's async resolver."""

from __future__ import annotations

import time
from dataclasses import dataclass

import dns.asyncresolver
import dns.rdata
import dns.rdatatype
import dns.rdtypes.txtbase

from forewarn.integrations.common import elapsed_ms


@dataclass(frozen=True, slots=True)
class DnsLookup:
    """The answer records in presentation format (TXT strings joined), as the server sent them."""

    answers: tuple[str, ...]
    resolve_ms: float


def make_resolver(nameserver: str | None, port: int, timeout: float) -> dns.asyncresolver.Resolver:
    """A resolver asking `nameserver`, or the system's servers from resolv.conf.

    Raises dns.resolver.NoResolverConfiguration when the system has none configured.
    """
    resolver = dns.asyncresolver.Resolver(configure=nameserver is None)
    if nameserver is not None:
        resolver.nameservers = [nameserver]
        resolver.port = port
    resolver.cache = None  # each run must ask the server, not remember the last answer
    resolver.lifetime = timeout
    resolver.timeout = timeout
    return resolver


async def lookup(resolver: dns.asyncresolver.Resolver, name: str, record_type: str) -> DnsLookup:
    """Resolve; NXDOMAIN, NoAnswer, LifetimeTimeout and NoNameservers propagate to the caller."""
    started = time.perf_counter()
    answer = await resolver.resolve(name, dns.rdatatype.from_text(record_type), search=False)
    took = elapsed_ms(started)
    return DnsLookup(tuple(_text(rdata) for rdata in answer), took)


def _text(rdata: dns.rdata.Rdata) -> str:
    # A TXT record is a list of strings that means their concatenation (RFC 7208 §3.3).
    if isinstance(rdata, dns.rdtypes.txtbase.TXTBase):
        return b"".join(rdata.strings).decode("utf-8", errors="replace")
    return rdata.to_text()
