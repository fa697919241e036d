"""Template tokens with wildcards: matching a word, generalising several words into one, rendering.

Two kinds of wildcard live inside a template token. `<*>` is a *shape* variable put there by the
tokeniser (`port <*>`, `node-<*>`); it matches only a word masked to the same shape, so `****` never
joins `<*>`. `WILD` is a *learned* variable, put there when a position proved variable across lines
(`user=<*>` after `user=root`, `user=guest`, ...); it matches any word with the same fixed
punctuation around it. Both render as `<*>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from forewarn.analysis.logs.tokens import SHAPE

WILD = "\x00"
_ANY_WILDCARD = re.compile(r"<\*>|\x00")


def key_form(token: str) -> str:
    """The token with shape variables written as learned ones, so `rhost=<*>` and `rhost=WILD` compare equal."""
    return token.replace(SHAPE, WILD) if SHAPE in token else token


def has_wildcard(token: str) -> bool:
    return WILD in token or SHAPE in token


def skeleton(token: str) -> str:
    """The token without its wildcards."""
    return _ANY_WILDCARD.sub("", token)


def is_loose(token: str) -> bool:
    """True for a token that is nothing but wildcards and punctuation: `<*>`, `(<*>)`, `<*>:<*>`."""
    rest = _ANY_WILDCARD.sub("", token)
    return rest != token and not any(c.isalnum() for c in rest)


def matches(pattern: str, word: str) -> bool:
    """Does a masked word fit a template token? Learned wildcards match any run of characters."""
    if pattern == word:
        return True
    at = pattern.find(WILD)
    if at < 0:
        return False
    head, tail = pattern[:at], pattern[at + 1:]
    if WILD in tail:
        return _pattern_regex(pattern).fullmatch(word) is not None
    return len(word) >= at + len(tail) and word.startswith(head) and word.endswith(tail)


def matches_all(pattern: Sequence[str], words: Sequence[str]) -> bool:
    return all(p == w or matches(p, w) for p, w in zip(pattern, words, strict=True))


def generalise(values: Iterable[str]) -> str:
    """One learned wildcard covering all values, keeping the punctuation they share at both ends.

    `(uid=0)`-like structure survives: `()` and `(host)` give `(WILD)`, `user=root` and `user=guest`
    give `user=WILD`. A shared prefix is only kept up to punctuation, so `rdd_42` and `rdd_7` give a
    bare `WILD` rather than the misleading `rdd_WILD`.
    """
    items = list(values)
    low, high = min(items), max(items)
    head = _cut_at_wildcard(_common_prefix(low, high))
    while head and (head[-1].isalnum() or head[-1] == "_"):
        head = head[:-1]
    reversed_items = [v[::-1] for v in items]
    tail = _common_prefix(min(reversed_items), max(reversed_items))[::-1]
    tail = _after_wildcard(tail)
    while tail and (tail[0].isalnum() or tail[0] == "_"):
        tail = tail[1:]
    if len(head) + len(tail) > min(len(v) for v in items):
        tail = ""
    return head + WILD + tail


def _common_prefix(a: str, b: str) -> str:
    n = 0
    limit = min(len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    return a[:n]


def _cut_at_wildcard(text: str) -> str:
    match = _ANY_WILDCARD.search(text)
    return text[:match.start()] if match else text


def _after_wildcard(text: str) -> str:
    ends = [m.end() for m in _ANY_WILDCARD.finditer(text)]
    return text[ends[-1]:] if ends else text


def render(tokens: Sequence[str]) -> str:
    """The template as Loghub writes it: words joined by one space, every variable as `<*>`."""
    return " ".join(tokens).replace(WILD, SHAPE)


def variables(tokens: Sequence[str], words: Sequence[str]) -> tuple[str, ...]:
    """The parts of the original words that the template's wildcards stand for, in order."""
    found: list[str] = []
    for token, word in zip(tokens, words, strict=False):
        if token == WILD or token == SHAPE:
            found.append(word)
        elif WILD in token or SHAPE in token:
            match = _pattern_regex(token).fullmatch(word)
            if match is not None:
                found.extend(match.groups())
            else:
                found.append(word)  # the word was masked beyond the pattern (e.g. a path); keep it whole
    return tuple(found)


@lru_cache(maxsize=4096)
def _pattern_regex(token: str) -> re.Pattern[str]:
    pieces = _ANY_WILDCARD.split(token)
    return re.compile("(.*?)".join(re.escape(p) for p in pieces), re.DOTALL)
