"""The console's one catalogue: every text the console shows has its Portuguese.

The message ids are extracted as ``pybabel extract -F babel.cfg`` does (the same method map:
the console's Python modules and Jinja2 templates), with the keywords the console uses: the
standard ones, ``_l``, and ``gettext(language, "text")`` (``Views.gettext`` takes the language
first). Each failure lists every offending message at once.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from babel.messages.extract import _Keyword

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
PO = ROOT / "backoffice/console/locale/pt_BR/LC_MESSAGES/messages.po"
KEYWORDS: dict[str, _Keyword] = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    # Views.gettext(language, text): the text is the second argument; gettext(text) the first.
    "gettext": {2: (2,), None: None},
}
# The labels SPEC.md fixes for the console (pt-BR), as translations of some message.
SPEC_LABELS = (
    "Minhas",
    "Não atribuídas",
    "Equipe",
    "Todas",
    "Assumir conversa",
    "Enviar",
    "Devolver ao bot",
    "Mover para…",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")


def _extracted() -> dict[str, list[str]]:
    """msgid → where it is used (file:line), as pybabel extract with babel.cfg finds them."""
    with BABEL_CFG.open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                key = msgid if context is None else f"{context}\x04{msgid}"
                found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def _catalogue() -> Catalog:
    with PO.open("rb") as source:
        return read_po(source, locale="pt_BR")


def _translation(catalogue: Catalog, msgid: str) -> str:
    context, _, text = msgid.rpartition("\x04")
    message = catalogue.get(text, context=context or None)
    if message is None or message.fuzzy:
        return ""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return "" if any(not s for s in strings) else str(strings[0])


def test_the_extraction_finds_the_console_texts() -> None:
    found = _extracted()
    # The sign-in form's texts exist since the foundation: an empty extraction proves nothing.
    assert any("login.html" in where for where in found.get("Sign in to Acolhe", []))
    assert any("routes/auth.py" in where for where in found.get("The two passwords differ.", []))
    assert len(found) >= 20, sorted(found)


def test_every_console_text_has_a_portuguese_translation() -> None:
    catalogue = _catalogue()
    missing = [
        f"{msgid!r} (used at {', '.join(sorted(set(where))[:3])})"
        for msgid, where in sorted(_extracted().items())
        if not _translation(catalogue, msgid)
    ]
    assert not missing, f"{len(missing)} texts without pt_BR in {PO.relative_to(ROOT)}:\n" + (
        "\n".join(missing)
    )


def test_translations_keep_their_placeholders() -> None:
    catalogue = _catalogue()
    wrong = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        wanted = {m for i in ids for m in PLACEHOLDER.findall(i)}
        for string in strings:
            if string and {m for m in PLACEHOLDER.findall(string)} != wanted:
                wrong.append(f"{message.id!r} → {string!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def _msgids_in_file(text: str) -> list[str]:
    """Every msgid of the .po file as written (with its msgctxt), obsolete entries left out;
    Babel's reader keeps only the last of two equal ids, so it cannot tell duplicates."""
    ids: list[str] = []
    current: list[str] | None = None
    context = ""
    for line in [*text.splitlines(), ""]:
        if line.startswith("#~"):
            continue
        if current is not None and line.startswith('"'):
            current.append(_unquote(line))
            continue
        if current is not None:
            ids.append(f"{context}\x04{''.join(current)}" if context else "".join(current))
            current, context = None, ""
        if line.startswith("msgctxt "):
            context = _unquote(line[len("msgctxt ") :])
        elif line.startswith("msgid "):
            current = [_unquote(line[len("msgid ") :])]
    return ids


def _unquote(quoted: str) -> str:
    return quoted.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_no_msgid_is_written_twice() -> None:
    ids = _msgids_in_file(PO.read_text(encoding="utf-8"))
    assert len(ids) > 1 and ids[0] == ""  # the header, then the messages
    twice = sorted(msgid for msgid, count in Counter(ids).items() if count > 1)
    assert not twice, f"written more than once in {PO.name}:\n" + "\n".join(map(repr, twice))


@pytest.mark.parametrize("label", SPEC_LABELS)
def test_the_spec_labels_are_translations(label: str) -> None:
    translations = {
        str(s)
        for message in _catalogue()
        if message.id and not message.fuzzy
        for s in (message.string if isinstance(message.string, tuple) else (message.string,))
    }
    assert label in translations, f"SPEC.md's label {label!r} is no translation in {PO.name}"
