"""`newsdesk chat`: open the browser chat (cheap to import; Gradio is imported when the command runs)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

AUTH_ENV = "NEWSDESK_UI_AUTH"
WATCH_HELP = ("also keep the watched feeds fresh (`newsdesk feeds add URL`): poll each when due in the "
              "background, as `newsdesk watch` does")


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
    parser.add_argument("--watch", action="store_true", help=WATCH_HELP)
    parser.set_defaults(func=cmd_chat)
    _add_serve(subparsers, add_global_options)
    _add_keys(subparsers, add_global_options)
    return parser


LOOPBACK = ("127.0.0.1", "localhost", "::1")
WATCH_STOP_S = 10.0  # on exit, wait this long for a feed poll in progress; one cut short is redone next time


def _add_serve(subparsers: argparse._SubParsersAction,
               add_global_options: Callable[[argparse.ArgumentParser], None] | None) -> None:
    parser = subparsers.add_parser(
        "serve", help="Serve the HTTP API (OpenAI-compatible /v1/chat/completions) and the chat at one address.",
        description="Serve the HTTP API and the browser chat: POST /v1/chat/completions (OpenAI-compatible), "
                    "POST /v1/ask, GET /v1/articles, POST /v1/ingest; OpenAPI docs at /docs, the chat at /. "
                    "Once an API key exists (`newsdesk keys add NAME`) every /v1 request needs it.",
        epilog="examples:\n  newsdesk serve --port 8000\n"
               "  newsdesk keys add my-script && newsdesk serve --host 0.0.0.0 --auth editor:s3cret",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if add_global_options is not None:
        add_global_options(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--auth", help=f"browser chat sign-in as USER:PASSWORD (or set {AUTH_ENV})")
    parser.add_argument("--no-ui", action="store_true", help="serve the API only, no chat at /")
    parser.add_argument("--open", action="store_true",
                        help="allow serving a network address with no API key (anyone who can reach it may ask)")
    parser.add_argument("--ingest", nargs="+", metavar="PATH", help="index these files, folders or feed URLs first")
    parser.add_argument("--watch", action="store_true", help=WATCH_HELP)
    parser.set_defaults(func=cmd_serve)


def _add_keys(subparsers: argparse._SubParsersAction,
              add_global_options: Callable[[argparse.ArgumentParser], None] | None) -> None:
    parser = subparsers.add_parser(
        "keys", help="Add, list or revoke API keys for `newsdesk serve`.",
        description="API keys for `newsdesk serve`, kept hashed in DATA_DIR/api_keys.json. A new key is printed "
                    "once. Revoking takes effect in a running server at once.",
        epilog="examples:\n  newsdesk keys add reporting-script\n  newsdesk keys list\n  newsdesk keys revoke 3fa2c1d9",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a key and print it (once)")
    add.add_argument("name", help="who or what uses the key, e.g. reporting-script")
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = actions.add_parser("revoke", help="revoke a key by id or name")
    revoke.add_argument("target", help="key id or name (see `newsdesk keys list`)")
    for sub in (add, listing, revoke):
        if add_global_options is not None:
            add_global_options(sub)
    parser.set_defaults(func=cmd_keys)


def cmd_keys(args: argparse.Namespace) -> int:
    import json

    from qa.cli import make_settings

    from ui.keys import KeyProblem, KeyStore

    store = KeyStore(make_settings(args).data_dir)
    try:
        if args.keys_action == "add":
            record, key = store.add(args.name)
            print(key)
            print(f"added key {record.name} (id {record.id}); it is shown only now: store it, send it as "
                  "'Authorization: Bearer <key>'", file=sys.stderr)
        elif args.keys_action == "revoke":
            record = store.revoke(args.target)
            print(f"revoked key {record.name} (id {record.id})")
        else:
            records = [r.public() for r in store.records()]
            if args.json:
                print(json.dumps(records, indent=1))
            elif not records:
                print("No API keys: the API is open to this machine. Add one with `newsdesk keys add NAME`.")
            else:
                for r in records:
                    state = f"revoked {r['revoked']}" if r["revoked"] else "active"
                    print(f"{r['id']}  {r['name']:24}  created {r['created']}  {state}")
    except KeyProblem as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from qa.cli import make_settings

    from ui.keys import KeyStore

    keys = KeyStore(make_settings(args).data_dir)
    if args.host not in LOOPBACK and not keys.enforced and not args.open:
        print(f"newsdesk: error: --host {args.host} serves the API to the network but no API key exists; add one "
              "with `newsdesk keys add NAME`, or pass --open to serve it without keys", file=sys.stderr)
        return 2
    try:
        desk, auth = _desk_and_auth(args)
    except ValueError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from ui.server import build_server

    demo = None
    if not args.no_ui:
        from ui.app import build_app

        demo = build_app(desk)
    app = build_server(desk, keys, demo=demo, auth=auth)
    info = desk.info()
    print(f"Newsdesk serving {info['articles']} articles with LLM backend '{info['llm']}' at "
          f"http://{args.host}:{args.port}: API under /v1 (docs at /docs)"
          + ("" if args.no_ui else ", chat at /") + ("; API keys required" if keys.enforced else "")
          + ". Ctrl+C stops.")
    with _watching(desk, args.watch):
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _desk_and_auth(args: argparse.Namespace) -> tuple[Any, tuple[str, str] | None]:
    """The Newsdesk for `chat`/`serve` and the browser sign-in; indexes `--ingest` inputs first."""
    auth = parse_auth(args.auth or os.environ.get(AUTH_ENV))  # ValueError: the caller prints it
    from qa.cli import make_desk

    desk = make_desk(args)
    if args.ingest:
        report = desk.ingest(args.ingest)
        for result in report.failed:
            print(f"failed: {result.error}", file=sys.stderr)
        print(report.summary())
    return desk, auth


def cmd_chat(args: argparse.Namespace) -> int:
    try:
        desk, auth = _desk_and_auth(args)
    except ValueError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2
    from ui.app import build_app, launch

    info = desk.info()
    print(f"Newsdesk chat: {info['articles']} articles indexed, LLM backend '{info['llm']}'. "
          f"Open http://{args.host}:{args.port} in your browser (Ctrl+C stops).")
    demo = build_app(desk)
    with _watching(desk, args.watch):
        launch(demo, max_in_flight=desk.admission.limit, host=args.host, port=args.port, share=args.share,
               auth=auth, upload_limit_mb=desk.settings.max_file_mb)
    return 0


@contextmanager
def _watching(desk: Any, wanted: bool) -> Iterator[None]:
    """With `--watch`, poll the watched feeds in a background thread while the block runs (one line per poll on
    stdout). Another watcher on the data dir is told in one line and the chat goes on without one."""
    if wanted:
        from qa import NewsdeskError

        try:
            desk.start_watcher(on_poll=lambda outcome: print(f"watch: {outcome.line()}", flush=True))
            count = len(desk.feeds())
            print(f"Watching {count} feed{'s' * (count != 1)}" + (" (add some with `newsdesk feeds add URL` or on "
                  "the Articles tab)" if not count else "") + ".", flush=True)
        except NewsdeskError as exc:
            print(f"newsdesk: note: not watching feeds: {exc}", file=sys.stderr)
    try:
        yield
    finally:
        if wanted:
            desk.stop_watcher(timeout=WATCH_STOP_S)


