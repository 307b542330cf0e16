"""Regenerate docs/screenshot-chat.png: the chat with a cited answer over samples/articles (extractive answers).

Run from the repository root: `python tests/ui/make_screenshot.py [--llm local]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(HERE), str(HERE.parent)]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--llm", default="extractive")
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshot-chat.png"))
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from newsdesk_testkit import CHROMIUM, CHROMIUM_ARGS, free_port
    from qa import Newsdesk
    from ui.app import build_app, launch
    from ui_browser_steps import ask

    with tempfile.TemporaryDirectory() as data:
        desk = Newsdesk(data_dir=data, llm=args.llm)
        desk.ingest([REPO / "samples" / "articles"])
        demo = build_app(desk)
        port = free_port()
        launch(demo, port=port, block=False)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
                page.goto(f"http://127.0.0.1:{port}")
                page.wait_for_selector("#nd-question textarea")
                ask(page, "When did Türkiye and Israel begin technical talks?")
                ask(page, "Who offered himself as a mediator between Israel and Türkiye?", turn=2)
                page.locator('#nd-chat a[href="#nd-src-2-1"]').first.click()
                page.wait_for_timeout(1500)
                page.screenshot(path=args.out)
                browser.close()
        finally:
            demo.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
