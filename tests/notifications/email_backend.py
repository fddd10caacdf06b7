"""An email sink that crosses processes: one file per message in EMAIL_FILE_PATH.

Used by the worker and crash tests, where the sending process is not the test process.
HUB_TEST_EMAIL_DELAY (seconds) slows each send, so a test can kill a process mid-run; while a
message is being "sent" a `.in-flight-*` marker exists. Killing the process then (before the
message is written) is the crash the tests make: killing it in the instant between the SMTP
server accepting a message and the database commit is the one window no mail system closes.
"""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class FileDropBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        delay = float(os.environ.get("HUB_TEST_EMAIL_DELAY", "0"))
        for message in email_messages:
            name = uuid.uuid4().hex
            in_flight = folder / f".in-flight-{name}"
            in_flight.touch()  # a test may kill the process now: nothing is written yet
            if delay:
                time.sleep(delay)
            partial = folder / f".{name}.tmp"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(folder / f"{name}.eml")
            in_flight.unlink()
        return len(email_messages)


def in_flight(folder: Path) -> bool:
    return any(Path(folder).glob(".in-flight-*"))


def sent_messages(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(Path(folder).glob("*.eml"))]
