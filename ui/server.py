"""`newsdesk serve`: one FastAPI app with the HTTP API under /v1 and the Gradio chat mounted at /.

- `POST /v1/chat/completions`: OpenAI-compatible (plain JSON or SSE streaming). The answer keeps its inline [n]
  markers and lists its sources below the text; the checked citations also come as a structured `citations`
  field. The `model` "newsdesk:<source>" limits the answer to one publication; any other model name is ignored.
- `POST /v1/ask`, `GET /v1/articles`, `POST /v1/ingest`, `GET /v1/models`, `GET /v1/health`; docs at /docs.
- API keys (`Authorization: Bearer`, see `ui.keys`), size limits (`ui.limits`), and every error as JSON
  `{"error": {"message", "type", "code"}}`: the shape OpenAI clients already read.

The routes are thin clients of `qa.Newsdesk`; nothing here touches the index or the engine directly.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator, Literal

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa import Answer, Filters, NewsdeskError
from qa.types import Progress

from ui import limits
from ui.keys import KeyStore
from ui.render import safe_url
from ui.uploads import UploadError, save_upload

log = logging.getLogger(__name__)

MODEL_NAME = "newsdesk"
# HTTP status per error class (looked up along the exception's class hierarchy, most specific first)
STATUS_BY_ERROR = {"BusyError": 429, "InputError": 400, "ConfigError": 500, "StorageError": 503,
                   "BackendError": 502, "FilterError": 400, "UploadError": 400, "NewsdeskError": 400}
TYPE_BY_STATUS = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                  404: "not_found_error", 405: "invalid_request_error", 413: "request_too_large",
                  422: "invalid_request_error", 429: "rate_limit_error", 500: "server_error", 502: "server_error",
                  503: "server_error"}


class APIError(Exception):
    """An error answered as JSON with `status`; `code` is a short machine-readable name."""

    def __init__(self, status: int, message: str, code: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def error_body(status: int, message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": TYPE_BY_STATUS.get(status, "server_error"), "code": code}}


def _status_of(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls.__name__ in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls.__name__]
    return 500


# Request bodies -----------------------------------------------------------------------------
class FilterBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[str] | None = None
    since: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    until: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    article_ids: list[str] | None = None

    def to_filters(self) -> Filters | None:
        filters = Filters(sources=self.sources, since=self.since, until=self.until, article_ids=self.article_ids)
        return None if filters.empty else filters


class ContentPart(BaseModel):
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; sampling fields clients send by habit (temperature, top_p, ...) are accepted and
    ignored: the answer is the checked one whatever they say."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(..., min_length=1, max_length=limits.MAX_MESSAGES)
    stream: bool = False
    n: int = 1
    stream_options: StreamOptions | None = None
    filters: FilterBody | None = Field(None, description="Newsdesk extension: sources, since, until, article_ids")

    @field_validator("n")
    @classmethod
    def _one_choice(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only n=1 is supported: one checked answer per request")
        return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, max_length=limits.MAX_QUESTION_CHARS)
    filters: FilterBody | None = None


class FeedsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urls: list[str] = Field(..., min_length=1, max_length=limits.MAX_FEEDS)
    interval_min: float | None = Field(None, description="minutes between polls (default feed_interval_min)")


# The app ------------------------------------------------------------------------------------
def build_server(desk: Any, keys: KeyStore | None = None, demo: Any = None,
                 auth: tuple[str, str] | None = None) -> FastAPI:
    """The API around one Newsdesk; with `demo` (the Gradio Blocks) the chat is served at / too."""
    keys = keys or KeyStore(desk.settings.data_dir)
    app = FastAPI(title="Newsdesk API", version="1",
                  description="Cited answers over your news articles. OpenAI-compatible chat completions at "
                              "/v1/chat/completions; every error is JSON {error: {message, type, code}}.")
    upload_limit = int(limits.MAX_UPLOAD_FILES * desk.settings.max_file_mb * 1024 * 1024
                       + limits.UPLOAD_OVERHEAD_BYTES)

    @app.middleware("http")
    async def body_limit(request: Request, call_next: Any) -> Any:
        if request.url.path.startswith("/v1/"):
            limit = upload_limit if request.url.path == "/v1/ingest" else limits.MAX_JSON_BYTES
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                return _json_error(413, f"request body over the {limit // 1024} KB limit of {request.url.path}; "
                                   "send less (fewer files or messages)", "request_too_large")
            if declared is None and request.method in ("POST", "PUT", "PATCH"):
                body = b""
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > limit:
                        return _json_error(413, f"request body over the {limit // 1024} KB limit of "
                                           f"{request.url.path}", "request_too_large")
                request._body = body  # read once here; the route reads it again from memory
        return await call_next(request)

    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> JSONResponse:
        return _json_error(exc.status, exc.message, exc.code, exc.headers)

    @app.exception_handler(NewsdeskError)
    async def newsdesk_error(_: Request, exc: NewsdeskError) -> JSONResponse:
        status = _status_of(exc)
        headers = {"Retry-After": str(limits.RETRY_AFTER_S)} if status in (429, 503) else None
        return _json_error(status, str(exc), type(exc).__name__, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json_error(400, _validation_message(exc), "invalid_request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json_error(exc.status_code, str(exc.detail), f"http_{exc.status_code}")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("request failed")
        return _json_error(500, f"internal error ({type(exc).__name__}); the server log has the details",
                           "internal_error")

    def require_key(request: Request) -> None:
        if not keys.enforced:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        verdict = keys.check(token.strip() if scheme.lower() == "bearer" else None)
        if verdict == "missing":
            raise APIError(401, "missing API key: send 'Authorization: Bearer <key>' (keys: `newsdesk keys add "
                           "NAME`)", "missing_api_key", {"WWW-Authenticate": "Bearer"})
        if verdict == "unknown":
            raise APIError(401, "unknown API key; check it, or add one with `newsdesk keys add NAME`",
                           "invalid_api_key", {"WWW-Authenticate": "Bearer"})
        if verdict == "revoked":
            raise APIError(403, "this API key was revoked; ask for a new one (`newsdesk keys add NAME`)",
                           "revoked_api_key")

    keyed = [Depends(require_key)]

    @app.get("/v1/health", tags=["service"])
    def health() -> dict[str, Any]:
        """Liveness: no key needed, no index access."""
        return {"status": "ok", "llm": desk.settings.llm, "in_flight": desk.admission.in_flight,
                "max_in_flight": desk.admission.limit}

    @app.get("/v1/models", dependencies=keyed, tags=["openai"])
    def models() -> dict[str, Any]:
        """`newsdesk` answers from every article; `newsdesk:<source>` from one publication."""
        names = [MODEL_NAME] + [f"{MODEL_NAME}:{s}" for s in desk.sources()]
        return {"object": "list", "data": [{"id": n, "object": "model", "created": 0, "owned_by": "newsdesk"}
                                           for n in names]}

    @app.post("/v1/chat/completions", dependencies=keyed, tags=["openai"])
    def chat_completions(body: ChatCompletionRequest) -> Any:
        """OpenAI-compatible chat: the last user message is the question, earlier turns are its context."""
        messages = _conversation(body.messages)
        filters = _filters_for(body, desk)
        created, completion_id = int(time.time()), f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if not body.stream:
            answer = desk.chat(messages, filters)
            return _completion(answer, body.model, completion_id, created)
        items = desk.stream_chat(messages, filters, progress=True)  # BusyError raises here, before streaming
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(_sse(items, body.model, completion_id, created, include_usage),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.post("/v1/ask", dependencies=keyed, tags=["newsdesk"])
    def ask(body: AskRequest) -> dict[str, Any]:
        """One question; the whole checked Answer (answer, citations, refused, refusal_reason, contexts...)."""
        filters = body.filters.to_filters() if body.filters else None
        return desk.ask(body.question, filters).to_json()

    @app.get("/v1/articles", dependencies=keyed, tags=["newsdesk"])
    def articles(q: str = "", limit: int = 1000, offset: int = 0) -> dict[str, Any]:
        """The indexed articles, newest first; `q` searches title, source and id."""
        needle = q.strip().lower()
        records = [r for r in desk.articles()
                   if not needle or needle in f"{r.id} {r.title} {r.source}".lower()]
        records.sort(key=lambda r: r.published_at or "", reverse=True)
        page = records[max(0, offset): max(0, offset) + max(0, min(limit, 10000))]
        return {"count": len(records), "articles": [
            {"id": r.id, "title": r.title, "source": r.source, "url": r.url, "published_at": r.published_at,
             "chunks": r.chunks} for r in page]}

    @app.post("/v1/ingest", dependencies=keyed, tags=["newsdesk"])
    def ingest(files: list[UploadFile] = File(default=[]), feed_url: list[str] = Form(default=[])) -> JSONResponse:
        """Index uploaded article files and/or RSS/Atom feed URLs (multipart form: `files`, `feed_url`).
        200 when every input was indexed, 207 when some failed (each result says why)."""
        if not files and not feed_url:
            raise APIError(400, "nothing to ingest: send article files as multipart field 'files' and/or feed "
                           "URLs as 'feed_url'", "empty_ingest")
        if len(files) > limits.MAX_UPLOAD_FILES or len(feed_url) > limits.MAX_FEEDS:
            raise APIError(413, f"at most {limits.MAX_UPLOAD_FILES} files and {limits.MAX_FEEDS} feed URLs per "
                           "request; split the batch", "too_many_inputs")
        refused, targets = [], []
        for upload in files:
            try:
                targets.append(str(save_upload(upload.file, upload.filename or "upload",
                                               Path(desk.settings.uploads_dir), desk.settings.max_file_mb)))
            except UploadError as exc:
                refused.append({"input": upload.filename or "upload", "status": "failed", "title": "",
                                "chunks": 0, "error": str(exc)})
        for url in feed_url:
            if safe_url(url.strip()):
                targets.append(url.strip())
            else:
                refused.append({"input": url, "status": "failed", "title": "", "chunks": 0,
                                "error": "feed URL must start with http:// or https://"})
        results = list(refused)
        summary = "nothing was indexed"
        if targets:
            report = desk.ingest(targets)
            summary = report.summary()
            uploads = str(Path(desk.settings.uploads_dir).resolve())
            results += [{"input": r.input.replace(uploads + "/", ""), "status": r.status, "title": r.title,
                         "chunks": r.chunks, "error": r.error, "note": r.note} for r in report.results]
        ok = all(r["status"] != "failed" for r in results)
        return JSONResponse({"ok": ok, "summary": summary, "results": results}, status_code=200 if ok else 207)

    @app.get("/v1/feeds", dependencies=keyed, tags=["newsdesk"])
    def feeds() -> dict[str, Any]:
        """The watched feeds and their poll state (times are Unix seconds; `newsdesk watch` or `serve --watch`
        polls them)."""
        return {"feeds": [asdict(f) for f in desk.feeds()], "watching": desk.watching}

    @app.post("/v1/feeds", dependencies=keyed, tags=["newsdesk"])
    def add_feeds(body: FeedsRequest) -> JSONResponse:
        """Watch feed URLs (`interval_min` minutes between polls, default `feed_interval_min`). 200 when every URL
        was taken, 207 when some were refused (each change says why)."""
        changes = [asdict(c) for c in desk.add_feeds(body.urls, body.interval_min)]
        ok = all(c["status"] != "failed" for c in changes)
        return JSONResponse({"ok": ok, "changes": changes}, status_code=200 if ok else 207)

    @app.delete("/v1/feeds", dependencies=keyed, tags=["newsdesk"])
    def remove_feeds(body: FeedsRequest) -> JSONResponse:
        """Stop watching feed URLs; their articles stay indexed."""
        changes = [asdict(c) for c in desk.remove_feeds(body.urls)]
        ok = all(c["status"] != "failed" for c in changes)
        return JSONResponse({"ok": ok, "changes": changes}, status_code=200 if ok else 207)

    if demo is not None:
        import gradio as gr

        from ui.app import concurrency_for, page_options

        demo.queue(default_concurrency_limit=concurrency_for(desk.admission.limit))
        app = gr.mount_gradio_app(app, demo, path="/", auth=auth, **page_options(desk.settings.max_file_mb, "serve"))
    return app


# Helpers ------------------------------------------------------------------------------------
def _json_error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def _conversation(messages: list[ChatMessage]) -> list[dict[str, str]]:
    """User and assistant turns; system/developer/tool messages are dropped (Newsdesk's own instructions
    govern the answer, so a client's system prompt cannot switch the source checks off)."""
    turns = [{"role": m.role, "content": m.text()} for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user" or not turns[-1]["content"].strip():
        raise APIError(400, "the last message must be the user's question (role 'user', non-empty content)",
                       "no_question")
    if len(turns[-1]["content"]) > limits.MAX_QUESTION_CHARS:
        raise APIError(400, f"the question is over {limits.MAX_QUESTION_CHARS} characters; ask a shorter one",
                       "question_too_long")
    return turns


def _filters_for(body: ChatCompletionRequest, desk: Any) -> Filters | None:
    filters = body.filters.to_filters() if body.filters else None
    name, sep, source = body.model.partition(":")
    if name != MODEL_NAME or not sep:
        return filters  # another model name: ignored
    known = desk.sources()
    if source not in known:
        raise APIError(404, f"model '{body.model}' names no indexed source; use '{MODEL_NAME}' or one of "
                       f"{', '.join(MODEL_NAME + ':' + s for s in known[:10]) or '(no sources yet)'}",
                       "model_not_found")
    if filters is None:
        return Filters(sources=[source])
    filters.sources = [source]
    return filters


def sources_footer(answer: Answer) -> str:
    """The numbered source list under the answer text, for chat clients that show only `content`."""
    if not answer.citations:
        return ""
    lines = ["", "", "Sources:"]
    lines += [c.reference() for c in sorted(answer.citations, key=lambda c: c.n)]
    return "\n".join(lines)


def _extras(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    return {"citations": data["citations"],
            "newsdesk": {"refused": answer.refused, "refusal_reason": answer.refusal_reason,
                         "unsupported": answer.unsupported, "standalone_question": answer.standalone_question}}


def _usage(answer: Answer) -> dict[str, int]:
    return {"prompt_tokens": answer.prompt_tokens, "completion_tokens": answer.completion_tokens,
            "total_tokens": answer.prompt_tokens + answer.completion_tokens}


def _completion(answer: Answer, model: str, completion_id: str, created: int) -> dict[str, Any]:
    return {"id": completion_id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer.text + sources_footer(answer)}}],
            "usage": _usage(answer), **_extras(answer)}


