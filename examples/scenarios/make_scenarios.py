"""Writes the two larger example scenarios (too many assets to keep by hand): `python make_scenarios.py`."""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).parent
NODE = {"name": "node", "kind": "prometheus", "interval": 300,
        "thresholds": [{"metric": "cpu_percent", "warning": 92, "critical": 98},
                       {"metric": "memory_used_percent", "warning": 92, "critical": 97},
                       {"metric": "disk_used_percent", "warning": 85, "critical": 95}]}
WS_NODE = {"name": "node", "kind": "prometheus", "interval": 300,
           "thresholds": [{"metric": "disk_used_percent", "warning": 85, "critical": 95}]}
PING = {"name": "ping", "kind": "ping", "interval": 60,
        "thresholds": [{"metric": "if_errors_per_min", "warning": 20, "critical": 100}]}


def asset(name: str, kind: str, site: str | None = None, deps: list[str] | None = None,
          checks: list[dict] | None = None, tags: list[str] | None = None, description: str = "") -> dict:
    out: dict = {"name": name, "kind": kind}
    if site:
        out["site"] = site
    if description:
        out["description"] = description
    if tags:
        out["tags"] = tags
    if deps:
        out["depends_on"] = deps
    out["checks"] = checks or []
    return out


def http(name: str = "http") -> dict:
    return {"name": name, "kind": "http", "interval": 60, "params": {"url": "https://service.example/"}}


def tcp(port: int, name: str = "port") -> dict:
    return {"name": name, "kind": "tcp", "interval": 60, "params": {"port": port}}


def cert(name: str) -> dict:
    return asset(name, "certificate", checks=[{"name": "expiry", "kind": "tls", "interval": 3600, "thresholds": [
        {"metric": "days_to_expiry", "warning": 14, "critical": 7, "direction": "below"}]}])


def smart() -> dict:
    return {"name": "smart", "kind": "smart", "interval": 3600, "params": {"device": "/dev/sda"},
            "thresholds": [{"metric": "smart_reallocated_sectors", "warning": 10, "critical": 100}]}


def pool() -> dict:
    return {"name": "pool", "kind": "prometheus", "interval": 300,
            "thresholds": [{"metric": "db_connections", "warning": 80, "critical": 95}]}


def backup_job(name: str, deps: list[str]) -> dict:
    return asset(name, "backup_job", deps=deps, checks=[{"name": "age", "kind": "prometheus", "interval": 900,
                                                         "thresholds": [{"metric": "backup_age_hours",
                                                                         "warning": 26, "critical": 48}]}])


def common_workloads(ws: list[str], servers: list[str]) -> list[dict]:
    return [
        {"assets": ws, "metric": "cpu_percent", "unit": "%", "base": 8, "daily": 25, "noise": 4, "max": 100},
        {"assets": ws, "metric": "disk_used_percent", "unit": "%", "check": "node", "base": 50,
         "growth_per_day": 0.03, "noise": 0.05, "max": 100},
        {"assets": servers, "metric": "cpu_percent", "unit": "%", "check": "node", "base": 15, "daily": 30,
         "noise": 4, "max": 100},
        {"assets": servers, "metric": "memory_used_percent", "unit": "%", "check": "node", "base": 55, "daily": 8,
         "noise": 1.5, "max": 100},
        {"assets": servers, "metric": "disk_used_percent", "unit": "%", "check": "node", "base": 58,
         "growth_per_day": 0.06, "noise": 0.05, "max": 100},
    ]


def rates(fee: float, rate: float, downtime: float, loss: float) -> dict:
    return {"break_fix": {"hourly_rate": rate, "minimum_hours": 1},
            "managed": {"monthly_fee": fee, "hourly_rate": rate},
            "costs": {"downtime_per_service_hour": downtime, "data_loss_event": loss}}


