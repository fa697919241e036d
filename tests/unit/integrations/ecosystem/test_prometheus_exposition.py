"""Pure reading of exposition text, series selection, and counter rates."""

from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.integrations.prometheus.exposition import (
    MalformedExposition,
    Selector,
    read_exposition,
    unit_of,
)
from forewarn.integrations.prometheus.rates import CounterMemory, rate_between

SAMPLE = """# HELP node_network_receive_bytes_total Network device statistic receive_bytes.
# TYPE node_network_receive_bytes_total counter
node_network_receive_bytes_total{device="eth0"} 1.2e+06
node_network_receive_bytes_total{device="lo"} 5000
# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.21
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 3
http_request_duration_seconds_bucket{le="+Inf"} 4
http_request_duration_seconds_sum 0.9
http_request_duration_seconds_count 4
http_request_duration_seconds_created 1.7e9
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 0.02
rpc_seconds{quantile="0.99"} 0.3
rpc_seconds_sum 12
rpc_seconds_count 400
# TYPE weird gauge
weird NaN
untyped_thing{a="x,y=z"} 7
"""


def by_name(text: str, **selector: object) -> dict[str, list]:
    out: dict[str, list] = {}
    for s in read_exposition(text, Selector(**selector)).series:  # type: ignore[arg-type]
        out.setdefault(s.name, []).append(s)
    return out


def test_families_become_typed_series() -> None:
    got = by_name(SAMPLE)
    rx = got["node_network_receive_bytes_total"]
    assert [(s.kind, s.value, s.unit, dict(s.labels)) for s in rx] == [
        ("counter", 1.2e6, "B", {"device": "eth0"}), ("counter", 5000.0, "B", {"device": "lo"})]
    assert got["node_load1"][0].kind == "gauge"
    assert [(s.kind, s.unit) for s in got["http_request_duration_seconds_sum"]] == [("counter", "s")]
    assert [(s.kind, s.unit) for s in got["http_request_duration_seconds_count"]] == [("counter", "")]
    assert {s.labels["quantile"]: s.value for s in got["rpc_seconds"]} == {"0.5": 0.02, "0.99": 0.3}
    assert got["rpc_seconds"][0].kind == "gauge" and got["rpc_seconds_sum"][0].kind == "counter"
    assert got["untyped_thing"][0].labels == {"a": "x,y=z"}
    # buckets, _created and NaN are not reported
    assert not {"http_request_duration_seconds_bucket", "http_request_duration_seconds_created",
                "weird"} & set(got)


def test_include_exclude_and_label_matchers() -> None:
    assert set(by_name(SAMPLE, include=["node_*"])) == {"node_network_receive_bytes_total", "node_load1"}
    # the family name (without _total) matches as well as the sample name
    assert set(by_name(SAMPLE, include=["node_network_receive_bytes"])) == {"node_network_receive_bytes_total"}
    assert "node_load1" not in by_name(SAMPLE, exclude=["node_load*"])
    only_eth = by_name(SAMPLE, include=["node_network_*"], match_labels={"device": "eth*"})
    assert [dict(s.labels) for s in only_eth["node_network_receive_bytes_total"]] == [{"device": "eth0"}]
    # a missing label has the empty value, as in PromQL
    assert set(by_name(SAMPLE, match_labels={"device": ""})) >= {"node_load1", "rpc_seconds_sum"}


def test_max_series_bounds_the_selection_and_counts_the_rest() -> None:
    exposition = read_exposition(SAMPLE, Selector(max_series=3))
    assert len(exposition.series) == 3
    assert exposition.matched == exposition.total == 10


@pytest.mark.parametrize("text,where", [
    ("ok 1\nfoo{a=b} 1\n", "line 2: 'foo{a=b} 1'"),
    ("# TYPE x gauge\nx one\n", "line 2"),
    ("<html><body>login</body></html>\n", "line 1"),
    ("foo{a=\"1\" 2\n", "line 1"),
])
def test_malformed_text_names_the_line(text: str, where: str) -> None:
    with pytest.raises(MalformedExposition, match=where):
        read_exposition(text, Selector())


