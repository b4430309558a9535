"""Page furniture is left out of the analysed text, and the report says so."""

from __future__ import annotations

from copydesk.furniture import strip_furniture
from copydesk.types import Article

STORY = "\n".join(
    f"Paragraph {i}: the council said the plan would cost more than first thought, officials added."
    for i in range(6)
)


def test_the_sample_loses_its_related_links_and_repeated_headline(sample_text):
    article = Article(text=sample_text)
    strip_furniture(article)
    (excluded,) = article.excluded
    cut = sample_text[excluded.start :]
    assert cut.startswith(
        "Russia will provide unspecified 'special' military equipment to Pakistan: Lavrov"
    )
    assert "Other Related News" in cut and cut.rstrip().endswith("view article")
    assert article.body_text.rstrip().endswith(
        "Lavrov met Bajwa on the last day of his two-day visit."
    )


def test_an_article_without_furniture_is_left_whole():
    article = Article(text=STORY)
    strip_furniture(article)
    assert article.excluded == [] and article.body_text == STORY


def test_prose_that_mentions_related_news_is_not_furniture():
    text = (
        STORY
        + "\nRelated news\n"
        + "\n".join(
            f"Later paragraph {i} keeps telling the story at length, as the reporter explained in detail."
            for i in range(5)
        )
    )
    article = Article(text=text)
    strip_furniture(article)
    assert article.excluded == []


def test_share_and_copyright_lines_at_the_end_are_furniture():
    text = STORY + "\nShare this article\nCopyright 2024 Example News. All rights reserved.\n"
    article = Article(text=text)
    strip_furniture(article)
    assert article.body_text.rstrip().endswith("officials added.")
