"""The contract run's mail server: aiosmtpd (aio-libs, from PyPI) accepting what the service sends
over SMTP and writing each message into MAIL_DIR as an .eml file, where the scripts read it, and
refusing for good (550 5.1.1) the recipients listed in the bounce file, as a real server refuses a
mailbox that no longer exists. The support walk adds a member's address there to make their emails
bounce.

Usage: smtp_sink.py MAIL_DIR BOUNCE_FILE PORT_FILE    (runs until killed; writes its port to PORT_FILE)
"""

import asyncio
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, mail_dir: str, bounce_file: str) -> None:
        self.mail_dir = mail_dir
        self.bounce_file = bounce_file
        os.makedirs(mail_dir, exist_ok=True)

    def bounced(self) -> set[str]:
        try:
            with open(self.bounce_file, encoding="utf-8") as f:
                return {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            return set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.bounced():
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Named by arrival, so that a directory listing is in delivery order; written then renamed,
        # so that a reader never sees half a message.
        name = "%020d-sink.eml" % time.time_ns()
        temporary = os.path.join(self.mail_dir, "." + name + ".tmp")
        with open(temporary, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(temporary, os.path.join(self.mail_dir, name))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    mail_dir, bounce_file, port_file = sys.argv[1:4]
    port = free_port()
    controller = Controller(Sink(mail_dir, bounce_file), hostname="127.0.0.1", port=port)
    controller.start()
    with open(port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(port))
    os.rename(port_file + ".tmp", port_file)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
