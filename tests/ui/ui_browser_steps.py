"""Browser steps shared by the end-to-end tests and the screenshot script."""

from __future__ import annotations

ANSWER_TIMEOUT_MS = 120_000
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"

WATCH_STREAMING = """() => {
  window.__ndStreamed = false;
  const chat = document.querySelector('#nd-chat');
  new MutationObserver(() => { if (chat.innerText.includes('▌')) window.__ndStreamed = true; })
    .observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def ask(page, question: str, turn: int = 1) -> str:
    """Type a question, submit it, wait for the final cited answer (or refusal); returns its text."""
    page.evaluate(WATCH_STREAMING)
    page.fill("#nd-question textarea", question)
    page.click("#nd-ask")
    return wait_for_answer(page, turn)


def wait_for_answer(page, turn: int = 1) -> str:
    page.wait_for_function(
        """(turn) => {
          const bots = document.querySelectorAll('#nd-chat .message-row.bot-row, #nd-chat [data-testid="bot"]');
          const panel = document.querySelector('#nd-sources');
          return bots.length >= turn && !bots[bots.length - 1].innerText.includes('▌')
            && panel && panel.innerText.includes('Q' + turn + ':');
        }""",
        arg=turn, timeout=ANSWER_TIMEOUT_MS,
    )
    return last_answer(page)


def last_answer(page) -> str:
    return page.locator('#nd-chat [data-testid="bot"]').last.inner_text()


def upload_and_add(page, path, timeout_ms: int = 120_000) -> str:
    """On the Articles tab: upload one file, wait until it is attached, press Add; returns the result table text."""
    from pathlib import Path

    page.get_by_role("tab", name="Articles").click()
    page.wait_for_selector("#nd-upload", state="visible", timeout=timeout_ms)  # the tab renders on first open
    page.set_input_files("#nd-upload input[type=file]", str(path))
    page.wait_for_function("(name) => document.querySelector('#nd-upload').innerText.includes(name)",
                           arg=Path(path).name, timeout=timeout_ms)
    page.click("#nd-add")
    page.wait_for_function(
        "(name) => document.querySelector('#nd-results').innerText.includes(name)"
        " && !document.querySelector('#nd-upload').innerText.includes(name)",
        arg=Path(path).name, timeout=timeout_ms)
    return page.locator("#nd-results").inner_text()


def serve(desk, auth=None):
    """Launch the app around `desk` on a free 127.0.0.1 port; returns (app, url)."""
    from newsdesk_testkit import free_port
    from ui.app import build_app, launch

    demo = build_app(desk)
    port = free_port()
    launch(demo, port=port, auth=auth, block=False, upload_limit_mb=desk.settings.max_file_mb)
    return demo, f"http://127.0.0.1:{port}"
