"""End to end in real headless Chromium: ask, stream, inspect sources, upload, XSS, concurrency, API, auth."""

from __future__ import annotations

import httpx
import pytest

from ui_browser_steps import XSS, ask, upload_and_add, wait_for_answer

pytestmark = pytest.mark.browser

SEED_QUESTION = "When did Türkiye and Israel begin technical talks?"
SEED_TITLE = "Türkiye, Israel begin 'technical talks' to ease Syria tensions"
SEED_QUOTE = "Türkiye and Israel launched technical-level talks on April 9"


def test_ask_streams_a_cited_answer_with_sources(page):
    answer = ask(page, SEED_QUESTION)
    assert "April 9" in answer and "[1]" in answer
    assert page.evaluate("window.__ndStreamed")
    panel = page.locator("#nd-sources")
    assert SEED_TITLE in panel.inner_text()
    assert SEED_QUOTE in page.locator("#nd-sources .nd-source mark").first.inner_text()
    page.locator('#nd-chat a[href="#nd-src-1-1"]').first.click()
    card = page.locator("#nd-src-1-1")
    card.wait_for()
    assert "nd-flash" in (card.get_attribute("class") or "")
    assert page.dialogs == []


def test_follow_up_and_clear(page):
    ask(page, SEED_QUESTION)
    follow_up = ask(page, "Where did the officials meet?", turn=2)
    assert "Azerbaijan" in follow_up
    page.click("#nd-clear")
    page.wait_for_function("() => !document.querySelector('#nd-sources').innerText.includes('Q1:')"
                           " && !document.querySelector('#nd-chat [data-testid=\"bot\"]')")
    assert "Ask a question about your news articles" in page.locator("#nd-chat").inner_text()


def test_refusal_is_shown_as_a_refusal(page):
    ask(page, "What is the recipe for sourdough bread?")
    assert page.locator("#nd-chat .nd-refusal").count() == 1
    assert page.locator("#nd-chat .nd-error").count() == 0


def test_upload_an_article_then_ask_about_it(page, tmp_path):
    article = tmp_path / "orchard-fire.md"
    article.write_text(
        "---\ntitle: Fire destroys Quillon orchard barn\nsource: Test Courier\npublished_at: 2024-09-02\n---\n"
        "# Fire destroys Quillon orchard barn\n\n"
        "A fire destroyed the apple barn of the Quillon orchard on Sunday night. Firefighters from Dunmere said "
        "the blaze started in a tractor shed at about 11 p.m. and that nobody was hurt.\n",
        encoding="utf-8")
    results = upload_and_add(page, article)
    assert "orchard-fire.md" in results and "added" in results, results
    assert "Fire destroys Quillon orchard barn" in page.locator("#nd-articles").inner_text()
    page.get_by_role("tab", name="Chat").click()
    answer = ask(page, "What happened at the Quillon orchard on Sunday night?")
    assert "fire destroyed the apple barn" in answer and "[1]" in answer
    assert "Fire destroys Quillon orchard barn" in page.locator("#nd-sources").inner_text()


def test_oversized_upload_is_refused_with_a_message(page, tmp_path, ui_desk):
    big = tmp_path / "huge.txt"
    big.write_bytes(b"Huge\n\n" + b"x" * int(ui_desk.settings.max_file_mb * 1024 * 1024 + 10))
    results = upload_and_add(page, big)
    assert "huge.txt" in results and "over the" in results and "upload limit" in results, results
    assert "failed" in results


def test_article_with_html_and_script_shows_as_text(page):
    ask(page, "How long did the strike at the Vellmora glassworks last?")
    panel_text = page.locator("#nd-sources").inner_text()
    assert "<script>alert(1)</script>" in panel_text and "<img src=x onerror=alert(1)>" in panel_text
    page.get_by_role("tab", name="Articles").click()
    page.wait_for_function("() => document.querySelector('#nd-articles').innerText.includes('Glassworks')")
    assert XSS in page.locator("#nd-articles").inner_text()
    page.wait_for_timeout(500)  # give any injected handler the chance to fire
    assert page.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => [...document.scripts].some(s => s.textContent.includes('alert(1)'))") is False


