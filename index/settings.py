"""Typed settings for ingestion: where data lives, how articles are chunked and embedded.

`qa.settings.Settings` extends this class, so one object configures the whole app and is passed
explicitly (never a global). Values come from arguments, `NEWSDESK_*` environment variables and an
optional TOML file (`NEWSDESK_CONFIG`, or `config.toml` in the data directory).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


def default_data_dir() -> Path:
    """Per-user data directory: $XDG_DATA_HOME/newsdesk or ~/.local/share/newsdesk."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "newsdesk"


def _toml_path() -> Path | None:
    explicit = os.environ.get("NEWSDESK_CONFIG")
    if explicit:
        return Path(explicit)
    data_dir = Path(os.environ.get("NEWSDESK_DATA_DIR") or default_data_dir())
    candidate = data_dir / "config.toml"
    return candidate if candidate.is_file() else None


class IndexSettings(BaseSettings):
    """Settings that the ingestion side reads."""

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="ignore", validate_assignment=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Everything a user's index owns.")
    chroma_url: str | None = Field(None, description="Use a Chroma server (http://host:port) instead of files.")
    collection: str = Field("newsdesk", description="Chroma collection name.")

    embed_model: str = Field("all-MiniLM-L6-v2", description="'all-MiniLM-L6-v2' (packaged) or a local model path.")
    embed_backend: Literal["torch", "onnx", "onnx-int8"] = Field("torch", description="Embedding runtime.")
    embed_batch_size: int = Field(32, ge=1, le=1024)
    embed_threads: int = Field(1, ge=1, le=64, description="CPU threads for embedding.")

    chunk_size: int = Field(192, ge=32, le=256, description="Chunk size in word pieces (model reads 256 max).")
    chunk_overlap: int = Field(32, ge=0, le=128, description="Overlap between chunks in word pieces.")

    max_file_mb: float = Field(5.0, gt=0, description="Larger input files are refused.")
    file_timeout_s: float = Field(30.0, gt=0, description="Per-file parse time limit.")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        return Path(value).expanduser() if isinstance(value, (str, Path)) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _toml_path()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    # Paths inside the data directory -------------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "ledger.sqlite3"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"
