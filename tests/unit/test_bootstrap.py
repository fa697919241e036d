"""First start: a configured admin password the account rules refuse is a clear error that creates nothing."""

from __future__ import annotations

import pytest

from forewarn.auth import count_users
from forewarn.core.errors import ValidationFailed
from forewarn.runtime.bootstrap import bootstrap


def test_a_short_configured_admin_password_names_the_variable_and_creates_no_account(db):
    with pytest.raises(ValidationFailed) as caught:
        bootstrap(db, "admin", "short")
    assert caught.value.where == "FOREWARN_ADMIN_PASSWORD"
    assert "at least 8 characters" in str(caught.value)
    with db.session() as session:
        assert count_users(session) == 0


def test_a_good_configured_password_creates_the_admin_and_is_not_echoed(db):
    boot = bootstrap(db, "admin", "long-enough-password")
    assert boot.admin_created and boot.admin_password is None
    with db.session() as session:
        assert count_users(session) == 1
