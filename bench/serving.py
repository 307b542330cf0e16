"""Serving benchmark: questions at once, through the Python API and through `newsdesk serve`.

    python -m bench.serving --out bench/out/serving.json

1. `remote`: N questions at once through `Newsdesk.ask` with `llm=openai` pointed at a stand-in server that takes
   1 s per request (as a GPU server answering many at once does). Serialised answers would take N seconds.
2. `http`: M questions at once to `newsdesk serve --llm extractive` (a separate process, the sample articles)
   through POST /v1/chat/completions. Every answer is compared with the one the same question got alone
   beforehand (text and citations): a mixed-up answer counts as wrong.
Whole-process figures: wall time of the burst and each request's latency (p50 / p95 / max).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "articles"
SET = REPO / "eval" / "sets" / "samples.jsonl"
KESTREL_QUESTION = "How much will Kestrel Batteries spend on its Marrowfield factory?"


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_s": round(statistics.median(ordered), 3), "p95_s": round(p95, 3), "max_s": round(ordered[-1], 3)}


def _timed(fn, arg):
    started = time.perf_counter()
    value = fn(arg)
    return value, time.perf_counter() - started


def bench_remote(data_dir: Path, questions: int, delay_s: float) -> dict:
    """N simultaneous questions against a `delay_s`-per-request OpenAI-compatible server."""
    from bench.fake_openai import FakeOpenAI
    from qa import Newsdesk

    answer = "Kestrel Batteries will spend $310 million on the Marrowfield plant [{n}]."
    with FakeOpenAI(answer, "Kestrel Batteries picks Marrowfield", delay_s=delay_s) as server:
        desk = Newsdesk(data_dir=data_dir, llm="openai", openai_base_url=server.base_url, openai_model="stand-in",
                        openai_api_key="unused")
        desk.ask(KESTREL_QUESTION)  # engine built, caches warm: the burst measures answering only
        started = time.perf_counter()
        with ThreadPoolExecutor(questions) as pool:
            results = list(pool.map(lambda q: _timed(desk.ask, q), [KESTREL_QUESTION] * questions))
        wall = time.perf_counter() - started
        most_at_once = server.max_active
    right = sum(1 for a, _ in results if not a.refused and "310 million" in a.text)
    return {"questions": questions, "server_delay_s": delay_s, "wall_s": round(wall, 3), "right": right,
            "server_saw_at_once": most_at_once, **_percentiles([t for _, t in results])}


def _questions(limit: int) -> list[str]:
    cases = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c["question"] for c in cases if "question" in c][:limit]


def bench_http(data_dir: Path, clients: int, port: int) -> dict:
    """M simultaneous chat completions to a `newsdesk serve --llm extractive` process."""
    import httpx

    env = {**os.environ, "NEWSDESK_CONFIG": str(data_dir / "none.toml")}
    cmd = [sys.executable, "-m", "qa.cli", "serve", "--llm", "extractive", "--no-ui", "--port", str(port),
           "--data-dir", str(data_dir)]
    server = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"newsdesk serve did not start: {server.stdout.read() if server.stdout else ''}")
            time.sleep(0.3)
        questions = _questions(clients)
        with httpx.Client(timeout=120, limits=httpx.Limits(max_connections=clients + 4)) as client:

            def ask(question: str) -> dict:
                reply = client.post(url + "/v1/chat/completions",
                                    json={"model": "newsdesk", "messages": [{"role": "user", "content": question}]})
                reply.raise_for_status()
                data = reply.json()
                return {"text": data["choices"][0]["message"]["content"],
                        "cited": [c["article_id"] for c in data["citations"]]}

            alone = {q: ask(q) for q in dict.fromkeys(questions)}  # each question once, nothing else running
            burst = [questions[i % len(questions)] for i in range(clients)]
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                results = list(pool.map(lambda q: _timed(ask, q), burst))
            wall = time.perf_counter() - started
        right = sum(1 for q, (got, _) in zip(burst, results) if got == alone[q])
        return {"clients": clients, "distinct_questions": len(alone), "wall_s": round(wall, 3), "right": right,
                **_percentiles([t for _, t in results])}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serving", description=__doc__.split("\n\n")[0])
    parser.add_argument("--remote-questions", type=int, default=8)
    parser.add_argument("--remote-delay", type=float, default=1.0, help="seconds the stand-in server takes per request")
    parser.add_argument("--clients", type=int, default=50, help="simultaneous HTTP chat completions")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", help="write the results JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from qa import Newsdesk

    with tempfile.TemporaryDirectory(prefix="newsdesk-serving-") as tmp:
        data_dir = Path(tmp) / "index"
        report = Newsdesk(data_dir=data_dir, llm="extractive").ingest([SAMPLES])
        if not report.ok:
            raise SystemExit(f"could not index the samples: {report.summary()}")
        results = {"load_avg_1m_before": round(os.getloadavg()[0], 2),
                   "remote": bench_remote(data_dir, args.remote_questions, args.remote_delay),
                   "http": bench_http(data_dir, args.clients, args.port),
                   "load_avg_1m_after": round(os.getloadavg()[0], 2)}
    text = json.dumps(results, indent=1)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
