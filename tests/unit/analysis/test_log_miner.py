"""The streaming log template miner on small synthetic logs."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from forewarn.analysis.logs import LogTemplateMiner, MinerConfig


def fits(template: str, message: str) -> bool:
    """Does the message read as the template with each `<*>` standing for some text?"""
    pattern = ".*".join(re.escape(part) for part in template.split("<*>"))
    return re.fullmatch(pattern, " ".join(message.split()), re.DOTALL) is not None


def test_numbers_ips_and_ports_are_variables_from_the_first_line():
    miner = LogTemplateMiner()
    match = miner.add("Accepted password for root from 10.0.0.7 port 52211 ssh2")
    assert match.template == "Accepted password for root from <*> port <*> ssh2"
    assert match.variables == ("10.0.0.7", "52211")


def test_lines_differing_only_in_variables_share_one_id():
    miner = LogTemplateMiner()
    ids = {miner.add(f"Received block blk_{n * 7919}{n} of size {n * 7} from /10.1.{n % 250}.2").template_id
           for n in range(100, 140)}
    assert len(ids) == 1
    assert miner.template(ids.pop()) == "Received block <*> of size <*> from <*>"


def test_a_word_that_keeps_changing_becomes_a_variable_and_the_first_id_survives():
    miner = LogTemplateMiner()
    first = miner.add("session opened for user alice by (uid=0)")
    assert first.template == "session opened for user alice by (uid=<*>)"
    for user in ("bob", "carol", "dave"):
        last = miner.add(f"session opened for user {user} by (uid=1000)")
    assert miner.resolve(first.template_id) == first.template_id == last.template_id
    assert miner.template(first.template_id) == "session opened for user <*> by (uid=<*>)"
    assert last.variables == ("dave", "1000")


def test_ids_handed_out_earlier_resolve_to_the_generalised_template():
    miner = LogTemplateMiner()
    early = [miner.add(f"Invalid user {name} from 192.168.0.{i}") for i, name in enumerate(["admin", "test"])]
    assert early[0].template_id != early[1].template_id  # two names are not yet evidence
    later = miner.add("Invalid user oracle from 192.168.0.9")
    resolved = {miner.resolve(m.template_id) for m in early} | {later.template_id}
    assert resolved == {early[0].template_id}
    assert miner.template(early[1].template_id) == "Invalid user <*> from <*>"


def test_two_alternatives_stay_two_templates():
    miner = LogTemplateMiner()
    for i in range(20):
        miner.add(f"Failed password for invalid user u{i}x from 10.0.0.{i} port {1000 + i} ssh2")
        miner.add(f"Failed none for invalid user u{i}x from 10.0.0.{i} port {1000 + i} ssh2")
    templates = {t.template for t in miner.templates()}
    assert "Failed password for invalid user <*> from <*> port <*> ssh2" in templates
    assert "Failed none for invalid user <*> from <*> port <*> ssh2" in templates


def test_the_first_word_is_not_generalised_from_distinct_words_alone():
    miner = LogTemplateMiner()
    for verb in ("boot", "wait", "halt", "reboot", "probe"):
        for n in range(3):
            miner.add(f"{verb} (command {n})")
    assert len(miner.templates()) == 5


def test_a_bare_variable_absorbs_an_id_shaped_like_it():
    miner = LogTemplateMiner()
    a = miner.add("Verification succeeded for blk_-4980916519894289629")
    b = miner.add("Verification succeeded for blk_6996194389878584395")
    c = miner.add("Verification succeeded for 8347949825960763812")
    assert miner.resolve(a.template_id) == miner.resolve(b.template_id) == miner.resolve(c.template_id)
    assert miner.template(a.template_id) == "Verification succeeded for <*>"


def test_partial_tokens_keep_their_names_and_report_their_numbers():
    match = LogTemplateMiner().add("NIFF: node node-129 detected a failed connection via eth1")
    assert match.template == "NIFF: node node-<*> detected a failed connection via eth1"
    assert match.variables == ("129",)


def test_timestamps_inside_a_message_are_one_variable():
    match = LogTemplateMiner().add("connection from 10.2.3.4 () at Sun Jul 24 13:46:35 2005")
    assert match.template == "connection from <*> () at <*>"
    assert match.variables == ("10.2.3.4", "Sun Jul 24 13:46:35 2005")


def test_non_utf8_bytes_are_mined_with_replacement_characters():
    miner = LogTemplateMiner()
    match = miner.add(b"disk \xff\xfe error at sector 1234")
    assert match.template == "disk \ufffd\ufffd error at sector <*>"
    assert miner.add("disk \ufffd\ufffd error at sector 99").template_id == match.template_id


def test_empty_and_blank_lines_get_the_empty_template():
    miner = LogTemplateMiner()
    empty = miner.add("")
    assert empty.template == ""
    assert empty.variables == ()
    assert miner.add("   \t ").template_id == empty.template_id
    assert miner.add(b"").template_id == empty.template_id


def test_nul_characters_do_not_confuse_the_wildcard_marker():
    miner = LogTemplateMiner()
    match = miner.add("weird\x00payload 12")
    assert match.template == "weird\ufffdpayload <*>"


def test_templates_count_lines_most_frequent_first():
    miner = LogTemplateMiner()
    for i in range(5):
        miner.add(f"job {i} done")
    miner.add("shutting down")
    infos = miner.templates()
    assert [(i.template, i.lines) for i in infos] == [("job <*> done", 5), ("shutting down", 1)]


def test_small_caches_only_cost_speed():
    lines = [f"user u{i % 7}z logged in from 10.0.{i}.1" for i in range(60)] + ["cron started"] * 5
    big, tiny = LogTemplateMiner(), LogTemplateMiner(MinerConfig(cache_size=2))
    for line in lines:
        big.add(line)
        tiny.add(line)
    assert [(t.template, t.lines) for t in big.templates()] == [(t.template, t.lines) for t in tiny.templates()]


WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "x=1", "(id=7)", "node-3", "0x1f", "10.0.0.1",
                         "/var/log/a", "ssh2", "user", "root", "admin", "::", "[x]", "-", "42"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=0, max_size=6).map(" ".join), min_size=1, max_size=60))
def test_every_line_fits_the_final_template_of_its_id(lines):
    miner = LogTemplateMiner()
    ids = [miner.add(line).template_id for line in lines]
    for line, template_id in zip(lines, ids, strict=True):
        live = miner.resolve(template_id)
        assert miner.resolve(live) == live
        assert fits(miner.template(live), line), (line, miner.template(live))


def test_empty_brackets_join_brackets_holding_a_value():
    miner = LogTemplateMiner()
    a = miner.add("connection from 10.2.3.4 () at Sun Jul 24 13:46:35 2005")
    b = miner.add("connection from 10.2.3.5 (host8.example.com) at Sun Jul 24 13:47:01 2005")
    assert miner.resolve(a.template_id) == miner.resolve(b.template_id) == a.template_id
    assert miner.template(a.template_id) == "connection from <*> (<*>) at <*>"
