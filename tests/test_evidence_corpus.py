"""The local evidence corpus: incremental indexing, bm25 search, safe queries."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.errors import InputError
from copydesk.plugins.evidence import corpus
from copydesk.plugins.evidence.store import Corpus, fts_query
from copydesk.types import Article

RELEASE = (
    "The city council approved a budget of $1.2 million for the new bridge on Monday. "
    "Construction will begin in March and last two years.\n\n"
    "The mayor, Ana Ruiz, said the project would not raise local taxes."
)
MINUTES = "Council minutes. The library will close on Sundays. The parks budget was cut by 15%."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "2024").mkdir(parents=True)
    (docs / "release.txt").write_text(RELEASE)
    (docs / "2024" / "minutes.md").write_text(MINUTES)
    (docs / "notes.csv").write_text("not an article suffix")
    (docs / ".cache").mkdir()
    (docs / ".cache" / "hidden.txt").write_text("hidden files are not documents")
    return docs


def test_index_a_folder_recursively_then_search_it(folder: Path, tmp_path: Path):
    db = tmp_path / "corpus.db"
    seen: list[tuple[int, int, str]] = []
    result = corpus.index([str(folder)], db, progress=lambda d, t, p, s: seen.append((d, t, s)))
    assert sorted(Path(p).name for p in result.added) == ["minutes.md", "release.txt"]
    assert seen == [(1, 2, "added"), (2, 2, "added")]

    hits = corpus.search(db, "How much did the council approve for the bridge?", k=3)
    best = hits[0]
    assert best.document.endswith("release.txt") and "$1.2 million" in best.text
    assert best.score >= hits[-1].score
    # the passage is the document at its offsets, even after the file is gone
    (folder / "release.txt").unlink()
    with Corpus.open(db) as c:
        assert c.document_text(best.document)[best.start : best.end] == best.text

    assert corpus.info(db).documents == 2 and corpus.info(db).passages >= 2


def test_indexing_again_reads_only_what_changed(folder: Path, tmp_path: Path):
    db = tmp_path / "corpus.db"
    corpus.index([str(folder)], db)
    again = corpus.index([str(folder)], db)
    assert len(again.unchanged) == 2 and not again.added and not again.updated

    minutes = folder / "2024" / "minutes.md"
    os.utime(minutes, ns=(1, 1))  # touched, same bytes: not re-split
    assert len(corpus.index([str(folder)], db).unchanged) == 2

    minutes.write_text(MINUTES.replace("Sundays", "Saturdays"))
    (folder / "release.txt").unlink()
    changed = corpus.index([str(folder)], db)
    assert [Path(p).name for p in changed.updated] == ["minutes.md"]
    assert [Path(p).name for p in changed.removed] == ["release.txt"]
    assert "Saturdays" in corpus.search(db, "library closes Saturdays", 1)[0].text
    assert corpus.search(db, "bridge construction", 5) == []


def test_a_file_that_is_not_an_article_is_listed_not_fatal(folder: Path, tmp_path: Path):
    (folder / "empty.txt").write_text("   ")
    result = corpus.index([str(folder)], tmp_path / "c.db")
    assert [(Path(p).name, "empty" in why) for p, why in result.failed] == [("empty.txt", True)]
    assert len(result.added) == 2


def test_missing_inputs_and_mistyped_corpora_are_input_errors(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        corpus.index([str(tmp_path / "nowhere")], tmp_path / "c.db")
    with pytest.raises(InputError, match="does not exist"):
        corpus.search(tmp_path / "typo.db", "anything")
    not_db = tmp_path / "notes.db"
    not_db.write_text("this is not SQLite " * 100)
    with pytest.raises(InputError, match="not an evidence corpus"):
        corpus.info(not_db)


def test_documents_given_on_the_command_line_are_searched_the_same_way():
    with Corpus.in_memory(
        [("release.txt", Article(text=RELEASE)), ("minutes.md", Article(text=MINUTES))]
    ) as c:
        best = c.search("Ruiz said taxes would not rise", 1)[0]
        assert best.document == "release.txt"
        assert RELEASE[best.start : best.end] == best.text and "Ana Ruiz" in best.text


def test_free_text_becomes_quoted_terms_with_no_operators():
    assert fts_query('The minister said "no" (again) - AND NOT taxes*') == '"minister" OR "taxes"'
    assert fts_query("title: bridge* NEAR(budget, 2)") == '"title" OR "bridge" OR "budget" OR "2"'
    assert fts_query("... ?!") == ""


_db = sqlite3.connect(":memory:")
_db.execute(
    "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61 remove_diacritics 2')"
)
_db.execute("INSERT INTO t VALUES ('the council approved the budget')")


@given(st.text(max_size=200))
@settings(max_examples=500, deadline=None)
def test_no_text_makes_an_fts5_syntax_error(text: str):
    query = fts_query(text)
    if query:
        _db.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,)).fetchall()
