"""Settings read from the environment (prefix HEALTHHUB_), with safe defaults (no key from the repository)."""
import secrets
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from healthhub.core.keys import installation_key

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEALTHHUB_", env_file=".env", extra="ignore")

    env: str = Field("demo", description="demo | test | production")
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'healthhub.db'}"
    # Signs tokens and sessions. Unset: a random key made for this installation under key_dir
    # (production must set it, so a copied key_dir or a lost disk never decides it).
    secret_key: str | None = None
    # 128-bit SM4 key, hex encoded; encrypts ID and phone numbers at rest. Unset: as secret_key.
    pii_key: str | None = None
    # 128-bit SM4 key, hex encoded; turns primary keys into the public ids of URLs and API bodies. Its own
    # key, so rotating secret_key does not break saved links. Unset: as secret_key.
    public_id_key: str | None = None
    data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    # Where per-installation key material lives when no key is configured (never committed).
    key_dir: Path = PROJECT_ROOT / "var" / "keys"
    # SM2 key pair "private_hex:public_hex" signing audit checkpoints. Unset: made once under key_dir.
    platform_sm2_key: str | None = None
    # Signed audit checkpoints are appended here, outside the database (ship a copy off the machine).
    audit_anchor_file: Path = PROJECT_ROOT / "var" / "audit" / "checkpoints.jsonl"
    redis_url: str = "redis://127.0.0.1:6379/0"
    llm_url: str | None = None
    # Base URL the outside world reaches us at: payment callbacks and links are built from it,
    # never from the client's Host header.
    public_url: str = "http://127.0.0.1:8000"
    # Peers whose X-Forwarded-For is believed (IPs or CIDRs); any other client's header is ignored.
    trusted_proxies: list[str] = []
    # Hosts a tenant webhook may target although not public https (e.g. an on-site clinic system).
    webhook_allowed_hosts: list[str] = []
    # Bounded database pool and timeouts: a rush gets a fast 503/409 instead of queueing forever.
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout_seconds: float = 3.0
    db_statement_timeout_ms: int = 15000
    db_lock_timeout_ms: int = 3000
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool = False
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    session_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # Background maintenance jobs in the web process (see core/jobs.py); off where a separate
    # `healthhub jobs run --loop` worker runs them.
    run_jobs: bool = True
    # Times are stored in UTC and shown to people in this IANA zone (pages, page data).
    display_timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("secret_key")
    @classmethod
    def _long_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("HEALTHHUB_SECRET_KEY must be a private value of 32+ characters")
        return value

    @field_validator("display_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"HEALTHHUB_DISPLAY_TIMEZONE must be an IANA time zone such as Asia/Shanghai: {exc}") from exc
        return value

    @field_validator("pii_key", "public_id_key")
    @classmethod
    def _sm4_key(cls, value: str | None, info) -> str | None:
        if value is not None and not _is_sm4_hex_key(value):
            raise ValueError(f"HEALTHHUB_{info.field_name.upper()} must be 32 hex characters (a 128-bit SM4 key)")
        return value

    @model_validator(mode="after")
    def _resolve_keys(self) -> "Settings":
        if self.env == "production":
            if self.secret_key is None:
                raise ValueError("HEALTHHUB_SECRET_KEY must be set to a private value of 32+ characters in production")
            if self.pii_key is None:
                raise ValueError("HEALTHHUB_PII_KEY must be set to a private key in production")
            if self.public_id_key is None:
                # Every node must turn the same key into the same public id.
                raise ValueError("HEALTHHUB_PUBLIC_ID_KEY must be set to a private key in production")
            if not self.cookie_secure:
                # Session cookies carry page logins; over plain HTTP they would leak to any listener.
                raise ValueError("HEALTHHUB_COOKIE_SECURE must be true in production (serve behind HTTPS)")
        if self.secret_key is None:
            self.secret_key = installation_key(self.key_dir, "secret.key", lambda: secrets.token_urlsafe(48))
        for field, file_name in (("pii_key", "pii.key"), ("public_id_key", "public_id.key")):
            if getattr(self, field) is None:
                key = installation_key(self.key_dir, file_name, lambda: secrets.token_hex(16))
                if not _is_sm4_hex_key(key):
                    raise ValueError(f"{self.key_dir / file_name} must hold 32 hex characters (a 128-bit SM4 key)")
                setattr(self, field, key)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _is_sm4_hex_key(value: str) -> bool:
    try:
        return len(bytes.fromhex(value)) == 16
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
