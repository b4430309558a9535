"""Files copydesk writes: whole or not at all, and as readable as the user's other files."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from copydesk.files import atomic_file, write_atomic
from copydesk.report import write_atomic as write_report


@pytest.mark.skipif(sys.platform == "win32", reason="Windows files have no such modes")
def test_a_report_gets_the_mode_of_any_new_file_of_the_user(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "reports" / "article.json"
    write_report(out, "{}")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what the user's umask gives any new file
    assert stat.S_IMODE(out.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_write_that_fails_leaves_the_old_content_and_no_stray_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cache-entry.json"
    write_atomic(path, b'{"old": 1}')
    with pytest.raises(RuntimeError), atomic_file(path) as out:
        out.write('{"new": ')
        raise RuntimeError("disk gone")
    assert path.read_bytes() == b'{"old": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache-entry.json"]
