"""Pseudonymising text that mentions one person, for erasure (docs/privacy.md): the privacy app
describes the person once (`Person`), and each app rewrites the stored copies it owns (webhook
payloads, CSV import files) with `Person.scrub`. Plumbing: imports no app."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

ERASED_TEXT = "[erased]"


@dataclass(frozen=True)
class Person:
    """What identifies one person in stored text, and what replaces it.

    What finds a stored copy about the person — `phrases` (e-mail addresses, full names), found and
    replaced wherever they occur, case-insensitively; `identifiers` (external ids), found and
    replaced where they are a whole value or cell; `ids` (the person's own UUIDs, kept: they are what
    the tombstone names). What is replaced only inside a copy found so: `names` (a first or a last
    name alone, as a whole value: a colleague with the same first name is not "found"). And
    `free_text_fields`: keys whose non-empty values are free text about the person, replaced whole."""

    phrases: dict[str, str]
    identifiers: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    ids: tuple[str, ...] = ()
    free_text_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def values(self) -> dict[str, str]:
        return {**self.names, **self.identifiers}

    def needles(self) -> list[str]:
        return [text for text in (*self.phrases, *self.identifiers, *self.ids) if text]

    def mentioned_in(self, text: str) -> bool:
        folded = text.casefold()
        return any(needle.casefold() in folded for needle in self.needles())

    def scrub_text(self, text: str) -> str:
        stripped = text.strip()
        for old, new in self.values.items():
            if old and stripped.casefold() == old.casefold():
                return new
        for old, new in sorted(self.phrases.items(), key=lambda item: -len(item[0])):
            if old:
                text = re.sub(re.escape(old), new, text, flags=re.IGNORECASE)
        return text

    def scrub(self, value, key: str = ""):
        """`value` (JSON-like: dicts, lists, strings) with the person replaced throughout."""
        if isinstance(value, dict):
            return {k: self.scrub(v, key=str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v, key=key) for v in value]
        if isinstance(value, str):
            if key in self.free_text_fields and value.strip():
                return ERASED_TEXT
            return self.scrub_text(value)
        return value

    def row_is_about(self, cells: Iterable[str]) -> bool:
        cells = [cell.strip().casefold() for cell in cells]
        exact = {text.casefold() for text in (*self.identifiers, *self.ids) if text}
        return any(cell in exact for cell in cells) or any(
            phrase.casefold() in cell for phrase in self.phrases if phrase for cell in cells
        )
