"""Stories of the conversation corpus, end to end over WhatsApp through Twilio and over Telegram
(issue #13): the same turns and the same loose expectations as ``tests/stories``, but each
turn is a real provider webhook to ``create_app`` on loopback, the real built-in NLU, the
database, the outbox worker and the real twilio and python-telegram-bot libraries sending to
loopback fakes. See ``story_channels`` for how a turn is checked, ``story_clients`` for how it
is sent and seen.

One server for the module; every story a fresh client (phone number or chat id). The server's
clock stands at the corpus's default (Monday 2026-12-07, 10:00 in São Paulo) and its CEP look-up
is BrasilAPI on loopback knowing the corpus's CEPs; the company look-up is off, as the corpus's
default. Telegram's per-chat limit (1 message/s after a burst of 3, tested in
test_outbox_delivery) is lifted here, or a 20-turn story would take 20 seconds.

A failure prints the transcript as the client saw it, and whether the same story passes when
run directly against the dialogue engine: if it does, the difference is the channel's.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

import nlu
from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime, load_all_flows
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.domain.company import NoCompanyLookup
from bot.storage.models import Base
from bot.workers.outbox import ChannelLimits
from tests.documents.fake_brasilapi import FakeBrasilApi, Reply
from tests.e2e.conftest import BOT_NUMBER, PUBLIC_URL
from tests.e2e.story_channels import ChannelStoryRun, cannot_run_over_a_channel
from tests.e2e.story_clients import ChannelClient, TelegramChat, TwilioPhone
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.stories.fakes import KNOWN_CEPS
from tests.stories.runner import Kit, StoryFailed, run_story
from tests.stories.story_format import DEFAULT_NOW, Story, load_prefixes, load_stories
from tests.support.server import serving

pytestmark = [pytest.mark.e2e]

CONVERSATIONS = Path(__file__).resolve().parents[1] / "stories"
REPOSITORY = CONVERSATIONS.parents[1]
SECRET = "telegram-stories-secret_1"

# By name, as in tests/stories/stories/*.yml. Each runs on every channel of CHANNELS.
STORIES = [
    # registration_pt.yml: whole registrations, answered by numbers, titles, aliases and words
    "consent by number, full registration in Portuguese",
    "choices answered by their titles and aliases",
    "minimal registration skips size and contacts",
    "more than 500 employees get a dedicated CSM note",
    "CNPJ and e-mail in one message are not asked twice",
    "the review confirmed with ok words",
    "choices answered as option numbers in words",
    # registration_en.yml
    "full registration in English",
    "minimal registration in English",
    # consent.yml
    "consent refused then oi again shows the notice again",
    "consent refused by number 2",
    "consent refused in English",
    "an answer that is not a choice explains the options",
    "HUMANO before consenting escalates and keeps the notice",
    # interruptions.yml: status, help, a person, opt-out, erasure
    "status in the middle of the registration names the stage and the next question",
    "STATUS keyword and informal status question",
    "status in English",
    "help lists what can be done and asks again",
    "help in English",
    "HUMANO escalates and the registration goes on",
    "a person asked for in free text, then again while waiting",
    "a second HUMANO does not open a second request",
    "a complaint escalates",
    "SAIR opts out and the next message opts in again",
    "opt-out in free text, then VOLTAR",
    "STOP in English",
    "erasure asked, confirmed",
    "erasure asked, then cancelled",
    "thanks and goodbye in the middle",
    # corrections.yml
    "fixing the e-mail named in the request",
    "the field to fix named by its label",
    "a correction after the review updates the saved registration",
    "a new e-mail given in passing corrects the e-mail",
    "fixing the e-mail in English",
    # language.yml
    "an explicit request switches to English and stays",
    "an explicit request switches back to Portuguese",
    "a longer request in Portuguese moves an English conversation to Portuguese",
    "a language request at a choice is not an invalid choice",
    # media.yml: what is not a document
    "a voice note is not kept as a document",
    "a voice note in English",
    "a sticker is not kept as a document",
    "a video at a document step is not read",
    "a shared location asks for the address in writing",
    "a shared contact card asks for the contact in writing",
    # choices.yml: options answered by number, title and tap
    "the registration type tapped",
    "the IT contact tapped as someone else",
    "a person from the way out at the review",
    "English choices answered by number",
    "fixing the CNPJ from the review",
    "a new CEP from the review looks the address up again",
    "the way out at the consent calls a person with 1",
    # validators.yml and lookups.yml
    "two explanations, then a person is offered",
    "CNPJ with wrong check digits says so",
    "mobile without DDD",
    "known CEP fills street, district, city and state",
    "unknown CEP asks for the street",
    # clients.yml: found by playing clients (session 11)
    "sou eu and the it contact in one message",
    "no cep and the address in the same message",
    "a sentence about oneself at the name question is not taken for a name",
]
CHANNELS = ("twilio", "telegram")

# Run again on PostgreSQL (``-m db``): what the database does differently is storage — the
# conversation row and its state, the outbox, the saved registration, an escalation, an
# opt-out, an erasure and a correction written over a saved answer — and one story of each
# shows it; the other stories differ from these in the dialogue only, which the SQLite pass
# and ``tests/stories`` cover (all 115 again on PostgreSQL cost about a minute of the pass).
ON_POSTGRESQL = {
    "consent by number, full registration in Portuguese",
    "full registration in English",
    "HUMANO escalates and the registration goes on",
    "SAIR opts out and the next message opts in again",
    "erasure asked, confirmed",
    "a correction after the review updates the saved registration",
    "a new CEP from the review looks the address up again",
}

# Stories that pass against the dialogue engine alone but not over the channels: real
# differences, each to be fixed where it belongs (then the test passes and must leave this list).
# Stories whose channel run differs from their direct run, each a known bug with its reason
# (strict xfail: fixed, it fails until removed from here). None today.
DIFFERENCES: dict[str, str] = {}

_PREFIXES = load_prefixes(CONVERSATIONS / "prefixes.yml")
_CORPUS = [
    story
    for story in load_stories(CONVERSATIONS / "stories", prefixes=_PREFIXES)
    if story.gap is None
]


def _found(name: str) -> list[Story]:
    return [story for story in _CORPUS if story.name == name]


def _params() -> Iterator[object]:
    for name in STORIES:
        found = _found(name)
        story_id = found[0].id if len(found) == 1 else "missing:" + "-".join(name.split())
        reason = DIFFERENCES.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        if name in ON_POSTGRESQL:
            marks.append(pytest.mark.db)
        for channel in CHANNELS:
            yield pytest.param(name, channel, id=f"{channel}:{story_id}", marks=marks)


# ------------------------------------------------------------------------------ the server
@dataclass
class Stack:
    runtime: Runtime
    http: httpx.Client
    twilio: FakeTwilio
    telegram: FakeTelegram
    kit: Kit
    numbers: Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(1))

    def client(self, channel: str) -> ChannelClient:
        """A client nobody has seen yet."""
        number = next(self.numbers)
        if channel == "twilio":
            return TwilioPhone(
                http=self.http,
                fake=self.twilio,
                address=f"+551197{number:07d}",
                bot_number=BOT_NUMBER,
                public_url=PUBLIC_URL,
            )
        return TelegramChat(
            http=self.http, fake=self.telegram, chat_id=7_300_000_000 + number, secret=SECRET
        )


@pytest.fixture(scope="module")
def story_database(
    tmp_path_factory: pytest.TempPathFactory,
    _sqlite_template: Path,
    _postgres_database: str | None,
) -> str:
    """A migrated, empty database for the module (its stories use distinct clients)."""
    if _postgres_database is None:
        path = tmp_path_factory.mktemp("stories-db") / "acolhe.db"
        shutil.copy(_sqlite_template, path)
        return f"sqlite:///{path}"
    engine = create_engine(_postgres_database)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return _postgres_database


def _brasilapi_knowing_the_corpus_ceps(fake: FakeBrasilApi) -> None:
    for cep, address in KNOWN_CEPS.items():
        body = {
            "cep": cep,
            "state": address.uf,
            "city": address.city,
            "neighborhood": address.district,
            "street": address.street,
            "service": "open-cep",
        }
        fake.script(f"/cep/v2/{cep}", Reply(200, body))


@pytest.fixture(scope="module")
def stack(story_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("stories")
    cache = os.environ.get("ONBOARD_NLU_CACHE_DIR")
    interpreter = nlu.build_interpreter(
        backend="builtin",
        cache_dir=Path(cache) if cache else REPOSITORY / "var" / "nlu",
        timezone="America/Sao_Paulo",
    )
    defaults = ChannelLimits.defaults

    def without_per_chat_limits(cls: type[ChannelLimits], /, **kwargs: float) -> ChannelLimits:
        return dataclasses.replace(defaults(**kwargs), per_chat={})

    with ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChannelLimits, "defaults", classmethod(without_per_chat_limits))
        twilio = stack.enter_context(FakeTwilio())
        telegram = stack.enter_context(FakeTelegram())
        brasilapi = stack.enter_context(FakeBrasilApi())
        _brasilapi_knowing_the_corpus_ceps(brasilapi)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            database_url=story_database,
            public_url=PUBLIC_URL,
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.auth_token,  # type: ignore[arg-type]
            twilio_whatsapp_number=BOT_NUMBER,
            twilio_api_url=twilio.url,
            telegram_bot_token=telegram.token,  # type: ignore[arg-type]
            telegram_secret_token=SECRET,  # type: ignore[arg-type]
            telegram_api_url=telegram.url,
            documents_dir=tmp / "documents",
            nlu_cache_dir=tmp / "nlu",
            brasilapi_url=brasilapi.url,
            outbox_retry_base_s=0.05,
        )
        runtime = build_runtime(
            settings,
            clock=FakeClock(DEFAULT_NOW.astimezone(UTC)),
            interpreter=interpreter,
            company_lookup=NoCompanyLookup(),  # the corpus's default: no Receita look-up
            migrate=False,
        )
        stack.callback(runtime.close)
        base = stack.enter_context(serving(create_app(runtime)))
        http = stack.enter_context(httpx.Client(base_url=base, timeout=30))
        kit = Kit(flows=load_all_flows(None), interpreter=interpreter, prefixes=_PREFIXES)
        yield Stack(runtime=runtime, http=http, twilio=twilio, telegram=telegram, kit=kit)


# ------------------------------------------------------------------------------ the tests
@pytest.mark.parametrize(("name", "channel"), list(_params()))
def test_story_over_the_channel(name: str, channel: str, stack: Stack) -> None:
    __tracebackhide__ = True
    found = _found(name)
    if len(found) != 1:
        pytest.fail(f"{len(found)} stories named {name!r} in the corpus: rename it in STORIES")
    story = found[0]
    reason = cannot_run_over_a_channel(story, _PREFIXES)
    if reason is not None:
        pytest.fail(f"story {name!r} cannot run over a channel: {reason}; take it off STORIES")
    run = ChannelStoryRun(
        story=story, prefixes=_PREFIXES, client=stack.client(channel), runtime=stack.runtime
    )
    try:
        run.run()
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n\n{_run_directly(story, stack.kit)}") from None


def _run_directly(story: Story, kit: Kit) -> str:
    """The same story against the dialogue engine alone, to tell the channel's faults apart."""
    try:
        run_story(story, kit)
    except StoryFailed as failure:
        reason = str(failure)
        return (
            "Run directly against the dialogue engine, it fails too:"
            + reason[reason.find("\nFAILED") :]
        )
    return (
        "Run directly against the dialogue engine (tests/stories), the story PASSES: "
        "the difference is the channel's or the service's."
    )


def test_the_stories_run_again_on_postgresql_are_in_the_list() -> None:
    assert ON_POSTGRESQL <= set(STORIES), ON_POSTGRESQL - set(STORIES)