def accounting() -> dict:
    hq, br = "Head office", "Branch"
    servers = ["dc1", "fs1", "app1", "sql1", "rdgw", "dc2", "nas1"]
    ws_hq = [f"ws-hq-{i:02d}" for i in range(1, 41)]
    ws_br = [f"ws-br-{i:02d}" for i in range(1, 21)]
    assets = [
        asset("isp-hq", "link", hq, checks=[PING]), asset("fw-hq", "network_device", hq, ["isp-hq"], [PING]),
        asset("core-hq", "network_device", hq, ["fw-hq"], [PING]),
        asset("sw-hq-1", "network_device", hq, ["core-hq"], [PING]),
        asset("sw-hq-2", "network_device", hq, ["core-hq"], [PING]),
        asset("isp-br", "link", br, checks=[PING]), asset("fw-br", "network_device", br, ["isp-br"], [PING]),
        asset("sw-br", "network_device", br, ["fw-br"], [PING]),
        asset("wan-link", "link", br, ["fw-br", "fw-hq"], [PING], description="Site-to-site VPN"),
        *[asset(s, "host", hq, ["core-hq"], [NODE] + ([smart()] if s == "sql1" else [])) for s in servers[:5]],
        asset("dc2", "host", br, ["sw-br"], [NODE]), asset("nas1", "host", hq, ["core-hq"], [NODE]),
        *[asset(w, "host", hq, ["sw-hq-1" if i < 20 else "sw-hq-2"], [WS_NODE]) for i, w in enumerate(ws_hq)],
        *[asset(w, "host", br, ["sw-br"], [WS_NODE]) for w in ws_br],
        asset("dns-hq", "service", hq, ["dc1"], [{"name": "resolve", "kind": "dns", "interval": 60,
                                                   "params": {"name": "fs1.firm.lan"}}]),
        asset("ledger-db", "database", hq, ["sql1"], [tcp(1433), pool()]),
        asset("accounting-app", "application", hq, ["app1", "ledger-db", "dns-hq"], [http()], ["user-facing"]),
        asset("fileshare", "service", hq, ["fs1", "dns-hq"], [tcp(445)], ["user-facing"]),
        asset("remote-desktop", "service", hq, ["rdgw", "fw-hq"], [tcp(443)], ["user-facing"]),
        asset("branch-access", "service", br, ["wan-link", "sw-br", "accounting-app", "fileshare"], [tcp(445)],
              ["user-facing"], "Branch staff reaching the head-office systems"),
        cert("portal-cert"),
        asset("client-portal", "website", None, ["portal-cert"], [http()], ["user-facing"]),
        backup_job("backup-nightly", ["nas1", "fs1", "sql1"]),
    ]
    wl = common_workloads(ws_hq + ws_br, servers) + [
        {"assets": ["ledger-db"], "metric": "db_connections", "check": "pool", "base": 20, "daily": 40, "noise": 4},
        {"assets": ["backup-nightly"], "metric": "backup_age_hours", "unit": "h", "check": "age",
         "resets_daily_at": 1},
        {"assets": ["portal-cert"], "metric": "days_to_expiry", "unit": "d", "check": "expiry",
         "countdown_days": 70},
        {"assets": ["sql1"], "metric": "smart_reallocated_sectors", "check": "smart", "base": 0},
        {"assets": ["rdgw"], "metric": "auth_failures_per_min", "base": 0.3, "daily": 1, "noise": 0.4},
    ]
    faults = [
        {"kind": "disk_fill", "asset": "fs1", "at": "1d 8h", "params": {"days": 4, "mode": "bursty", "bursts": 10}},
        {"kind": "cert_expiry", "asset": "portal-cert", "fails": "client-portal", "at": "2d",
         "params": {"days_left": 18}},
        {"kind": "memory_leak", "asset": "app1", "fails": "accounting-app", "at": "4d", "params": {"days": 2.5}},
        {"kind": "brute_force", "asset": "rdgw", "fails": "remote-desktop", "at": "6d 23h",
         "params": {"rate_per_min": 200, "lockout_minutes": 75}},
        {"kind": "backup_failing", "asset": "backup-nightly", "at": "8d 1h", "params": {"restore_after_days": 9}},
        {"kind": "link_down", "asset": "wan-link", "at": "11d 9h", "params": {"precursor_hours": 5}},
        {"kind": "db_pool_exhaustion", "asset": "ledger-db", "at": "13d 7h", "params": {"hours": 5}},
        {"kind": "failing_disk", "asset": "sql1", "at": "14d", "params": {"days": 8}},
        {"kind": "cpu_runaway", "asset": "app1", "fails": "accounting-app", "at": "18d 10h",
         "params": {"impact_minutes": 60}},
        {"kind": "dns_misconfig", "asset": "dns-hq", "at": "20d 16h", "params": {"ttl_minutes": 45}},
        {"kind": "disk_fill", "asset": "sql1", "at": "23d", "params": {"days": 3, "mode": "linear"}},
        {"kind": "link_down", "asset": "sw-hq-2", "at": "26d 11h", "params": {"precursor_hours": 0}},
    ]
    logs = [
        {"asset": "rdgw", "app": "sshd", "per_hour": 20,
         "templates": ["Accepted password for {user} from {ip} port {n} ssh2"]},
        {"asset": "app1", "app": "ledger", "per_hour": 60,
         "templates": ["GET /ledger/{n} 200", "user {user} posted journal {n}"]},
        {"asset": "dns-hq", "app": "named", "per_hour": 10, "templates": ["client {ip}#53: query: fs1.firm.lan IN A"]},
        {"asset": "sql1", "app": "kernel", "per_hour": 1, "templates": ["EXT4-fs (sdb1): mounted filesystem"]},
    ]
    return {"name": "Accounting firm (60 seats, two sites)",
            "description": "Head office with the servers, a branch over a site-to-site VPN; tax season load.",
            "seed": 11, "days": 30, "history_days": 5,
            "environment": {"tenant": {"slug": "sim-accounting", "name": "Simulated Accounting Firm"},
                            "sites": [{"name": hq}, {"name": br}], "assets": assets},
            "workloads": wl, "logs": logs, "faults": faults, **rates(3900, 140, 220, 12000)}


