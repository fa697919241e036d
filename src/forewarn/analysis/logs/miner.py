"""Streaming log template miner: each message gets a template id, the template and its variables.

How a message is placed, cheapest path first:

1. An exact repeat of an earlier message reuses its answer (line cache).
2. The message is tokenised and masked (`tokens.py`); a repeat of a masked form reuses its answer.
3. Otherwise it joins the first template of the same length whose tokens all match it; templates
   are bucketed by length and first token, like the first levels of Drain's prefix tree.
4. Otherwise it becomes a new template, which first absorbs older templates it is more general
   than (their oldest id survives), then registers its positions as evidence (`evidence.py`).
   When a position has shown enough distinct words, the templates sharing it merge into one with
   a learned wildcard there, Brain-style: constants are what stays put, variables what keeps
   changing. Merges can cascade.

Template ids are stable: when templates merge, the oldest id survives and the others become
aliases of it (`resolve`). A template only ever generalises, so every message placed under an id
still fits the template that id resolves to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forewarn.analysis.logs.evidence import SlotEvidence, SlotKey
from forewarn.analysis.logs.tokens import WordMasker, split_words
from forewarn.analysis.logs.wildcards import WILD, generalise, key_form, matches_all, render, variables

_ANY_HEAD = WILD  # bucket of templates whose first token is a learned wildcard


@dataclass(frozen=True)
class MinerConfig:
    """One configuration for every source; there is nothing to tune per source."""

    min_distinct: int = 3  # distinct words at one position that make it a variable
    cache_size: int = 200_000  # entries in each of the line, masked-form and word caches


@dataclass(slots=True)
class LogMatch:
    """Where one message landed. `variables` is worked out on first access, from the message itself."""

    template_id: int
    template: str
    message: str
    _tokens: tuple[str, ...] = field(repr=False, compare=False)
    _variables: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def variables(self) -> tuple[str, ...]:
        """The message's variable parts, in template order (the template as it was when matched)."""
        if self._variables is None:
            self._variables = variables(self._tokens, split_words(self.message))
        return self._variables


@dataclass(frozen=True)
class TemplateInfo:
    template_id: int
    template: str
    lines: int


