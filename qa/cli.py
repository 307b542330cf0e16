"""The `newsdesk` command line: ingest, sources, remove, ask, and the chat/eval/bench subcommands.

A contract scripts can rely on (also in `newsdesk --help`): exit status 0 done, 1 some inputs failed, 2 usage
or configuration error, 3 retryable failure (storage or LLM backend), 130 interrupted; `--json` on ingest,
remove, sources and ask; errors are one line on stderr (`newsdesk: error: ...`), never a traceback.

`chat`, `eval` and `bench` are registered by their own packages (`ui.cli`, `eval.cli`, `bench.cli`), each
exposing `add_parser(subparsers)`; they are looked up by name so that `qa` never imports them statically.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

PLUGIN_MODULES = ("ui.cli", "eval.cli", "bench.cli")

EPILOG = """examples:
  newsdesk ingest samples/articles/                 index a folder of articles
  newsdesk ask "When did Türkiye and Israel begin technical talks?"
  newsdesk chat                                     open the browser chat on http://127.0.0.1:7860
  newsdesk feeds add https://example.org/feed.xml   watch a feed; `newsdesk watch` keeps it fresh
  newsdesk eval samples --llm extractive            measure accuracy on the bundled eval set

exit codes:
  0    done (an answer that refuses, "The indexed articles do not say.", is done too)
  1    some inputs failed (ingest, remove, feeds add/remove, watch --once): the others were
       processed; see "failed" results (also: another `newsdesk watch` already runs)
  2    usage or configuration error: bad option, unknown or bad setting ("did you mean ..."), bad
       question or filters, missing model or package; fix it and run again
  3    retryable failure: the data directory / Chroma storage or the LLM server failed (disk full,
       server down, timeout); run again once it is back
  130  interrupted (Ctrl-C)
  Errors are one line on stderr, "newsdesk: error: <problem>; <fix>", never a traceback.

--json (ingest, remove, sources, ask, feeds) prints one JSON document on stdout:
  ingest, remove  {"ok": bool, "results": [{"input", "status", "article_id", "title", "chunks",
                  "error"}], "summary": {"added", "updated", "unchanged", "removed", "failed",
                  "chunks_embedded", "seconds"}}; status is added|updated|unchanged|removed|failed
  sources         [{"id", "title", "source", "url", "author", "published_at", "chunks", ...}]
  ask             {"answer", "citations": [{"n", "title", "quote", ...}], "refused", "refusal_reason", ...}
  feeds list      [{"url", "every_min", "last_poll", "new_items", "last_error", "failures", ...}]
  on an error     {"error": {"type", "message", "retryable"}}, with exit status 2 or 3
