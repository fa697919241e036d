"""Built-in file actions: old files deleted without following symlinks out of the directory; logs rotated."""

from __future__ import annotations

import os

from forewarn.remediation import execute, get_run, start_run
from forewarn.remediation.steps.files import delete_old_files, rotate_log

from .conftest import SYSTEM

DAY = 86400.0


def _touch(path, age_days: float, now: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (now - age_days * DAY, now - age_days * DAY), follow_symlinks=False)


def test_delete_old_files_never_follows_symlinks_out_of_the_directory(tmp_path):
    now = 1_700_000_000.0
    logs, outside = tmp_path / "logs", tmp_path / "precious"
    _touch(logs / "old.log", 10, now)
    _touch(logs / "new.log", 1, now)
    _touch(logs / "old.txt", 10, now)
    _touch(logs / "sub" / "deep.log", 10, now)
    _touch(outside / "keep.log", 10, now)
    (logs / "link.log").symlink_to(outside / "keep.log")
    (logs / "linkdir").symlink_to(outside, target_is_directory=True)
    sweep = delete_old_files(str(logs), 7, "*.log", recursive=True, max_files=100, now=now)
    assert sorted(sweep.deleted) == ["old.log", "sub/deep.log"]
    assert sweep.skipped_links == 2
    assert (outside / "keep.log").exists() and (logs / "link.log").is_symlink()
    assert (logs / "new.log").exists() and (logs / "old.txt").exists()


def test_delete_old_files_refuses_a_symlinked_directory_and_stops_at_the_limit(tmp_path):
    now = 1_700_000_000.0
    real = tmp_path / "real"
    for i in range(5):
        _touch(real / f"{i}.log", 30, now)
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    try:
        delete_old_files(str(tmp_path / "alias"), 7, "*", False, 100, now)
        raise AssertionError("a symlinked directory was followed")
    except OSError:
        pass
    assert len(list(real.iterdir())) == 5
    sweep = delete_old_files(str(real), 7, "*", False, max_files=2, now=now)
    assert len(sweep.deleted) == 2 and sweep.full and len(list(real.iterdir())) == 3


def test_rotate_log_shifts_and_recreates(tmp_path):
    log = tmp_path / "app.log"
    for name, body in (("app.log", "now"), ("app.log.1", "one"), ("app.log.2", "two")):
        (tmp_path / name).write_text(body)
    log.chmod(0o640)
    rotate_log(str(log), keep=2)
    assert log.read_text() == "" and oct(log.stat().st_mode & 0o777) == "0o640"
    assert (tmp_path / "app.log.1").read_text() == "now"
    assert (tmp_path / "app.log.2").read_text() == "one"
    assert not (tmp_path / "app.log.3").exists()


async def test_delete_old_files_runbook_takes_the_directory_from_a_validated_path_param(world):
    logs = world.tmp / "var" / "log" / "app"
    _touch(logs / "old.log", 30, world.clock.now())
    _touch(logs / "fresh.log", 0, world.clock.now())
    [rb] = world.load(f"""
name: clean-logs
params:
  dir: {{from: signal.evidence.dir, type: path, root: "{world.tmp}/var/log"}}
verify: {{check: none}}
steps:
  - {{kind: delete_old_files, directory: "{{dir}}", older_than_days: 7, pattern: "*.log"}}
""")
    with world.db.session() as s:
        ok = start_run(s, rb, None, world.signal(evidence={"dir": str(logs)}))
    run = await execute(world.db, ok, world.config)
    assert run.status == "succeeded", run.reason
    assert sorted(p.name for p in logs.iterdir()) == ["fresh.log"]
    for escape in (f"{world.tmp}/var/log/../../etc", "/etc", "relative/dir", f"{world.tmp}/var/logs-not-root"):
        world.clock.advance(3600)
        with world.db.session() as s:
            bad = start_run(s, rb, None, world.signal(evidence={"dir": escape}))
            assert get_run(s, SYSTEM, bad).status == "failed", escape
