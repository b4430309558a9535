"""The plugin: two checkers of one category, and the folder of the model pass's prompt.

Each checker is a function of the context decorated ``@copydesk.checker``, which gives it
its name (the function's, ``_`` written ``-``), its categories and ``needs_model``.

``anonymous-sources`` is the deterministic pass (patterns over sentences, no model, so
``copydesk check --no-model`` runs it); ``anonymous-sources-llm`` asks the model with the
plugin's own prompt, ``anonymous_sources``. Both report the category ``anonymous_source``.
They are two checkers, not one, so that each is its own detector: where both flag
overlapping words the host merges the two findings into one that lists both detectors,
with the confidences combined as independent evidence (0.6 and 0.4 give 0.76).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import copydesk
from copydesk import Finding
from copydesk.components import Checker
from copydesk.context import CheckContext

from .patterns import CATEGORY, find_anonymous_sources, sentences

#: The plugin API this plugin was written against: 2, checkers that take ``check(ctx)``
#: (copydesk refuses to load it, with a clear message, if it only has an older one).
COPYDESK_PLUGIN_API = 2

#: The prompt template and its schema live here; copydesk searches it after the user's
#: ``--prompts-dir`` and before the built-ins, so a user can override the prompt.
PROMPTS = Path(__file__).parent / "prompts"
PROMPT = "anonymous_sources"

#: What a model finding is worth on its own: a small model over-flags. Agreement with the
#: deterministic pass is what raises it.
LLM_CONFIDENCE = 0.4
#: Five findings with one-sentence explanations fit well within this.
LLM_MAX_TOKENS = 800
LLM_SUGGESTION = (
    "Name the source, or tell the reader why they cannot be named and what puts them in a "
    "position to know."
)


@copydesk.checker(categories=(CATEGORY,))
def anonymous_sources(ctx: CheckContext) -> list[Finding]:
    """The deterministic pass: see :mod:`copydesk_anonymous_sources.patterns`. A plain
    function (no model to wait for): copydesk runs it in a worker thread."""
    return find_anonymous_sources(ctx.article)


@copydesk.checker(categories=(CATEGORY,), needs_model=True)
async def anonymous_sources_llm(ctx: CheckContext) -> list[Finding]:
    """The model pass: the ``anonymous_sources`` prompt lists claims resting on sources the
    article does not name; sources the model itself marks as named are left out."""
    # ctx.ask renders the prompt (the article is always in it), calls the model and
    # returns the answer only once it validates against anonymous_sources.schema.json.
    answer = await ctx.ask(PROMPT, max_tokens=LLM_MAX_TOKENS)
    article = ctx.article
    found = []
    for item in answer["sources"]:
        if item["named"]:
            continue
        # The model may quote the claim or the attribution; anonymous sourcing is a
        # property of the whole sentence, so report the sentence the quote sits in.
        # Then the patterns' span (the attribution) overlaps it and the two merge.
        # ctx.locate finds the quote as the host would ground it.
        where = ctx.locate(item["quote"], context=item["explanation"])
        sentence = next(
            (s for s in sentences(article) if where and s.start <= where.start < s.end), None
        )
        quote = article.text[sentence.start : sentence.end] if sentence else item["quote"]
        found.append(
            Finding(
                category=CATEGORY,
                quote=quote,  # the host finds it in the article, or drops it
                start=sentence.start if sentence else -1,
                explanation=item["explanation"].strip(),
                suggestion=LLM_SUGGESTION,
                severity=item["severity"],
                confidence=LLM_CONFIDENCE,
            )
        )
    return found


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(anonymous_sources)
    register(anonymous_sources_llm)


@copydesk.hookimpl
def register_prompt_dirs(register: Callable[[Path], None]) -> None:
    register(PROMPTS)
