"""Sign webhook requests the way the providers do, for tests that post to our routes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from twilio.request_validator import RequestValidator

__all__ = ["meta_signature", "twilio_signed_form"]


def twilio_signed_form(
    url: str, params: Mapping[str, str], auth_token: str
) -> tuple[dict[str, str], str]:
    """``(params, X-Twilio-Signature)`` for a form posted to ``url`` (the full public URL)."""
    form = dict(params)
    return form, RequestValidator(auth_token).compute_signature(url, form)


def meta_signature(raw_body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value for ``raw_body``."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
