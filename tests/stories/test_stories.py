"""One test per story of ``stories/*.yml``; the stories of ``known_gaps.yml`` must fail."""

from __future__ import annotations

import pytest

from .conftest import PREFIXES_FILE, STORIES_DIR
from .runner import Kit, run_story
from .story_format import Story, load_prefixes, load_stories

_PREFIXES = load_prefixes(PREFIXES_FILE)
_STORIES = load_stories(STORIES_DIR, prefixes=_PREFIXES)


def _param(story: Story) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=story.gap)] if story.gap else []
    return pytest.param(story, id=story.id, marks=marks)


@pytest.mark.parametrize("story", [_param(story) for story in _STORIES])
def test_story(story: Story, story_kit: Kit) -> None:
    run_story(story, story_kit)


@pytest.mark.parametrize("name", sorted(_PREFIXES))
def test_prefix_replays_alone(name: str, story_kit: Kit) -> None:
    """A prefix that goes astray fails here once, under its own name."""
    story = Story.model_validate(
        {"name": f"prefix {name}", "after": name, "turns": [{"world": {}}], "file": "prefixes"}
    )
    run_story(story, story_kit)