def _sse(items: Iterator[Any], model: str, completion_id: str, created: int, include_usage: bool) -> Iterator[str]:
    """Server-sent events in OpenAI's chunk format. The text sent is the checked answer (so every [n] a client
    shows is a checked citation); until it is ready, SSE comments say what is happening and keep the line open."""

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    answer = None
    try:
        for item in items:
            if isinstance(item, Answer):
                answer = item
            elif isinstance(item, Progress):
                yield f": {item.stage} {item.message}".rstrip() + "\n\n"
    except NewsdeskError as exc:  # headers are sent: the error travels as an event
        status = _status_of(exc)
        yield f"data: {json.dumps(error_body(status, str(exc), type(exc).__name__))}\n\n"
        yield "data: [DONE]\n\n"
        return
    assert answer is not None, "the engine always ends a stream with an Answer"
    words = (answer.text + sources_footer(answer)).split(" ")
    step = limits.SSE_WORDS_PER_CHUNK
    for i in range(0, len(words), step):
        piece = " ".join(words[i:i + step]) + (" " if i + step < len(words) else "")
        yield chunk({"content": piece})
    yield chunk({}, "stop", **_extras(answer))
    if include_usage:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [], "usage": _usage(answer)}
        yield f"data: {json.dumps(body)}\n\n"
    yield "data: [DONE]\n\n"
