"""End to end with the extractive backend (no LLM): cited answers, refusal, streaming, follow-ups, injection."""

from qa import Answer, Citation
from qa_articles import SEED_QUESTION


def _seed_id(desk):
    return next(a.id for a in desk.articles() if a.title.startswith("Türkiye, Israel"))


def test_answer_cites_the_seed_article_with_a_verbatim_quote(desk):
    answer = desk.ask(SEED_QUESTION)
    assert not answer.refused
    assert "April 9" in answer.text and "[1]" in answer.text
    cite = answer.citations[0]
    assert isinstance(cite, Citation) and cite.n == 1 and cite.article_id == _seed_id(desk)
    body = desk.article(cite.article_id).body
    assert body[cite.start_char : cite.end_char] == cite.quote
    assert "April 9" in cite.quote and cite.support >= desk.settings.support_threshold
    assert answer.contexts and answer.timings.total_s > 0 and answer.llm == "extractive"


def test_json_form_has_the_documented_keys(desk):
    data = desk.ask(SEED_QUESTION).to_json()
    assert {"answer", "citations", "refused"} <= set(data)
    assert {"n", "article_id", "title", "url", "source", "published_at", "quote"} <= set(data["citations"][0])


def test_unanswerable_question_is_refused_plainly(desk):
    answer = desk.ask("What is the population of Lima, Peru?")
    assert answer.refused and not answer.citations
    assert answer.text.startswith("The indexed articles do not say")


def test_stream_yields_text_then_the_answer(desk):
    items = list(desk.stream(SEED_QUESTION))
    assert isinstance(items[-1], Answer)
    pieces = items[:-1]
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "April 9" in "".join(pieces)


def test_follow_up_is_rewritten_with_the_previous_question(desk):
    messages = [
        {"role": "user", "content": "What did Hakan Fidan say about the technical talks?"},
        {"role": "assistant", "content": "He said they are not leading to normalization [1]."},
        {"role": "user", "content": "What did he say about Syria?"},
    ]
    answer = desk.chat(messages)
    assert "Hakan Fidan" in answer.standalone_question
    assert answer.citations and answer.citations[0].article_id == _seed_id(desk)
    assert "Fidan" in answer.text


def test_a_standalone_question_is_not_rewritten(desk):
    messages = [{"role": "user", "content": "Who is Hakan Fidan?"}, {"role": "assistant", "content": "x"},
                {"role": "user", "content": "How much will the Riverside tram line cost?"}]
    assert desk.chat(messages).standalone_question == "How much will the Riverside tram line cost?"


def test_instructions_inside_an_article_are_not_followed(desk):
    answer = desk.ask("What is the highest spring tide in Marlow this summer?")
    assert not answer.refused
    assert "5.4 metres" in answer.text
    assert "cancelled" not in answer.text and "pirate" not in answer.text.lower()
    assert all(c.n <= len(answer.citations) for c in answer.citations)
    assert "[7]" not in answer.text


def test_an_injected_claim_is_not_repeated_when_asked_about_it(desk):
    answer = desk.ask("Was the Glenmoor tram line cancelled?")
    assert "cancelled" not in " ".join(c.quote for c in answer.citations)
