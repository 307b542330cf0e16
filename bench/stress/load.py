"""Bounded load test: concurrent questions through the Gradio API and the Python API, with an ingest running
at the same time. Every question must get its own answer, nothing may fail, and memory must stay flat.

    python -m bench.stress.load --clients 20 --questions 10   # 4 rounds of 200 questions, prints a JSON summary

Half the clients call the served app's `/ask` endpoint with `gradio_client` (each its own session), half call
`Newsdesk.ask` from threads. Each answer is compared with the answer the same question got alone
beforehand (text and cited articles), so a mixed-up or truncated answer counts as a failure. The run is
repeated (4 rounds by default) and the process RSS after the last round is compared with the one before:
RSS rises over the first rounds (caches, malloc arenas of new threads) and then stays flat.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "articles"
QUESTIONS = [
    "When did Türkiye and Israel begin technical talks?",
    "How did the Port Calder town council vote on the North Quay ferry terminal?",
    "How much will Kestrel Batteries spend on its Marrowfield factory?",
    "On what date did the Lake Tamsin beaches reopen?",
    "Who offered himself as a mediator between Israel and Türkiye?",
    "When is the North Quay ferry terminal in Port Calder now expected to open?",
]
EXTRA_ARTICLE = """Quillon orchard {n} plants {n} pear trees

DUNMERE — The Quillon orchard number {n} planted {n} young pear trees on its northern slope this week,
the growers' cooperative said. Volunteers from the Dunmere school helped with orchard planting day {n}.
"""


@dataclass
class LoadResult:
    """What one load run did: requests served per API, failures (with reasons), memory, time."""

    served: dict = field(default_factory=lambda: {"gradio": 0, "python": 0})
    failures: list = field(default_factory=list)
    rss_mb: list = field(default_factory=list)  # after each round (the first one is the warm-up)
    ingested: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"served": self.served, "requests": sum(self.served.values()), "failures": len(self.failures),
                "failure_examples": self.failures[:5], "rss_mb": self.rss_mb, "ingested_during_load": self.ingested,
                "seconds": round(self.seconds, 1)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb() -> float:
    import psutil

    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


def fingerprint(answer: dict) -> tuple:
    """What must match between a loaded answer and the same question asked alone."""
    return (answer["question"], answer["answer"], answer["refused"],
            tuple((c["article_id"], c["quote"]) for c in answer["citations"]))


class Load:
    """A served app over one Newsdesk plus the reference answers to the questions."""

    def __init__(self, data_dir: Path) -> None:
        from qa import Newsdesk, Settings

        from ui.app import build_app, launch

        self.desk = Newsdesk(Settings(data_dir=data_dir, llm="extractive", embed_threads=1))
        report = self.desk.ingest([SAMPLES])
        assert report.ok, [r.error for r in report.failed]
        self.reference = {q: fingerprint(self.desk.ask(q).to_json()) for q in QUESTIONS}
        answers = [ref[1] for ref in self.reference.values()]
        assert len(set(answers)) == len(answers), "the load questions must have distinct answers"
        self.demo = build_app(self.desk)
        self.url = f"http://127.0.0.1:{free_port()}"
        launch(self.demo, port=int(self.url.rsplit(":", 1)[1]), block=False)

    def close(self) -> None:
        self.demo.close()

    def client(self, kind: str, index: int, count: int, result: LoadResult, lock: threading.Lock) -> None:
        """One client asking `count` questions in turn, through Gradio or the Python API."""
        client = self._gradio_client() if kind == "gradio" else None
        ask = (lambda q: client.predict(question=q, api_name="/ask")) if client else (lambda q: self.desk.ask(q).to_json())
        try:
            self._ask_all(kind, ask, index, count, result, lock)
        finally:
            if client is not None:
                client.close()

    def _ask_all(self, kind: str, ask, index: int, count: int, result: LoadResult, lock: threading.Lock) -> None:
        for i in range(count):
            question = QUESTIONS[(index + i) % len(QUESTIONS)]
            try:
                got = fingerprint(ask(question))
                problem = None if got == self.reference[question] else f"{kind}: wrong answer to {question!r}: {got[1]!r}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                problem = f"{kind}: {type(exc).__name__}: {exc}"
            with lock:
                if problem:
                    result.failures.append(problem)
                else:
                    result.served[kind] += 1

    def _gradio_client(self):
        from gradio_client import Client

        return Client(self.url, verbose=False, httpx_kwargs={"timeout": 300})

    def round(self, clients: int, questions: int, result: LoadResult, ingest_folder: Path | None) -> None:
        """All clients at once (half Gradio, half Python), with an ingest of new articles alongside."""
        lock = threading.Lock()
        with ThreadPoolExecutor(max_workers=clients + 1) as pool:
            jobs = [pool.submit(self.client, "gradio" if i % 2 == 0 else "python", i, questions, result, lock)
                    for i in range(clients)]
            if ingest_folder is not None:
                jobs.append(pool.submit(self._ingest, ingest_folder, result))
            for job in jobs:
                job.result()

    def _ingest(self, folder: Path, result: LoadResult) -> None:
        try:
            report = self.desk.ingest([folder])
            if not report.ok:
                result.failures.append(f"ingest during load: {[r.error for r in report.failed]}")
            result.ingested += report.count("added")
        except Exception as exc:  # noqa: BLE001
            result.failures.append(f"ingest during load: {type(exc).__name__}: {exc}")


def write_extra_articles(folder: Path, start: int, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(start, start + count):
        (folder / f"quillon-{n}.txt").write_text(EXTRA_ARTICLE.format(n=n), encoding="utf-8")
    return folder


def run_load(clients: int = 20, questions: int = 10, extra_articles: int = 5, data_dir: Path | None = None,
             rounds: int = 2) -> LoadResult:
    """A warm-up round, then measured rounds; each with `clients` x `questions` and an ingest alongside."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="newsdesk-load-") as tmp:
        root = Path(tmp)
        load = Load(data_dir or root / "data")
        started = time.monotonic()
        result = LoadResult()
        try:
            for n in range(rounds):
                folder = write_extra_articles(root / f"extra{n}", n * extra_articles, extra_articles)
                load.round(clients, questions, result, folder)
                result.rss_mb.append(round(rss_mb(), 1))
            titles = {a.title for a in load.desk.articles()}
            missing = [n for n in range(rounds * extra_articles) if f"Quillon orchard {n} plants {n} pear trees" not in titles]
            if missing:
                result.failures.append(f"articles ingested during load are missing: {missing}")
        finally:
            load.close()
        result.seconds = time.monotonic() - started
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (half Gradio, half Python)")
    parser.add_argument("--questions", type=int, default=10, help="questions per client and round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds (caches and malloc arenas fill in the first ones)")
    parser.add_argument("--rss-margin-mb", type=float, default=32.0, help="allowed RSS growth over the last round")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    result = run_load(args.clients, args.questions, rounds=max(2, args.rounds))
    summary = result.as_dict()
    growth = result.rss_mb[-1] - result.rss_mb[-2]  # a leak grows with every round; warm-up does not
    summary["rss_growth_last_round_mb"] = round(growth, 1)
    print(json.dumps(summary, indent=2))
    return 0 if not result.failures and growth <= args.rss_margin_mb else 1


if __name__ == "__main__":
    sys.exit(main())
