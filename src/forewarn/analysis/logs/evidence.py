"""Evidence that a template position is variable: the distinct words seen there while the rest agreed.

Every template registers each of its constant positions under a *slot key*: its length, the
position, and hashes of everything before and after it (shape and learned wildcards counted
alike). Templates that differ only at that position share the slot. A slot is variable once it
has held `min_distinct` different words (user names, host names), or two words of which one is a
bare wildcard and all carry one (`blk_-<*>` beside `<*>`), or the same punctuation once empty and
once around a wildcard (`()` beside `(<*>)`). The first position of a message is
usually the event's verb (`boot (command <*>)` vs `wait (command <*>)`), so there only the second
rule counts, and one-word messages never generalise.

Prefix and suffix hashes are rolled, so a template of n tokens costs O(n) to register. A hash
collision could only propose a merge; the miner verifies candidates token by token before merging.
"""

from __future__ import annotations

from collections.abc import Sequence

from forewarn.analysis.logs.wildcards import WILD, has_wildcard, is_loose, key_form, skeleton

SlotKey = tuple[int, int, int, int]


class SlotEvidence:
    """Slot key → {word at that position → template id}, with the rule that declares a slot variable."""

    def __init__(self, min_distinct: int = 3) -> None:
        self._min_distinct = min_distinct
        self._slots: dict[SlotKey, dict[str, int]] = {}
        self._registered: dict[int, list[tuple[SlotKey, str]]] = {}

    def register(self, template_id: int, tokens: Sequence[str]) -> SlotKey | None:
        """Record the template's constant positions; return a slot that is now variable, if any."""
        self.unregister(template_id)
        n = len(tokens)
        if n < 2:
            return None
        forms = [key_form(t) for t in tokens]
        before = [0] * (n + 1)
        for i, form in enumerate(forms):
            before[i + 1] = hash((before[i], form))
        after = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            after[i] = hash((forms[i], after[i + 1]))
        entries = []
        fired: SlotKey | None = None
        for p, token in enumerate(tokens):
            if token == WILD:
                continue
            key = (n, p, before[p], after[p + 1])
            values = self._slots.setdefault(key, {})
            values[token] = template_id
            entries.append((key, token))
            if fired is None and self._is_variable(p, values):
                fired = key
        self._registered[template_id] = entries
        return fired

    def unregister(self, template_id: int) -> None:
        for key, token in self._registered.pop(template_id, ()):
            values = self._slots.get(key)
            if values is not None and values.get(token) == template_id:
                del values[token]
                if not values:
                    del self._slots[key]

    def values(self, key: SlotKey) -> dict[str, int]:
        """The words seen in a slot and the template that brought each."""
        return dict(self._slots.get(key, {}))

    def _is_variable(self, position: int, values: dict[str, int]) -> bool:
        if len(values) < 2:
            return False
        if position > 0 and len(values) >= self._min_distinct:
            return True
        if all(has_wildcard(v) for v in values):
            return any(is_loose(v) for v in values)
        # `()` beside `(<*>)`: the same punctuation, once empty and once holding a value.
        skeletons = {skeleton(v) for v in values}
        return len(skeletons) == 1 and not any(c.isalnum() for c in skeletons.pop())
