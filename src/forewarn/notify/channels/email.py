"""Email channel over SMTP (STARTTLS or implicit TLS, optional AUTH) through aiosmtplib.

The Message-ID is derived from the idempotency key, so a retry after an unacknowledged send is the
same message to the receiving side (mail stores and clients collapse identical Message-IDs).
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import ssl
from email.message import EmailMessage
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from forewarn.notify.channels.base import Channel, ChannelConfig, DeliveryError, Message
from forewarn.notify.templates import render, subject

_ADDRESS = re.compile(r"^[^@\s<>\"',;:()\[\]\\]+@[A-Za-z0-9.-]+$")


def _address(value: str) -> str:
    if not _ADDRESS.match(value):
        raise ValueError(f"{value!r} is not a plain email address (name@example.org)")
    return value


class EmailConfig(ChannelConfig):
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    from_addr: str
    to: list[str] = Field(min_length=1, max_length=50)
    ca_file: str | None = Field(default=None, description="PEM file of a private CA to trust")

    @field_validator("from_addr")
    @classmethod
    def _from(cls, value: str) -> str:
        return _address(value)

    @field_validator("to")
    @classmethod
    def _to(cls, value: list[str]) -> list[str]:
        return [_address(v) for v in value]

    @model_validator(mode="after")
    def _auth_pair(self) -> EmailConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together")
        return self


def message_id(idempotency_key: str, from_addr: str) -> str:
    """A stable Message-ID for a key: same key, same id, however often it is sent."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}.forewarn@{from_addr.rsplit('@', 1)[1]}>"


def build(message: Message, config: EmailConfig, now: float) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject(message)  # folded to one line: a title cannot inject headers
    mail["From"] = config.from_addr
    mail["To"] = ", ".join(config.to)
    mail["Date"] = email.utils.formatdate(now, usegmt=True)
    mail["Message-ID"] = message_id(message.idempotency_key, config.from_addr)
    mail["X-Forewarn-Idempotency-Key"] = message.idempotency_key
    mail.set_content(render("text", message))
    mail.add_alternative(render("html", message), subtype="html")
    return mail


class EmailChannel(Channel):
    kind: ClassVar[str] = "email"
    config_model: ClassVar[type[ChannelConfig]] = EmailConfig
    config: EmailConfig

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.config.ca_file:
            context.load_verify_locations(cafile=self.config.ca_file)
        return context

    async def send(self, message: Message) -> None:
        import aiosmtplib

        cfg = self.config
        send = self.seams.smtp_send or aiosmtplib.send
        secure = cfg.security != "none"
        try:
            await send(build(message, cfg, self.seams.clock.now()), hostname=cfg.host, port=cfg.port,
                       username=cfg.username,
                       password=cfg.password.get_secret_value() if cfg.password else None,
                       use_tls=cfg.security == "tls", start_tls=True if cfg.security == "starttls" else False,
                       tls_context=self._tls_context() if secure else None, timeout=cfg.timeout)
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx is a temporary refusal (greylisting, full queue); 5xx will not change by retrying.
            raise DeliveryError(f"the mail server answered {exc.code}: {exc.message}",
                                retryable=exc.code < 500) from exc
        except aiosmtplib.SMTPException as exc:
            raise DeliveryError(f"could not send the mail: {type(exc).__name__}: {exc}") from exc
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"could not reach the mail server {cfg.host}:{cfg.port}: {exc}") from exc

    @staticmethod
    def target(config: ChannelConfig) -> str:
        assert isinstance(config, EmailConfig)
        return f"smtp://{config.host}:{config.port} → {', '.join(config.to)}"
