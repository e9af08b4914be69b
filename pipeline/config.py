"""Settings from ``SOHOA_*`` environment variables (pydantic-settings), with embedded defaults.

Defaults give a one-machine setup with no servers: a local directory store, the embedded search index and
Prefect's ephemeral server. Production points ``SOHOA_STORE=minio`` and ``SOHOA_INDEX=elasticsearch`` at servers.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PIPELINE_VERSION = "0.1.0"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", extra="ignore")

    data_dir: Path = Field(default=Path(".sohoa"), description="root for the local store and embedded index")

    store: Literal["local", "minio"] = "local"
    minio_endpoint: str = "127.0.0.1:9000"
    minio_access_key: str = "minioadmin"
    minio_secret_key: SecretStr = SecretStr("minioadmin")
    minio_bucket: str = "sohoa"
    minio_secure: bool = False

    webhook_token: SecretStr | None = Field(
        default=None, description="bearer token bucket-event webhooks must send; unset: every event is refused"
    )

    index: Literal["embedded", "elasticsearch"] = "embedded"
    es_url: str | None = Field(default=None, description="Elasticsearch URL; user:password@ in it is basic auth")
    es_api_key: SecretStr | None = Field(default=None, description="Elasticsearch API key (instead of a password)")
    es_ca_certs: Path | None = Field(default=None, description="CA bundle for an https cluster's own certificate")
    es_alias: str = Field(default="sohoa-wallet", description="alias over the versioned indices <alias>-v1, -v2…")

    ocr_engine: Literal["tesseract", "tesseract-fast"] = "tesseract"
    tessdata_dir: Path | None = Field(
        default=None, description="folder with vie.traineddata for the `tesseract` engine (default: models/tessdata)"
    )
    ocr_dpi: int = Field(default=300, ge=72, le=600, description="PDF render resolution")
    ocr_workers: int = Field(default=2, ge=1, description="pages OCR'd in parallel (one core each)")

    review_threshold: float = Field(
        default=0.80, ge=0.0, le=1.0, description="fields below this confidence send the document to review"
    )
    max_file_bytes: int = Field(default=200 * 1024 * 1024, description="larger uploads are quarantined")
    max_image_pixels: int = Field(
        default=80_000_000, description="decoded page larger than this is refused (decompression bomb)"
    )
    max_pages: int = Field(default=200, ge=1)

    @cached_property
    def local_store_dir(self) -> Path:
        return self.data_dir / "store"

    @cached_property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def pipeline_version(self) -> str:
        return PIPELINE_VERSION


def get_settings() -> Settings:
    return Settings()
