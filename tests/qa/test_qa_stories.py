"""Syndicated copies in answers: five copies of one wire story would fill the top passages; folded, one copy
(the representative) contributes, other stories get the places, and its citation lists the other copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Filters, Newsdesk
from qa_helpers import make_settings
from ui.render import sources_html

QUESTION = "How many people were rescued when the Kestrel Bridge collapsed in Varnholt?"

WIRE = """Part of the Kestrel Bridge in Varnholt collapsed into the Ossel river early on Tuesday, sending a bus and three cars into the water. Rescue crews pulled 14 people from the river, and two of them were taken to hospital with serious injuries.

The 90-year-old steel bridge carried about 20,000 vehicles a day between the old town and the port. Engineers had closed one of its four lanes in March after finding corrosion in the central span.

Mayor Henrike Salo said divers would search the river again at first light. "We owe every family in Varnholt a full account of what went wrong," she told reporters on the riverbank.

The regional transport office said the bridge would stay closed for at least two years and that ferries would carry commuters in the meantime."""

# (file name, outlet, date, dateline, paragraphs kept): the first is the original and the earliest
COPIES = [
    ("varnholt-gazette.md", "Varnholt Gazette", "2024-05-07", "", 4),
    ("ossel-wire.md", "Ossel Wire", "2024-05-08", "VARNHOLT (Ossel Wire) — ", 3),
    ("northern-ledger.md", "The Northern Ledger", "2024-05-08", "Northern Ledger — ", 4),
    ("harbour-times.md", "Harbour Times", "2024-05-09", "VARNHOLT, May 9 (HT) - ", 2),
    ("valley-courier.md", "Valley Courier", "2024-05-10", "VARNHOLT — ", 3),
]

OTHERS = {
    "ferries.md": ("Varnholt adds night ferries while the Kestrel Bridge is closed", "Varnholt Gazette", "2024-05-20",
                   "Varnholt will run ferries across the Ossel river through the night from Monday, the transport "
                   "office said, because the Kestrel Bridge will stay closed for two years. Four boats will cross "
                   "every twenty minutes and tickets will be free for residents until the end of the year. Commuters "
                   "had queued for more than an hour at the port pier in the first week after the collapse."),
    "inquiry.md": ("Inquiry into the Kestrel Bridge collapse names the corroded span", "Ossel Wire", "2024-06-14",
                   "An independent inquiry into the collapse of the Kestrel Bridge in Varnholt found that the "
                   "central span failed where engineers had reported corrosion two years earlier. The report says "
                   "repairs were postponed twice for lack of money. Mayor Henrike Salo said the council accepted "
                   "all of its recommendations and would inspect every steel bridge in the region this summer."),
    "larch-bridge.md": ("Engineers close the Larch Street footbridge in Tamsel for repairs", "Tamsel Post",
                        "2024-05-15",
                        "Engineers closed the Larch Street footbridge in Tamsel on Wednesday after divers found "
                        "cracks in one of its piers. The town said walkers should use the rail bridge for the "
                        "six weeks the repairs will take. No one was hurt, and the bridge had passed its last "
                        "inspection in 2022."),
}


def copy_text(dateline: str, keep: int, outlet: str) -> str:
    paragraphs = WIRE.split("\n\n")[:keep]
    body = dateline + "\n\n".join(paragraphs)
    return body.replace("told reporters", "said") if outlet == "Harbour Times" else body


def markdown(title: str, source: str, date: str, slug: str, body: str) -> str:
    return (f"---\ntitle: {title}\nsource: {source}\nurl: https://tests.newsdesk.invalid/{slug}\n"
            f"published_at: {date}\n---\n{body}\n")


@pytest.fixture(scope="module")
def story_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wire-copies")
    titles = ["Kestrel Bridge collapses in Varnholt", "Bridge collapse in Varnholt: 14 rescued from the Ossel",
              "UPDATE: Kestrel Bridge collapses", "Varnholt bridge falls into river", "Kestrel Bridge collapse"]
    for (name, outlet, date, dateline, keep), title in zip(COPIES, titles):
        (folder / name).write_text(markdown(title, outlet, date, name[:-3], copy_text(dateline, keep, outlet)),
                                   encoding="utf-8")
    for name, (title, source, date, body) in OTHERS.items():
        (folder / name).write_text(markdown(title, source, date, name[:-3], body), encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("wire-index")
    report = Newsdesk(make_settings(data_dir)).ingest([folder])
    assert report.ok and report.count("added") == len(COPIES) + len(OTHERS)
    assert sum(1 for r in report.results if r.note.startswith("copy of '")) == len(COPIES) - 1
    return data_dir


@pytest.fixture(scope="module")
def folded(story_index) -> Newsdesk:
    return Newsdesk(make_settings(story_index))


@pytest.fixture(scope="module")
def unfolded(story_index) -> Newsdesk:
    return Newsdesk(make_settings(story_index, fold_copies=False))


def sources_of(passages) -> list[str]:
    return [p.source for p in passages]


def test_without_folding_the_copies_fill_the_top_passages(unfolded):
    passages = unfolded.retrieve(QUESTION, k=5)
    outlets = {outlet for _, outlet, *_ in COPIES}
    assert sum(1 for p in passages if p.source in outlets and "Kestrel Bridge in Varnholt collapsed" in p.text) >= 4


def test_folded_one_copy_contributes_and_other_stories_appear(folded):
    passages = folded.retrieve(QUESTION, k=5)
    copy_titles = {p.title for p in passages if "collapsed into the Ossel" in p.text}
    assert len({p.article_id for p in passages if "collapsed into the Ossel" in p.text}) == 1, sources_of(passages)
    assert [p.source for p in passages if p.title in copy_titles][0] == "Varnholt Gazette"  # the earliest copy
    others = {p.title for p in passages} - copy_titles
    assert {OTHERS["ferries.md"][0], OTHERS["inquiry.md"][0]} <= others


def test_the_answer_cites_the_representative_and_lists_the_other_copies(folded):
    answer = folded.ask(QUESTION)
    assert not answer.refused and "14" in answer.text
    cited = next(c for c in answer.citations if "14 people" in c.quote)
    assert cited.source == "Varnholt Gazette"
    # the story's order: earliest first, the fuller of two copies of one day first
    assert [(c.source, c.published_at) for c in cited.also_reported_by] == [
        ("The Northern Ledger", "2024-05-08"), ("Ossel Wire", "2024-05-08"), ("Harbour Times", "2024-05-09"),
        ("Valley Courier", "2024-05-10")]
    assert {c.source for c in cited.also_reported_by} == {outlet for _, outlet, *_ in COPIES[1:]}
    assert all(c.url.startswith("https://tests.newsdesk.invalid/") and c.article_id for c in cited.also_reported_by)
    data = answer.to_json()["citations"]
    reported = next(c for c in data if c["article_id"] == cited.article_id)["also_reported_by"]
    assert {r["source"] for r in reported} == {c.source for c in cited.also_reported_by}
    assert set(reported[0]) == {"source", "title", "published_at", "url", "article_id"}
    panel = sources_html(answer, 1, lambda article_id: folded.article(article_id).body)
    assert "also reported by: " in panel and "Ossel Wire</a> (2024-05-08)" in panel


def test_a_filter_without_the_representative_lets_the_best_copy_contribute(folded):
    passages = folded.retrieve(QUESTION, filters=Filters(sources=["Ossel Wire", "Harbour Times"]), k=5)
    copies = {p.source for p in passages if "Kestrel Bridge in Varnholt collapsed" in p.text}
    assert len(copies) == 1 and copies <= {"Ossel Wire", "Harbour Times"}


def test_without_folding_citations_list_no_copies(unfolded):
    answer = unfolded.ask(QUESTION)
    assert answer.citations and all(c.also_reported_by == [] for c in answer.citations)


def test_a_question_about_the_latest_state_takes_the_newest_copy(folded):
    passages = folded.retrieve("What is the latest number of people rescued from the Kestrel Bridge collapse?", k=5)
    copies = [p for p in passages if "Kestrel Bridge in Varnholt collapsed" in p.text]
    assert len({p.article_id for p in copies}) == 1
    assert copies[0].source == "Valley Courier"  # published last (2024-05-10), not the earliest copy