"""

STATUSES = ("added", "updated", "unchanged", "removed", "failed")


def _quiet_environment() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def make_settings(args: argparse.Namespace, **overrides: Any):
    """Build the one Settings object from global options (explicit flags win over env and TOML)."""
    from qa.settings import Settings

    if getattr(args, "config", None):
        os.environ["NEWSDESK_CONFIG"] = str(args.config)
    elif getattr(args, "data_dir", None) and not os.environ.get("NEWSDESK_CONFIG"):
        in_data_dir = Path(args.data_dir).expanduser() / "config.toml"  # as for NEWSDESK_DATA_DIR
        if in_data_dir.is_file():
            os.environ["NEWSDESK_CONFIG"] = str(in_data_dir)
    values: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        values["data_dir"] = args.data_dir
    if getattr(args, "llm", None):
        values["llm"] = args.llm
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


def make_desk(args: argparse.Namespace, **overrides: Any):
    from qa import Newsdesk

    return Newsdesk(make_settings(args, **overrides))


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data directory (default: $NEWSDESK_DATA_DIR or ~/.local/share/newsdesk)")
    parser.add_argument("--llm", choices=["local", "openai", "ollama", "extractive"], help="answering backend")
    parser.add_argument("--config", help="TOML settings file (default: $NEWSDESK_CONFIG or DATA_DIR/config.toml)")


def _progress_bar(total_hint: str = "articles"):
    """A tqdm progress callback for ingest: articles done and chunks embedded per second."""
    from tqdm import tqdm

    bar = tqdm(unit=" articles", disable=not sys.stderr.isatty() and os.environ.get("NEWSDESK_PROGRESS") != "1")
    state = {"chunks": 0}

    def on_progress(done: int, total: int, chunks: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        state["chunks"] = chunks
        rate = bar.format_dict.get("elapsed") or 0
        bar.set_postfix_str(f"{chunks} chunks" + (f", {chunks / rate:.1f} chunks/s" if rate else ""))
        bar.refresh()

    on_progress.close = bar.close  # type: ignore[attr-defined]
    return on_progress


def report_json(report) -> dict[str, Any]:
    """The `--json` form of an ingest/remove report: per-input results and a summary."""
    summary: dict[str, Any] = {status: report.count(status) for status in STATUSES}
    summary.update(chunks_embedded=report.chunks_embedded, seconds=round(report.seconds, 3))
    return {"ok": report.ok, "results": [asdict(r) for r in report.results], "summary": summary}


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def cmd_ingest(args: argparse.Namespace) -> int:
    desk = make_desk(args)
    progress = _progress_bar()
    try:
        report = desk.ingest(args.paths, prune=args.prune, on_progress=progress)
    finally:
        progress.close()
    if args.json:
        _print_json(report_json(report))
        return 0 if report.ok else 1
    for result in report.results:
        if result.status == "failed":
            print(f"failed: {result.error}", file=sys.stderr)
        elif args.verbose:
            print(f"{result.status}: {result.input} ({result.chunks} chunks) {result.title}"
                  + (f" ({result.note})" if result.note else ""))
        elif result.note:  # worth telling even when quiet: a teaser kept, a copy folded into a story
            print(f"note: {result.input}: {result.note}", file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_sources(args: argparse.Namespace) -> int:
    desk = make_desk(args)
    records = desk.articles()
    if args.json:
        _print_json([r.__dict__ if hasattr(r, "__dict__") else dict(r) for r in records])
        return 0
    if not records:
        print("Nothing is indexed yet. Try: newsdesk ingest samples/articles/")
        return 0
    print(f"{'id':16}  {'date':10}  {'chunks':>6}  {'source':24}  title")
    for r in records:
        print(f"{r.id:16}  {(r.published_at or '-')[:10]:10}  {r.chunks:>6}  {(r.source or '-')[:24]:24}  {r.title}")
    print(f"{len(records)} articles")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    desk = make_desk(args)
    report = desk.remove(args.targets)
    if args.json:
        _print_json(report_json(report))
        return 0 if report.ok else 1
    for result in report.results:
        if result.status == "failed":
            print(f"failed: {result.error}", file=sys.stderr)
        else:
            print(f"{result.status}: {result.article_id} {result.title}")
    return 0 if report.ok else 1


def format_answer(answer) -> str:
    """Answer text plus a numbered source list, for the terminal."""
    lines = [answer.text, ""]
    for c in answer.citations:
        lines.append(c.reference())
        lines.append(f'    "{c.quote}"')
        if c.dates:
            lines.append(f"    (dates in this quote: {'; '.join(c.dates)})")
    if answer.unsupported:
        lines.append("")
        lines.append("Not supported by the sources: " + " | ".join(answer.unsupported))
    return "\n".join(lines).rstrip()


def cmd_ask(args: argparse.Namespace) -> int:
    from qa import Filters

    desk = make_desk(args, top_k=args.top_k)
    filters = Filters(sources=args.source or None, since=args.since, until=args.until, article_ids=args.id or None)
    if args.json:
        answer = desk.ask(args.question, filters=filters)
        _print_json(answer.to_json())
        return 0
    answer = None
    streamed = []
    live = sys.stdout.isatty() and not args.no_stream
    for piece in desk.stream(args.question, filters=filters):
        if isinstance(piece, str):
            streamed.append(piece)
            if live:
                print(piece, end="", flush=True)
        else:
            answer = piece
    if live:
        print("\n")
        if "".join(streamed).strip() == answer.text.strip():
            print(format_answer(answer).split("\n", 1)[-1].lstrip("\n"))
            return 0
        print("Checked answer:")
    print(format_answer(answer))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Ask questions about your news articles; answers cite the articles and passages they came from.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {example}",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_global_options(p)
        return p

    p = add("ingest", "Index articles from files, folders (recursive) or RSS/Atom feed URLs.",
            "newsdesk ingest samples/articles/ https://example.org/feed.xml --prune")
    p.add_argument("paths", nargs="+", help="files, folders or http(s) feed URLs")
    p.add_argument("--prune", action="store_true", help="remove indexed articles whose files are gone from these folders")
    p.add_argument("-v", "--verbose", action="store_true", help="print one line per input")
    p.add_argument("--json", action="store_true", help="print the per-input results and a summary as JSON")
    p.set_defaults(func=cmd_ingest)

    p = add("sources", "List the indexed articles (id, date, chunks, source, title).", "newsdesk sources --json")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_sources)

    p = add("remove", "Remove articles by id (see `newsdesk sources`) or by the file they came from.",
            "newsdesk remove 3f2a9c0d1e2b4a5c samples/articles/old.md")
    p.add_argument("targets", nargs="+", help="article ids or file paths")
    p.add_argument("--json", action="store_true", help="print the per-target results and a summary as JSON")
    p.set_defaults(func=cmd_remove)

    p = add("ask", "Answer one question from the indexed articles, with numbered sources.",
            'newsdesk ask "When did Türkiye and Israel begin technical talks?" --json')
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON (answer, citations, refused, ...)")
    p.add_argument("--source", action="append", help="only articles from this source (repeatable)")
    p.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only articles published on or before this date (YYYY-MM-DD)")
    p.add_argument("--id", action="append", help="only this article id (repeatable)")
    p.add_argument("--top-k", type=int, help="passages given to the answerer")
    p.add_argument("--no-stream", action="store_true", help="print only the final answer")
    p.set_defaults(func=cmd_ask)

    from qa.feeds_cli import add_parsers as add_feed_parsers  # `feeds add|list|remove`, `watch`

    add_feed_parsers(sub, _add_global_options)

    for module_name in PLUGIN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        add_parser = getattr(module, "add_parser", None)
        if add_parser is not None:
            add_parser(sub, _add_global_options)
    return parser


def main(argv: list[str] | None = None) -> int:
    _quiet_environment()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # user-facing errors: one clear line, no traceback
        error = user_error(exc)
        if error is None:
            raise  # a bug: the traceback is what a report needs
        return report_error(error, json_output=bool(getattr(args, "json", False)))


def user_error(exc: BaseException) -> BaseException | None:
    """The user-facing error for `exc` (NewsdeskError, index IngestError, pydantic ValidationError), else None."""
    from pydantic import ValidationError

    from qa.errors import ConfigError, NewsdeskError, from_ingest_error

    if isinstance(exc, NewsdeskError):
        return exc
    from index import IngestError

    if isinstance(exc, IngestError):
        return from_ingest_error(exc)
    if isinstance(exc, ValidationError):
        return ConfigError(str(exc))
    return None


def report_error(error: BaseException, json_output: bool = False) -> int:
    """Print `error` as one line on stderr (and as JSON on stdout for --json); return its exit status."""
    from qa.errors import exit_code

    message = " ".join(str(error).split()) or type(error).__name__
    if json_output:
        _print_json({"error": {"type": type(error).__name__, "message": message,
                               "retryable": bool(getattr(error, "retryable", False))}})
    print(f"newsdesk: error: {message}", file=sys.stderr)
    return exit_code(error)


if __name__ == "__main__":
    sys.exit(main())
