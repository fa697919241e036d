"""Pure parsing of Nagios plugin output and perfdata, and the outcome a run maps to."""

from __future__ import annotations

import pytest

from forewarn.integrations.nagios.config import NagiosConfig
from forewarn.integrations.nagios.output import split_output
from forewarn.integrations.nagios.perfdata import PerfItem, parse_perfdata
from forewarn.integrations.nagios.result import evaluate, metric_name
from forewarn.integrations.process import ProcessRun
from forewarn.plugins.v1 import CheckStatus

DISK_MULTILINE = """DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968
/ 15272 MB (77%);
/boot 68 MB (69%); | /boot=68MB;88;93;0;98
/home=69357MB;253404;253409;0;253414
"""


def items(text: str) -> dict[str, PerfItem]:
    return {item.label: item for item in parse_perfdata(text).items}


def test_the_guideline_example_splits_text_long_text_and_perfdata() -> None:
    out = split_output(DISK_MULTILINE)
    assert out.text == "DISK OK - free space: / 3326 MB (56%);"
    assert out.long_text == ("/ 15272 MB (77%);", "/boot 68 MB (69%);")
    assert [(i.label, i.value, i.uom, i.max) for i in out.perfdata.items] == [
        ("/", 2643.0, "MB", "5968"), ("/boot", 68.0, "MB", "98"), ("/home", 69357.0, "MB", "253414"),
    ]


def test_long_text_without_more_perfdata_stays_text() -> None:
    out = split_output("PROCS OK: 3 processes|procs=3;;;0\nproc a\nproc b = fine\n")
    assert out.long_text == ("proc a", "proc b = fine")
    assert [i.label for i in out.perfdata.items] == ["procs"]


def test_output_without_perfdata() -> None:
    out = split_output("connect to address 127.0.0.1 and port 1: Connection refused\n")
    assert out.text == "connect to address 127.0.0.1 and port 1: Connection refused"
    assert out.perfdata.items == () and out.perfdata.malformed == ()


def test_quoted_labels_with_spaces_equals_and_escaped_quotes() -> None:
    parsed = items("'free space'=12MB;;;0 'a=b'=1 'it''s'=2 '''edge'''=3")
    assert parsed["free space"] == PerfItem("free space", 12.0, "MB", "", "", "0", "")
    assert parsed["a=b"].value == 1.0
    assert parsed["it's"].value == 2.0
    assert parsed["'edge'"].value == 3.0


@pytest.mark.parametrize("uom", ["s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c", ""])
def test_every_standard_unit(uom: str) -> None:
    assert items(f"x=1.5{uom};2;3;0;100")["x"] == PerfItem("x", 1.5, uom, "2", "3", "0", "100")


def test_empty_fields_ranges_and_exponents() -> None:
    parsed = items("a=1;;;; b=-2.5e3;~:10;@5:9;; c=.5 d=3;10:;20:30")
    assert parsed["a"] == PerfItem("a", 1.0)
    assert parsed["b"] == PerfItem("b", -2500.0, "", "~:10", "@5:9")
    assert parsed["c"].value == 0.5
    assert (parsed["d"].warn, parsed["d"].crit) == ("10:", "20:30")


def test_u_values_are_skipped_but_not_malformed() -> None:
    data = parse_perfdata("load=U;5;10 rta=1ms")
    assert [i.label for i in data.items] == ["rta"]
    assert data.unknown == ("load",) and data.malformed == ()


@pytest.mark.parametrize(
    "token",
    ["novalue", "x=", "x=abc", "x=12,5", "x=1.2.3", "=5", "''=5", "'q'x=1", "x=1;2;3;4;5;6"],
)
def test_malformed_items_are_reported_and_the_rest_kept(token: str) -> None:
    data = parse_perfdata(f"good=1 {token} after=2")
    assert [i.label for i in data.items] == ["good", "after"]
    assert data.malformed == (token,)


def test_unterminated_quote_swallows_only_itself() -> None:
    data = parse_perfdata("good=1 'never closed=3")
    assert [i.label for i in data.items] == ["good"]
    assert data.malformed == ("'never closed=3",)


def test_metric_names_are_sanitised() -> None:
    assert metric_name("/") == "root"
    assert metric_name("/var/log") == "var_log"
    assert metric_name("free space") == "free_space"
    assert metric_name("load1") == "load1"
    assert metric_name("€€") == "value"


