"""TLS in front: Debian's nginx, with deploy/nginx/liaison.conf (ports and paths
substituted), terminates HTTPS for two live nodes whose certificates a throw-away CA
signed. Peering, an exchange and a TAXII pull all go over https, every peer certificate
verified against LIAISON_CA_BUNDLE; the sign-in throttle sees the real client's address
through the trusted proxy, never one a client wrote into X-Forwarded-For.

Both backends: the nodes behind nginx run on SQLite, then on PostgreSQL."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text
from taxii2client.v21 import Server

from liaison.kit.db import make_engine
from tests.exchange import payloads
from tests.support.fixtures_live import Prepared
from tests.support.nodes import LiveNode, drop_schemas, free_port, pg_schema, wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.2"  # nginx connects to the nodes from here: the trusted proxy
SPOOFED = "203.0.113.9"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def throwaway_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 it signed: (ca.pem, cert.pem, key.pem)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Liaison test CA"))
        .issuer_name(_name("Liaison test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(_pem(key))
    return paths


@dataclass
class TlsNode(LiveNode):
    """A live node whose public URL is nginx's https port in front of it."""

    https_port: int = 0
    ca_bundle: str = ""

    @property
    def public(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def env(self) -> dict[str, str]:
        return super().env() | {
            "LIAISON_PUBLIC_BASE_URL": self.public,
            "LIAISON_CA_BUNDLE": self.ca_bundle,
            "LIAISON_TRUSTED_PROXIES": f'["{PROXY_ADDRESS}"]',
        }

    def https(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        return httpx.Client(base_url=self.public, headers=headers, verify=self.tls(), timeout=30)

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_bundle)


def _site(node: TlsNode, cert: Path, key: Path) -> str:
    """deploy/nginx/liaison.conf for one node, on loopback ports."""
    conf = (REPO / "deploy/nginx/liaison.conf").read_text()
    replaced = {
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "listen 443 ssl;": f"listen 127.0.0.1:{node.https_port} ssl;",
        "/etc/ssl/liaison/fullchain.pem": str(cert),
        "/etc/ssl/liaison/privkey.pem": str(key),
        "proxy_pass http://127.0.0.1:8701;": (
            f"proxy_pass http://127.0.0.1:{node.port}; proxy_bind {PROXY_ADDRESS};"
        ),
    }
    for old, new in replaced.items():
        assert old in conf, f"deploy/nginx/liaison.conf no longer has {old!r}"
        conf = conf.replace(old, new)
    return conf


def start_nginx(folder: Path, sites: list[str]) -> subprocess.Popen[bytes]:
    (folder / "logs").mkdir(parents=True)
    (folder / "sites.conf").write_text("\n".join(sites))
    (folder / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {folder}/logs/access.log;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    include {folder}/sites.conf;
}}
"""
    )
    return subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=(folder / "logs/stdout.log").open("wb"),
        stderr=subprocess.STDOUT,
    )


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _tls_node(backend: str, party: str, root: Path, ca: Path, schemas: list[str]) -> TlsNode:
    database_url = ""
    if backend == "postgresql":
        schema, database_url = pg_schema(f"tls_{party.lower()}")
        schemas.append(schema)
    return TlsNode(
        party=party,
        data_dir=root / party.lower(),
        database_url=database_url,
        https_port=free_port(),
        ca_bundle=str(ca),
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def behind_nginx(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prepared: Prepared
) -> Iterator[tuple[TlsNode, TlsNode]]:
    assert Path(NGINX).exists(), "nginx is missing: 'make test-services' installs it"
    root = tmp_path_factory.mktemp(f"tls-{request.param}")
    ca, cert, key = throwaway_ca(root)
    schemas: list[str] = []
    nodes = [_tls_node(request.param, party, root, ca, schemas) for party in ("CA", "IN")]
    for node in nodes:
        node.prepare(like=prepared(node.party, request.param))
    nginx = start_nginx(root / "nginx", [_site(node, cert, key) for node in nodes])
    try:
        for node in nodes:
            node.start()
            wait_for(
                lambda n=node: _listening(n.https_port) or nginx.poll() is not None,  # type: ignore[misc]
                what="nginx",
            )
        assert nginx.poll() is None, (root / "nginx/logs/error.log").read_text()
        yield nodes[0], nodes[1]
    finally:
        for node in nodes:
            node.stop()
        nginx.terminate()
        nginx.wait(timeout=20)
        drop_schemas(*schemas)


def _agencies(node: TlsNode, party: str) -> dict[str, str]:
    with node.https(f"{node.party.lower()}-officer") as api:
        rows = api.get("/api/v1/agencies", params={"party": party, "limit": 100}).json()
    return {f"{party}:{row['acronym']}": row["id"] for row in rows}


def test_peering_exchange_and_taxii_over_verified_https(
    behind_nginx: tuple[TlsNode, TlsNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    canada, india = behind_nginx
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{canada.public}/healthz", timeout=10)  # the system's CAs do not know it
    with canada.https() as web:
        health = web.get("/healthz")
    assert health.status_code == 200
    assert health.headers["strict-transport-security"].startswith("max-age=")

    for local, remote in ((canada, india), (india, canada)):
        with remote.https() as web:
            keys = web.get("/federation/v1/keys").json()["keys"]
        fingerprint = next(k["fingerprint"] for k in keys if k["current"])
        local.cli(
            "peer", "add", "--party", remote.party, "--url", remote.public,
            "--fingerprint", fingerprint,
        )  # fmt: skip

    wait_for(lambda: "IN:NCB" in _agencies(canada, "IN"), what="India's agencies, over https")
    agencies = {**_agencies(canada, "CA"), **_agencies(canada, "IN")}
    with canada.https("ca-officer") as api:
        sent = api.post("/api/v1/exchange/cases", json=payloads.compose(agencies))
    assert sent.status_code == 201, sent.text

    def arrived() -> bool:
        with india.https("in-officer") as api:
            items = api.get("/api/v1/exchange/inbox", params={"direction": "in"}).json()["items"]
        return any(item["id"] == sent.json()["id"] for item in items)

    wait_for(arrived, what="the request in India's inbox, delivered over https")
    with canada.https("ca-admin") as api:
        out = api.get("/api/v1/messages", params={"type": "exchange.message"}).json()
    assert [m["status"] for m in out] == ["delivered"]
    assert out[0]["has_receipt"] is True

    # taxii2-client (requests) does not pass its verify= on to collections: the bundle
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", canada.ca_bundle)
    server = Server(
        f"{canada.public}/taxii2/", user="ca-analyst", password="liaison-demo-ca-analyst"
    )
    assert server.default is not None
    (collection,) = [c for c in server.default.collections if c.title == "CCCS indicators"]
    objects = collection.get_objects()["objects"]
    assert objects
    assert all(o["id"].startswith(f"{o['type']}--") for o in objects)
    assert collection.url.startswith(f"{canada.public}/taxii2/")  # discovery says https


def _failed_sign_in(client: httpx.Client, url: str) -> None:
    """A TAXII client with a wrong password: the node records the attempt and its source."""
    answer = client.get(
        f"{url}/taxii2/",
        auth=("ca-analyst", "wrong password"),
        headers={"X-Forwarded-For": SPOOFED, "Accept": "application/taxii+json;version=2.1"},
    )
    assert answer.status_code == 401, answer.text


def _last_source(node: TlsNode) -> str:
    engine = make_engine(node.sqlalchemy_url)
    try:
        with engine.connect() as conn:
            query = "SELECT client_ip FROM login_attempts ORDER BY attempted_at DESC LIMIT 1"
            return str(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def test_client_address_comes_from_the_trusted_proxy_only(
    behind_nginx: tuple[TlsNode, TlsNode],
) -> None:
    canada, _ = behind_nginx
    with httpx.Client(verify=canada.tls(), timeout=30) as via_proxy:
        _failed_sign_in(via_proxy, canada.public)
    # nginx, a trusted proxy, appended the real client's address after the spoofed one;
    # were it not trusted, the node would see nginx's own address (127.0.0.2)
    assert _last_source(canada) == "127.0.0.1"
    with httpx.Client(timeout=30) as direct:  # straight to the node: the header is ignored
        _failed_sign_in(direct, canada.url)
    assert _last_source(canada) == "127.0.0.1"
