"""Reading an article from a file or standard input, whatever state it arrives in.

Decoding: a BOM wins (UTF-8, UTF-16); then UTF-8; then cp1252 (which also reads
Latin-1 text), and the report says which encoding was used. Binary input, empty input
and HTML without the optional extractor are refused with a reason. Offsets in the report
always refer to the decoded text.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .types import Article

#: Past this, an article is not an article (and would not fit any model's context).
MAX_CHARS = 400_000
#: Below this many words, an input is not an article either (a README, a caption): it is
#: reported and skipped rather than sent to the model.
MIN_WORDS = 20

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)


def decode(data: bytes, where: str) -> tuple[str, str]:
    """The text and the encoding it was read with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding.replace("-sig", "")
    if b"\x00" in data[:4096]:
        raise InputError(
            f"{where} looks like a binary file (it contains NUL bytes)",
            "give copydesk the article as text, HTML or Markdown",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is neither UTF-8 nor Windows-1252/Latin-1 text: {exc}",
            "convert it to UTF-8 (e.g. iconv -f SOURCE -t UTF-8)",
        ) from exc
    return text, "cp1252"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bool(sample) and controls / len(sample) > 0.05


def from_html(html: str, where: str) -> tuple[str, str | None]:
    """The main text and the title of a saved web page (trafilatura, an optional extra)."""
    try:
        import lxml.html.clean  # noqa: F401 - trafilatura needs it, and imports it late
        import trafilatura
    except ImportError:
        raise InputError(
            f"{where} is an HTML page, and reading HTML needs the optional extractor",
            "pip install 'copydesk[html]', or save the page as plain text",
        ) from None
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text or not text.strip():
        raise InputError(f"no article text could be found in the HTML page {where}")
    meta = trafilatura.extract_metadata(html)
    return text, (meta.title if meta and meta.title else None)


#: What a folder given as input contributes: the article files in it, sorted.
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
#: A web page larger than this is not one article.
MAX_FETCH_BYTES = 5_000_000


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def expand_inputs(paths: list[str]) -> list[str]:
    """Files as given, ``-`` and URLs as given, folders as the article files inside them."""
    out: list[str] = []
    for path in paths:
        p = Path(path)
        if path != "-" and not is_url(path) and p.is_dir():
            found = sorted(
                str(f) for f in p.iterdir() if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
            )
            if not found:
                raise InputError(
                    f"{path} is a folder with no article files in it",
                    f"copydesk reads {', '.join(ARTICLE_SUFFIXES)} files from a folder",
                )
            out.extend(found)
        else:
            out.append(path)
    return out


def fetch(url: str, timeout: float = 30.0) -> bytes:
    """The bytes of a web page, or an :class:`InputError` that says why not."""
    import urllib.error
    import urllib.request

    from . import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"copydesk/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_FETCH_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url} answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(
            f"cannot fetch {url}: {reason}", "check the address and the network"
        ) from exc
    if len(data) > MAX_FETCH_BYTES:
        raise InputError(f"{url} is larger than {MAX_FETCH_BYTES:,} bytes: not one article")
    return data


def read_article(path: str) -> Article:
    """Read one article from ``path``: a file, a URL, or ``-`` for standard input."""
    if is_url(path):
        return article_from_bytes(fetch(path), path, source=path)
    if path == "-":
        data = sys.stdin.buffer.read()
        where = "standard input"
    else:
        p = Path(path)
        where = str(p)
        if not p.exists():
            raise InputError(f"{where} does not exist")
        if p.is_dir():
            raise InputError(f"{where} is a folder", "name the article files inside it")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {where}: {exc.strerror or exc}") from exc
    return article_from_bytes(data, where, source=path)


def article_from_bytes(data: bytes, where: str, source: str | None = None) -> Article:
    if not data.strip():
        raise InputError(f"{where} is empty", "give copydesk a file with the article's text")
    text, encoding = decode(data, where)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_binary(text):
        raise InputError(
            f"{where} looks like a binary file, not text",
            "give copydesk the article as text, HTML or Markdown",
        )
    title = None
    input_format = "text"
    if _HTML_START.match(data[:1024]) or where.lower().endswith((".html", ".htm")):
        text, title = from_html(text, where)
        input_format = "html"
    if not text.strip():
        raise InputError(f"{where} holds only white space")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"{where} has {len(text):,} characters; copydesk reads articles of up to {MAX_CHARS:,}",
            "split it into separate articles",
        )
    return Article(
        text=text, title=title, source=source, input_format=input_format, encoding=encoding
    )


def too_short(article: Article, where: str) -> str | None:
    """Why ``article`` is too short to check (fewer than MIN_WORDS words), or ``None``."""
    words = len(article.text.split())
    if words >= MIN_WORDS:
        return None
    return (
        f"{where} has {words} word{'s' if words != 1 else ''}, too few for an article "
        f"(copydesk checks articles of {MIN_WORDS} words or more); skipped"
    )


def read_sources(paths: Iterable[str]) -> list[tuple[str, Article]]:
    """The documents given as evidence (``--source``): files, folders (the article files
    in them) and URLs, read exactly as articles are, each as ``(id, document)`` with the
    path or URL as given for its id. One that cannot be read is an :class:`InputError`."""
    out: list[tuple[str, Article]] = []
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            raise InputError("--source cannot be standard input", "give the file's name")
        try:
            for name in expand_inputs([path]):
                if name not in seen:
                    seen.add(name)
                    out.append((name, read_article(name)))
        except InputError as exc:
            raise InputError(f"--source: {exc.message}", exc.hint) from exc
    return out


def check_corpus_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """The ``--corpus`` files, once each is known to exist (what is in them is for the
    corpus source to check)."""
    out = tuple(dict.fromkeys(str(p) for p in paths))
    for path in out:
        if not Path(path).is_file():
            raise InputError(
                f"--corpus: {path} does not exist",
                "build it with `copydesk corpus index FOLDER -o FILE`",
            )
    return out


def read_given(path: str, what: str) -> str:
    """A text given to check against the article (``--summary FILE``), read as an
    article is; its text."""
    try:
        return read_article(path).text.strip()
    except InputError as exc:
        raise InputError(f"{what}: {exc.message}", exc.hint) from exc
