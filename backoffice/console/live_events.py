"""An event of the console's live updates as it is sent, and who may receive it: the data
half of ``backoffice.console.live`` (whose text describes the contract)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backoffice.access import Principal

__all__ = ["LiveEvent", "may_see", "sse_message"]


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A row of ``console_events`` as the hub sends it."""

    id: int
    kind: str
    onboarding_id: int | None
    conversation_id: int | None
    csm_id: int | None
    actor: str
    data: Mapping[str, Any]

    @property
    def owners(self) -> set[int]:
        """The CSMs whose views it concerns: the onboarding's, and the previous one."""
        owners = {self.csm_id} if self.csm_id is not None else set()
        previous = self.data.get("previous_csm_id")
        if isinstance(previous, int):
            owners.add(previous)
        return owners

    @property
    def was_unassigned(self) -> bool:
        """An assignment that took the onboarding out of the queue (everyone's view of it)."""
        return "previous_csm_id" in self.data and self.data["previous_csm_id"] is None

    def sse(self) -> str:
        """The event as SSE messages: by kind, then by conversation and by onboarding."""
        body = json.dumps(
            {
                "id": self.id,
                "kind": self.kind,
                "onboarding_id": self.onboarding_id,
                "conversation_id": self.conversation_id,
                "csm_id": self.csm_id,
                "actor": self.actor,
                "data": dict(self.data),
            },
            separators=(",", ":"),
        )
        names = [self.kind]
        if self.conversation_id is not None:
            names.append(f"conversation-{self.conversation_id}")
        if self.onboarding_id is not None:
            names.append(f"onboarding-{self.onboarding_id}")
        return "".join(sse_message(event=name, data=body, id=self.id) for name in names)


def sse_message(*, event: str, data: str, id: int | None = None) -> str:
    """One server-sent event (``data`` on one line: it is JSON)."""
    head = f"id: {id}\n" if id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def may_see(principal: Principal, event: LiveEvent, *, team_of: Mapping[int, str]) -> bool:
    """Whether ``principal`` receives ``event``: ``onboarding_scope``'s rule on the event's
    CSM (``team_of``: each staff member's team), see the module's text."""
    if principal.role == "admin":
        return True
    if event.onboarding_id is None:
        return False
    if event.csm_id is None or event.was_unassigned:
        return principal.role in ("manager", "csm")
    if principal.role == "manager":
        return any(team_of.get(owner) == principal.team for owner in event.owners)
    if principal.role == "csm":
        return principal.id in event.owners
    return False
