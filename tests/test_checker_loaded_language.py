"""Loaded language with no model: evaluative words in the reporter's own voice (VADER lexicon)."""

from __future__ import annotations

import pytest

from copydesk.plugins.loaded_language import is_modifier, valence


def loaded(run_copydesk, text: str) -> list[str]:
    report = run_copydesk(text, use_model=False, checkers=["loaded-words"])
    return [f["quote"] for f in report["findings"] if f["category"] == "loaded_language"]


def test_an_evaluative_adjective_is_flagged_with_the_noun_phrase_it_qualifies(run_copydesk):
    assert loaded(run_copydesk, "The council passed a disastrous budget on Monday.") == [
        "disastrous budget"
    ]


def test_a_name_used_as_a_modifier_stays_inside_the_phrase(run_copydesk):
    text = "The ugly Senate fight over the budget ended on Monday."
    assert loaded(run_copydesk, text) == ["ugly Senate fight"]


def test_an_intensifier_joins_the_phrase(run_copydesk):
    assert loaded(run_copydesk, "The mayor gave an extremely stupid answer.") == [
        "extremely stupid answer"
    ]


def test_words_inside_quotation_marks_are_the_speakers_not_the_reporters(run_copydesk):
    text = 'The mayor called the budget "a disastrous mess" on Monday.'
    assert loaded(run_copydesk, text) == []


def test_words_in_attributed_speech_are_not_the_reporters(run_copydesk):
    assert loaded(run_copydesk, "The budget is disastrous, the mayor said.") == []
    assert loaded(run_copydesk, "Critics say the budget is disastrous.") == []


def test_proper_names_are_not_loaded_language(run_copydesk):
    assert loaded(run_copydesk, "He met members of the Hostile Environment Working Group.") == []


def test_neutral_reporting_gets_no_flag(run_copydesk):
    text = "The council voted 7 to 2 on Monday to raise the parking fee to $3 an hour."
    assert loaded(run_copydesk, text) == []


def test_a_noun_the_article_keeps_repeating_is_its_topic_not_framing(run_copydesk):
    text = (
        "The war entered its third year on Monday.\n"
        "Officials met in Geneva to discuss the war.\n"
        "No date was set for the next round of talks."
    )
    assert loaded(run_copydesk, text) == []


@pytest.mark.parametrize(
    ("word", "modifier"), [("bitter", True), ("wildly", True), ("war", False), ("terrorism", False)]
)
def test_modifiers_are_told_from_nouns_by_their_word_family_in_the_lexicon(word, modifier):
    assert is_modifier(word) is modifier


def test_valence_is_read_through_inflections_and_not_through_turning_prefixes():
    assert valence("slammed") < 0
    assert valence("terrorism") < -2
    assert valence("counter-terrorism") == 0.0


def test_an_intensifier_on_its_own_is_exaggeration(run_copydesk):
    report = run_copydesk("The rally drew a vast crowd to the square.", use_model=False)
    (finding,) = report["findings"]
    assert finding["quote"] == "vast crowd" and "exaggerates" in finding["explanation"]


@pytest.mark.parametrize(
    "text",
    [
        "Critics said the plan was reckless.",
        "The plan was reckless, critics said.",
        "Critics called the plan reckless.",
        "The plan, which critics have called reckless, passed.",
        "Critics have slammed the plan as reckless.",
        "The plan has been described by critics as reckless.",
        "The board approved what critics described as a reckless plan.",
        "The plan is reckless, according to a source close to the board.",
        "Officials warned of a catastrophic shortfall.",
    ],
)
def test_words_attributed_to_anyone_named_or_not_are_not_the_reporters(run_copydesk, text):
    assert loaded(run_copydesk, text) == []


def test_the_reporters_own_words_beside_attributed_ones_are_still_flagged(run_copydesk):
    text = "The mayor's reckless plan, which critics called a gamble, passed."
    assert loaded(run_copydesk, text) == ["reckless plan"]


@pytest.mark.parametrize(
    "text",
    [
        "Admission to the museum is free.",
        "Children travel free on buses.",
        "The party promised free school meals.",
        "Tickets are available for free.",
        "The hygiene products will be tax-free.",
        "Entry is free of charge.",
        "He walked free after the ruling.",
    ],
)
def test_a_word_in_its_plain_sense_is_not_loaded(run_copydesk, text):
    assert loaded(run_copydesk, text) == []


