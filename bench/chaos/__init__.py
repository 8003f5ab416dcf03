"""Fault drill: Acolhe's processes on PostgreSQL + Redis under a steady Twilio load, with
kill -9s, restarts, a full disk and a failing Twilio; see README.md."""
