"""`newsdesk chat`: open the browser chat (cheap to import; Gradio is imported when the command runs)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

AUTH_ENV = "NEWSDESK_UI_AUTH"


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:pass` -> (user, pass); None/empty -> None; anything else raises ValueError naming the fix."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError(f"--auth / {AUTH_ENV}: expected USER:PASSWORD (both non-empty), e.g. --auth editor:s3cret")
    return user, password


def add_parser(subparsers: argparse._SubParsersAction,
               add_global_options: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.ArgumentParser:
    """Register `chat` on the `newsdesk` command line."""
    parser = subparsers.add_parser(
        "chat", help="Open the browser chat (http://127.0.0.1:7860 by default).",
        description="Open the browser chat: ask questions, inspect cited sources, add and remove articles.",
        epilog="example:\n  newsdesk chat --ingest samples/articles/ --llm extractive",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if add_global_options is not None:
        add_global_options(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="also open a temporary public Gradio link (off by default)")
    parser.add_argument("--auth", help=f"require sign-in as USER:PASSWORD (or set {AUTH_ENV})")
    parser.add_argument("--ingest", nargs="+", metavar="PATH", help="index these files, folders or feed URLs first")
    parser.set_defaults(func=cmd_chat)
    return parser


def cmd_chat(args: argparse.Namespace) -> int:
    try:
        auth = parse_auth(args.auth or os.environ.get(AUTH_ENV))
    except ValueError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2
    from qa.cli import make_desk

    from ui.app import build_app, launch

    desk = make_desk(args)
    if args.ingest:
        report = desk.ingest(args.ingest)
        for result in report.failed:
            print(f"failed: {result.error}", file=sys.stderr)
        print(report.summary())
    info = desk.info()
    print(f"Newsdesk chat: {info['articles']} articles indexed, LLM backend '{info['llm']}'. "
          f"Open http://{args.host}:{args.port} in your browser (Ctrl+C stops).")
    launch(build_app(desk), llm=info["llm"], host=args.host, port=args.port, share=args.share, auth=auth,
           upload_limit_mb=desk.settings.max_file_mb)
    return 0
