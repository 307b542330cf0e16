"""A tiny OpenAI-compatible chat server for tests and the serving benchmark (127.0.0.1, canned answers,
streaming or not, optionally taking `delay_s` per request as a GPU server answering many at once would).

It is a stand-in for a *server*; the client code under test (llama-index OpenAILike via qa.llms) is real.
The canned answer cites the source whose header contains `cite_title`, plus an invented source [7].
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self, answer: str, cite_title: str, delay_s: float = 0.0) -> None:
        self.answer, self.cite_title, self.delay_s = answer, cite_title, delay_s
        self.requests: list[dict] = []
        self.active = self.max_active = 0  # requests being answered now / at most at once
        self._count = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body})
                with fake._count:
                    fake.active += 1
                    fake.max_active = max(fake.max_active, fake.active)
                if fake.delay_s:
                    time.sleep(fake.delay_s)  # requests overlap: one thread each (ThreadingHTTPServer)
                with fake._count:
                    fake.active -= 1
                text = fake.reply(body["messages"])
                if body.get("stream"):
                    self._stream(text, body["model"])
                else:
                    self._json({"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                                "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": text}}],
                                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}})

            def _json(self, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, text: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for i, piece in enumerate(re.findall(r"\S+\s*", text)):
                    delta = {"content": piece} if i else {"role": "assistant", "content": piece}
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                end = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                       "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reply(self, messages: list[dict]) -> str:
        prompt = messages[-1]["content"]
        if "Standalone question:" in prompt:
            return "What did Hakan Fidan say about Syria?"
        match = re.search(rf"^\[(\d+)\] {re.escape(self.cite_title)}", prompt, re.M)
        n = match.group(1) if match else "1"
        return self.answer.replace("{n}", n)

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
