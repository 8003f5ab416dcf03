"""WhatsApp-style markup rendered as Telegram HTML: pairs, escaping, and never a broken tag."""

from __future__ import annotations

import random

import pytest

from bot.channels.formatting import telegram_html
from bot.domain.messages import OutboundMessage, split_long
from tests.fakes.telegram_html import TelegramHtmlError, parse_html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        # pairs
        ("*Cadastro confirmado!*", "<b>Cadastro confirmado!</b>"),
        ("Envie o _cartão CNPJ_ agora", "Envie o <i>cartão CNPJ</i> agora"),
        ("*atenção*: é _ótimo_", "<b>atenção</b>: é <i>ótimo</i>"),
        ("Olá, *Maria*!", "Olá, <b>Maria</b>!"),
        ("(*obrigatório*)", "(<b>obrigatório</b>)"),
        ("*a*", "<b>a</b>"),
        ("*1/3*", "<b>1/3</b>"),
        ("*bold*_it_", "<b>bold</b><i>it</i>"),
        ("*um* e *dois*", "<b>um</b> e <b>dois</b>"),
        # emoji around and inside
        ("🎉 *Pronto!* 🎉", "🎉 <b>Pronto!</b> 🎉"),
        ("🎉*ok*🎉", "🎉<b>ok</b>🎉"),
        ("*👍🏽 combinado*", "<b>👍🏽 combinado</b>"),
        ("_👩‍💼 sua gerente_", "<i>👩‍💼 sua gerente</i>"),
        # nesting, never crossing
        ("*negrito _e itálico_ juntos*", "<b>negrito <i>e itálico</i> juntos</b>"),
        ("_a *b* c_", "<i>a <b>b</b> c</i>"),
        ("_*x*_", "<i><b>x</b></i>"),
        ("*a _b* c_", "<b>a _b</b> c_"),
        ("_a *b_ c*", "<i>a *b</i> c*"),
        ("*a *b* c*", "<b>a *b</b> c*"),
        # the nearest closer wins
        ("*a*b*", "<b>a*b</b>"),
        ("*a* b*", "<b>a</b> b*"),
        # unpaired or not at a word boundary: literal
        ("*", "*"),
        ("_", "_"),
        ("**", "**"),
        ("5 * 3 = 15", "5 * 3 = 15"),
        ("5*3 = 15", "5*3 = 15"),
        ("a*b", "a*b"),
        ("a*b*c", "a*b*c"),
        ("*CNPJ*s", "*CNPJ*s"),
        ("x*y* z", "x*y* z"),
        ("* a*", "* a*"),
        ("*a *", "*a *"),
        ("* *", "* *"),
        ("nota: *", "nota: *"),
        ("* item um\n* item dois", "* item um\n* item dois"),
        ("**nota**", "**nota**"),
        ("__init__", "__init__"),
        ("***x***", "***x***"),
        ("snake_case_name", "snake_case_name"),
        ("user__name_x_", "user__name_x_"),
        ("é*x*", "é*x*"),
        ("*x*ção", "*x*ção"),
        # a pair never spans a line break
        ("*linha\nquebrada*", "*linha\nquebrada*"),
        ("x\n*a* *b*\n*c*", "x\n<b>a</b> <b>b</b>\n<b>c</b>"),
        # escaping
        ("M&M Ltda", "M&amp;M Ltda"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("<b>não é tag</b>", "&lt;b&gt;não é tag&lt;/b&gt;"),
        ("&amp; fica &amp;amp;", "&amp;amp; fica &amp;amp;amp;"),
        ("aspas \"duplas\" e 'simples'", "aspas \"duplas\" e 'simples'"),
        ("*M&M <Ltda>*", "<b>M&amp;M &lt;Ltda&gt;</b>"),
        ("CNPJ *12.345.678/0001-95*", "CNPJ <b>12.345.678/0001-95</b>"),
        ("financeiro_2@pao-e-cia.com.br", "financeiro_2@pao-e-cia.com.br"),
        ("e-mail: _joao_silva@x.com.br_", "e-mail: <i>joao_silva@x.com.br</i>"),
        # links keep their markers
        ("https://x.example/a_b_/c_d", "https://x.example/a_b_/c_d"),
        (
            "veja https://x.example/t/-Ab_-cd_/ e *isso*",
            "veja https://x.example/t/-Ab_-cd_/ e <b>isso</b>",
        ),
        ("*https://x.example/t_o_k*", "<b>https://x.example/t_o_k</b>"),
        ("www.x.com/_a_", "www.x.com/_a_"),
        ("https://x.example/?a=1&b=2", "https://x.example/?a=1&amp;b=2"),
        # nothing to do
        ("", ""),
        ("Olá! Tudo bem? 😀", "Olá! Tudo bem? 😀"),
    ],
)
def test_telegram_html(text: str, html: str) -> None:
    assert telegram_html(text) == html


@pytest.mark.parametrize(
    ("text", "shown", "types"),
    [
        ("*Olá*, M&M <Ltda>", "Olá, M&M <Ltda>", ["bold"]),
        ("🎉 *Pronto!* _sério_", "🎉 Pronto! sério", ["bold", "italic"]),
        ("*a _b* c_", "a _b c_", ["bold"]),
    ],
)
def test_telegram_reads_what_was_meant(text: str, shown: str, types: list[str]) -> None:
    plain, entities = parse_html(telegram_html(text))

    assert plain == shown
    assert [entity["type"] for entity in entities] == types


def test_entity_offsets_count_utf16_like_telegram() -> None:
    _, entities = parse_html(telegram_html("🎉 *Pronto!*"))

    assert entities == [{"type": "bold", "offset": 3, "length": 7}]  # 🎉 is two code units


_ALPHABET = ["*", "_", " ", "\n", "a", "é", "5", "<", ">", "&", "🎉", ".", "/", "https://x.y/"]


@pytest.mark.parametrize("seed", range(300))
def test_any_text_gives_html_telegram_accepts_and_shows_the_same_words(seed: int) -> None:
    chooser = random.Random(seed)
    text = "".join(chooser.choice(_ALPHABET) for _ in range(chooser.randint(1, 40)))

    plain, _ = parse_html(telegram_html(text))

    # Only markers that paired disappear; every other character is shown as typed.
    assert plain.replace("*", "").replace("_", "") == text.replace("*", "").replace("_", "")


def test_parts_of_a_long_text_are_each_valid_html() -> None:
    words = ["*Atenção*", "_importante_", "M&M", "<Ltda>", "*duas palavras*", "a*b", "🎉"]
    chooser = random.Random(13)
    text = " ".join(chooser.choice(words) for _ in range(600))

    parts = split_long(OutboundMessage(text=text), 500)

    assert len(parts) > 5
    for part in parts:
        parse_html(telegram_html(part.text))  # raises on HTML Telegram would refuse


def test_the_strict_reader_refuses_what_telegram_refuses() -> None:
    for broken in ("a < b", "a > b", "M&M", "<b>x", "<b><i>x</b></i>", "<foo>x</foo>", "x</b>"):
        with pytest.raises(TelegramHtmlError, match="can't parse entities"):
            parse_html(broken)
