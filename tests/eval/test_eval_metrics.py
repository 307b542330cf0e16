"""Each metric on small hand-computed examples, including the edge cases."""

import pytest

from eval import metrics as m

TA = "https://samples.newsdesk.invalid/a"
TB = "https://samples.newsdesk.invalid/b"


def test_exact_match_normalises_case_punctuation_articles_and_markers():
    assert m.exact_match("The Deltamar Construction. [1]", ["Deltamar Construction"]) == 1.0
    assert m.exact_match("Deltamar", ["Deltamar Construction"]) == 0.0
    assert m.exact_match("", ["Deltamar Construction"]) == 0.0
    assert m.exact_match("anything", []) is None  # unanswerable: not scored


def test_token_f1_hand_computed():
    # prediction tokens: cost 48 million euros; gold "€48 million" -> 48 million: P=2/4, R=2/2 -> F1=2/3
    assert m.token_f1("cost €48 million euros", ["€48 million"]) == pytest.approx(2 / 3)
    # best over the acceptable answers
    assert m.token_f1("48 million", ["61 million", "48 million"]) == 1.0
    assert m.token_f1("", ["48 million"]) == 0.0
    assert m.token_f1("text", []) is None


def test_containment_uses_word_boundaries():
    assert m.contains_answer("It happened yesterday.", ["yes"]) == 0.0
    assert m.contains_answer("Yes. It happened yesterday.", ["yes"]) == 1.0
    assert m.contains_answer("a $310  million plant [2]", ["$310 million"]) == 1.0
    assert m.contains_answer("They met on April 19.", ["April 9"]) == 0.0
    assert m.contains_answer("They met on April 9[1].", ["April 9"]) == 1.0
    assert m.contains_answer("Insufficient information", ["Insufficient information."]) == 1.0
    assert m.contains_answer("", ["April 9"]) == 0.0
    assert m.contains_answer("text", []) is None


def test_lenient_overlap_is_multihop_rags_any_shared_word():
    assert m.lenient_overlap("yes it is", ["Yes"]) == 1.0
    assert m.lenient_overlap("Yes, it is", ["Yes"]) == 0.0  # whitespace tokens: "yes," is not "yes"
    assert m.lenient_overlap("The council of Port Calder", ["The Guardian"]) == 1.0  # lenient indeed
    assert m.lenient_overlap("", ["Yes"]) == 0.0
    assert m.lenient_overlap("x", []) is None


def _p(article_id, url="", title="", text=""):
    return {"article_id": article_id, "url": url, "title": title, "text": text}


def test_gold_matches_url_id_or_exact_title():
    article = {"article_id": "abc123", "url": TA + "/", "title": "Türkiye, Israel begin talks"}
    assert m.matches_gold(TA, article)
    assert m.matches_gold("abc123", article)
    assert m.matches_gold("türkiye, israel begin talks", article)
    assert not m.matches_gold("Türkiye, Israel", article)
    assert not m.matches_gold("", article)


def test_retrieval_scores_hand_computed():
    passages = [
        _p("A", text="Nothing here."),
        _p("B", title="Gold by title", text="Other text."),
        _p("A", text="The council voted 7 to 2 on Tuesday."),
        _p("C", url=TB, text="More."),
    ]
    golds = [TB, "Gold by title"]
    quotes = ["The council voted 7 to 2 on Tuesday.", "A sentence nobody retrieved."]
    s = m.retrieval_scores(passages, golds, quotes, ks=(1, 2, 4))
    assert (s["article_hit@1"], s["article_recall@1"], s["article_mrr@1"]) == (0.0, 0.0, 0.0)
    assert (s["article_hit@2"], s["article_recall@2"], s["article_mrr@2"]) == (1.0, 0.5, 0.5)
    # distinct articles are A, B, C: both golds within 4, first at rank 2
    assert (s["article_hit@4"], s["article_recall@4"], s["article_mrr@4"]) == (1.0, 1.0, 0.5)
    # quotes rank passages, not articles: the first quote is in passage 3
    assert (s["quote_hit@2"], s["quote_recall@2"]) == (0.0, 0.0)
    assert (s["quote_hit@4"], s["quote_recall@4"], s["quote_mrr@4"]) == (1.0, 0.5, pytest.approx(1 / 3))


def test_retrieval_scores_without_gold_are_not_applicable():
    s = m.retrieval_scores([_p("A")], [], [], ks=(4,))
    assert s == {"article_hit@4": None, "article_recall@4": None, "article_mrr@4": None,
                 "quote_hit@4": None, "quote_recall@4": None, "quote_mrr@4": None}
    empty = m.retrieval_scores([], [TA], [], ks=(4,))
    assert empty["article_hit@4"] == 0.0 and empty["article_mrr@4"] == 0.0


BODY_A = "Deltamar Construction won the building contract after a tender. Work starts in September."
BODY_X = "The marathon drew 4,200 runners."


def _c(n, article_id, url, quote, body):
    start = body.find(quote)
    return {"n": n, "article_id": article_id, "url": url, "title": "", "quote": quote,
            "start_char": start, "end_char": start + len(quote), "support": 0.9}


