"""`newsdesk chat` options and auth parsing."""

import argparse

import pytest

from ui.cli import add_parser, parse_auth


def test_parse_auth():
    assert parse_auth("editor:s3:cret") == ("editor", "s3:cret")
    assert parse_auth(None) is None and parse_auth("") is None
    for bad in ["editor", ":pw", "editor:"]:
        with pytest.raises(ValueError, match="USER:PASSWORD"):
            parse_auth(bad)


def test_chat_defaults_are_local_and_private():
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["chat"])
    assert (args.host, args.port, args.share, args.auth, args.ingest) == ("127.0.0.1", 7860, False, None, None)
    args = parser.parse_args(["chat", "--port", "8000", "--auth", "a:b", "--ingest", "x.md", "feeds/"])
    assert (args.port, args.auth, args.ingest) == (8000, "a:b", ["x.md", "feeds/"])


def test_chat_is_registered_on_the_newsdesk_command():
    from qa.cli import build_parser

    args = build_parser().parse_args(["chat", "--llm", "extractive", "--share"])
    assert args.llm == "extractive" and args.share and args.func.__module__ == "ui.cli"
