"""Training sessions, the service layer's side: every use case about booking a CSM's training.

Where each piece lives:

``slots``
    the stored sessions made to match the CSMs' weekly availability and its exceptions
    (``sync_slots``); the free ones (``free_slots``, ``nearest_free_slots``).
``bookings``
    the race-safe seat: ``book``, ``rebook``, ``cancel``, ``get_booking`` (a ``BookingView``)
    and the ``TrainingError`` family.
``scheduler``
    the dialogue's ``TrainingScheduler`` port bound to one onboarding inside the turn's
    transaction (``SessionTrainingScheduler`` and its ``TrainingPolicy``): a booking also
    schedules the 24 h / 1 h reminders and the NPS question; ``awaiting_nps``,
    ``invite_token``.
``invites``
    the booking's ``.ics`` invite (``build_invite``), found by its token for
    ``GET /invites/{token}.ics`` (``find_invite``).
``client_page``
    the status page's training and rating actions (choices, book, cancel, rate).
``demo``
    the demo CSM's availability for ``onboard seed-demo``.

The rules without I/O (weekly availability → slots, the port) are ``bot.domain.training``; the
chat's side is ``bot.dialogue.training``; the tables are ``bot.storage`` 's training models; the
staff's availability and attendance are ``backoffice.training``.

This package re-exports the use cases other layers call; ``client_page`` and ``demo`` are
imported by their module path (their ``book``/``cancel`` are the page's, not these).
"""

from bot.service.training.bookings import (
    AlreadyBooked,
    BookingClosed,
    BookingNotFound,
    BookingView,
    SlotUnavailable,
    TrainingError,
    book,
    cancel,
    get_booking,
    rebook,
)
from bot.service.training.invites import (
    InviteFile,
    build_invite,
    find_invite,
    invite_file,
    invite_filename,
)
from bot.service.training.scheduler import (
    SessionTrainingScheduler,
    TrainingPolicy,
    awaiting_nps,
    invite_token,
)
from bot.service.training.slots import free_slots, nearest_free_slots, sync_slots

__all__ = [
    "AlreadyBooked",
    "BookingClosed",
    "BookingNotFound",
    "BookingView",
    "InviteFile",
    "SessionTrainingScheduler",
    "SlotUnavailable",
    "TrainingError",
    "TrainingPolicy",
    "awaiting_nps",
    "book",
    "bookings",
    "build_invite",
    "cancel",
    "client_page",
    "demo",
    "find_invite",
    "free_slots",
    "get_booking",
    "invite_file",
    "invite_filename",
    "invite_token",
    "invites",
    "nearest_free_slots",
    "rebook",
    "scheduler",
    "slots",
    "sync_slots",
]
