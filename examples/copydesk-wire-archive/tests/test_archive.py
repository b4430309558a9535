"""The source on its own (its passages and their offsets), and through ``copydesk check``."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from conftest import ARCHIVE, ARTICLE
from copydesk.host import load_host

from copydesk_wire_archive.plugin import ARCHIVE_ENV, WireArchive, passages, read_archive


def test_every_passage_is_its_storys_text_at_its_offsets():
    for story in read_archive(ARCHIVE):
        for p in passages(story):
            assert story.text[p.start : p.end] == p.text
            assert (p.document, p.location) == (story.id, story.url)


def test_the_passage_sharing_the_rarest_words_comes_first(monkeypatch):
    monkeypatch.setenv(ARCHIVE_ENV, str(ARCHIVE))
    source = WireArchive()
    source.prepare(None)
    found = asyncio.run(source.search("How much will the bridge cost, in pounds?", None, 2))
    assert found[0].text == (
        "The harbour authority signed the contract for the new bridge on Thursday. "
        "The bridge will cost 48 million pounds, the authority said."
    )
    assert asyncio.run(WireArchive().search("bridge", None, 2)) == []  # no archive set


def test_copydesk_loads_it_as_an_evidence_source():
    info = load_host().plugins["wire_archive"]
    assert info.registered == {"evidence_source": ["wire-archive"]}


def copydesk(*args: str, archive: str = str(ARCHIVE)) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copydesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, ARCHIVE_ENV: archive},
    )


def test_copydesk_check_contradicts_a_figure_with_the_wires_words():
    done = copydesk(
        "check", str(ARTICLE), "--no-model", "--checkers", "claim-figures", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    [finding] = json.loads(done.stdout)["findings"]
    assert finding["category"] == "contradicted_claim"
    assert finding["explanation"].startswith('"84 million" disagrees with the source')
    assert finding["explanation"].endswith('which has "48 million".')
    [evidence] = finding["evidence"]
    assert evidence["source"] == "wire-archive"
    assert evidence["location"] == "https://wire.example/2031"
    assert evidence["quote"] == "The bridge will cost 48 million pounds, the authority said."


def test_an_archive_that_is_not_one_is_an_input_error(tmp_path):
    bad = tmp_path / "archive.jsonl"
    bad.write_text('{"id": "x", "text": "no url"}\n')
    done = copydesk("check", str(ARTICLE), "--no-model", archive=str(bad))
    assert done.returncode == 2
    assert "line 1 of" in done.stderr and "is not a story" in done.stderr
