"""The e-mail destination: one message per alert to one address over SMTP (stdlib ``smtplib``).

``smtplib`` blocks, so each send runs in a worker thread. SMTP replies are translated once here:
4xx codes, timeouts and dropped connections are transient; 5xx codes and refused credentials
are permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import anyio.to_thread

from bot.alerts.destinations import AlertDeliveryError, AlertMessage


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpConfig:
    host: str
    port: int = 587
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_s: float = 15.0


class EmailAlertDestination:
    """Sends alerts to ``address`` through the SMTP server in ``config``."""

    def __init__(self, *, config: SmtpConfig, address: str) -> None:
        self.config = config
        self.address = address

    @property
    def name(self) -> str:
        return f"email:{self.address}"

    async def send(self, message: AlertMessage) -> None:
        email = self.compose(message)
        await anyio.to_thread.run_sync(self._deliver, email)

    async def aclose(self) -> None:
        return None

    def compose(self, message: AlertMessage) -> EmailMessage:
        email = EmailMessage()
        email["Subject"] = f"[Acolhe] {message.headline}"
        email["From"] = self.config.sender
        email["To"] = self.address
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="acolhe.local")
        email["X-Acolhe-Alert"] = f"{message.alert_id}:{message.purpose}"
        email.set_content(message.text + "\n\n— Acolhe (alerta automático)\n")
        return email

    def _deliver(self, email: EmailMessage) -> None:
        config = self.config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
                if config.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.username:
                    smtp.login(config.username, config.password or "")
                smtp.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            message = f"smtp login refused: {exc.smtp_code}"
            raise AlertDeliveryError(message, transient=False) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            transient = all(400 <= code < 500 for code in codes)
            message = f"smtp recipient refused: {codes}"
            raise AlertDeliveryError(message, transient=transient) from exc
        except smtplib.SMTPResponseException as exc:
            raise AlertDeliveryError(
                f"smtp {exc.smtp_code}: {exc.smtp_error!r}"[:300],
                transient=400 <= exc.smtp_code < 500,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. no STARTTLS on the server
            raise AlertDeliveryError(f"smtp: {exc}", transient=False) from exc
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, refused sockets
            raise AlertDeliveryError(f"smtp: {exc!r}"[:300], transient=True) from exc
