"""Which addresses a sweep visits: every usable address of an IPv4 or IPv6 network, within a bound."""

from __future__ import annotations

import ipaddress

from forewarn.core import ValidationFailed

MAX_ADDRESSES = 65_536  # a /16 of IPv4, a /112 of IPv6


def sweep_addresses(cidr: str, max_addresses: int = MAX_ADDRESSES) -> list[str]:
    """The addresses to probe in `cidr`: hosts only (no IPv4 network or broadcast address below /31).

    A single address ("10.0.0.5") is its own /32 or /128. Host bits set ("10.0.0.5/24") are refused
    rather than guessed at, like a network larger than `max_addresses`.
    """
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=True)
    except ValueError as exc:
        raise ValidationFailed(f"{cidr!r} is not a network in CIDR notation (like 192.168.1.0/24): {exc}",
                               "cidr") from exc
    if network.num_addresses > max_addresses:
        biggest = 32 - (max_addresses.bit_length() - 1) if network.version == 4 else 128 - (
            max_addresses.bit_length() - 1)
        raise ValidationFailed(
            f"{network} has {network.num_addresses:,} addresses; a sweep covers at most {max_addresses:,} "
            f"(a /{biggest} for IPv{network.version}). Sweep it in smaller pieces, or raise the bound "
            "if you really mean it.", "cidr")
    return [str(address) for address in (network.hosts() if network.num_addresses > 2 else network)]
