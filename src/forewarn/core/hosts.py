"""The host part of a target as people write it: an address with a port, a bracketed IPv6, a URL."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_part(target: str) -> str:
    """'10.0.0.5:9100' → '10.0.0.5', '[fe80::1]:9100' → 'fe80::1', 'https://shop.example/x' → 'shop.example'."""
    if "://" in target:
        return urlsplit(target).hostname or ""
    if target.startswith("["):
        return target[1:].split("]", 1)[0]
    if target.count(":") == 1:
        return target.split(":", 1)[0]
    return target  # a bare name, or an IPv6 address without brackets (and so without a port)
