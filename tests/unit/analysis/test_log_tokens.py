"""Generic word masking and wildcard generalisation used by the log template miner."""

from __future__ import annotations

import pytest

from forewarn.analysis.logs import mask_word, split_words
from forewarn.analysis.logs.wildcards import WILD, generalise, matches, render, variables


@pytest.mark.parametrize(("word", "masked"), [
    ("12345", "<*>"),
    ("-27", "<*>"),
    ("877.0", "<*>"),
    ("0x0000ff1c", "<*>"),
    ("10.251.29.239:50010", "<*>"),
    ("/10.250.9.207:53270", "<*>"),
    ("65536)", "<*>)"),
    ("1349).", "<*>)."),
    ("blk_-6952295868487656571", "<*>"),
    ("appattempt_1445144423722_0020_000001", "<*>"),
    ("/var/log/messages", "<*>"),
    ("host8.topspot.net", "<*>"),
    ("ns.example.co.uk", "<*>"),
    ("node-246", "node-<*>"),
    ("CPU#0", "CPU#<*>"),
    ("#3", "#<*>"),
    ("core.3392", "core.<*>"),
    ("uid=0", "uid=<*>"),
    ("(uid=0)", "(uid=<*>)"),
    ("PSR0=0x0001", "PSR0=<*>"),
    ("(0=sup,1=usr).......0", "(<*>=sup,<*>=usr).......<*>"),
    ("sessionid:0x14ede63a5a70000", "sessionid:<*>"),
    ("[ib_sm_sweep.c:1234]:", "[ib_sm_sweep.c:<*>]:"),
    ("<memory:0,", "<memory:<*>,"),
    ("ssh2", "ssh2"),
    ("eth1", "eth1"),
    ("jk2_init()", "jk2_init()"),
    ("HttpServer2$SelectChannelConnector", "HttpServer2$SelectChannelConnector"),
    ("hadoop-metrics2.properties", "hadoop-metrics2.properties"),
    ("C1", "C1"),
    ("U11", "<*>"),
    ("Input/output", "Input/output"),
    ("java.net.NoRouteToHostException:", "java.net.NoRouteToHostException:"),
    ("FAILED", "FAILED"),
    ("", ""),
])
def test_mask_word(word, masked):
    assert mask_word(word) == masked


def test_split_words_keeps_a_timestamp_whole():
    assert split_words("at Sun Jul 24 13:46:35 2005 from x") == ["at", "Sun Jul 24 13:46:35 2005", "from", "x"]
    assert split_words("  a\tb  ") == ["a", "b"]
    assert mask_word("Sun Jul 24 13:46:35 2005") == "<*>"


def test_generalise_keeps_shared_punctuation_only():
    assert generalise({"user=root", "user=guest"}) == f"user={WILD}"
    assert generalise({"()", "(<*>)", "(host)"}) == f"({WILD})"
    assert generalise({"rdd_42_1", "rdd_7_3"}) == WILD  # `rdd_` is not punctuation: no half-names
    assert generalise({"blk_-<*>", "<*>"}) == WILD
    assert generalise({"a", "ab"}) == WILD


def test_learned_wildcards_match_anything_between_their_punctuation_shape_ones_only_themselves():
    assert matches(f"user={WILD}", "user=zed")
    assert not matches(f"user={WILD}", "uid=zed")
    assert matches(f"({WILD})", "()")
    assert matches("<*>", "<*>")
    assert not matches("<*>", "****")  # a shape variable is not a learned one


def test_render_and_variables():
    tokens = ("Failed", "password", "for", WILD, "port", "<*>", f"(uid={WILD})")
    assert render(tokens) == "Failed password for <*> port <*> (uid=<*>)"
    words = ["Failed", "password", "for", "root", "port", "22", "(uid=0)"]
    assert variables(tokens, words) == ("root", "22", "0")
