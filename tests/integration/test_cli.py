"""The CLI against a data directory: inventory apply/export, check run, users and tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forewarn.cli.main import app
from forewarn.testing.loopback import LoopbackHttpServer

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    return str(tmp_path / "data")


def env_text(port: int) -> str:
    return ("tenant: {slug: shop, name: Corner Shop}\nassets:\n  - name: till\n    kind: website\n"
            "    address: 127.0.0.1\n    checks:\n      - name: web\n        kind: http\n"
            f"        params: {{url: 'http://127.0.0.1:{port}/'}}\n")


def test_check_run_prints_results_and_exits_with_the_worst_code(tmp_path, data_dir):
    with LoopbackHttpServer() as web:
        env = tmp_path / "shop.yaml"
        env.write_text(env_text(web.port))
        assert runner.invoke(app, ["inventory", "apply", str(env), "--data-dir", data_dir]).exit_code == 0
        ok = runner.invoke(app, ["check", "run", "till", "--data-dir", data_dir])
        assert ok.exit_code == 0 and "OK" in ok.output and "HTTP 200" in ok.output
        web.stop()
        down = runner.invoke(app, ["check", "run", "till", "--data-dir", data_dir])
        assert down.exit_code == 2 and "CRITICAL" in down.output


def test_unknown_asset_is_a_sentence_not_a_traceback(data_dir):
    r = runner.invoke(app, ["check", "run", "ghost", "--data-dir", data_dir])
    assert r.exit_code == 2 and "asset 'ghost' not found" in r.output and "Traceback" not in r.output


def test_dry_run_writes_nothing(tmp_path, data_dir):
    env = tmp_path / "shop.yaml"
    env.write_text(env_text(1))
    r = runner.invoke(app, ["inventory", "apply", str(env), "--dry-run", "--data-dir", data_dir])
    assert r.exit_code == 0 and "would change" in r.output
    r = runner.invoke(app, ["inventory", "export", "--tenant", "shop", "--data-dir", data_dir])
    assert r.exit_code == 2 and "tenant 'shop' not found" in r.output


def test_users_and_tokens(data_dir):
    r = runner.invoke(app, ["user", "create", "ann", "--role", "technician", "--data-dir", data_dir],
                      input="long-password\nlong-password\n")
    assert r.exit_code == 0 and "created technician ann" in r.output
    r = runner.invoke(app, ["user", "create", "cli", "--role", "client", "--password", "long-password",
                            "--data-dir", data_dir])
    assert r.exit_code == 2 and "needs a tenant" in r.output
    r = runner.invoke(app, ["token", "create", "--user", "ann", "--data-dir", data_dir])
    token = r.output.strip().splitlines()[-1]
    assert r.exit_code == 0 and token.startswith("fw_") and len(token) > 40
    r = runner.invoke(app, ["token", "create", "--user", "nobody", "--data-dir", data_dir])
    assert r.exit_code == 2 and "user 'nobody' not found" in r.output
