"""The status page's response headers: not indexed, not framed, no referrer to other sites, a
strict content policy (styles and scripts from this site only, nothing inline), never cached.

``Referrer-Policy: same-origin`` rather than ``no-referrer``: under ``no-referrer`` browsers send
``Origin: null`` with a form's POST, and the page's CSRF check needs the real origin. Links to
other sites (wa.me, t.me) still get no referrer at all, so the token never leaves the site.
"""

from __future__ import annotations

from starlette.responses import Response

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "secure"]

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "script-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}


def secure(response: Response) -> Response:
    """``response`` with the page's headers (a route's own ``Cache-Control`` is replaced)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
