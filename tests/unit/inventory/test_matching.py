"""Attributing foreign host names and addresses to assets: exact, short, address, URL; ambiguity matches nothing."""

from __future__ import annotations

from forewarn.inventory.matching import AssetMatcher

ROWS = [
    ("acme", "a1", "srv1.acme.local", "10.0.0.5"),
    ("acme", "a2", "shop", "https://shop.example.com/health"),
    ("acme", "a3", "core-switch", "10.0.0.1:161"),
    ("globex", "g1", "srv1", "192.168.1.5"),
    ("globex", "g2", "nas", "192.168.1.9"),
]


def test_names_short_names_addresses_and_url_hosts_match():
    m = AssetMatcher.of(ROWS)
    assert m.match("SRV1.acme.local").asset_id == "a1"
    assert m.match("10.0.0.5").asset_id == "a1"
    assert m.match("10.0.0.5:9100").asset_id == "a1"  # an Alertmanager instance label
    assert m.match("shop.example.com").asset_id == "a2"
    assert m.match("https://shop.example.com/login").asset_id == "a2"
    assert m.match("10.0.0.1").asset_id == "a3"
    assert m.match("nas.globex.lan").asset_id == "g2"  # a fully qualified hint of a short asset name


def test_a_key_two_assets_share_matches_nothing_unless_the_tenant_decides():
    m = AssetMatcher.of(ROWS)
    assert m.match("srv1") is None  # acme's srv1.acme.local and globex's srv1
    assert m.match("srv1", "acme").asset_id == "a1"
    assert m.match("srv1", "globex").asset_id == "g1"


def test_unknown_empty_and_other_tenant_hints_match_nothing():
    m = AssetMatcher.of(ROWS)
    assert m.match(None) is None and m.match("") is None and m.match("printer7") is None
    assert m.match("nas", "acme") is None
