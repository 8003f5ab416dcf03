"""``python -m bot`` is ``onboard``."""

from bot.cli import main

main()
