"""In real headless Chromium over the sample articles: the newest report wins, dated, and the superseded
source card says so (issue: news that changes over time)."""

from __future__ import annotations

import pytest

from newsdesk_testkit import REPO
from ui_browser_steps import ask, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The chat over every sample article (two reports on the North Quay terminal, a year apart)."""
    from qa import Newsdesk

    desk = Newsdesk(data_dir=tmp_path_factory.mktemp("time-ui") / "index", llm="extractive")
    assert desk.ingest([REPO / "samples" / "articles"]).ok
    demo, url = serve(desk)
    yield url
    demo.close()


def test_the_newest_report_answers_now_with_its_date(page):
    answer = ask(page, "When is the North Quay ferry terminal now expected to open?")
    assert answer.startswith("As of February 20, 2025"), answer
    assert "spring of 2027" in answer and "summer of 2026" not in answer.split("2027")[0]


def test_a_superseded_source_is_marked(page):
    answer = ask(page, "What is the latest expected opening date of the North Quay terminal?")
    assert answer.index("2027") < answer.index("2026")
    assert "An earlier report, on March 14, 2024, said:" in answer
    older = page.locator("#nd-src-1-2")
    assert "superseded by [1]" in older.inner_text()
    older.locator("a.nd-superseded").click()
    page.wait_for_function("() => document.querySelector('#nd-src-1-1').classList.contains('nd-flash')")
