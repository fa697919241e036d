"""Pure normalisation of DNS answers and their evaluation against expected values."""

from __future__ import annotations

from collections.abc import Iterable

from forewarn.integrations.common import fmt_ms
from forewarn.integrations.dns.probe import DnsLookup
from forewarn.plugins.v1 import CheckOutcome, CheckStatus, MetricPoint


def normalise(record_type: str, text: str) -> str:
    """One answer (or expected value) in a form that compares equal however it was written.

    TXT keeps its case and spacing; names lose case and the final dot:
    'Mail.Example.TEST.' → 'mail.example.test', MX '10 Mail.example.test.' → '10 mail.example.test'.
    """
    if record_type == "TXT":
        return text
    return " ".join(token.rstrip(".") for token in text.split()).lower()


def evaluate(
    result: DnsLookup, name: str, record_type: str, expect: Iterable[str], mode: str
) -> CheckOutcome:
    """OK when the name resolves and the expected answers are there (any or all of them).

    For example answers ('192.0.2.1',) for www.example.test with expect ['192.0.2.1'] gives
    OK "www.example.test A → 192.0.2.1 in 1.2 ms".
    """
    answers = sorted(normalise(record_type, a) for a in result.answers)
    wanted = [normalise(record_type, e) for e in expect]
    metrics = [MetricPoint("resolve_ms", result.resolve_ms, "ms")]
    shown = ", ".join(answers) if len(answers) <= 5 else ", ".join(answers[:5]) + f", … ({len(answers)})"
    line = f"{name} {record_type} → {shown} in {fmt_ms(result.resolve_ms)}"
    if wanted:
        missing = [w for w in wanted if w not in answers]
        if mode == "any" and len(missing) == len(wanted):
            summary = f"{line}; expected one of {', '.join(wanted)}"
            return CheckOutcome(CheckStatus.CRITICAL, summary, metrics)
        if mode == "all" and missing:
            summary = f"{line}; missing expected {', '.join(missing)}"
            return CheckOutcome(CheckStatus.CRITICAL, summary, metrics)
    return CheckOutcome(CheckStatus.OK, line, metrics)
