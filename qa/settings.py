"""The one settings object for the whole app: ingestion settings plus LLM and retrieval settings."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from index.settings import IndexSettings
from qa.errors import ConfigError

LLMName = Literal["local", "openai", "ollama", "extractive"]


class Settings(IndexSettings):
    """Typed settings; env vars `NEWSDESK_*`, optional TOML file, explicit arguments win.

    Every name must be a field: an unknown keyword, `NEWSDESK_*` variable (other than those in
    `IndexSettings.non_setting_env`) or config-file key, and any bad value, raise one-line `ConfigError`s
    naming the setting, where it came from and the closest valid name or the allowed values.
    """

    check_sources: ClassVar[bool] = True
    error_type: ClassVar[type[Exception]] = ConfigError

    # LLM backend ---------------------------------------------------------------------------
    llm: LLMName = Field("local", description="local | openai | ollama | extractive")
    llm_model_path: Path | None = Field(None, description="GGUF file for 'local' (default: packaged Qwen2.5 1.5B).")
    llm_threads: int = Field(2, ge=1, le=64)
    llm_context_window: int = Field(4096, ge=512)
    llm_max_tokens: int = Field(160, ge=8, le=4096, description="Cap on answer length.")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_timeout_s: float = Field(120.0, gt=0)

    openai_base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    openai_model: str | None = None
    openai_api_key: str | None = None

    ollama_url: str = "http://127.0.0.1:11434"
    ollama_model: str | None = None

    # Retrieval -----------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50, description="Passages given to the answerer.")
    dense_k: int = Field(30, ge=1, le=500)
    bm25_k: int = Field(30, ge=1, le=500)
    rrf_k: int = Field(60, ge=1)
    fusion: Literal["rrf", "dense", "bm25"] = "rrf"
    min_relevance: float = Field(0.30, ge=-1.0, le=1.0, description="Best passage cosine below this: refuse.")
    min_sentence_relevance: float = Field(0.25, ge=-1.0, le=1.0, description="Best chosen sentence's relevance "
                                          "(0.6 cosine + 0.4 word overlap) below this: refuse before answering.")
    support_threshold: float = Field(0.55, ge=0.0, le=1.0, description="Sentence-to-passage support needed.")
    asked_detail_check: bool = Field(True, description="Refuse before answering when the asked attribute ('salary') is "
                                     "in no retrieved article.")
    context_sentences: int = Field(8, ge=1, le=100, description="Best sentences chosen for the answerer (compression).")
    context_words: int = Field(260, ge=20, le=5000, description="Word budget of the chosen sentences and their "
                               "neighbours (about 1.3 prompt tokens a word; 260 keeps a local answer near 4 s).")

    # Serving -------------------------------------------------------------------------------
    max_in_flight: int | None = Field(None, ge=1, le=1024, description="Questions admitted at once (answering or "
                                      "waiting for the model); more get a 'busy, try again' error. Default: 4 for "
                                      "'local' (it drafts one answer at a time), 64 for the others.")
