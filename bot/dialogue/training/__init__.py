"""Training sessions in the chat, the dialogue's side: offer sessions, understand "quinta às
14h", book, move and cancel through the ``TrainingScheduler`` port, take the NPS answer.

Where each piece lives:

``offers``
    ``TrainingDialogue``: the offers as buttons, the confirmation, a seat taken meanwhile →
    the nearest alternatives, rescheduling, cancelling;
    ``BOOKABLE_STAGES``, ``TRAINING_INTENTS``, ``TRAINING_PENDING``.
``nps``
    the NPS question after a session: the score recorded and a comment asked
    (``ask_nps_comment``), the comment taken (``take_nps_comment``).
``picks``
    which answer a scheduling question got (``Answer``): the session or the option picked, or
    "another time".
``time_phrases``
    "amanhã às 14h", "quinta de manhã" → an instant (``requested_time``); an instant written
    back, "qui, 26/11 às 14:00" (``when``).
``texts``
    this package's texts in pt and en (``TRAINING_TEXTS``, merged into ``bot.dialogue.texts``).
``repair``
    ``TrainingRepair``: the scheduling questions answered (registered in
    ``bot.dialogue.repairs``).

The port and the slot rules are ``bot.domain.training``; the service's adapter of the port is
``bot.service.training.scheduler``.

Nothing is imported here: ``bot.dialogue.texts`` imports ``texts`` while ``offers`` imports
``bot.dialogue.texts``, so importing ``offers`` from this ``__init__`` would run in the middle of
``bot.dialogue.texts``. Import the modules by their path.
"""

__all__ = ["nps", "offers", "picks", "repair", "texts", "time_phrases"]
