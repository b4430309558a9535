"""Quotations checked word for word: a council transcript and a story that quotes it."""

from __future__ import annotations

from copydesk.plugins.evidence.quotes import check_article, check_quotation, find_quotations

TRANSCRIPT = """\
MAYOR ANA RUIZ: Thank you all for coming this evening. I want to be clear about the bridge.
This project will not raise local taxes, and it will be finished within two years.
We have set aside 12 million dollars for it, and the state has promised the rest.
I asked Commissioner Patel to lead the work because she knows the river better than anyone.
The old bridge has served this town for ninety years, but it cannot carry today's traffic.
"""

STORY = """\
Mayor Ana Ruiz promised on Tuesday that the new bridge would be built quickly.

"This project will raise local taxes, and it will be finished within two years," Ruiz told the council.

"We have set aside 15 million dollars for it," she said.

"I asked Commissioner Singh to lead the work because she knows the river better than anyone," the mayor said.

Ruiz said: "The old bridge has served this town … but it cannot carry today's traffic."

"[The bridge] cannot carry today's traffic," she added.

“We will also build a new stadium next to the river,” Ruiz said.

Critics called the plan "a vanity project".
"""

SOURCES = [("transcript.txt", TRANSCRIPT)]


def by_status(checks):
    return [(c.status, [ch.kind for ch in c.changes]) for c in checks]


def test_each_quotation_in_the_story_is_classified():
    checks = check_article(STORY, SOURCES)
    assert by_status(checks) == [
        ("altered", ["negation"]),  # "will not raise" became "will raise"
        ("altered", ["number"]),  # 12 million became 15 million
        ("altered", ["name"]),  # Patel became Singh
        ("verbatim", []),  # "for ninety years" elided with "…"
        ("verbatim", []),  # "[The bridge]" stands for "it"
        ("not_found", []),  # never said
    ]
    # "a vanity project" is a three-word scare quote, not direct speech: not checked


def test_a_change_gives_the_source_words_and_the_article_words_at_their_offsets():
    checks = check_article(STORY, SOURCES)
    negation = checks[0].changes[0]
    assert negation.source_words == "not" and negation.article_words == ""
    assert TRANSCRIPT[negation.source_start : negation.source_end] == "not"
    # the article dropped the word: its side is the empty point where "not" should be
    assert negation.article_start == negation.article_end
    assert STORY[: negation.article_start].endswith('"This project will')

    number = checks[1].changes[0]
    assert (number.source_words, number.article_words) == ("12", "15")
    assert STORY[number.article_start : number.article_end] == "15"
    assert TRANSCRIPT[number.source_start : number.source_end] == "12"

    name = checks[2].changes[0]
    assert (name.source_words, name.article_words) == ("Patel", "Singh")

    quoted = checks[1]
    assert quoted.document == "transcript.txt"
    assert TRANSCRIPT[quoted.source_start : quoted.source_end] == quoted.source_text
    assert quoted.source_text == "We have set aside 12 million dollars for it"


def test_speakers_are_found_where_the_sentence_names_one():
    assert [q.speaker for q in find_quotations(STORY)] == [
        "Ruiz",
        "she",
        "the mayor",
        "Ruiz",
        "she",
        "Ruiz",
    ]
    q = find_quotations('"The vote is final," said Commissioner Patel on Monday.')[0]
    assert (q.text, q.speaker) == ("The vote is final,", "Commissioner Patel")


def test_case_punctuation_dashes_and_curly_quotes_do_not_alter_a_quotation():
    article = "“WE HAVE set aside 12 million dollars — for it,” she said."
    check = check_quotation(article, find_quotations(article)[0], SOURCES)
    assert check.status == "verbatim" and check.matched == 1.0


def test_the_best_of_several_sources_is_reported():
    article = '"The state has promised the rest of the money," she said.'
    release = ("release.txt", "The state has promised the rest of the money, officials confirmed.")
    check = check_quotation(article, find_quotations(article)[0], [*SOURCES, release])
    assert (check.status, check.document) == ("verbatim", "release.txt")


def test_an_added_negation_is_a_negation_change():
    article = '"The old bridge has never served this town for ninety years," Ruiz said.'
    check = check_quotation(article, find_quotations(article)[0], SOURCES)
    assert [(c.kind, c.source_words, c.article_words) for c in check.changes] == [
        ("negation", "", "never")
    ]


def test_an_elision_may_leave_out_a_sentence_or_two():
    filler = " ".join(["The council also discussed parking and the library hours."] * 4)
    source = f"We will build the bridge. {filler} And we will not raise taxes to do it."
    article = '"We will build the bridge … and we will not raise taxes to do it," she said.'
    check = check_quotation(article, find_quotations(article)[0], [("minutes.txt", source)])
    assert check.status == "verbatim"
    assert check.source_text.startswith("We will build") and check.source_text.endswith("do it")
