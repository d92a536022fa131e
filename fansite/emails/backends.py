"""The development mail backend: every message becomes a file a person can read.

Django's file backend writes the message as it would travel, quoted-printable, so
a long verification link is cut by a soft line break ("=\\n") and the half a
developer copies is "expired or invalid". This backend writes what a mail
program would show instead: the headers (From, To, Subject, Date, …), then the
decoded text part, every URL on one line. It also logs one line per message, so
the links show on the ``make run`` console as soon as they are sent.

It is used wherever mail goes to files (``DEBUG`` without ``EMAIL_URL``, and
``EMAIL_URL=filemail://…`` as ``make serve`` sets it); a real mail server gets
the message unchanged.
"""

import logging
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.core.mail.backends import filebased

logger = logging.getLogger(__name__)

# A URL runs to the first space or angle bracket; punctuation that ends the
# sentence around it is not part of it.
URL = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}"
HEADERS = (
    "From",
    "To",
    "Cc",
    "Bcc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    # Where the "Unsubscribe" button of a mail program goes (notification email).
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
)


def links_in(text):
    """The URLs in ``text`` worth following, in order, each once. A bare address
    (no path) is left out: every email's signature has the site's."""
    found = (match.group(0).rstrip(TRAILING) for match in URL.finditer(text))
    return [url for url in dict.fromkeys(found) if urlsplit(url).path.strip("/")]


def readable(message):
    """``message`` (a Django ``EmailMessage``) as a person reads it, and its text:
    headers, a blank line, the decoded text part; other parts are named, not shown."""
    mime = message.message()
    headers = {name: str(mime[name]) for name in HEADERS if mime[name] is not None}
    if message.bcc:
        headers["Bcc"] = ", ".join(message.bcc)
    # The text part; an HTML-only message shows its HTML source.
    text_part = mime.get_body(preferencelist=("plain", "html"))
    text = text_part.get_content() if text_part is not None else ""
    lines = [f"{name}: {headers[name]}" for name in HEADERS if name in headers]
    lines += ["", text.rstrip("\n")]
    others = [part for part in mime.walk() if not part.is_multipart() and part is not text_part]
    if others:
        lines.append("")
    for part in others:
        name = part.get_filename()
        what = f"attachment {name!r}" if name else "alternative part"
        lines.append(f"[{what} ({part.get_content_type()}) not shown]")
    return "\n".join(lines) + "\n", text


class ReadableFileBackend(filebased.EmailBackend):
    """Writes each message to its own file in ``file_path``, named by the time it
    was written (the newest sorts last), and logs its recipient, subject, links
    and file."""

    # One file per message, opened when it is written: no stream to open or close.
    def open(self):
        return False

    def close(self):
        pass

    def send_messages(self, email_messages):
        sent = 0
        with self._lock:
            for message in email_messages:
                try:
                    self._write(message)
                except Exception:
                    if not self.fail_silently:
                        raise
                else:
                    sent += 1
        return sent

    def _write(self, message):
        content, text = readable(message)
        path = self._new_file(content)
        links = links_in(text)
        logger.info(
            "Mail to %s: %s — links: %s (%s)",
            ", ".join(message.recipients()),
            message.subject,
            " ".join(links) if links else "none",
            _shown(path),
        )

    def _new_file(self, content):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")  # noqa: DTZ005 (a local file name)
        for attempt in range(100):
            path = Path(self.file_path) / (f"{stamp}-{attempt}.txt" if attempt else f"{stamp}.txt")
            try:
                with path.open("x", encoding="utf-8") as file:
                    file.write(content)
            except FileExistsError:
                continue
            return path
        raise FileExistsError(f"No free file name for {stamp} in {self.file_path}")


def _shown(path):
    """The path relative to the working directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
