"""The pattern watcher: new templates and sudden rate changes per (source, template)."""

from __future__ import annotations

from forewarn.analysis.logs import PatternEvent, PatternWatcher, WatcherConfig

SSH = "Failed password for <*> from <*> port <*> ssh2"
CRON = "session opened for user <*> by (uid=<*>)"


def feed(watcher: PatternWatcher, minute: int, per_min: int, template_id: int = 1, template: str = SSH,
         source: str = "srv-web1") -> list[PatternEvent]:
    """`per_min` evenly spaced lines in the given minute."""
    events = []
    for i in range(per_min):
        ts = minute * 60 + i * 60 / per_min
        events += watcher.observe(source, template_id, template, ts, example=f"line {i}")
    return events


def test_a_new_template_is_reported_when_its_first_bucket_closes_with_its_rate():
    watcher = PatternWatcher()
    assert feed(watcher, 0, 240) == []
    events = watcher.advance(60.0)
    assert events == [PatternEvent("srv-web1", 1, SSH, "new", 240.0, 0.0, "line 239", 60.0)]


def test_a_steady_rate_raises_nothing_after_the_first_bucket():
    watcher = PatternWatcher()
    events = []
    for minute in range(60):
        events += feed(watcher, minute, 10)
    events += watcher.advance(60 * 60)
    assert [e.kind for e in events] == ["new"]


def test_a_spike_is_reported_once_with_rate_and_baseline():
    watcher = PatternWatcher()
    events = []
    for minute in range(20):
        events += feed(watcher, minute, 10)
    for minute in range(20, 23):
        events += feed(watcher, minute, 240)
    events += watcher.advance(23 * 60)
    changes = [e for e in events if e.kind == "rate_change"]
    assert len(changes) == 1
    assert changes[0].rate_per_min == 240.0
    assert 9.0 <= changes[0].baseline_per_min <= 11.0
    assert changes[0].ts == 21 * 60  # the end of the first loud minute


def test_a_template_falling_silent_is_reported_once():
    watcher = PatternWatcher()
    for minute in range(20):
        feed(watcher, minute, 60)
    events = []
    for minute in range(20, 30):  # another template keeps the clock moving
        events += feed(watcher, minute, 5, template_id=2, template=CRON)
    changes = [e for e in events if e.kind == "rate_change"]
    assert [(e.template_id, e.rate_per_min) for e in changes] == [(1, 0.0)]


def test_small_changes_are_ignored_however_large_the_ratio():
    watcher = PatternWatcher(WatcherConfig(min_delta_per_min=5.0))
    events = []
    for minute in range(20):
        events += feed(watcher, minute, 1)
    events += feed(watcher, 20, 4)
    events += watcher.advance(21 * 60)
    assert [e.kind for e in events] == ["new"]


def test_sources_are_watched_separately_and_templates_report_their_latest_form():
    watcher = PatternWatcher(WatcherConfig(bucket_seconds=10))
    watcher.observe("a", 7, "user alice logged in", 1.0, "user alice logged in")
    watcher.observe("b", 7, "user <*> logged in", 2.0, "user bob logged in")
    watcher.observe("a", 7, "user <*> logged in", 3.0, "user carol logged in")
    events = watcher.advance(10.0)
    assert sorted((e.source, e.template, e.rate_per_min, e.example) for e in events) == [
        ("a", "user <*> logged in", 12.0, "user carol logged in"),
        ("b", "user <*> logged in", 6.0, "user bob logged in"),
    ]


def test_the_clock_never_runs_backwards():
    watcher = PatternWatcher()
    feed(watcher, 5, 3)
    assert watcher.advance(0.0) == []
    late = watcher.observe("srv-web1", 1, SSH, 10.0)  # a late line counts in the open bucket
    assert late == []
    assert [(e.kind, e.rate_per_min) for e in watcher.advance(6 * 60)] == [("new", 4.0)]
