"""The ``.ics`` calendar invite sent with a training booking (RFC 5545, via ``icalendar``).

One booking keeps one UID for its whole life: a rebooking is the same event with a higher
``SEQUENCE`` and a cancellation is ``METHOD:CANCEL`` with ``STATUS:CANCELLED``, so calendar
apps move or remove the event instead of adding a second one. Times are written in
America/Sao_Paulo with its ``VTIMEZONE``; the organizer is the CSM giving the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.training import DEFAULT_TIMEZONE
from bot.service.training.bookings import BookingView, get_booking
from bot.storage.models import Client, Onboarding, TrainingBooking

__all__ = ["InviteFile", "build_invite", "find_invite", "invite_file", "invite_filename"]

PRODID = "-//Acolhe//Training scheduling//PT-BR"
DEFAULT_SUMMARY = "Treinamento de onboarding / Onboarding training"


def _address(email: str, name: str | None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def build_invite(
    booking: BookingView,
    *,
    now: datetime,
    summary: str = DEFAULT_SUMMARY,
    description: str = "",
    timezone: str = DEFAULT_TIMEZONE,
) -> bytes:
    """The invite for ``booking`` as ``.ics`` bytes: a request, or a cancel once cancelled."""
    zone = ZoneInfo(timezone)
    cancelled = booking.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", booking.starts_at.astimezone(zone))
    event.add("dtend", booking.ends_at.astimezone(zone))
    event.add("summary", summary)
    body = description or f"Link da reunião / Meeting link: {booking.meeting_url}"
    event.add("description", body)
    if booking.meeting_url:
        event.add("location", booking.meeting_url)
        event.add("url", booking.meeting_url)
    event.add("organizer", _address(booking.csm_email, booking.csm_name))
    if booking.attendee_email:
        attendee = _address(booking.attendee_email, None)
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["RSVP"] = vText("TRUE")
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    content: bytes = calendar.to_ical()
    return content


def invite_filename(booking: BookingView) -> str:
    """A stable attachment name for the booking's invite."""
    return f"treinamento-{booking.booking_id}.ics"


def find_invite(session: Session, token: str) -> BookingView | None:
    """The booking whose invite link carries ``token`` (its UID's random part); None when there
    is none, or when its client's data was erased (the link must not outlive the data)."""
    booking_id = session.scalar(
        select(TrainingBooking.id)
        .join(Onboarding, Onboarding.id == TrainingBooking.onboarding_id)
        .join(Client, Client.id == Onboarding.client_id)
        .where(TrainingBooking.uid.startswith(f"{token}@"), Client.erased_at.is_(None))
    )
    return get_booking(session, booking_id) if booking_id is not None else None


@dataclass(frozen=True)
class InviteFile:
    """A booking's invite as served at ``GET /invites/{token}.ics``."""

    body: bytes
    filename: str


def invite_file(
    sessions: sessionmaker[Session], token: str, *, now: datetime, timezone: str
) -> InviteFile | None:
    """The current version of the invite whose link carries ``token``; None for an unknown
    token or an erased client's booking (see ``find_invite``)."""
    with sessions() as session:
        booking = find_invite(session, token)
    if booking is None:
        return None
    return InviteFile(
        body=build_invite(booking, now=now, timezone=timezone),
        filename=invite_filename(booking),
    )
