"""Settings read from the environment (prefix HEALTHHUB_), with safe demo defaults."""
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Known, public defaults: fine for a demo on a laptop, refused in production.
DEMO_SECRET_KEY = "demo-secret-key-change-me-0123456789abcdef"
DEMO_PII_KEY = "00112233445566778899aabbccddeeff"

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEALTHHUB_", env_file=".env", extra="ignore")

    env: str = Field("demo", description="demo | test | production")
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'healthhub.db'}"
    secret_key: str = DEMO_SECRET_KEY
    # 128-bit SM4 key, hex encoded; encrypts ID and phone numbers at rest.
    pii_key: str = DEMO_PII_KEY
    data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    redis_url: str = "redis://127.0.0.1:6379/0"
    llm_url: str | None = None
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
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _refuse_demo_secrets_in_production(self) -> "Settings":
        if self.env == "production":
            if self.secret_key == DEMO_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError("HEALTHHUB_SECRET_KEY must be set to a private value of 32+ characters in production")
            if self.pii_key == DEMO_PII_KEY:
                raise ValueError("HEALTHHUB_PII_KEY must be set to a private key in production")
            if not self.cookie_secure:
                # Session cookies carry page logins; over plain HTTP they would leak to any listener.
                raise ValueError("HEALTHHUB_COOKIE_SECURE must be true in production (serve behind HTTPS)")
        if len(bytes.fromhex(self.pii_key)) != 16:
            raise ValueError("HEALTHHUB_PII_KEY must be 32 hex characters (a 128-bit SM4 key)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
