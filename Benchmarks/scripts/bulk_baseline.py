"""The Python baseline of compare-bulk.sh: N distinct messages, each signed (Ed25519) and
encrypted (X25519) with pysequoia as PGP/MIME to its own address with one of K generated
recipient certificates, sent with aiosmtplib over `concurrency` persistent connections.

The clock covers composing, signing, encrypting, building the MIME message and sending (key
generation happens before). Prints `messages N failed N seconds S rate R msg/s`.

usage: bulk_baseline.py PORT COUNT CONCURRENCY RECIPIENTS SIZE
"""
import asyncio
import sys
import time
import warnings
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.utils import make_msgid, formatdate

import aiosmtplib
import pysequoia

warnings.simplefilter("ignore", DeprecationWarning)


def body(number, size):
    line = f"Message {number}: the quick brown fox jumps over the lazy dog 0123456789.\n"
    return line * max(1, size // len(line))


def pgp_mime(number, size, signer, cert):
    inner = EmailMessage()
    inner.set_content(body(number, size))
    armored = pysequoia.encrypt(inner.as_bytes(), [cert], signer=signer)
    outer = MIMEMultipart("encrypted", protocol="application/pgp-encrypted")
    outer["From"] = "sender@example.org"
    outer["To"] = f"rcpt{number}@example.org"
    outer["Subject"] = f"bulk {number}"
    outer["Date"] = formatdate()
    outer["Message-ID"] = make_msgid(domain="example.org")
    control = MIMEApplication(b"Version: 1\n", "pgp-encrypted", _encoder=lambda part: None)
    data = MIMEApplication(armored, "octet-stream", _encoder=lambda part: None)
    data.add_header("Content-Disposition", "inline", filename="encrypted.asc")
    outer.attach(control)
    outer.attach(data)
    return outer


async def main():
    port, count, concurrency, recipients, size = (int(value) for value in sys.argv[1:6])
    sender = pysequoia.Tsk.generate("Sender <sender@example.org>")
    signer = sender.signer()
    certs = [pysequoia.Tsk.generate(f"Recipient {i} <rcpt{i}@example.org>").extract_certificate() for i in range(recipients)]
    numbers = iter(range(count))
    failed = 0

    async def worker():
        nonlocal failed
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for number in numbers:
            message = pgp_mime(number, size, signer, certs[number % len(certs)])
            try:
                await client.send_message(message)
            except Exception as error:  # counted, like the other side's failures
                failed += 1
                if failed <= 3:
                    print(f"failed: {error}", file=sys.stderr)
        await client.quit()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - start
    print(f"messages {count} failed {failed} seconds {seconds:.3f} rate {count / seconds:.0f} msg/s")


asyncio.run(main())
