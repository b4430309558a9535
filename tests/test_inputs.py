"""Whatever state an article arrives in, copydesk reads it or says why it cannot."""

from __future__ import annotations

import codecs

import pytest

from copydesk.errors import InputError
from copydesk.inputs import MAX_CHARS, article_from_bytes, read_article

TEXT = "The minister said the café would reopen on 3 May — “soon”, she added.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_common_encodings_are_decoded_and_reported(data, encoding):
    article = article_from_bytes(data, "a.txt")
    assert article.text == TEXT
    assert article.encoding == encoding


def test_windows_line_endings_are_normalised_so_offsets_are_stable():
    assert article_from_bytes(b"one\r\ntwo\r\n", "a.txt").text == "one\ntwo\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t \n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_empty_and_binary_input_is_refused_with_the_reason(data, message):
    with pytest.raises(InputError, match=message):
        article_from_bytes(data, "bad.txt")


def test_a_missing_file_or_a_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_article(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a folder"):
        read_article(str(tmp_path))


def test_a_huge_input_is_refused_before_any_model_time_is_spent():
    with pytest.raises(InputError, match="characters; copydesk reads articles of up to"):
        article_from_bytes(b"word " * (MAX_CHARS // 4), "huge.txt")


def test_a_saved_web_page_is_reduced_to_its_article_text():
    pytest.importorskip("trafilatura")
    paragraphs = "".join(
        f"<p>Paragraph {i} of the story says the council met and voted on the new budget for the town.</p>"
        for i in range(8)
    )
    html = (
        "<!DOCTYPE html><html><head><title>Council passes budget</title>"
        "<script>alert('x')</script></head><body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
        f"<article><h1>Council passes budget</h1>{paragraphs}</article>"
        "<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"
    )
    article = article_from_bytes(html.encode(), "page.html")
    assert article.input_format == "html"
    assert article.title == "Council passes budget"
    assert "Paragraph 3 of the story" in article.text
    assert "alert" not in article.text and "Home | News" not in article.text


def test_a_folder_stands_for_the_article_files_in_it(tmp_path):
    from copydesk.inputs import expand_inputs

    (tmp_path / "b.txt").write_text("second")
    (tmp_path / "a.html").write_text("<html></html>")
    (tmp_path / "notes.json").write_text("{}")
    assert expand_inputs([str(tmp_path), "-"]) == [
        str(tmp_path / "a.html"),
        str(tmp_path / "b.txt"),
        "-",
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no article files"):
        expand_inputs([str(empty)])


@pytest.fixture
def web():
    """A local web server with one page, one 404 and a huge page (tests never leave the machine)."""
    import http.server
    import threading

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/story.txt":
                body = TEXT.encode()
            elif self.path == "/huge":
                body = b"x" * 5_000_002
            else:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_article_can_be_read_from_a_url(web):
    article = read_article(f"{web}/story.txt")
    assert article.text == TEXT and article.source == f"{web}/story.txt"


def test_a_url_that_fails_says_why(web):
    with pytest.raises(InputError, match="answered HTTP 404"):
        read_article(f"{web}/missing")
    with pytest.raises(InputError, match="larger than 5,000,000 bytes"):
        read_article(f"{web}/huge")
    with pytest.raises(InputError, match=r"cannot fetch http://127\.0\.0\.1:9/"):
        read_article("http://127.0.0.1:9/")


def test_html_without_the_extractor_installed_is_an_input_error_that_says_what_to_install(
    monkeypatch,
):
    import builtins

    real_import = builtins.__import__

    def no_extractor(name, *args, **kwargs):
        if name.startswith(("trafilatura", "lxml.html.clean")):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_extractor)
    with pytest.raises(InputError, match=r"pip install 'copydesk\[html\]'"):
        article_from_bytes(b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "page.html")
