"""Generic tokenisation of a log message into words and their masked forms (`<*>` for obvious variables).

One rule set for every source, no per-source regexes. A message is split on whitespace, except
that a whole timestamp (`Sun Jul 24 13:46:35 2005`, `2015-07-29 17:41:44,747`) stays one word.
Each word is then cut at hard punctuation (brackets, quotes, `,;|=`, runs of dots) and every piece
is judged by its shape: numbers, hex, IPs, host:port, paths, host names and ids become `<*>`;
`key=` names, `name:` prefixes, small identifiers such as `ssh2` or `jk2_init` stay; `node-12`,
`CPU#0` and `core.3392` keep their name and lose the number (`node-<*>`), as Loghub writes them.
"""

from __future__ import annotations

import re

SHAPE = "<*>"  # a variable recognised from its shape alone

_DATE = (r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} "
         r"\d{1,2}:\d{2}:\d{2}(?: [A-Z]{3,4})? \d{4}\b"
         r"|\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b")
_HAS_DATE = re.compile(r"\d:\d\d:\d\d")
_WORDS_WITH_DATES = re.compile(rf"{_DATE}|\S+")
_DATE_ONLY = re.compile(_DATE)

# Words without digits, slashes or dots are never masked: the common case skips everything below.
_WORTH_A_LOOK = re.compile(r"[\d/.]")
_NUMBER = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|\d+(?:[.:]\d+)*)([:.,;!?%]*)")
_HARD = re.compile(r"([()\[\]{}<>,;\"'|=]|\.{2,})")
_NAME_PREFIX = re.compile(r"([A-Za-z][A-Za-z_-]*):(?=.)")
_HEX_ONLY = re.compile(r"[0-9A-Fa-f]+")
_NAME_PORT = re.compile(r"([^\d]+):\d+")
_NAME_NUMBER = re.compile(r"([A-Za-z]*#|[A-Za-z]+[-.])\d+(?:\.\d+)*")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_$]*")
_LONG_DIGITS = re.compile(r"\d{3}")
_LOWER_PAIR = re.compile(r"[a-z]{2}")
_LETTER_DIGIT = re.compile(r"[A-Z][0-9]")
_PARTS = re.compile(r"[.-]")
_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+(?:com|net|org|edu|gov|mil|int|info|biz|io|local|lan|internal"
                   r"|localdomain|(?:co|com|net|org|edu|gov|ac)\.[a-z]{2})", re.IGNORECASE)
_TRAILING = ":.,;!?%"
_DIGIT = re.compile(r"\d")


def split_words(message: str) -> list[str]:
    """Whitespace-separated words, with each recognised timestamp kept as a single word."""
    if _HAS_DATE.search(message):
        return _WORDS_WITH_DATES.findall(message)
    return message.split()


def mask_word(word: str) -> str:
    """The word with every variable piece replaced by `<*>`; constant words come back unchanged."""
    if not _WORTH_A_LOOK.search(word):
        return word
    number = _NUMBER.fullmatch(word)  # the commonest variable, settled without cutting the word up
    if number:
        return SHAPE + number.group(1)
    if " " in word and _DATE_ONLY.fullmatch(word):
        return SHAPE
    if not _HARD.search(word) and ":" not in word:
        return _mask_piece(word)  # one piece, no `name:` prefix: the common shape, skip the cutting
    parts = _HARD.split(word)  # pieces at even indices, separators at odd ones
    out: list[str] = []
    for i in range(0, len(parts), 2):
        piece = parts[i]
        is_key = i + 1 < len(parts) and parts[i + 1] == "=" and any(c.isalpha() for c in piece)
        # A key names the value after it and is never a variable itself.
        out.append(piece if is_key else _mask_prefixed(piece))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def _mask_prefixed(piece: str) -> str:
    # `sessionid:0x14e`, `jar:file:/x`: peel alphabetic `name:` prefixes; `FF:` (hex) or `hdfs://` are not names.
    head = ""
    while True:
        match = _NAME_PREFIX.match(piece)
        if match is None or _HEX_ONLY.fullmatch(match.group(1)) or piece.startswith("//", match.end()):
            break
        head += match.group(0)
        piece = piece[match.end():]
    return head + _mask_piece(piece)


def _mask_piece(piece: str) -> str:
    core = piece.rstrip(_TRAILING)
    if not core:
        return piece
    tail = piece[len(core):]
    if core[0] == "/" and len(core) > 1:
        return SHAPE + tail  # an absolute path
    if "." in core and _HOST.fullmatch(core):
        return SHAPE + tail
    if not _DIGIT.search(core):
        return piece
    named = _NAME_PORT.fullmatch(core)
    if named:  # `sweep.c:123`: the name stays, the number goes; a host:port with digits goes whole
        return named.group(1) + ":" + SHAPE + tail
    numbered = _NAME_NUMBER.fullmatch(core)
    if numbered:
        return numbered.group(1) + SHAPE + tail
    if all(_is_constant_part(part) for part in _PARTS.split(core)):
        return piece
    return SHAPE + tail


def _is_constant_part(part: str) -> bool:
    """Digit-free parts and small identifiers (`ssh2`, `jk2_init`, `C1`) are names, not values."""
    if not _DIGIT.search(part):
        return True
    return bool(_IDENT.fullmatch(part) and not _LONG_DIGITS.search(part)
                and (_LOWER_PAIR.search(part) or _LETTER_DIGIT.fullmatch(part)))


class _MaskCache(dict[str, str]):
    def __missing__(self, word: str) -> str:
        masked = self[word] = mask_word(word)
        return masked


class WordMasker:
    """`mask_word` behind a bounded cache: most words of a log stream repeat."""

    def __init__(self, cache_size: int = 200_000) -> None:
        self._cache = _MaskCache()
        self._cache_size = cache_size

    def mask(self, words: list[str]) -> list[str]:
        cache = self._cache
        if len(cache) >= self._cache_size:
            cache.clear()  # crude but O(1) amortised; a cold cache only costs speed
        return [cache[word] for word in words]
