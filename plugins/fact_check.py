"""The fact-check: evidence sources, the checkers that verify claims against them, and
``copydesk corpus``.

Registered through the same hooks as anyone's:

- evidence sources ``sources`` (the documents given with ``--source``) and ``corpus``
  (the indexes given with ``--corpus``);
- checkers ``quotations`` (``misquote``: direct speech word for word against the
  sources), ``claim-figures`` (``contradicted_claim`` / ``unsupported_claim`` from the
  numbers, dates and names of each claim against its best passage, no model) and
  ``claim-llm`` (the same categories from the model's verdicts, ``verify_claims``);
- ``copydesk corpus index|info|search``.

Each claim's verdicts are merged by the host (:mod:`copydesk.evidence`): the findings of
the verdict that stands are reported. A given summary or headline (``--summary``,
``--headline``) is checked the same way, with the article as its evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

import copydesk
from copydesk.components import Checker, EvidenceSource
from copydesk.types import Finding

from .evidence.commands import corpus_group
from .evidence.figure_check import check_figures
from .evidence.misquotes import check_quotes
from .evidence.sources import CorpusFiles, GivenDocuments
from .evidence.verify import check_with_model

if TYPE_CHECKING:
    from copydesk.context import CheckContext

VERDICT_CATEGORIES = ("contradicted_claim", "unsupported_claim")


@copydesk.checker(categories=("misquote", "unsupported_claim"))
async def quotations(ctx: CheckContext) -> list[Finding]:
    """Quotations word for word against the sources (and a given text's, the article)."""
    return await check_quotes(ctx)


@copydesk.checker("claim-figures", categories=VERDICT_CATEGORIES)
async def claim_figures(ctx: CheckContext) -> list[Finding]:
    """Each claim's numbers, dates and names against its best passage: no model."""
    return await check_figures(ctx)


@copydesk.checker("claim-llm", categories=VERDICT_CATEGORIES, needs_model=True)
async def claim_llm(ctx: CheckContext) -> list[Finding]:
    """Each claim's verdict from the model, against the passages retrieved for it."""
    return await check_with_model(ctx)


@copydesk.hookimpl
def register_evidence_sources(register: Callable[[EvidenceSource], None]) -> None:
    register(GivenDocuments())
    register(CorpusFiles())


@copydesk.hookimpl
def register_checkers(register: Callable[[Checker], None]) -> None:
    register(quotations)
    register(claim_figures)
    register(claim_llm)


@copydesk.hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(corpus_group)