def run(stdout: str | bytes, code: int | None = 0, **kw: object) -> ProcessRun:
    data = stdout.encode() if isinstance(stdout, str) else stdout
    return ProcessRun(code, data, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("code,status", [(0, "OK"), (1, "WARNING"), (2, "CRITICAL"), (3, "UNKNOWN"),
                                         (4, "UNKNOWN"), (127, "UNKNOWN"), (-9, "UNKNOWN")])
def test_exit_codes_map_to_statuses(code: int, status: str) -> None:
    outcome = evaluate(run("SOMETHING happened|x=1", code), "check_x", 5.0)
    assert outcome.status == CheckStatus[status]
    assert outcome.summary.startswith("SOMETHING happened") or code > 3 or code < 0
    if code > 3:
        assert f"exited with code {code}" in outcome.summary
    if code < 0:
        assert "killed by SIGKILL" in outcome.summary


def test_perfdata_becomes_metrics_with_labels_and_thresholds() -> None:
    outcome = evaluate(
        run("DISK OK|/=2643MB;5948;5958;0;5968 time=0.5s;1:;;0"), "check_disk", 5.0, {"disk": "sys"}
    )
    by_name = {m.name: m for m in outcome.metrics}
    assert by_name["root"].value == 2643.0 and by_name["root"].unit == "MB"
    assert by_name["root"].labels == {"plugin": "check_disk", "disk": "sys", "label": "/"}
    assert (by_name["root_warn"].value, by_name["root_crit"].value, by_name["root_max"].value) == (
        5948.0, 5958.0, 5968.0)
    assert by_name["time"].labels == {"plugin": "check_disk", "disk": "sys"}
    assert "time_warn" not in by_name  # a range ("1:") is not one number


def test_threshold_metrics_can_be_turned_off() -> None:
    outcome = evaluate(run("OK|a=1;2;3;0;4"), "p", 5.0, threshold_metrics=False)
    assert [m.name for m in outcome.metrics] == ["a"]


def test_colliding_names_stay_apart() -> None:
    outcome = evaluate(run("OK|'a b'=1 a_b=2 '/'=3 root=4"), "p", 5.0)
    assert [(m.name, m.value) for m in outcome.metrics] == [("a_b", 1.0), ("a_b_2", 2.0),
                                                            ("root", 3.0), ("root_2", 4.0)]


def test_malformed_perfdata_is_noted_in_the_summary() -> None:
    outcome = evaluate(run("HTTP OK - fine|time=0.1s size=big;1 ok=3"), "check_http", 5.0)
    assert outcome.status == CheckStatus.OK
    assert outcome.summary == "HTTP OK - fine (skipped 1 malformed perfdata item(s): 'size=big;1')"
    assert [m.name for m in outcome.metrics] == ["time", "ok"]


def test_timeout_wording() -> None:
    outcome = evaluate(ProcessRun(None, b"partial", timed_out=True), "check_slow", 2.0)
    assert outcome.status == CheckStatus.UNKNOWN
    assert outcome.summary == "check_slow: plugin timed out after 2 s"


def test_odd_exit_code_without_output() -> None:
    outcome = evaluate(ProcessRun(127, b"", b"sh: 1: check_x: not found\n"), "check_x", 5.0)
    assert outcome.summary == "check_x exited with code 127, not a plugin status (0-3) and no output"


def test_no_output_uses_stderr() -> None:
    outcome = evaluate(ProcessRun(2, b"", b"check_x: permission denied\nmore\n"), "check_x", 5.0)
    assert outcome.status == CheckStatus.CRITICAL
    assert outcome.summary == "check_x exited with code 2 without output; stderr: check_x: permission denied"


def test_truncated_output_drops_the_cut_line_and_says_so() -> None:
    # the bound cut "z=123456" to "z=12": that item must not be reported as 12
    out = b"BIG OK|a=1\nlong line\nmore | y=2\nz=12"
    outcome = evaluate(ProcessRun(0, out, stdout_truncated=True), "p", 5.0)
    assert [m.name for m in outcome.metrics] == ["a", "y"]
    assert outcome.summary == f"BIG OK (output truncated at {len(out)} bytes)"


def test_truncated_single_line_drops_only_the_last_perf_item() -> None:
    outcome = evaluate(ProcessRun(0, b"OK|a=1 b=2 c=12", stdout_truncated=True), "p", 5.0)
    assert [m.name for m in outcome.metrics] == ["a", "b"]


def test_huge_single_line_keeps_a_bounded_summary() -> None:
    out = ("CRITICAL " + "x" * 5000).encode()
    outcome = evaluate(ProcessRun(2, out, stdout_truncated=True), "p", 5.0)
    assert outcome.status == CheckStatus.CRITICAL
    assert len(outcome.summary) < 500 and outcome.summary.startswith("CRITICAL xxx")


def test_undecodable_bytes_do_not_crash() -> None:
    outcome = evaluate(ProcessRun(0, b"OK \xff\xfe fine|a=1"), "p", 5.0)
    assert outcome.summary.startswith("OK ") and outcome.metrics[0].value == 1.0


def test_a_string_command_is_rejected_with_a_hint() -> None:
    with pytest.raises(ValueError, match="list of arguments, not a string"):
        NagiosConfig.model_validate({"command": "check_tcp -H x; rm -rf /"})


@pytest.mark.parametrize("command", [[], [""], ["check_x", "a\0b"]])
def test_empty_or_nul_commands_are_rejected(command: list[str]) -> None:
    with pytest.raises(ValueError):
        NagiosConfig.model_validate({"command": command})


def test_secret_env_is_redacted() -> None:
    cfg = NagiosConfig(command=["check_x"], secret_env={"PASSWORD": "hunter2"})
    assert cfg.redacted()["secret_env"] == "********"
