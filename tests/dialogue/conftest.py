"""Fixtures of the dialogue's unit tests: an engine over the shipped flows with in-memory
ports, and a conversation with it."""

from __future__ import annotations

import pytest

from bot.dialogue.dialogue import Dialogue
from bot.dialogue.engine import DialogueEngine
from tests.dialogue.support import Chat, FakeAddressLookup, FakeCompanyLookup, make_engine


@pytest.fixture
def addresses() -> FakeAddressLookup:
    return FakeAddressLookup()


@pytest.fixture
def companies() -> FakeCompanyLookup:
    return FakeCompanyLookup()


@pytest.fixture
def engine(addresses: FakeAddressLookup, companies: FakeCompanyLookup) -> DialogueEngine:
    return make_engine(addresses=addresses, companies=companies)


@pytest.fixture
def dialogue(engine: DialogueEngine) -> Dialogue:
    return engine.dialogue


@pytest.fixture
def chat(engine: DialogueEngine) -> Chat:
    return Chat(engine)
