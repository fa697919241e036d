"""Environment as code: apply is idempotent and all-or-nothing, errors name file:line, export round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from forewarn.auth import Principal
from forewarn.core.errors import ValidationFailed
from forewarn.inventory.models import AssetRow, DependencyRow
from forewarn.monitoring import apply_environment, export_environment
from forewarn.monitoring.models import CheckRow

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme.yaml"
SYSTEM = Principal.system()


def apply(db, text: str, name: str = "env.yaml"):
    with db.session() as session:
        return apply_environment(session, SYSTEM, text, name)


def counts(db) -> tuple[int, int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (AssetRow, DependencyRow, CheckRow))


def test_example_applies_then_applying_again_changes_nothing(db):
    text = EXAMPLE.read_text()
    first = apply(db, text, str(EXAMPLE))
    assert "tenant acme" in first.created
    assert "asset intranet" in first.created
    assert "dependency intranet → practice-db" in first.created
    assert counts(db) == (10, 10, 10)
    second = apply(db, text, str(EXAMPLE))
    assert not second.changed, (second.created, second.updated, second.deleted)


def test_export_round_trips(db):
    apply(db, EXAMPLE.read_text())
    with db.session() as session:
        exported = export_environment(session, SYSTEM, "acme")
    assert "website-certificate" in exported
    assert not apply(db, exported, "exported.yaml").changed


def test_changes_are_reported_and_removed_items_deleted(db):
    apply(db, EXAMPLE.read_text())
    text = EXAMPLE.read_text().replace("interval: 20", "interval: 15").replace(
        "    depends_on: [srv-app1, practice-db]\n", "    depends_on: [srv-app1]\n")
    report = apply(db, text)
    assert report.updated == ["check intranet/home-page (interval)"]
    assert report.deleted == ["dependency intranet → practice-db"]


BAD = [
    ("tenant: {slug: acme, name: A}\nassets:\n  - name: a\n    kind: host\n    colour: red\n",
     "env.yaml:5", "unknown field"),
    ("tenant: {slug: acme, name: A}\nassets:\n  - name: a\n    kind: toaster\n", "env.yaml:4", "assets.0.kind"),
    ("tenant: {slug: acme, name: A}\nassets:\n  - name: a\n    kind: host\n    depends_on: [ghost]\n",
     "env.yaml:5", "'ghost', which is no asset"),
    ("tenant: {slug: acme, name: A}\nassets:\n  - {name: a, kind: host, depends_on: [b]}\n"
     "  - {name: b, kind: host, depends_on: [a]}\n", "env.yaml", "dependency cycle"),
    ("tenant: {slug: acme, name: A}\nassets:\n  - name: a\n    kind: host\n    checks:\n"
     "      - {name: p, kind: teleport}\n", "env.yaml:6", "unknown check kind 'teleport'"),
    ("tenant: {slug: acme, name: A}\nassets:\n  - name: a\n    kind: host\n    checks:\n"
     "      - name: p\n        kind: tcp\n        params: {port: 99999}\n", "env.yaml:8", "port"),
    ("tenant: {slug: acme, name: A}\nassets: [\n", "env.yaml:3", "invalid YAML"),
    ("tenant: {slug: Bad Slug!, name: A}\n", "env.yaml:1", "tenant.slug"),
    ("tenant: {slug: acme, name: A}\nassets:\n  - {name: a, kind: host}\n  - {name: a, kind: host}\n",
     "env.yaml:4", "appears twice"),
    ("- just\n- a list\n", "env.yaml:1", "must be a mapping"),
]


@pytest.mark.parametrize(("text", "where", "message"), BAD)
def test_bad_input_names_file_and_line_and_changes_nothing(db, text, where, message):
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        apply(db, text)
    assert err.value.where == where or (where == "env.yaml" and err.value.where.startswith("env.yaml"))
    assert message in str(err.value)
    assert counts(db) == before


def test_a_late_error_leaves_nothing_half_applied(db):
    # The first assets are valid; the cycle is found only after they were written in the session.
    text = ("tenant: {slug: newco, name: New}\nassets:\n  - {name: x, kind: host}\n"
            "  - {name: a, kind: host, depends_on: [b]}\n  - {name: b, kind: host, depends_on: [a]}\n")
    with pytest.raises(ValidationFailed):
        apply(db, text)
    assert counts(db) == (0, 0, 0)
