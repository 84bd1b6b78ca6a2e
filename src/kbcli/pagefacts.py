"""The forms a page's facts take outside the page: the lint cache's row (`encode_row`),
packed in memory (`PackedJson`: a concept's material content, as a run keeps it for every
concept), and read from a row on first use (`LazyFacts`: a page the cache vouches for).
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from kbcli.index import PageFacts
from kbcli.kb import PageRef

if TYPE_CHECKING:
    from kbcli.cache import LintCache

Row = tuple[str, str, list[str]]  # facts, material, name keys: `encode_row`


def encode_row(facts: PageFacts) -> Row:
    """A page's facts as the cache stores them (made where the facts were, in a worker)."""
    raw = facts.to_json()
    material = raw.pop("material")
    aside = material.raw() if isinstance(material, (LazyJson, PackedJson)) else _dumps(material)
    keys = sorted(facts.name_keys()) if facts.kind == "concept" else []
    return _dumps(raw), aside, keys


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class LazyJson(Mapping[str, Any]):
    """A JSON object decoded when first read (a concept's material content: only the
    stale-citation rule reads it, and only for the concepts a thesis cites)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._value is None:
            self._value = json.loads(self._text)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def raw(self) -> str:
        return self._text


class PackedJson(Mapping[str, Any]):
    """A JSON object kept compressed, decoded afresh on each use and never held decoded: a
    concept's material content as a cold lint keeps it for every concept (the stale-
    citation rule reads it only for the concepts theses cite), ~1.2 KB rather than ~10."""

    __slots__ = ("packed",)  # one for every concept of a cold run

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    @classmethod
    def pack(cls, value: Mapping[str, Any]) -> PackedJson:
        return cls.pack_text(_dumps(value))

    @classmethod
    def pack_text(cls, text: str) -> PackedJson:
        return cls(zlib.compress(text.encode("utf-8"), 1))

    def raw(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8")

    def value(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.raw())
        return decoded

    def __getitem__(self, key: str) -> Any:
        return self.value()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.value())

    def __len__(self) -> int:
        return len(self.value())


def plain(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """A mapping to read several keys of: a packed one decoded once (and not kept)."""
    return value.value() if isinstance(value, PackedJson) else value


class _Lazy:
    """A PageFacts field read from the cache row on first use."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, facts: LazyFacts | None, owner: type | None = None) -> Any:
        if facts is None:
            return self
        return getattr(facts.full(), self.name)

    def __set__(self, facts: LazyFacts, value: Any) -> None:
        setattr(facts.full(), self.name, value)


class LazyFacts(PageFacts):
    """A cached page's facts: kind, stem and rel at once, the others decoded from the
    page's row when first read (every other field of PageFacts: see below the class)."""

    cached = True  # the facts of an unchanged page, as the cache recorded them
    EAGER = ("kind", "stem", "rel")  # known from the page's place, without its row

    def __init__(self, ref: PageRef, digest: str, cache: LintCache) -> None:
        self.kind, self.stem, self.rel = ref.kind, ref.id, ref.rel
        self.digest = digest  # of the content the facts must be those of
        self._cache = cache
        self._full: PageFacts | None = None

    def full(self) -> PageFacts:
        if self._full is None:
            self._full = self._cache.load(self.rel, self.digest)
        return self._full


class PackedFacts(PageFacts):
    """A page's facts as a run keeps them for every page until the cross-file rules have
    run, so that memory does not grow with the KB's text: kind, stem and rel as they are,
    the material content packed (`PackedJson`), the others as the cache row's JSON text,
    decoded when read and not kept (only the last page decoded is: rules read several
    fields of one page in a row). About 2 KB a concept rather than 10."""

    EAGER = ("kind", "stem", "rel", "material")
    _last: tuple[PackedFacts, PageFacts] | None = None

    def __init__(self, kind: str, stem: str, rel: str, text: str, material: str | None) -> None:
        self.kind, self.stem, self.rel = kind, stem, rel
        self.text = text
        self.material = None if material is None else PackedJson.pack_text(material)

    @classmethod
    def of(cls, facts: PageFacts, row: Row | None = None) -> PackedFacts:
        """`facts` packed (`row`: the same facts as `encode_row` gives them, if made)."""
        text, material, _ = row or encode_row(facts)
        return cls(
            facts.kind, facts.stem, facts.rel, text, None if material == "null" else material
        )

    def full(self) -> PageFacts:
        last = PackedFacts._last
        if last is not None and last[0] is self:
            return last[1]
        facts = PageFacts.from_json({**json.loads(self.text), "material": self.material})
        PackedFacts._last = (self, facts)
        return facts


# Every field of PageFacts but the eager ones is read from the row (or the packed text):
# made from the dataclass's own list, so a field added to PageFacts can never silently
# read its default here.
for _class in (LazyFacts, PackedFacts):
    for _field in dataclasses.fields(PageFacts):
        if _field.name not in _class.EAGER:
            setattr(_class, _field.name, _Lazy(_field.name))
