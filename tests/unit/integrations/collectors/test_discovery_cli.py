"""`forewarn discover`: a table and a proposal on loopback, a file that `inventory apply` accepts."""

from __future__ import annotations

import json

import pytest
import typer
import yaml
from typer.testing import CliRunner

from forewarn.auth import Principal
from forewarn.cli import discover as discover_cli
from forewarn.integrations.discovery import DiscoveredHost, SnmpIdentity, environment_fragment
from forewarn.monitoring import apply_environment
from forewarn.testing.loopback import LoopbackTcpServer

runner = CliRunner()


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # a group, so the command is addressed by name as under `forewarn`
        pass

    discover_cli.register(app)
    return app


def apply(db, text: str):
    with db.session() as session:
        return apply_environment(session, Principal.system(), text, "discovered.yaml")


def test_discover_writes_a_file_that_inventory_apply_accepts(cli, db, tmp_path, snmp_agent):
    out = tmp_path / "found.yaml"
    with LoopbackTcpServer() as listener:
        result = runner.invoke(cli, [
            "discover", "127.0.0.0/30", "--port", str(listener.port), "--community", "made-up-switch",
            "--snmp-port", str(snmp_agent.port), "--tenant", "acme-dental", "--site", "Main office",
            "--timeout", "0.5", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 of 2 addresses in 127.0.0.0/30 answered" in result.output
    assert f"forewarn inventory apply {out}" in " ".join(result.output.split())
    doc = yaml.safe_load(out.read_text())
    assert doc["tenant"] == {"slug": "acme-dental", "name": "acme-dental"}
    assert doc["sites"] == [{"name": "Main office"}]
    # Only 127.0.0.1 runs the agent and the listener; 127.0.0.2 merely refuses connections.
    switch, other = doc["assets"]
    assert (switch["name"], switch["kind"], switch["address"], switch["site"]) == (
        "core-sw1", "network_device", "127.0.0.1", "Main office")
    assert switch["checks"] == [{"name": "ping", "kind": "ping", "interval": 60},
                                {"name": f"tcp-{listener.port}", "kind": "tcp", "interval": 60,
                                 "params": {"port": listener.port}}]
    assert switch["description"].startswith("Cisco IOS Software")
    assert (other["name"], other["kind"], [c["name"] for c in other["checks"]]) == ("127.0.0.2", "host", ["ping"])
    report = apply(db, out.read_text())
    assert "tenant acme-dental" in report.created and "asset core-sw1" in report.created
    assert f"check core-sw1/tcp-{listener.port}" in report.created
    assert not apply(db, out.read_text()).changed


def test_without_output_the_proposal_is_printed_after_the_table(cli):
    result = runner.invoke(cli, ["discover", "127.0.0.1/32", "--port", "1", "--timeout", "0.5", "--no-dns"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 addresses in 127.0.0.1/32 answered" in result.output
    proposal = result.output.split("# proposed environment", 1)[1].split("\n", 1)[1]
    assert yaml.safe_load(proposal)["assets"][0]["address"] == "127.0.0.1"


def test_json_output_is_machine_readable(cli):
    with LoopbackTcpServer() as listener:
        result = runner.invoke(cli, ["discover", "127.0.0.1", "-p", str(listener.port), "--json", "--no-dns"])
    assert result.exit_code == 0, result.output
    [host] = json.loads(result.stdout)
    assert (host["address"], host["open_ports"], host["name"], host["kind"]) == (
        "127.0.0.1", [listener.port], "127.0.0.1", "host")


@pytest.mark.parametrize(("args", "words"), [
    (["10.0.0.0/8"], "16,777,216 addresses"),
    (["10.0.0.0/24", "--max-addresses", "16"], "at most 16"),
    (["192.168.1.7/24"], "CIDR notation"),
    (["127.0.0.1/32", "--tenant", "Not A Slug"], "--tenant"),
])
def test_bad_input_is_a_sentence_and_exit_code_2(cli, args, words):
    result = runner.invoke(cli, ["discover", *args])
    assert result.exit_code == 2 and words in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_fragment_names_are_unique_even_when_devices_share_a_sysname():
    twin = SnmpIdentity("Linux", "srv", None)
    hosts = [DiscoveredHost(f"10.0.0.{i}", ("icmp",), (), None, twin, "host", "r") for i in (1, 2)]
    doc = environment_fragment(hosts, "t")
    assert [a["name"] for a in doc["assets"]] == ["srv", "srv (10.0.0.2)"]
    assert "sites" not in doc and "site" not in doc["assets"][0]
