"""`bulletin watch` as a real process: edits, additions, deletions and broken saves."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from conftest import CHILD_ENV, NOW, article, text_of, wait_until


def test_watch_rebuilds_on_edit_add_delete_and_survives_a_broken_save(make_site, tmp_path):
    site = make_site({"content/a.md": article("Tin một", body="Bản đầu.")})
    log = (tmp_path / "watch.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "watch", "--now", NOW],
        cwd=site.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=CHILD_ENV,
    )
    page = site.output / "bai-viet/tin-mot/index.html"
    try:
        assert wait_until(lambda: "Watching" in text_of(tmp_path / "watch.log")), text_of(tmp_path / "watch.log")
        assert "Bản đầu." in text_of(page)

        site.write({"content/a.md": article("Tin một", body="Bản sửa.")})
        assert wait_until(lambda: "Bản sửa." in text_of(page), 15), text_of(tmp_path / "watch.log")

        site.write({"content/moi/b.md": article("Tin hai")})
        assert wait_until(lambda: (site.output / "bai-viet/tin-hai/index.html").is_file(), 15)
        assert wait_until(lambda: "2 articles" in text_of(tmp_path / "watch.log"), 15)  # the whole build is written

        before = site.snapshot()
        site.write({"content/a.md": "---\ntitle: Tin một\ndate: hôm nay\ncategory: Thời sự\n---\nHỏng.\n"})
        assert wait_until(lambda: 'a.md:3: date "hôm nay" is not a date' in text_of(tmp_path / "watch.log"), 15)
        time.sleep(0.5)
        assert site.snapshot() == before
        assert process.poll() is None

        (site.root / "content/moi/b.md").unlink()
        site.write({"content/a.md": article("Tin một", body="Đã sửa lỗi.")})
        assert wait_until(lambda: "Đã sửa lỗi." in text_of(page), 15)
        assert wait_until(lambda: not (site.output / "bai-viet/tin-hai").exists(), 15)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        log.close()
    assert "Stopped watching." in text_of(tmp_path / "watch.log")
    assert "Traceback" not in text_of(tmp_path / "watch.log")


def test_new_writes_a_draft_that_builds(make_site):
    site = make_site({})
    result = site.run("new", "Thanh Hóa khai trương trung tâm dữ liệu", "--category", "Chuyển đổi số")
    assert result.code == 0
    path = site.root / "content/2026/thanh-hoa-khai-truong-trung-tam-du-lieu.md"
    assert path.is_file() and "draft: true" in path.read_text("utf-8")
    assert site.run("build", "--drafts").code == 0
    assert (site.output / "bai-viet/thanh-hoa-khai-truong-trung-tam-du-lieu/index.html").is_file()
    again = site.run("new", "Thanh Hóa khai trương trung tâm dữ liệu", "--category", "Chuyển đổi số")
    assert again.code == 1 and "already exists" in again.err