def test_two_pages_asking_at_once_get_their_own_answers(browser, app_url):
    pages = []
    for _ in range(2):
        context = browser.new_context()
        p = context.new_page()
        p.goto(app_url)
        p.wait_for_selector("#nd-question textarea")
        pages.append(p)
    questions = [SEED_QUESTION, "How did the Port Calder town council vote on the North Quay ferry terminal?"]
    for p, question in zip(pages, questions):
        p.fill("#nd-question textarea", question)
    for p in pages:
        p.click("#nd-ask")
    answers = [wait_for_answer(p) for p in pages]
    assert "April 9" in answers[0] and "7 to 2" not in answers[0]
    assert "7 to 2" in answers[1] and "April 9" not in answers[1]
    for p in pages:
        p.context.close()


def test_gradio_client_calls_ask(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    result = client.predict(question=SEED_QUESTION, api_name="/ask")
    assert "April 9" in result["answer"] and result["refused"] is False
    assert result["citations"][0]["title"] == SEED_TITLE
    assert SEED_QUOTE in result["citations"][0]["quote"]


def test_basic_auth_blocks_unauthenticated_requests(auth_app_url):
    from gradio_client import Client

    assert httpx.get(f"{auth_app_url}/config").status_code == 401
    with pytest.raises(Exception):
        Client(auth_app_url, verbose=False)
    client = Client(auth_app_url, auth=("editor", "s3cret"), verbose=False)
    assert client.predict(question=SEED_QUESTION, api_name="/ask")["citations"]


def test_filters_apply_to_the_next_question(page):
    page.get_by_text("Filters (apply to the next question)").click()
    page.fill("#nd-since textarea, #nd-since input", "April")
    page.fill("#nd-question textarea", SEED_QUESTION)
    page.click("#nd-ask")
    page.wait_for_selector("#nd-chat .nd-error")
    assert "Published since: 'April' is not a date" in page.locator("#nd-chat .nd-error").inner_text()
    page.fill("#nd-since textarea, #nd-since input", "2030-01-01")  # after every indexed article
    ask(page, SEED_QUESTION, turn=1)  # the failed try made no sources section, so this is answer 1
    assert page.locator("#nd-chat .nd-refusal").count() == 1


def test_empty_index_shows_how_to_start(browser, tmp_path):
    from ui_browser_steps import serve
    from qa import Newsdesk

    demo, url = serve(Newsdesk(data_dir=tmp_path / "empty", llm="extractive"))
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#nd-empty-state", state="visible")
        assert "Nothing is indexed yet" in page.locator("#nd-empty-state").inner_text()
        page.close()
    finally:
        demo.close()


def test_watch_a_feed_from_the_articles_tab(browser, tmp_path):
    import time

    from feed_server import FeedServer
    from qa import Newsdesk
    from ui_browser_steps import serve

    desk = Newsdesk(data_dir=tmp_path / "watched", llm="extractive", fetch_host_delay_s=0)
    with FeedServer(articles=2) as site:
        desk.start_watcher()
        demo, url = serve(desk)
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("tab", name="Articles").click()
            page.wait_for_selector("#nd-watch-url", state="visible")
            page.fill("#nd-watch-url textarea, #nd-watch-url input", site.rss_url)
            page.click("#nd-watch-add")
            page.wait_for_function("() => document.querySelector('#nd-watch-status').innerText.includes('Watching')")
            assert site.rss_url in page.locator("#nd-feeds").inner_text()
            deadline = time.monotonic() + 60
            while desk.feeds()[0].last_poll is None:  # the chat's watcher polls the new feed at once
                assert time.monotonic() < deadline, "the watcher never polled the feed"
                time.sleep(0.2)
            page.click("#nd-watch-refresh")
            page.wait_for_function("() => !document.querySelector('#nd-feeds').innerText.includes('never')")
            assert len(desk.articles()) == 2
            page.click("#nd-watch-remove")
            page.wait_for_function(
                "() => document.querySelector('#nd-watch-status').innerText.includes('Stopped watching')")
            assert site.rss_url not in page.locator("#nd-feeds").inner_text()
            page.close()
        finally:
            desk.stop_watcher(timeout=60)
            demo.close()
