"""Training in the back-office: availability and exceptions re-sync the sessions of the next 21
days (around a holiday), validation answers 422 problems, scope follows the CSM, a no-show
cancels the NPS question, and the NPS report on known answers.

The clock stands on Tuesday 2026-11-24, 10:00 in São Paulo; 2026-12-02 (a Wednesday) is an
extra holiday here, so a Wednesday window has sessions on 11-25 and 12-09 only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from backoffice import BackofficeSettings
from tests.backoffice.factories import Roster
from tests.backoffice.route_cases import PROBLEM

HOLIDAY = date(2026, 12, 2)
WEDNESDAY = {"weekday": 2, "starts": "09:00", "ends": "12:00", "duration_minutes": 60}


@pytest.fixture
def backoffice_settings() -> BackofficeSettings:
    return BackofficeSettings(extra_holidays=(HOLIDAY,))


def _window(roster: Roster, **changes: Any) -> dict[str, Any]:
    return {
        "csm_id": roster.csm_owner.id,
        **WEDNESDAY,
        "capacity": 3,
        "meeting_url": "https://meet.example.com/carla",
        **changes,
    }


def _slots(api: httpx.Client, roster: Roster, **params: Any) -> dict[str, Any]:
    response = api.get(
        "/training/slots",
        params={"csm_id": roster.csm_owner.id, **params},
        headers=roster.manager.headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _problem(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    text = response.text
    assert all(word in text for word in words), text


def test_availability_and_exceptions_resync_the_sessions(api: httpx.Client, roster: Roster) -> None:
    created = api.post(
        "/training/availability", json=_window(roster), headers=roster.csm_owner.headers
    )
    assert created.status_code == 201, created.text
    window = created.json()
    assert window["active"] and window["starts"] == "09:00:00"

    slots = _slots(api, roster)
    starts = [s["starts_at"] for s in slots["items"]]
    assert slots["total"] == 6  # 11-25 and 12-09: 09, 10, 11 local (12-02 is a holiday)
    assert starts[0] == "2026-11-25T12:00:00Z" and starts[-1] == "2026-12-09T14:00:00Z"
    assert {(s["capacity"], s["seats_taken"], s["seats_left"]) for s in slots["items"]} == {
        (3, 0, 3)
    }
    assert {s["meeting_url"] for s in slots["items"]} == {"https://meet.example.com/carla"}
    assert _slots(api, roster, **{"from": "2026-12-01", "to": "2026-12-31"})["total"] == 3

    # Part of a day without training closes the session it overlaps.
    closed = api.post(
        "/training/exceptions",
        json={
            "csm_id": roster.csm_owner.id,
            "day": "2026-11-25",
            "starts": "10:30",
            "ends": "11:30",
            "reason": "médico",
        },
        headers=roster.csm_owner.headers,
    )
    assert closed.status_code == 201, closed.text
    assert _slots(api, roster, free_only=True)["total"] == 4
    statuses = {s["starts_at"]: s["status"] for s in _slots(api, roster)["items"]}
    assert statuses["2026-11-25T13:00:00Z"] == "closed"
    assert statuses["2026-11-25T14:00:00Z"] == "closed"
    listed = api.get("/training/exceptions", headers=roster.csm_owner.headers).json()
    assert [e["id"] for e in listed["items"]] == [closed.json()["id"]]

    removed = api.delete(
        f"/training/exceptions/{closed.json()['id']}", headers=roster.csm_owner.headers
    )
    assert removed.status_code == 200 and removed.json()["reason"] == "médico"
    assert _slots(api, roster, free_only=True)["total"] == 6

    changed = api.patch(
        f"/training/availability/{window['id']}",
        json={"capacity": 5, "meeting_url": "https://meet.example.com/nova"},
        headers=roster.manager.headers,
    )
    assert changed.status_code == 200 and changed.json()["capacity"] == 5
    items = _slots(api, roster)["items"]
    assert {(s["capacity"], s["meeting_url"]) for s in items} == {
        (5, "https://meet.example.com/nova")
    }

    gone = api.delete(f"/training/availability/{window['id']}", headers=roster.csm_owner.headers)
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert _slots(api, roster, free_only=True)["total"] == 0
    inactive = api.get("/training/availability?active=false", headers=roster.admin.headers)
    assert [w["id"] for w in inactive.json()["items"]] == [window["id"]]


def test_a_company_wide_exception_closes_every_csm(api: httpx.Client, roster: Roster) -> None:
    for csm in (roster.csm_owner, roster.csm_other):
        response = api.post(
            "/training/availability",
            json=_window(roster, csm_id=csm.id),
            headers=csm.headers,
        )
        assert response.status_code == 201, response.text
    everybody = {"day": "2026-11-25", "reason": "confraternização"}
    _problem(
        api.post("/training/exceptions", json=everybody, headers=roster.csm_owner.headers),
        403,
        "manager",
    )
    response = api.post("/training/exceptions", json=everybody, headers=roster.manager.headers)
    assert response.status_code == 201 and response.json()["csm_id"] is None
    free = api.get("/training/slots?free_only=true", headers=roster.admin.headers).json()
    assert free["total"] == 6  # 2 CSMs × 12-09 only
    assert {s["starts_at"][:10] for s in free["items"]} == {"2026-12-09"}
    # Everybody sees the company-wide exception; only managers remove it.
    seen = api.get("/training/exceptions", headers=roster.csm_other.headers).json()
    assert seen["total"] == 1
    exception_id = response.json()["id"]
    _problem(
        api.delete(f"/training/exceptions/{exception_id}", headers=roster.csm_other.headers), 403
    )
    assert (
        api.delete(f"/training/exceptions/{exception_id}", headers=roster.admin.headers).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"starts": "12:00", "ends": "09:00"}, ("before it starts",)),
        ({"starts": "09:00", "ends": "09:30"}, ("shorter than one session",)),
        ({"weekday": 7}, ("weekday",)),
        ({"csm_id": 999_999}, ("999999", "not an active CSM")),
        ({"valid_from": "2026-12-10", "valid_until": "2026-12-01"}, ("valid_until",)),
        ({"starts": "09:00-03:00"}, ("wall-clock",)),
        ({"meeting_url": "javascript:alert(1)"}, ("meeting_url",)),
        ({"capacity": 0}, ("capacity",)),
    ],
)
def test_invalid_windows_are_422_problems(
    api: httpx.Client, roster: Roster, changes: dict[str, Any], words: tuple[str, ...]
) -> None:
    response = api.post(
        "/training/availability", json=_window(roster, **changes), headers=roster.admin.headers
    )
    _problem(response, 422, *words)


def test_overlaps_managers_and_exceptions_are_checked(api: httpx.Client, roster: Roster) -> None:
    headers = roster.admin.headers
    assert (
        api.post("/training/availability", json=_window(roster), headers=headers).status_code == 201
    )
    overlapping = _window(roster, starts="11:00", ends="13:00")
    _problem(api.post("/training/availability", json=overlapping, headers=headers), 422, "overlaps")
    # Not overlapping once the periods of validity are apart.
    later = {**overlapping, "valid_from": "2027-01-01"}
    first = api.get("/training/availability", headers=headers).json()["items"][0]
    bounded = api.patch(
        f"/training/availability/{first['id']}", json={"valid_until": "2026-12-31"}, headers=headers
    )
    assert bounded.status_code == 200, bounded.text
    assert api.post("/training/availability", json=later, headers=headers).status_code == 201
    _problem(
        api.post(
            "/training/availability",
            json=_window(roster, csm_id=roster.manager.id),
            headers=headers,
        ),
        422,
        "not an active CSM",
    )
    _problem(
        api.post(
            "/training/exceptions",
            json={"csm_id": roster.csm_owner.id, "day": "2026-12-01", "starts": "10:00"},
            headers=headers,
        ),
        422,
        "both starts and ends",
    )
    _problem(
        api.post(
            "/training/exceptions",
            json={"day": "2026-12-01", "starts": "11:00", "ends": "10:00"},
            headers=headers,
        ),
        422,
        "before it starts",
    )


def test_csms_manage_their_own_windows_managers_their_team(
    api: httpx.Client, roster: Roster
) -> None:
    mine = _window(roster)
    _problem(api.post("/training/availability", json=mine, headers=roster.csm_other.headers), 403)
    _problem(
        api.post("/training/availability", json=mine, headers=roster.manager_other.headers), 403
    )
    created = api.post("/training/availability", json=mine, headers=roster.manager.headers)
    assert created.status_code == 201
    window_id = created.json()["id"]
    _problem(
        api.patch(
            f"/training/availability/{window_id}",
            json={"capacity": 1},
            headers=roster.csm_other.headers,
        ),
        403,
    )

    def visible(member: str) -> int:
        headers = roster.by_role(member).headers
        windows = api.get("/training/availability", headers=headers).json()["total"]
        slots = api.get("/training/slots", headers=headers).json()["total"]
        return int(windows) * 100 + int(slots)

    assert visible("csm_owner") == visible("manager") == visible("admin") == 106
    assert visible("csm_other") == visible("manager_other") == 0
