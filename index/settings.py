"""Typed settings for ingestion: where data lives, how articles are chunked and embedded.

`qa.settings.Settings` extends this class, so one object configures the whole app and is passed
explicitly (never a global). Values come from arguments, `NEWSDESK_*` environment variables and an
optional TOML file (`NEWSDESK_CONFIG`, or `config.toml` in the data directory).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from index.errors import SettingError, invalid_settings_message, unknown_setting_message


def default_embed_threads() -> int:
    """Two embedding threads where the process may use two cores: on an idle 2-core machine they embed 1.5x
    as fast as one (bench/RESULTS.md, "Ingest throughput"); with the cores busy they still gained 9 %."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(2, cores))


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

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="forbid", validate_assignment=True)

    # NEWSDESK_* environment variables that are not settings (the one allow-list): never "unknown setting".
    non_setting_env: ClassVar[dict[str, str]] = {
        "NEWSDESK_CONFIG": "the TOML settings file (index.settings, qa.cli --config)",
        "NEWSDESK_PROGRESS": "1 shows progress bars when stderr is not a terminal (qa.cli, eval.runner)",
        "NEWSDESK_UI_AUTH": "USER:PASSWORD for the browser chat (ui.cli)",
        "NEWSDESK_MODEL_CACHE": "per-user cache of exported ONNX models (index.embedding_onnx)",
    }
    # Whether NEWSDESK_* variables and config-file keys must all be fields of this class. The app-wide
    # `qa.Settings` checks them; a bare IndexSettings (tests, bench workers) skips the app's other settings.
    check_sources: ClassVar[bool] = False
    # What bad settings raise (`qa.Settings`: `qa.ConfigError`); always one line naming the setting and the fix.
    error_type: ClassVar[type[Exception]] = SettingError

    data_dir: Path = Field(default_factory=default_data_dir, description="Everything a user's index owns.")
    chroma_url: str | None = Field(None, description="Use a Chroma server (http://host:port) instead of files.")
    collection: str = Field("newsdesk", description="Chroma collection name.")

    embed_model: str = Field("all-MiniLM-L6-v2", description="'all-MiniLM-L6-v2' (packaged) or a local model path.")
    embed_backend: Literal["torch", "onnx", "onnx-int8"] = Field("onnx-int8", description="Embedding runtime.")
    embed_batch_size: int = Field(1, ge=1, le=1024,
                                  description="Texts per model call when embedding. 1 (the default) makes each "
                                  "stored vector depend on its text alone (int8 activations are quantised per "
                                  "call) and ingests fastest with onnx-int8 (no padding; bench/RESULTS.md).")
    embed_threads: int = Field(default_factory=default_embed_threads, ge=1, le=64,
                               description="CPU threads for embedding (default: 2 where two cores are free to use).")

    chunk_size: int = Field(192, ge=32, le=256, description="Chunk size in word pieces (model reads 256 max).")
    chunk_overlap: int = Field(32, ge=0, le=128, description="Overlap between chunks in word pieces.")

    max_file_mb: float = Field(5.0, gt=0, description="Larger input files are refused.")
    file_timeout_s: float = Field(30.0, gt=0, description="Per-file parse time limit.")

    # Fetching pages and feeds over HTTP (index/fetch.py); pages are held to max_file_mb like files.
    fetch_full_text: bool = Field(True, description="Fetch the page behind a feed entry whose text is a teaser.")
    fetch_timeout_s: float = Field(20.0, gt=0, le=300, description="Time limit for one HTTP request.")
    fetch_host_delay_s: float = Field(1.0, ge=0, le=60, description="Pause between two requests to one host.")
    fetch_user_agent: str = Field("Newsdesk/0.1 (local news reader)", min_length=1,
                                  description="User-Agent sent with every request.")
    # Feeds kept fresh (index/feeds.py, `newsdesk watch`)
    feed_interval_min: float = Field(15.0, ge=0.05, le=10080, description="Default minutes between polls of a feed.")
    # Syndicated copies folded into stories (index/stories.py)
    fold_copies: bool = Field(True, description="Group near-duplicate articles (wire copies) into one story.")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        return Path(value).expanduser() if isinstance(value, (str, Path)) else value

    @field_validator("data_dir")
    @classmethod
    def _is_a_folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a directory; choose a directory with --data-dir / "
                             "NEWSDESK_DATA_DIR")
        return value

    @model_validator(mode="before")
    @classmethod
    def _skip_other_settings(cls, data: Any) -> Any:
        # Unknown keywords were refused in __init__ and the environment yields only fields, so an unknown key
        # here comes from the config file: the app's (a qa setting such as `llm`) when this class skips those.
        if cls.check_sources or not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if k in cls.model_fields}

    def __init__(self, **values: Any) -> None:
        """Like BaseSettings, but an unknown or bad setting raises one `error_type` line ("did you mean ...")."""
        cls = type(self)
        fields = cls.model_fields
        for name in values:
            if not name.startswith("_") and name not in fields:
                raise cls.error_type(unknown_setting_message(name, "a keyword argument", fields))
        toml = _toml_path()
        toml_keys = cls._config_file_keys(toml)
        if cls.check_sources:
            prefix = cls.model_config.get("env_prefix", "")
            for env in sorted(os.environ):
                if env.upper().startswith(prefix) and env.upper() not in cls.non_setting_env \
                        and env[len(prefix):].lower() not in fields:
                    raise cls.error_type(unknown_setting_message(env, "an environment variable", fields, prefix))
            for key in toml_keys:
                if key not in fields:
                    raise cls.error_type(unknown_setting_message(key, f"in {toml.name} at {toml}", fields))

        def where(name: str) -> str:
            env = f"{cls.model_config.get('env_prefix', '')}{name}".upper()
            if name in values:
                return "an argument or command-line option"
            if any(key.upper() == env for key in os.environ):
                return f"from {env}"
            if toml is not None and name in toml_keys:
                return f"in {toml.name} at {toml}"
            return ""

        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise cls.error_type(invalid_settings_message(exc.errors(), fields, where)) from exc

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            fields = type(self).model_fields
            raise type(self).error_type(invalid_settings_message(exc.errors(), fields, lambda _: "assigned")) from exc

    @classmethod
    def _config_file_keys(cls, path: Path | None) -> list[str]:
        """Top-level keys of the TOML settings file (none when there is no file); a broken file is one error."""
        if path is None or not path.exists():
            return []
        try:
            with path.open("rb") as handle:
                return list(tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise cls.error_type(f"the settings file {path} is not valid TOML ({exc}); fix it, or point "
                                 "NEWSDESK_CONFIG / --config at another file") from exc
        except OSError as exc:
            raise cls.error_type(f"cannot read the settings file {path} ({exc.strerror or exc}); fix its "
                                 "permissions, or point NEWSDESK_CONFIG / --config at another file") from exc

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

    @property
    def feeds_path(self) -> Path:
        return self.data_dir / "feeds.sqlite3"  # the watched feeds and their poll state (index/feeds.py)
