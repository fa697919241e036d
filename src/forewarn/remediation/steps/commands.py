"""Command steps: a local argv, an argv on the asset over SSH, and the built-ins that are commands."""

from __future__ import annotations

from collections.abc import Sequence

from forewarn.remediation.document import (
    LocalStep,
    RenewCertificateStep,
    RestartServiceStep,
    SshStep,
    _Remote,
)
from forewarn.remediation.steps.base import Plan, StepContext, StepError, StepOutcome, from_process
from forewarn.remediation.steps.ssh import SshTarget
from forewarn.remediation.templates import TemplateError, render


def _render(template: str, ctx: StepContext, secrets: bool = False) -> str:
    try:
        return render(template, ctx.params, ctx.secret_values() if secrets else None)
    except TemplateError as exc:
        raise StepError(str(exc)) from None


def plan_local(step: LocalStep, ctx: StepContext) -> Plan:
    argv = [_render(a, ctx) for a in step.argv]
    env = {**ctx.config.base_env, **{k: _render(v, ctx, secrets=True) for k, v in step.env.items()}}
    cwd = _render(step.cwd, ctx) if step.cwd else None
    return _local_plan(argv, ctx, step.timeout, env, cwd)


def _local_plan(argv: list[str], ctx: StepContext, timeout: float, env: dict[str, str] | None = None,
                cwd: str | None = None) -> Plan:
    async def action() -> StepOutcome:
        result = await ctx.config.processes.run(argv, env=env if env is not None else dict(ctx.config.base_env),
                                                cwd=cwd, timeout=timeout, max_output=ctx.config.max_output_bytes)
        return from_process(result, timeout)

    return Plan("local", argv, action)


def ssh_target(step: _Remote, ctx: StepContext) -> SshTarget:
    host = step.host or (ctx.asset.address if ctx.asset else None)
    if not host:
        raise StepError("the asset has no address to connect to; set 'host' on the step")
    cred = ctx.credentials.get(step.credential or "")
    if cred is None:
        raise StepError(f"credential {step.credential!r} is not stored for this tenant")
    if not cred.get("username"):
        raise StepError(f"credential {step.credential!r} has no username")
    if not cred.get("host_key") and not cred.get("insecure_skip_host_key"):
        raise StepError(f"credential {step.credential!r} has no host_key; the server's identity cannot be checked")
    is_key = cred.get("kind") == "ssh_key"
    return SshTarget(host=host, port=step.port, username=cred["username"],
                     private_key=cred.get("value") if is_key else None, passphrase=cred.get("passphrase"),
                     password=None if is_key else cred.get("value"), host_key=cred.get("host_key"),
                     insecure_skip_host_key=bool(cred.get("insecure_skip_host_key")))


def _ssh_plan(step: _Remote, argv: list[str], ctx: StepContext) -> Plan:
    target = ssh_target(step, ctx)

    async def action() -> StepOutcome:
        result = await ctx.config.ssh.run(target, argv, timeout=step.timeout, max_output=ctx.config.max_output_bytes)
        return from_process(result, step.timeout)

    return Plan(f"ssh {target.username}@{target.host}:{target.port}", argv, action)


def _where(step: _Remote, argv: list[str], ctx: StepContext) -> Plan:
    return _ssh_plan(step, argv, ctx) if step.run_on == "asset" else _local_plan(argv, ctx, step.timeout)


def plan_ssh(step: SshStep, ctx: StepContext) -> Plan:
    return _ssh_plan(step, [_render(a, ctx) for a in step.argv], ctx)


def plan_restart_service(step: RestartServiceStep, ctx: StepContext) -> Plan:
    return _where(step, [ctx.config.systemctl, "restart", _render(step.service, ctx)], ctx)


def plan_renew_certificate(step: RenewCertificateStep, ctx: StepContext) -> Plan:
    base: Sequence[str] = [_render(a, ctx) for a in step.command] if step.command else ctx.config.certificate_command
    return _where(step, [*base, _render(step.certificate, ctx)], ctx)