def test_openmetrics_needs_its_own_parser_and_eof_marker() -> None:
    text = "# TYPE a_seconds counter\n# UNIT a_seconds seconds\na_seconds_total 3\n"
    series = read_exposition(text + "# EOF\n", Selector(), openmetrics=True).series
    assert [(s.name, s.kind, s.unit) for s in series] == [("a_seconds_total", "counter", "s")]
    with pytest.raises(MalformedExposition):
        read_exposition(text, Selector(), openmetrics=True)
    # the classic parser reads the OpenMetrics family name differently: an untyped sample
    assert [s.kind for s in read_exposition(text, Selector()).series] == ["gauge"]


def test_created_families_of_counters_are_left_out() -> None:
    text = ("# TYPE jobs_total counter\njobs_total 3\n# TYPE jobs_created gauge\njobs_created 1.7e9\n"
            "# TYPE pods_created gauge\npods_created 1.6e9\n")
    assert set(by_name(text)) == {"jobs_total", "pods_created"}


@pytest.mark.parametrize("name,unit", [
    ("node_memory_MemFree_bytes", "B"), ("node_cpu_seconds_total", "s"), ("node_hwmon_temp_celsius", "°C"),
    ("node_load1", ""), ("process_resident_memory_bytes", "B"), ("node_filesystem_avail_bytes", "B"),
])
def test_units_follow_the_naming_conventions(name: str, unit: str) -> None:
    assert unit_of(name) == unit


def test_rate_between_handles_resets() -> None:
    assert rate_between(100.0, 160.0, 10.0) == (6.0, False)
    assert rate_between(100.0, 40.0, 10.0) == (4.0, True)  # restarted, counted 0 → 40


def test_counter_memory_rates_resets_and_forgetting() -> None:
    memory = CounterMemory()
    first = read_exposition("# TYPE c counter\nc_total{x=\"1\"} 100\nc_total{x=\"2\"} 50\n", Selector())
    result = memory.advance("t", first.series, now=1000.0)
    assert result.rates == () and result.waiting == 2
    second = read_exposition("# TYPE c counter\nc_total{x=\"1\"} 130\nc_total{x=\"2\"} 5\n", Selector())
    result = memory.advance("t", second.series, now=1010.0)
    assert [(dict(r.series.labels), r.per_second, r.reset) for r in result.rates] == [
        ({"x": "1"}, 3.0, False), ({"x": "2"}, 0.5, True)]
    assert result.resets == 1
    # another target keeps its own history
    assert memory.advance("other", second.series, now=1010.0).waiting == 2
    # a series that vanished is forgotten: when it comes back it waits again
    memory.advance("t", [s for s in second.series if s.labels["x"] == "1"], now=1020.0)
    assert memory.advance("t", second.series, now=1030.0).waiting == 1


def test_counter_memory_ignores_time_going_backwards() -> None:
    memory = CounterMemory()
    series = read_exposition("# TYPE c counter\nc_total 1\n", Selector()).series
    memory.advance("t", series, now=10.0)
    assert memory.advance("t", series, now=10.0).rates == ()


def test_counter_memory_bounds_targets() -> None:
    memory = CounterMemory(max_targets=2)
    series = read_exposition("# TYPE c counter\nc_total 1\n", Selector()).series
    for target in ("a", "b", "c"):
        memory.advance(target, series, now=1.0)
    assert memory.advance("a", series, now=2.0).waiting == 1  # "a" was the oldest, dropped
    assert memory.advance("c", series, now=2.0).waiting == 0


@pytest.mark.parametrize("name,at_least", [("e2e-output.txt", 3000), ("e2e-output-darwin.txt", 100),
                                           ("e2e-output-freebsd.txt", 100)])
def test_real_node_exporter_fixtures_parse(fixtures_dir: Path, name: str, at_least: int) -> None:
    text = (fixtures_dir / "node_exporter" / name).read_text()
    exposition = read_exposition(text, Selector(max_series=100_000))
    assert exposition.total >= at_least
    kinds = {s.kind for s in exposition.series}
    assert kinds == {"gauge", "counter"}
    assert any(s.name == "node_cpu_seconds_total" and s.unit == "s" for s in exposition.series) or \
        "darwin" in name or "freebsd" in name
