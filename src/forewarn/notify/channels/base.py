"""The channel SDK: a small ABC, the message it sends, the seams it may use, and its delivery error."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from forewarn.core.clock import Clock


class ChannelConfig(BaseModel):
    """Typed settings of a channel kind; `SecretStr` fields are the secrets (redacted on every read)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    timeout: float = 10.0


class UrlConfig(ChannelConfig):
    """A channel posting to one URL; the URL is a secret (Slack and Teams URLs carry their token)."""

    url: SecretStr

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value


@dataclass(frozen=True, slots=True)
class Item:
    """One incident change inside a message: the snapshot taken at enqueue time, plus its link."""

    change: str
    incident: dict[str, Any]
    link: str


@dataclass(frozen=True, slots=True)
class Message:
    """What one send carries: one or several changes, under the key receivers de-duplicate on."""

    idempotency_key: str
    items: tuple[Item, ...]


SmtpSend = Callable[..., Awaitable[Any]]  # aiosmtplib.send's signature


@dataclass(slots=True)
class Seams:
    """Every outside effect a channel may cause goes through these (tests pass fakes or loopback servers)."""

    http: httpx.AsyncClient
    clock: Clock
    smtp_send: SmtpSend | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """A send that did not succeed; `retryable` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Channel(ABC):
    """A destination kind: validates its config, renders and sends a message, raises DeliveryError."""

    kind: ClassVar[str]
    config_model: ClassVar[type[ChannelConfig]]

    def __init__(self, config: ChannelConfig, seams: Seams) -> None:
        self.config = config
        self.seams = seams

    @abstractmethod
    async def send(self, message: Message) -> None:
        """Deliver the message once; return on acknowledged success, raise DeliveryError otherwise."""

    @staticmethod
    def target(config: ChannelConfig) -> str:
        """Where it goes, safe to show (no secrets)."""
        url = getattr(config, "url", None)
        if isinstance(url, SecretStr):
            parts = urlsplit(url.get_secret_value())
            return f"{parts.scheme}://{parts.hostname}"
        return ""


async def post_json(seams: Seams, url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST a JSON body; 2xx is success, 408/429/5xx and network errors may be retried, other 4xx not."""
    try:
        response = await seams.http.post(url, content=body, timeout=timeout,
                                         headers={"Content-Type": "application/json", **headers})
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"no answer within {timeout:g} s ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise DeliveryError(f"could not reach the receiver: {type(exc).__name__}: {exc}") from exc
    if 200 <= response.status_code < 300:
        return
    retryable = response.status_code in (408, 425, 429) or response.status_code >= 500
    snippet = " ".join(response.text[:200].split())
    raise DeliveryError(f"the receiver answered HTTP {response.status_code}: {snippet}", retryable=retryable)