def test_citation_scores_hand_computed():
    text = "Deltamar Construction won the building contract [1]. It begins in September [2]. Nothing else."
    citations = [
        _c(1, "a", TA, "Deltamar Construction won the building contract after a tender.", BODY_A),
        _c(2, "x", "https://elsewhere.invalid/x", "The marathon drew 4,200 runners.", BODY_X),
    ]
    s = m.citation_scores(text, citations, [TA, TB], {"a": BODY_A, "x": BODY_X})
    assert s["citation_precision"] == 0.5  # one of two cited articles is gold
    assert s["citation_recall"] == 0.5  # one of two gold articles is cited
    assert s["quote_precision"] == 0.5  # marker [2]'s quote does not support its sentence
    assert s["cited_sentences"] == pytest.approx(2 / 3)  # "Nothing else." carries no citation


def test_citation_with_wrong_offsets_or_unknown_marker_is_invalid():
    bad = _c(1, "a", TA, "Deltamar Construction won the building contract after a tender.", BODY_A)
    bad["quote"] = "Deltamar Construction lost the contract."  # not in the article
    s = m.citation_scores("Deltamar Construction lost the contract [1]. Work starts [3].", [bad], [TA], {"a": BODY_A})
    assert s["cited_sentences"] == 0.0
    assert s["quote_precision"] == 0.0
    assert s["citation_precision"] == 1.0  # the article itself is the gold one


def test_citation_scores_edge_cases():
    none = m.citation_scores("An answer without citations.", [], [TA])
    assert none == {"citation_precision": None, "citation_recall": 0.0, "quote_precision": None, "cited_sentences": 0.0}
    empty = m.citation_scores("", [], [TA])
    assert empty["cited_sentences"] is None and empty["citation_recall"] == 0.0
    unanswerable = m.citation_scores("I cannot find this in the articles.", [], [])
    assert unanswerable["citation_precision"] is None and unanswerable["citation_recall"] is None


def test_sentences_keep_their_markers():
    assert m.sentences("It was 7 to 2 [1]. Work starts in May.[2] Cost: €48 million [1][3]. [4]") == [
        "It was 7 to 2 [1].", "Work starts in May.[2]", "Cost: €48 million [1][3]. [4]"]
    assert m.markers("Cost [1][3] and [2, 4].") == [1, 3, 2, 4]


def test_percentile_and_mean():
    assert m.percentile([4, 1, 3, 2], 50) == 2.5
    assert m.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert m.percentile([], 50) is None
    assert m.mean([1.0, None, 0.0]) == 0.5
    assert m.mean([None]) is None


def test_correctness_and_refusals():
    assert m.is_correct(["April 9"], "They began on April 9 [1].", refused=False)
    assert not m.is_correct(["April 9"], "April 9", refused=True)
    assert m.is_correct([], "The articles do not say.", refused=True)
    assert not m.is_correct([], "It was 2025.", refused=False)


def test_summarize_hand_computed():
    def r(kind, answers, correct, refused, latency, error=None, contains=None):
        return {"type": kind, "answers": answers, "correct": correct, "refused": refused, "latency_s": latency,
                "error": error, "scores": {"contains": contains}, "prompt_tokens": 10, "completion_tokens": 5}

    results = [
        r("single-article", ["x"], True, False, 1.0, contains=1.0),
        r("single-article", ["x"], False, True, 2.0, contains=0.0),  # a false refusal
        r("single-article", ["x"], False, False, None, error="TimeoutError: slow"),
        r("unanswerable", [], True, True, 3.0),
        r("unanswerable", [], False, False, 4.0),
    ]
    s = m.summarize(results)
    assert s["cases"] == 5 and s["errors"] == 1
    assert s["accuracy"] == pytest.approx(2 / 5)
    assert s["contains"] == 0.5 and s["n_contains"] == 2  # the failed case has no scores
    assert s["refusal_accuracy"] == 0.5
    assert s["false_refusals"] == 0.5  # 1 of the 2 answerable cases that ran
    assert s["latency_p50_s"] == 2.5
    assert s["prompt_tokens"] == 40 and s["tokens_per_case"] == 15


def test_context_recall_and_failure_reasons():
    contexts = [_p("A", url=TA), _p("Z")]
    assert m.context_recall(contexts, [TA, TB]) == 0.5
    assert m.context_recall([], [TA]) == 0.0
    assert m.context_recall(contexts, []) is None

    def r(**kw):
        return {"correct": False, "error": None, "answers": ["x"], "refused": False, "scores": {}, **kw}

    assert m.failure_reason(r(correct=True)) is None
    assert m.failure_reason(r(error="ValueError: bad")) == "error"
    assert m.failure_reason(r(answers=[])) == "answered an unanswerable question"
    assert m.failure_reason(r(refused=True)) == "refused although answerable"
    assert m.failure_reason(r(scores={"context_recall": 0.0})) == "no gold article in the answerer's context"
    assert m.failure_reason(r(scores={"context_recall": 0.5})) == "answer missed with gold evidence in context"


def test_a_quote_counts_the_relative_dates_it_resolves():
    from eval.metrics import citation_scores

    body = "The ferry captain died yesterday, officials said."
    quote = "The ferry captain died yesterday, officials said."
    answer = "The ferry captain died on January 14, 2019 [1]."
    plain = {"n": 1, "article_id": "a", "quote": quote, "start_char": 0, "end_char": len(quote)}
    dated = {**plain, "dates": ["yesterday = January 14, 2019"]}
    assert citation_scores(answer, [dated], ["a"], {"a": body})["quote_precision"] == 1.0
    assert citation_scores("He died on January 14, 2019 [1].", [plain], ["a"], {"a": body})["quote_precision"] == 0.0
