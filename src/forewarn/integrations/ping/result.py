"""Pure evaluation of a series of echoes into a ping outcome (status, summary, metrics)."""

from __future__ import annotations

from forewarn.integrations.common import fmt_ms
from forewarn.integrations.ping.probe import EchoRun
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint


def evaluate(run: EchoRun, host: str, warning: str | None = None) -> CheckOutcome:
    """CRITICAL when every echo was lost, else OK; latency thresholds are applied by the platform.

    For example `EchoRun("192.0.2.7", sent=4, rtts_ms=(10.0, 30.0))` for host gw.example.test
    gives OK "gw.example.test: 2/4 replies via ICMP, rtt avg 20 ms, max 30 ms, 50% loss" with
    rtt_ms 20, rtt_max_ms 30 and packet_loss_pct 50. `warning` (e.g. the ICMP fallback) is put
    in front of the summary.
    """
    sent = max(run.sent, 1)
    received = len(run.rtts_ms)
    loss = 100.0 * (sent - received) / sent
    how = f"TCP port {run.port}" if run.method == "tcp" and run.port else run.method.upper()
    metrics = [MetricPoint("packet_loss_pct", loss, "%")]
    if received == 0:
        text = f"{host}: no reply to {sent} {run.method.upper()} probes (100% loss)"
        return CheckOutcome(CheckStatus.CRITICAL, _prefixed(text, warning), metrics)
    avg = sum(run.rtts_ms) / received
    peak = max(run.rtts_ms)
    metrics = [MetricPoint("rtt_ms", avg, "ms"), MetricPoint("rtt_max_ms", peak, "ms"), *metrics]
    text = (
        f"{host}: {received}/{sent} replies via {how}, rtt avg {fmt_ms(avg)}, "
        f"max {fmt_ms(peak)}, {loss:.0f}% loss"
    )
    return CheckOutcome(CheckStatus.OK, _prefixed(text, warning), metrics)


def _prefixed(text: str, warning: str | None) -> str:
    return f"{warning}; {text}" if warning else text
