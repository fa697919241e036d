"""Identifier generation: short, sortable, URL-safe ids for every row."""

import os
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_id() -> str:
    """A 20-char id: 9 chars of millisecond time (sortable) then 11 random chars."""
    millis = int(time.time() * 1000)
    head = ""
    for _ in range(9):
        millis, rem = divmod(millis, 36)
        head = _ALPHABET[rem] + head
    tail = "".join(_ALPHABET[b % 36] for b in os.urandom(11))
    return head + tail


_TAIL = bytes(ord(_ALPHABET[b % 36]) for b in range(256))  # byte → id character, as new_id maps it


def new_ids(n: int) -> list[str]:
    """`n` ids like new_id's, made in one go (one clock read, one urandom call) for batch writers."""
    millis = int(time.time() * 1000)
    head = ""
    for _ in range(9):
        millis, rem = divmod(millis, 36)
        head = _ALPHABET[rem] + head
    tails = os.urandom(11 * n).translate(_TAIL).decode()
    return [head + tails[k:k + 11] for k in range(0, 11 * n, 11)]
