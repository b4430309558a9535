"""English word forms for the deterministic checkers: inflections and word families.

:mod:`copydesk.plugins.text_helpers` re-exports these; import them from there.

Which of these are hand-written and which stand on a library was measured, not assumed
(issue #13), with ``bench/quality.py --limit 0`` on the BABE and BASIL dev halves; a library
stays only where every figure was the same or better on both:

- :func:`word_family` is Snowball's English stemmer (``snowballstemmer``: BSD-3-Clause,
  pure Python, a 100 kB wheel). Against the six-letter prefix it replaced, BABE was
  unchanged (P 0.606, R 0.550, macro-F1 0.596, biased-word recall 0.178) and so was BASIL's
  recall (lexical 0.082, informational 0.129), while BASIL's findings per 1,000 words fell
  from 6.32 to 6.25: a prefix kept "kill" and "killed", "ban" and "banning" apart, so an
  article about a killing or a ban had its own subject flagged as loaded. (A stem does keep
  "terrorist" and "terrorism" apart, which a prefix joined: three of the findings it adds.)
- :func:`lemma_candidates` and :func:`verb_forms` stay hand-written. LemmInflect (MIT) was
  tried for both; it needs numpy (70 MB installed), too heavy for the default install,
  and it did not earn an extra. Its lemmas in place of the suffix rules lost recall (BABE
  macro-F1 0.596 -> 0.593, BASIL lexical recall 0.082 -> 0.078: an adverb is its own
  lemma, so VADER never sees "dead" in "deadly" or "illegal" in "illegally"); added after
  the rules, they found one more BABE sentence right and one more wrong, and one more BASIL
  finding that no annotator marked. Its verb forms are real English where these rules make
  "sayed" and miss "slammed", but the verbs it newly recognised ("felt", "admitted that")
  turned sentences into reported speech and lost true findings: BABE recall 0.550 -> 0.548.
"""

from __future__ import annotations

import functools
import threading

import snowballstemmer


def lemma_candidates(word: str) -> list[str]:
    """The word and the stems its common inflections could come from: "slammed" -> "slam"."""
    w = word.lower()
    out = [w]
    rules = (
        ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""),
        ("ing", ""), ("ing", "e"), ("ily", "y"), ("ly", ""),
    )  # fmt: skip
    for suffix, repl in rules:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            stem = w[: -len(suffix)] + repl
            out.append(stem)
            if suffix in ("ed", "ing") and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # slammed -> slamm -> slam
    return out


_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()


def word_family(word: str) -> str:
    """The key a word shares with its inflections and close derivations: "killed", "kills"
    and "killing" share "kill"; "counter-terrorism" is keyed by its last part, "terrorism"."""
    return _stem(word.lower().rsplit("-", 1)[-1])


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # Cached: the pure-Python stemmer takes some 30 us a word, a checker asks for every
    # word of an article, and a batch's articles share most of their vocabulary (BASIL and
    # FRANK dev: 174,000 words, 15,000 distinct). The stemmer keeps the word it works on
    # in itself, and the checkers run in threads: two at once garbled each other's word
    # (an IndexError in one checker now and then, so findings differed between runs).
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


_IRREGULAR = {
    "say": ["said"], "tell": ["told"], "write": ["wrote", "written"], "think": ["thought"],
    "find": ["found"], "hear": ["heard"], "see": ["saw", "seen"], "mean": ["meant"],
    "swear": ["swore", "sworn"], "teach": ["taught"], "forbid": ["forbade", "forbidden"],
    "foretell": ["foretold"], "forget": ["forgot", "forgotten"], "speak": ["spoke", "spoken"],
    "spread": ["spread"], "read": ["read"], "sing": ["sang", "sung"],
}  # fmt: skip


def _doubles(lemma: str) -> bool:
    """A one-syllable verb ending consonant-vowel-consonant doubles its last letter before
    "-ed" and "-ing": "slam", "quip", "jab" (not "say", "fix", "warn")."""
    vowels = "aeiou"
    return (
        len(lemma) <= 4
        and len(lemma) >= 3
        and lemma[-1] not in vowels + "wxy"
        and lemma[-2] in vowels
        and lemma[-3] not in vowels
        and sum(c in vowels for c in lemma) == 1
    )


def verb_forms(lemma: str) -> set[str]:
    """The finite and participle forms of an English verb: say -> says, said, saying."""
    forms = {lemma}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed"}
    elif lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d"}
    elif _doubles(lemma):  # slam -> slammed, slamming
        forms |= {lemma + "s", lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed"}
    if not _doubles(lemma):
        forms.add((lemma[:-1] if lemma.endswith("e") and lemma != "see" else lemma) + "ing")
    forms |= set(_IRREGULAR.get(lemma, []))
    if lemma.endswith("ize"):  # the British spelling too: emphasise, realise
        forms |= verb_forms(lemma[:-3] + "ise")
    return forms