def msp() -> dict:
    off, dc = "Office", "Data centre"
    ws = [f"ws-{i:03d}" for i in range(1, 211)]
    access = [f"sw-off-{i}" for i in range(1, 7)]
    tor = [f"tor-{i}" for i in range(1, 5)]
    hosts = [f"srv-{i:02d}" for i in range(1, 49)]
    apps = ["erp", "crm", "intranet", "mail-relay", "hr", "bi", "wiki", "ticketing", "webshop", "api"]
    assets = [
        asset("isp-dc-a", "link", dc, checks=[PING]), asset("isp-dc-b", "link", dc, checks=[PING]),
        asset("fw-dc", "network_device", dc, ["isp-dc-a"], [PING]),
        asset("core-dc-1", "network_device", dc, ["fw-dc"], [PING]),
        *[asset(t, "network_device", dc, ["core-dc-1"], [PING]) for t in tor],
        asset("isp-off", "link", off, checks=[PING]), asset("fw-off", "network_device", off, ["isp-off"], [PING]),
        asset("core-off", "network_device", off, ["fw-off"], [PING]),
        *[asset(s, "network_device", off, ["core-off"], [PING]) for s in access],
        asset("dc-link", "link", off, ["fw-off", "fw-dc"], [PING], description="Office to data centre"),
        *[asset(h, "host", dc, [tor[i % 4]], [NODE] + ([smart()] if h in ("srv-07", "srv-31") else []))
          for i, h in enumerate(hosts)],
        *[asset(w, "host", off, [access[i % 6]], [WS_NODE]) for i, w in enumerate(ws)],
        asset("dns-dc", "service", dc, ["srv-01"], [{"name": "resolve", "kind": "dns", "interval": 60,
                                                    "params": {"name": "erp.corp.lan"}}]),
        asset("dns-off", "service", off, ["dc-link", "dns-dc"], [{"name": "resolve", "kind": "dns",
                                                                  "interval": 60, "params": {"name": "erp.corp.lan"}}]),
        *[asset(f"db-{i}", "database", dc, [f"srv-{10 + i:02d}"], [tcp(5432), pool()]) for i in range(1, 5)],
        asset("lb-1", "service", dc, ["srv-05", "srv-06"], [tcp(443)]),
        asset("vpn", "service", dc, ["fw-dc"], [tcp(443)], ["user-facing"]),
        *[asset(f"cert-{a}", "certificate") | {"checks": cert("x")["checks"]} for a in ("webshop", "api", "vpn")],
        backup_job("backup-vms", ["srv-40", "srv-41"]), backup_job("backup-db", ["srv-40", "db-1", "db-2"]),
    ]
    for i, app in enumerate(apps):
        deps = [f"srv-{20 + i:02d}", f"db-{1 + i % 4}", "dns-dc", "lb-1"]
        if app in ("webshop", "api"):
            deps.append(f"cert-{app}")
        assets.append(asset(app, "application", dc, deps, [http()], ["user-facing"]))
    assets.append(asset("office-access", "service", off, ["dc-link", "dns-off", "core-off"], [tcp(443)],
                        ["user-facing"], "Office staff reaching the data-centre applications"))
    wl = common_workloads(ws, hosts) + [
        {"assets": ["db-*"], "metric": "db_connections", "check": "pool", "base": 30, "daily": 35, "noise": 4},
        {"assets": ["backup-*"], "metric": "backup_age_hours", "unit": "h", "check": "age", "resets_daily_at": 1},
        {"assets": ["cert-*"], "metric": "days_to_expiry", "unit": "d", "check": "expiry", "countdown_days": 80},
        {"assets": ["srv-07", "srv-31"], "metric": "smart_reallocated_sectors", "check": "smart", "base": 0},
        {"assets": ["vpn"], "metric": "auth_failures_per_min", "base": 0.5, "daily": 1.5, "noise": 0.5},
        {"assets": tor + ["core-dc-1", "core-off"] + access, "metric": "if_errors_per_min", "check": "ping",
         "base": 0.3, "noise": 0.3},
    ]
    faults = [
        {"kind": "disk_fill", "asset": "srv-22", "fails": "intranet", "at": "1d 4h", "params": {"days": 5}},
        {"kind": "cert_expiry", "asset": "cert-webshop", "fails": "webshop", "at": "1d", "params": {"days_left": 16}},
        {"kind": "memory_leak", "asset": "srv-20", "fails": "erp", "at": "3d", "params": {"days": 2}},
        {"kind": "link_down", "asset": "tor-3", "at": "4d 14h", "params": {"precursor_hours": 6}},
        {"kind": "backup_failing", "asset": "backup-db", "at": "5d 1h", "params": {"restore_after_days": 10}},
        {"kind": "cpu_runaway", "asset": "srv-28", "fails": "webshop", "at": "7d 20h", "params": {"impact_minutes": 45}},
        {"kind": "db_pool_exhaustion", "asset": "db-2", "at": "9d 9h", "params": {"hours": 4}},
        {"kind": "failing_disk", "asset": "srv-07", "at": "10d", "params": {"days": 7}},
        {"kind": "dns_misconfig", "asset": "dns-dc", "at": "12d 15h", "params": {"ttl_minutes": 30}},
        {"kind": "brute_force", "asset": "vpn", "at": "14d 3h", "params": {"rate_per_min": 300, "lockout_minutes": 60}},
        {"kind": "disk_fill", "asset": "srv-41", "fails": "backup-vms", "at": "15d", "params": {"days": 3,
                                                                                            "mode": "bursty"}},
        {"kind": "memory_leak", "asset": "srv-29", "fails": "api", "at": "17d 6h", "params": {"days": 1.5}},
        {"kind": "link_down", "asset": "dc-link", "at": "19d 10h", "params": {"precursor_hours": 0}},
        {"kind": "failing_disk", "asset": "srv-31", "at": "20d", "params": {"days": 6}},
        {"kind": "db_pool_exhaustion", "asset": "db-4", "at": "23d 13h", "params": {"hours": 3}},
        {"kind": "cpu_runaway", "asset": "srv-24", "fails": "hr", "at": "25d 9h", "params": {"impact_minutes": 120}},
        {"kind": "disk_fill", "asset": "srv-12", "fails": "db-2", "at": "26d", "params": {"days": 3}},
        {"kind": "link_down", "asset": "sw-off-4", "at": "28d 8h", "params": {"precursor_hours": 3}},
    ]
    logs = [
        {"asset": "vpn", "app": "sshd", "per_hour": 30, "templates": ["Accepted password for {user} from {ip} port {n} ssh2"]},
        {"asset": "srv-20", "app": "erp", "per_hour": 60, "templates": ["GET /orders/{n} 200", "user {user} saved {n}"]},
        {"asset": "dns-dc", "app": "named", "per_hour": 20, "templates": ["client {ip}#53: query: erp.corp.lan IN A"]},
        {"asset": "db-2", "app": "postgres", "per_hour": 10, "templates": ["checkpoint complete: wrote {n} buffers"]},
    ]
    return {"name": "MSP client with a data centre (300 assets)",
            "description": "210 office workstations, a data centre of 48 servers, 10 business applications.",
            "seed": 23, "days": 30, "history_days": 3,
            "environment": {"tenant": {"slug": "sim-msp", "name": "Simulated MSP Client"},
                            "sites": [{"name": off}, {"name": dc}], "assets": assets},
            "workloads": wl, "logs": logs, "faults": faults, **rates(9500, 150, 400, 25000)}


def main() -> None:
    for name, doc in (("accounting-firm.yaml", accounting()), ("msp-datacentre.yaml", msp())):
        head = f"# Generated by make_scenarios.py; edit that script, then run it again.\n# {doc['description']}\n"
        (HERE / name).write_text(head + yaml.safe_dump(doc, sort_keys=False, width=110), encoding="utf-8")
        print(f"{name}: {len(doc['environment']['assets'])} assets, {len(doc['faults'])} faults")


if __name__ == "__main__":
    main()