class LogTemplateMiner:
    """Online template mining over one stream of messages (one miner per source, or one for all)."""

    def __init__(self, config: MinerConfig | None = None) -> None:
        self.config = config or MinerConfig()
        self._masker = WordMasker(self.config.cache_size)
        self._evidence = SlotEvidence(self.config.min_distinct)
        self._line_cache: dict[str, int] = {}
        self._form_cache: dict[str, int] = {}
        self._parent: list[int] = []  # id → the id it merged into (itself while alive)
        self._lines: list[int] = []
        self._tokens: dict[int, tuple[str, ...]] = {}  # live templates only
        self._rendered: dict[int, str] = {}
        self._buckets: dict[tuple[int, str], dict[int, None]] = {}  # insertion-ordered sets

    def add(self, message: str | bytes) -> LogMatch:
        """Place one message (bytes are decoded as UTF-8 with replacement characters)."""
        if isinstance(message, bytes):
            message = message.decode("utf-8", errors="replace")
        template_id = self._line_cache.get(message)
        if template_id is None:
            template_id = self._place(message)
            self._remember(self._line_cache, message, template_id)
        template_id = self.resolve(template_id)
        self._lines[template_id] += 1
        return LogMatch(template_id, self._rendered[template_id], message, self._tokens[template_id])

    def resolve(self, template_id: int) -> int:
        """The live id a (possibly merged) template id now stands for."""
        parent = self._parent
        root = template_id
        while parent[root] != root:
            root = parent[root]
        while parent[template_id] != root:  # path compression keeps later look-ups O(1)
            parent[template_id], template_id = root, parent[template_id]
        return root

    def template(self, template_id: int) -> str:
        return self._rendered[self.resolve(template_id)]

    def templates(self) -> list[TemplateInfo]:
        """Every live template, most frequent first."""
        infos = [TemplateInfo(t, self._rendered[t], self._lines[t]) for t in self._tokens]
        return sorted(infos, key=lambda info: (-info.lines, info.template_id))

    def _place(self, message: str) -> int:
        if "\x00" in message:
            message = message.replace("\x00", "\ufffd")  # NUL is our wildcard marker
        masked = self._masker.mask(split_words(message))
        form = " ".join(masked)
        template_id = self._form_cache.get(form)
        if template_id is None:
            template_id = self._match(masked)
            if template_id is None:
                template_id = self._create(tuple(masked))
            self._remember(self._form_cache, form, template_id)
        return template_id

    def _remember(self, cache: dict[str, int], key: str, template_id: int) -> None:
        if len(cache) >= self.config.cache_size:
            cache.clear()  # only a cache: a miss re-derives an answer from the live templates
        cache[key] = template_id

    def _match(self, masked: list[str]) -> int | None:
        n = len(masked)
        for bucket in (self._buckets.get((n, masked[0] if masked else "")), self._buckets.get((n, _ANY_HEAD))):
            for template_id in bucket or ():
                if matches_all(self._tokens[template_id], masked):
                    return template_id
        return None

    def _create(self, tokens: tuple[str, ...]) -> int:
        absorbed = self._subsumed_by(tokens)
        if absorbed:
            keep = absorbed[0]
            self._merge_into(keep, absorbed, tokens)
            self._settle(keep)
            return keep
        template_id = len(self._parent)
        self._parent.append(template_id)
        self._lines.append(0)
        self._install(template_id, tokens)
        self._settle(template_id)
        return template_id

    def _subsumed_by(self, tokens: tuple[str, ...]) -> list[int]:
        """Live templates, oldest first, that the given tokens are at least as general as."""
        n = len(tokens)
        if tokens and WILD in tokens[0]:
            pools = [ids for (length, _), ids in self._buckets.items() if length == n]
        else:
            pools = [self._buckets.get((n, tokens[0] if tokens else ""), {})]
        return sorted(t for pool in pools for t in pool if matches_all(tokens, self._tokens[t]))

    def _settle(self, template_id: int) -> None:
        """Register the template's evidence and merge as long as some slot proves variable."""
        while True:
            fired = self._evidence.register(template_id, self._tokens[template_id])
            if fired is None:
                return
            merged = self._merge_slot(template_id, fired)
            if merged is None:
                return
            template_id = merged

    def _merge_slot(self, template_id: int, key: SlotKey) -> int | None:
        """Merge the templates sharing a variable slot; None when that would change nothing."""
        position = key[1]
        values = self._evidence.values(key)
        mine = self._tokens[template_id]
        members = sorted({self.resolve(t) for t in values.values()} | {template_id})
        # Slot keys are hashes: keep only templates that really agree everywhere but here.
        members = [m for m in members if _same_except(self._tokens[m], mine, position)]
        columns = list(zip(*(self._tokens[m] for m in members), strict=True))
        merged = [c[0] if len(set(c)) == 1 else generalise(set(c)) for c in columns]
        merged[position] = generalise({self._tokens[m][position] for m in members})
        merged_tokens = tuple(merged)
        if len(members) == 1 and merged_tokens == mine:
            return None  # only a hash collision brought this slot here: nothing to learn
        keep = members[0]
        self._merge_into(keep, members, merged_tokens)
        return keep

    def _merge_into(self, keep: int, members: list[int], tokens: tuple[str, ...]) -> None:
        """Fold members into `keep` with the given (more general) tokens and absorb what those cover."""
        for member in members:
            self._uninstall(member)
        for member in members:
            if member != keep:
                self._parent[member] = keep
                self._lines[keep] += self._lines[member]
        for other in self._subsumed_by(tokens):
            self._uninstall(other)
            self._parent[other] = keep
            self._lines[keep] += self._lines[other]
        self._install(keep, tokens)

    def _install(self, template_id: int, tokens: tuple[str, ...]) -> None:
        self._tokens[template_id] = tokens
        self._rendered[template_id] = render(tokens)
        self._buckets.setdefault(_bucket_key(tokens), {})[template_id] = None

    def _uninstall(self, template_id: int) -> None:
        tokens = self._tokens.pop(template_id, None)
        if tokens is None:
            return
        del self._rendered[template_id]
        self._buckets[_bucket_key(tokens)].pop(template_id, None)
        self._evidence.unregister(template_id)


def _bucket_key(tokens: tuple[str, ...]) -> tuple[int, str]:
    if not tokens:
        return (0, "")
    head = tokens[0]
    return (len(tokens), _ANY_HEAD if WILD in head else head)


def _same_except(a: tuple[str, ...], b: tuple[str, ...], position: int) -> bool:
    return len(a) == len(b) and all(i == position or key_form(x) == key_form(y)
                                    for i, (x, y) in enumerate(zip(a, b, strict=True)))
