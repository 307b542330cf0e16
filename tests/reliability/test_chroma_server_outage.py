"""Chroma server mode: the server going away mid-session gives a clear error naming its URL (no traceback),
and the same `Newsdesk` answers again once the server is back on the same path and port."""

from __future__ import annotations

import pytest

from reliability_checks import SEED, make_desk

QUESTION = "When did Türkiye and Israel begin technical talks?"


def assert_clear_outage_error(exc: BaseException, url: str) -> None:
    from index import IngestError
    from qa import NewsdeskError

    message = str(exc)
    assert isinstance(exc, (NewsdeskError, IngestError)), f"{type(exc).__name__} escaped: {message}"
    assert url in message and "\n" not in message and "Traceback" not in message, message


def test_server_goes_away_then_comes_back(chroma_server, tmp_path, embedder):
    from qa import NewsdeskError

    desk = make_desk(tmp_path / "data", chroma_url=chroma_server.url)
    assert desk.ingest([SEED]).ok
    first = desk.ask(QUESTION)
    assert "April 9" in first.text and first.citations

    chroma_server.kill()
    with pytest.raises(Exception) as asked:
        desk.ask("Who offered to mediate between Israel and Türkiye?")
    assert_clear_outage_error(asked.value, chroma_server.url)
    try:
        report = desk.ingest([tmp_path / "missing-file.txt", SEED])
    except Exception as exc:  # noqa: BLE001 - judged below
        assert_clear_outage_error(exc, chroma_server.url)
    else:
        raise AssertionError(f"ingest without a Chroma server reported {report.summary()}")
    assert isinstance(asked.value, NewsdeskError)

    chroma_server.start()
    again = desk.ask(QUESTION)
    assert "April 9" in again.text and again.citations
    assert [c.quote for c in again.citations] == [c.quote for c in first.citations]
    report = desk.ingest([SEED])
    assert report.ok and report.count("unchanged") == 1
    assert desk.info()["chunks"] == sum(a.chunks for a in desk.articles())
