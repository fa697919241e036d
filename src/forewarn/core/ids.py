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
