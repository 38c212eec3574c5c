"""A loopback stand-in for AWS, for the Serverless CLI's `package`: an HTTPS proxy on
127.0.0.1 that takes the CLI's CONNECT, ends TLS itself with a certificate made here for
`*.amazonaws.com` (the CLI is told to trust it, `cafile`), records each request and answers
every one as CloudFormation answers a stack that does not exist yet. Nothing leaves the
machine: the proxy never connects anywhere."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NO_STACK = (
    b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
    b"<Error><Type>Sender</Type><Code>ValidationError</Code>"
    b"<Message>Stack with id grouping-service does not exist</Message></Error>"
    b"<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
)


@dataclass
class AwsStub:
    proxy_url: str
    ca_file: Path
    requests: list[tuple[str, str]] = field(default_factory=list)  # (host, first body line)


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA (its PEM for the CLI) and a leaf for *.amazonaws.com signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loopback AWS stub CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = ["*.eu-central-1.amazonaws.com", "*.amazonaws.com"]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key"
    ca_file.write_bytes(ca.public_bytes(pem))
    cert_file.write_bytes(leaf.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


def _serve(client: socket.socket, tls: ssl.SSLContext, stub: AwsStub) -> None:
    with client:
        client.settimeout(10)
        head = client.recv(65536).decode("latin-1")
        host = head.split()[1].split(":")[0] if head.startswith("CONNECT ") else "?"
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            secure = tls.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError) as refused:  # the CLI refused the certificate
            stub.requests.append((host, f"tls refused: {type(refused).__name__}"))
            return
        with secure:
            request = secure.recv(65536).decode("latin-1")
            body = request.split("\r\n\r\n", 1)[-1]
            stub.requests.append((host, body.split("&", 1)[0]))
            secure.sendall(
                b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nConnection: close\r\n"
                + f"Content-Length: {len(NO_STACK)}\r\n\r\n".encode()
                + NO_STACK
            )


@contextmanager
def aws_stub(folder: Path) -> Iterator[AwsStub]:
    """The stub, listening on 127.0.0.1 until the block ends."""
    ca_file, cert_file, key_file = _certificates(folder)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stub = AwsStub(f"http://127.0.0.1:{listener.getsockname()[1]}", ca_file)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=_serve, args=(client, tls, stub), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
