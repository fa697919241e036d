"""Runbook YAML: every error names file:line and the field, and a bad file changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forewarn.core.errors import ValidationFailed
from forewarn.remediation import list_runbooks, load_runbook_files, parse_runbooks
from forewarn.remediation.models import RunbookRow

from .conftest import SYSTEM

GOOD = """\
name: restart-web
params:
  service: {from: signal.evidence.service, pattern: '^[a-z]+$'}
steps:
  - kind: restart_service
    service: "{service}"
"""


@pytest.mark.parametrize(("text", "where", "words"), [
    (GOOD.replace("kind: restart_service", "kind: reboot"), "f.yaml:5", "'kind' must be one of"),
    (GOOD + "    bogus: 1\n", "f.yaml:7", "steps.0.bogus: unknown field"),
    (GOOD.replace(", pattern: '^[a-z]+$'", ""), "f.yaml:3", "needs a 'pattern'"),
    (GOOD.replace("{service}", "{srvice}"), "f.yaml:6", "steps.0.service: {srvice} is not a declared parameter"),
    (GOOD.replace("signal.evidence.service", "os.environ"), "f.yaml:3", "unknown source"),
    (GOOD.replace("'^[a-z]+$'", "'^[a-z+$'"), "f.yaml:3", "not a valid regular expression"),
    (GOOD.replace('service: "{service}"', 'service: "{secret.root}"'), "f.yaml:6", "secrets may not appear here"),
    (GOOD.replace("name: restart-web", "name: Restart Web!"), "f.yaml:1", "name:"),
    (GOOD.replace("steps:\n", "steps: [\n"), "f.yaml", "invalid YAML"),
    (GOOD + "  - kind: local\n    argv: [x]\n    env: {LD_PRELOAD: /tmp/evil.so}\n", "f.yaml:9", "LD_PRELOAD"),
    (GOOD + "  - kind: ssh\n    argv: [x]\n", "f.yaml:7", "needs a 'credential'"),
])
def test_errors_name_file_line_and_field(text, where, words):
    with pytest.raises(ValidationFailed) as err:
        parse_runbooks(text, "f.yaml")
    assert err.value.where.startswith(where), err.value
    assert words in str(err.value)


def test_a_bad_file_among_good_ones_applies_nothing(world):
    good = world.tmp / "a.yaml"
    good.write_text(GOOD)
    bad = world.tmp / "b.yaml"
    bad.write_text(GOOD.replace("restart-web", "other").replace("kind: restart_service", "kind: nope"))
    with world.db.session() as s, pytest.raises(ValidationFailed) as err:
        load_runbook_files(s, SYSTEM, [good, bad], now=0.0)
    assert err.value.where == f"{bad}:5"
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(RunbookRow)) == 0


def test_reloading_bumps_the_version_only_on_change(world):
    path = world.tmp / "a.yaml"
    path.write_text(GOOD)
    with world.db.session() as s:
        load_runbook_files(s, SYSTEM, [path], now=0.0)
        load_runbook_files(s, SYSTEM, [path], now=1.0)
        path.write_text(GOOD.replace("'^[a-z]+$'", "'^[a-z-]+$'"))
        load_runbook_files(s, SYSTEM, [path], now=2.0)
        [rb] = list_runbooks(s, SYSTEM)
    assert rb.version == 2 and rb.source == f"{path}:1"


def test_unknown_tenant_is_an_error_at_its_line(world):
    with world.db.session() as s, pytest.raises(ValidationFailed) as err:
        from forewarn.remediation import load_runbooks

        load_runbooks(s, SYSTEM, GOOD.replace("params:", "match: {tenant: nobody}\nparams:"), "t.yaml", 0.0)
    assert "unknown tenant 'nobody'" in str(err.value)


def test_shipped_examples_are_valid():
    from pathlib import Path

    examples = sorted((Path(__file__).parents[3] / "examples" / "runbooks").glob("*.yaml"))
    assert examples, "examples/runbooks/*.yaml missing"
    for path in examples:
        assert parse_runbooks(path.read_text(), str(path))
