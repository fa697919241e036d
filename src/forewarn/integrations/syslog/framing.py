"""Messages out of a syslog TCP byte stream: octet counting or newline delimiting (RFC 6587).

The framing is chosen once per connection, from its first byte: a digit starts an octet count
(`LEN SP MSG`, §3.4.1), anything else (normally `<`) means messages end at LF (§3.4.2). A count
that is not digits-then-space is a framing error; like rsyslog, the decoder then falls back to
newline delimiting for the rest of the connection instead of dropping the connection.

No frame outgrows `max_message`: a longer one is cut there, flagged `truncated`, and the rest of
it is skipped. A stream that ends inside a counted frame yields what arrived, flagged truncated;
an unterminated last line is yielded as it is (many senders omit the final LF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

_MAX_COUNT_DIGITS = 10  # a longer count cannot be meant; it is garbage
_BETWEEN_FRAMES = b"\r\n\x00 "


@dataclass(frozen=True, slots=True)
class Frame:
    data: bytes
    length: int  # bytes the sender meant (the count, or the whole line)
    truncated: bool = False


class FrameDecoder:
    """Feed it the bytes of one connection as they arrive; it returns the complete frames."""

    def __init__(self, max_message: int = 65536) -> None:
        if max_message < 1:
            raise ValueError("max_message must be at least 1 byte")
        self.max_message = max_message
        self.mode: Literal["unknown", "octet", "line"] = "unknown"
        self.framing_errors = 0
        self._buffer = bytearray()
        self._skip = 0  # bytes of an oversized counted frame still to discard
        self._skip_line = False  # discarding the rest of an oversized line
        self._pending: tuple[int, int] | None = None  # counted frame being read: (count, header length)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while self._buffer:
            if self.mode == "unknown":
                self.mode = "octet" if self._buffer[:1].isdigit() else "line"
            frame = self._next_octet() if self.mode == "octet" else self._next_line()
            if frame is None:
                break
            if frame.data:
                frames.append(frame)
        return frames

    def close(self) -> list[Frame]:
        """The end of the stream: whatever is left becomes a last frame."""
        rest, self._buffer = bytes(self._buffer), bytearray()
        if self._skip or self._skip_line:
            return []
        if self._pending is not None:
            count, header = self._pending
            body = rest[header:]
            return [Frame(body, count, truncated=True)] if body else []
        if self.mode == "line" and rest.strip(b"\r\n\x00"):
            return [Frame(rest.rstrip(b"\r"), len(rest))]
        if self.mode == "octet" and rest:
            self.framing_errors += 1  # a count that never got its space or body
        return []

    def _next_octet(self) -> Frame | None:
        if self._skip:
            dropped = min(self._skip, len(self._buffer))
            del self._buffer[:dropped]
            self._skip -= dropped
            return None if self._skip else Frame(b"", 0)
        if self._pending is None:
            gap = len(self._buffer) - len(self._buffer.lstrip(_BETWEEN_FRAMES))
            if gap:  # some senders end each counted frame with a LF anyway
                del self._buffer[:gap]
                return Frame(b"", 0)
            space = self._buffer.find(b" ", 0, _MAX_COUNT_DIGITS + 1)
            if space == -1 and len(self._buffer) <= _MAX_COUNT_DIGITS and self._buffer.isdigit():
                return None  # the count is still arriving
            if space <= 0 or not self._buffer[:space].isdigit():
                self.framing_errors += 1
                self.mode = "line"
                return Frame(b"", 0)
            self._pending = (int(self._buffer[:space]), space + 1)
        count, header = self._pending
        kept = min(count, self.max_message)
        if len(self._buffer) < header + kept:
            return None
        data = bytes(self._buffer[header:header + kept])
        available = len(self._buffer) - header
        del self._buffer[:header + min(count, available)]
        self._pending = None
        self._skip = max(0, count - available)
        return Frame(data, count, truncated=count > kept)

    def _next_line(self) -> Frame | None:
        end = self._buffer.find(b"\n")
        if self._skip_line:
            if end == -1:
                self._buffer.clear()
                return None
            del self._buffer[:end + 1]
            self._skip_line = False
            return Frame(b"", 0)
        if end == -1:
            if len(self._buffer) <= self.max_message:
                return None
            data = bytes(self._buffer[:self.max_message])
            self._buffer.clear()
            self._skip_line = True
            return Frame(data, self.max_message + 1, truncated=True)
        line = bytes(self._buffer[:end]).rstrip(b"\r")
        del self._buffer[:end + 1]
        if len(line) > self.max_message:
            return Frame(line[:self.max_message], len(line), truncated=True)
        return Frame(line, len(line))