def test_the_same_word_in_its_evaluative_sense_still_is(run_copydesk):
    assert loaded(run_copydesk, "The country held free and fair elections.") == ["free"]


def test_a_modifier_vader_rates_weakly_is_not_loaded_though_the_npov_lexicon_lists_it(run_copydesk):
    assert valence("controversial") == -0.8
    assert loaded(run_copydesk, "The controversial plan was approved.") == []
    assert loaded(run_copydesk, "The reckless plan was approved.") == ["reckless plan"]


def test_a_user_lexicon_adds_its_modifiers(tmp_path):
    from copydesk.plugins.loaded_language import find_loaded_words
    from copydesk.types import Article

    article = Article("The staggering cost shocked the board.")
    assert find_loaded_words(article) == []  # in no list copydesk may ship
    (hit,) = find_loaded_words(article, extra={"staggering"})
    assert hit.word.text == "staggering"


def test_a_quotation_over_several_sentences_is_the_speakers_throughout(run_copydesk):
    text = (
        "The mayor spoke after the vote.\n"
        "“We lost tonight. It’s a disastrous budget. We will fight on,” she said."
    )
    assert loaded(run_copydesk, text) == []


def test_a_quotation_in_single_marks_keeps_its_apostrophes_inside(run_copydesk):
    text = "The manager was blunt. ‘We didn’t win either game. It was a disastrous night.’"
    assert loaded(run_copydesk, text) == []


def test_the_reporters_words_after_a_closed_quotation_are_still_flagged(run_copydesk):
    text = "“We lost tonight. We will fight on,” she said after a disastrous vote."
    assert loaded(run_copydesk, text) == ["disastrous vote"]


@pytest.mark.parametrize(
    "text",
    [
        "Derby can secure a play-off spot on Saturday.",
        "Crews worked to clear the scene of the crash.",
        "The statement did little to calm the row.",
        "She retired after winning the title in 2015.",
        "He began his career in the pool, winning six medals.",
        "Trump wound up winning Wisconsin and Michigan.",
    ],
)
def test_an_adjective_used_as_a_verb_is_judged_as_the_verb(run_copydesk, text):
    assert loaded(run_copydesk, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Flynn pleaded guilty on Friday to lying to investigators.",
        "Sayoc has been charged with five federal crimes.",
        "The businessman pleaded guilty in August to an immigration fraud charge.",
    ],
)
def test_an_offence_named_in_a_legal_step_is_the_laws_word(run_copydesk, text):
    assert loaded(run_copydesk, text) == []


def test_a_charged_word_with_no_legal_step_in_the_sentence_is_still_flagged(run_copydesk):
    assert loaded(run_copydesk, "The scheme was a fraud from the start.") == ["fraud"]


@pytest.mark.parametrize(
    "text",
    [
        "Republicans challenged Democrats to make their positions clear on the plan.",
        "Couples may file amended returns for certain prior tax years.",
        "It is not yet certain when the vote will take place.",
        "The bill is likely to pass the Senate.",
    ],
)
def test_an_adjective_of_certainty_is_stance_not_loaded_language(run_copydesk, text):
    assert loaded(run_copydesk, text) == []


def test_a_past_tense_in_d_is_read_from_a_stem_in_e_only():
    assert valence("loved") > 0
    assert valence("band") == 0.0  # not "ban"
    assert valence("ward") == 0.0  # not "war"


def test_a_plea_of_not_guilty_is_the_courts_word(run_copydesk):
    assert loaded(run_copydesk, "She pleaded not guilty on Friday.") == []


def test_a_modifier_and_noun_the_article_keeps_using_are_a_term_of_its_subject(run_copydesk):
    text = (
        "Smith wins a free kick in the defensive half.\n"
        "Jones is shown the yellow card.\n"
        "Brown wins a free kick on the right wing."
    )
    assert loaded(run_copydesk, text) == []


def test_the_same_modifier_with_another_noun_is_still_judged(run_copydesk):
    text = (
        "The council passed a disastrous budget.\n"
        "The mayor left early.\n"
        "It was a disastrous week for the city."
    )
    assert loaded(run_copydesk, text) == ["disastrous budget", "disastrous week"]


def test_a_modifier_repeated_before_a_name_is_no_term(run_copydesk):
    text = (
        "The two bitter Cold War rivals met on Monday.\n"
        "Talks lasted four hours.\n"
        "Ties have moved past the bitter Cold War hostilities."
    )
    assert loaded(run_copydesk, text) == ["bitter Cold War rivals", "bitter Cold War hostilities"]
