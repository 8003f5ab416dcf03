"""Reads the status page's HTML as a person reads it: the text of the elements of one class,
with their classes and attributes (``html.parser``; the page has no script to run)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"meta", "link", "input", "br", "img", "hr", "source"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()


class _Collector(HTMLParser):
    def __init__(self, wanted: str) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.found: list[Element] = []
        self.open: list[tuple[Element, int]] = []  # (element, depth at which it opened)
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in VOID:
            if self.wanted in values.get("class", "").split():
                self.found.append(Element(tag, values))
            return
        self.depth += 1
        if self.wanted in values.get("class", "").split():
            element = Element(tag, values)
            self.found.append(element)
            self.open.append((element, self.depth))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.open and self.open[-1][1] >= self.depth:
            self.open.pop()
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        for element, _depth in self.open:
            element.parts.append(data)


def by_class(html: str, name: str) -> list[Element]:
    """Every element whose class list has ``name``, in document order."""
    collector = _Collector(name)
    collector.feed(html)
    return collector.found


def visible_text(html: str) -> str:
    """The page's text without tags, white space folded (for "the page says X")."""
    body = html.split("<body", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
