"""kill -9 during ingest: the next ingest yields exactly one copy of each article, Chroma and ledger agree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from newsdesk_testkit import REPO
from index import Catalog, ingest, open_store

N_ARTICLES = 80  # one short chunk each; ingest writes every 32 chunks here (one batch behind), so a kill can land between flushes

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    import torch
    torch.set_num_threads(1)
    from index import IndexSettings, ingest
    from index.ledger import Ledger

    data_dir, corpus, mode = sys.argv[1:4]
    if mode == "before-done":  # die after Chroma was written, before the ledger says done
        Ledger.mark_done = lambda self, ids: os.kill(os.getpid(), signal.SIGKILL)

    def progress(done, total, chunks):
        print(f"progress {done} {total} {chunks}", flush=True)
        if mode == "midway" and 0 < chunks and done < total:
            time.sleep(600)  # hold here, mid-ingest, until the parent's kill: it must not race ahead to the end

    ingest([corpus], IndexSettings(data_dir=data_dir, embed_batch_size=8, embed_threads=1), on_progress=progress)
    print("finished", flush=True)
""")


def write_corpus(folder):
    folder.mkdir()
    for i in range(N_ARTICLES):
        body = f"The hill town of Varnwick{i} dug {i + 2} new wells this spring."
        record = {"title": f"Varnwick{i} digs wells", "body": body, "url": f"https://example.test/varnwick/{i}"}
        (folder / f"a{i:03d}.json").write_text(json.dumps(record), encoding="utf-8")


def run_child(tmp_path, data_dir, corpus, mode):
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, str(script), str(data_dir), str(corpus), mode],
                            stdout=subprocess.PIPE, text=True, env=env)


def assert_exactly_one_copy(settings):
    catalog, store = Catalog(settings), open_store(settings)
    assert len(catalog) == N_ARTICLES
    assert sorted(a.title for a in catalog.articles()) == sorted(f"Varnwick{i} digs wells" for i in range(N_ARTICLES))
    stored = store.get()
    assert store.count() == len(stored) == catalog.chunk_count()
    assert {cid for cid, _, _ in stored} == {c.id for c in catalog.iter_chunks()}
    assert {m["article_id"] for _, m, _ in stored} == {a.id for a in catalog.articles()}


def test_kill_9_midway_then_reingest(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    child = run_child(tmp_path, settings.data_dir, corpus, "midway")
    for line in child.stdout:
        _, done, total, chunks = line.split()
        if int(chunks) > 0 and int(done) < int(total):  # some batches written, more to come
            child.send_signal(signal.SIGKILL)
            break
    assert child.wait(timeout=120) == -signal.SIGKILL
    partial = len(Catalog(settings))
    assert 0 < partial < N_ARTICLES
    report = ingest(corpus, settings)
    assert report.ok and report.count("added") + report.count("unchanged") == N_ARTICLES
    assert report.count("unchanged") >= partial
    assert_exactly_one_copy(settings)


def test_kill_9_between_chroma_write_and_ledger_done(settings, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    child = run_child(tmp_path, settings.data_dir, corpus, "before-done")
    assert child.wait(timeout=300) == -signal.SIGKILL
    child.stdout.close()
    assert open_store(settings).count() > 0 and len(Catalog(settings)) == 0  # written to Chroma, still pending
    report = ingest(corpus, settings)
    assert report.ok
    assert_exactly_one_copy(settings)
