"""Node settings: environment (prefix ``LIAISON_``), an optional TOML file, defaults.

The TOML file is found at ``$LIAISON_CONFIG`` or ``<data_dir>/liaison.toml``.
Environment variables win over the file.
"""

from __future__ import annotations

import os
import secrets
import ssl
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from liaison.kit.errors import ConfigurationError

DEFAULT_DATA_DIR = Path(".liaison")


def _toml_path() -> Path:
    explicit = os.environ.get("LIAISON_CONFIG")
    if explicit:
        return Path(explicit)
    data_dir = Path(os.environ.get("LIAISON_DATA_DIR", DEFAULT_DATA_DIR))
    return data_dir / "liaison.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIAISON_", extra="ignore")

    party: str = Field(
        description="ISO 3166-1 alpha-2 code of this node's party (LIAISON_PARTY; required)"
    )
    node_name: str = Field(default="liaison-ca", description="Human name of this node")
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in data_dir")
    public_base_url: str = "http://127.0.0.1:8701"
    host: str = "127.0.0.1"
    port: int = 8701
    secret_key_file: Path | None = None
    max_request_bytes: int = 1_048_576
    session_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_source_max_failures: int = Field(
        default=20, ge=1, description="failed sign-ins per client address per lockout window"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses/networks of reverse proxies whose X-Forwarded-For is believed",
    )
    ca_bundle: Path | None = Field(
        default=None,
        description="PEM file of the certificate authorities trusted for peers' HTTPS "
        "(LIAISON_CA_BUNDLE); default: the system's",
    )
    federation_max_envelope_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="largest envelope (and direct request or answer) accepted; attachments "
        "are pulled in ranges of 512 KiB, never inside an envelope; a hit/no-hit query of "
        "100,000 identifiers is about 6 MiB",
    )
    federation_max_batch_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="largest inbox batch body (streamed to a spool file, read envelope by "
        "envelope)",
    )
    federation_clock_window_seconds: int = 300
    federation_refusals_per_minute: int = Field(
        default=30, ge=1, description="refused inbox requests logged per source and minute"
    )
    federation_batch_size: int = Field(default=200, ge=1, le=500)
    federation_timeout_seconds: float = 30.0
    taxii_max_content_length: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="largest TAXII envelope accepted (bytes)"
    )
    worker_enabled: bool = Field(default=True, description="run the delivery worker in serve")
    worker_poll_seconds: float = 1.0
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535, description="a lone worker's /metrics port on host; 0: none"
    )
    worker_max_backoff_seconds: float = 300.0
    smtp_host: str = Field(default="", description="SMTP relay for notifications; empty: no mail")
    smtp_port: int = 587
    smtp_from: str = "liaison@localhost"
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 10.0
    smtp_poll_seconds: float = 10.0
    smtp_max_attempts: int = Field(default=10, ge=1)
    audit_checkpoint_every: int = Field(default=1000, ge=1, description="entries per checkpoint")
    audit_checkpoint_minutes: float = Field(default=60.0, gt=0, description="checkpoint period")
    retention_purge_minutes: float = Field(default=60.0, gt=0, description="purge job period")
    exchange_deadline_hours_urgent: float = Field(default=8.0, gt=0)
    exchange_deadline_hours_high: float = Field(default=72.0, gt=0)
    exchange_deadline_hours_normal: float = Field(default=168.0, gt=0)
    exchange_deadline_hours_low: float = Field(default=720.0, gt=0)
    exchange_deadline_hours_by_party: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="per party, per priority: response hours that override the "
        'arrangement\'s (policy/vocab.toml), e.g. {"US": {"urgent": 12}}',
    )
    exchange_due_soon_fraction: float = Field(
        default=0.75, gt=0, lt=1, description="share of the response time after which 'due soon'"
    )
    exchange_escalation_minutes: float = Field(default=1.0, gt=0, description="check period")
    exchange_max_attachment_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    exchange_allow_archives: bool = Field(
        default=False, description="accept zip/rar/7z/tar/... attachments (office files always)"
    )
    hitcheck_indexed_categories: list[str] = Field(
        default_factory=lambda: [
            "phone",
            "email",
            "document",
            "bank_account",
            "crypto_wallet",
            "vehicle",
            "vessel",
            "shipment",
            "person",
        ],
        description="identifier classes this party answers hit/no-hit checks on",
    )
    hitcheck_officer_daily_quota: int = Field(default=2000, ge=0, description="per 24 h")
    hitcheck_agency_daily_quota: int = Field(default=20000, ge=0, description="per 24 h")
    hitcheck_peer_daily_quota: int = Field(
        default=200000, ge=0, description="identifiers a peer may check here per 24 h"
    )
    hitcheck_max_identifiers: int = Field(default=10000, ge=1, le=100000)
    hitcheck_index_seconds: float = Field(default=5.0, gt=0, description="indexing job period")

    @field_validator("party")
    @classmethod
    def _upper_party(cls, value: str) -> str:
        value = value.strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise ValueError("party must be an ISO 3166-1 alpha-2 code such as CA or IN")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_toml_path())
        return (init_settings, env_settings, toml)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'liaison.db'}"

    @property
    def cookie_secure(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def http_verify(self) -> ssl.SSLContext | bool:
        """What httpx's ``verify=`` gets for calls to peers: the CA bundle, else the default."""
        return ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else True

    @property
    def secret_key_path(self) -> Path:
        return self.secret_key_file or self.data_dir / "secret.key"

    @cached_property
    def secret_key(self) -> bytes:
        """The node's secret (peppers token hashes; encrypts keys at rest later)."""
        path = self.secret_key_path
        if not path.exists():
            raise ConfigurationError(f"secret key file {path} is missing: run 'liaison init' first")
        return bytes.fromhex(path.read_text().strip())

    def ensure_secret_key(self) -> None:
        path = self.secret_key_path
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))


def load_settings(**overrides: Any) -> Settings:
    """The node's settings; a missing ``LIAISON_PARTY`` is a clear error, not a guess."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"LIAISON_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        hint = ""
        if any(error["loc"] == ("party",) and error["type"] == "missing" for error in exc.errors()):
            hint = (
                " — set LIAISON_PARTY to this node's party (e.g. CA or IN) in the environment"
                f" or 'party = \"CA\"' in {_toml_path()}"
            )
        raise ConfigurationError(f"invalid node settings: {problems}{hint}") from exc
