"""Chat turns: per-session state, filters from the form, streaming an answer into the chat view."""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Any, Iterator

from qa import Answer, Filters, NewsdeskError
from qa.types import Progress

from ui import render

log = logging.getLogger(__name__)


def new_session() -> dict[str, Any]:
    """Fresh per-browser-session state: engine messages, chat view, one sources section per answer."""
    return {"messages": [], "view": [], "sections": []}


SEARCHING = "Searching the articles…"
WRITING = "Writing the answer…"


class FilterError(ValueError):
    """A filter field the user must fix; the message names the field."""


def _date(label: str, value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise FilterError(f"{label}: '{text}' is not a date; use YYYY-MM-DD, e.g. 2025-04-09") from None


def make_filters(sources: list[str] | None, since: Any, until: Any) -> Filters | None:
    """Filters for the engine from the form fields (None when nothing is set)."""
    since_iso, until_iso = _date("Published since", since), _date("Published until", until)
    if since_iso and until_iso and since_iso > until_iso:
        raise FilterError(f"Published since ({since_iso}) is after Published until ({until_iso}); swap them")
    if not (sources or since_iso or until_iso):
        return None
    return Filters(sources=list(sources) if sources else None, since=since_iso, until=until_iso)


def _error_message(text: str) -> str:
    return f'<div class="nd-error"><strong>Could not answer:</strong> {html.escape(text)}</div>'


def run_turn(desk: Any, question: str, state: dict[str, Any], sources: list[str] | None, since: Any,
             until: Any) -> Iterator[tuple[list[dict], str, dict[str, Any]]]:
    """Stream one question: yields (chat view, sources panel HTML, new state) as the answer grows."""
    view = [dict(m) for m in state["view"]]
    sections = list(state["sections"])
    view.append({"role": "user", "content": render.esc(question)})
    view.append({"role": "assistant", "content": render.streaming_message("", SEARCHING)})
    yield view, render.sources_panel(sections), state
    turn = len(sections) + 1
    try:
        filters = make_filters(sources, since, until)
        messages = state["messages"] + [{"role": "user", "content": question}]
        answer: Answer | None = None
        text, pending = "", list(sections)
        for piece in desk.stream_chat(messages, filters, progress=True):
            if isinstance(piece, str):
                text += piece
                view[-1] = {"role": "assistant", "content": render.streaming_message(text)}
            elif isinstance(piece, Progress):
                if piece.stage == "retrieved":
                    pending = sections + [render.retrieved_html(question, piece.passages, turn)]
                status = piece.message or WRITING
                view[-1] = {"role": "assistant", "content": render.streaming_message(text, status)}
            else:
                answer = piece
                continue
            yield view, render.sources_panel(pending), state
        if answer is None:
            raise NewsdeskError("the engine returned no answer; try again")
    except (FilterError, NewsdeskError) as exc:
        view[-1] = {"role": "assistant", "content": _error_message(str(exc))}
        yield view, render.sources_panel(sections), {**state, "view": view}
        return
    except Exception as exc:  # keep the app alive for everyone; the message stays one line
        log.exception("chat turn failed")
        view[-1] = {"role": "assistant", "content": _error_message(f"{type(exc).__name__}: {exc}")}
        yield view, render.sources_panel(sections), {**state, "view": view}
        return
    view[-1] = {"role": "assistant", "content": render.answer_message(answer, turn)}
    sections.append(render.sources_html(answer, turn, lambda aid: _body(desk, aid)))
    new_state = {
        "messages": messages + [{"role": "assistant", "content": answer.text}],
        "view": view,
        "sections": sections,
    }
    yield view, render.sources_panel(sections), new_state


def _body(desk: Any, article_id: str) -> str | None:
    article = desk.article(article_id)
    return article.body if article is not None else None
