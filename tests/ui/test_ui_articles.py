"""The Articles tab's actions against a real index: add uploads, refuse bad input, search, remove."""

from pathlib import Path

from qa import Newsdesk

from ui import articles


def test_add_search_and_remove(tmp_path: Path):
    desk = Newsdesk(data_dir=tmp_path / "data", llm="extractive")
    upload = tmp_path / "quarry dispute.md"
    upload.write_text("# Quarry dispute settled in Brenholt\n\nThe Brenholt quarry and its neighbours settled "
                      "their dispute over blasting hours on Monday.\n", encoding="utf-8")
    summary, rows = articles.add_to_index(desk, [str(upload)], "javascript:alert(1)")
    assert rows[0][:2] == ["javascript:alert(1)", "failed"] and "http://" in rows[0][4]
    assert rows[1][:3] == ["quarry dispute.md", "added", "Quarry dispute settled in Brenholt"]
    assert summary.startswith("Added 1") and "1 refused" in summary
    assert (desk.settings.uploads_dir / "quarry dispute.md").is_file()

    [row] = articles.article_rows(desk, "BRENHOLT")
    assert articles.article_rows(desk, "no such words") == []
    assert articles.removal_choices(desk) == [(f"Quarry dispute settled in Brenholt · {row[0]}", row[0])]
    assert articles.remove_article(desk, None) == "Pick an article to remove first."
    assert articles.remove_article(desk, row[0]) == "Removed Quarry dispute settled in Brenholt."
    assert desk.articles() == []


def test_nothing_chosen_explains_what_to_do(tmp_path: Path):
    desk = Newsdesk(data_dir=tmp_path / "data", llm="extractive")
    summary, rows = articles.add_to_index(desk, None, "  ")
    assert "Choose files to upload or paste a feed URL" in summary and rows == []
