"""The back-office API: staff, pipeline, escalations, audit, LGPD rights and reports."""
