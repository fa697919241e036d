"""`forewarn discover CIDR`: sweep a network and propose assets and checks as an environment file.

It only proposes (a dry run by nature): nothing is stored until the user applies the written
file with `forewarn inventory apply`.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forewarn.auth.schemas import SLUG_PATTERN
from forewarn.cli.common import console, err_console, user_errors
from forewarn.core.errors import ValidationFailed
from forewarn.integrations.discovery import (
    DEFAULT_PORTS,
    MAX_ADDRESSES,
    DiscoveredHost,
    discover,
    environment_fragment,
    sweep_addresses,
)


def register(app: typer.Typer) -> None:
    app.command("discover")(discover_command)


@user_errors
def discover_command(
    cidr: Annotated[str, typer.Argument(help="network to sweep, e.g. 192.168.1.0/24 (at most a /16)")],
    port: Annotated[list[int] | None, typer.Option(
        "--port", "-p", min=1, max=65535,
        help=f"TCP port to try; repeat for several (default {', '.join(map(str, DEFAULT_PORTS))})")] = None,
    community: Annotated[list[str] | None, typer.Option(
        "--community", "-c", help="SNMPv2c community to read sysDescr/sysName with; repeat for several")] = None,
    tenant: Annotated[str, typer.Option(help="tenant slug written into the file")] = "discovered",
    site: Annotated[str | None, typer.Option(help="site the proposed assets belong to")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the environment YAML here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the findings as JSON instead of a table")] = False,
    snmp_port: Annotated[int, typer.Option(min=1, max=65535, help="UDP port of the SNMP agents")] = 161,
    timeout: Annotated[float, typer.Option(min=0.05, max=30, help="seconds to wait for each probe")] = 1.0,
    concurrency: Annotated[int, typer.Option(min=1, max=1024, help="addresses probed at once")] = 64,
    dns: Annotated[bool, typer.Option(help="look up reverse DNS names")] = True,
    max_addresses: Annotated[int, typer.Option(min=1, help="largest network swept")] = MAX_ADDRESSES,
) -> None:
    """Sweep CIDR (ICMP echo, TCP connects, reverse DNS, SNMP) and propose assets with ping and TCP checks.

    Nothing is changed: review the proposal, then load it with `forewarn inventory apply FILE`.
    """
    if not re.match(SLUG_PATTERN, tenant):
        raise ValidationFailed("use lower-case letters, digits and '-' (at most 63), like acme-dental", "--tenant")
    total = len(sweep_addresses(cidr, max_addresses))  # refuses a bad network before the bar appears
    hosts = _sweep(cidr, tuple(port or DEFAULT_PORTS), tuple(community or ()), total, snmp_port=snmp_port,
                   timeout=timeout, concurrency=concurrency, reverse_dns=dns, max_addresses=max_addresses)
    text = yaml.safe_dump(environment_fragment(hosts, tenant, site=site), sort_keys=False, allow_unicode=True)
    if as_json:
        typer.echo(json.dumps([asdict(h) | {"name": h.name} for h in hosts], indent=2))
    else:
        _print_table(hosts, cidr, total)
    if not hosts:
        err_console.print(f"no address in {cidr} answered; nothing to propose")
        return
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {len(hosts)} proposed assets to {output}. Review it, then load it with "
                          f"[bold]forewarn inventory apply {output}[/bold] (add --dry-run to preview).",
                          highlight=False)
    elif not as_json:
        typer.echo("\n# proposed environment: save it with --output FILE, then run `forewarn inventory apply FILE`")
        typer.echo(text, nl=False)


def _sweep(cidr: str, ports: tuple[int, ...], communities: tuple[str, ...], total: int,
           **options: object) -> list[DiscoveredHost]:
    # Progress goes to stderr so that --json output on stdout stays machine-readable.
    columns = (TextColumn("sweeping {task.fields[cidr]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("sweep", total=total, cidr=cidr)
        return asyncio.run(discover(cidr, ports, communities,
                                    progress=lambda done, _: bar.update(task, completed=done),
                                    **options))  # type: ignore[arg-type]


def _print_table(hosts: list[DiscoveredHost], cidr: str, total: int) -> None:
    table = Table(title=f"{len(hosts)} of {total} addresses in {cidr} answered")
    for column in ("address", "proposed name", "kind", "open TCP ports", "answered by", "SNMP sysDescr"):
        table.add_column(column)
    for host in hosts:
        descr = host.snmp.descr if host.snmp and host.snmp.descr else ""
        table.add_row(host.address, host.name, host.kind, ", ".join(map(str, host.open_ports)) or "-",
                      ", ".join(host.answered_by), descr[:60])
    console.print(table)
