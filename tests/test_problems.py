"""One case per kind of content or config mistake, each with its exact `path:line: message`."""

from __future__ import annotations

import pytest
from conftest import article
from test_images import jpeg

from generator.cli import main

HEAD = "---\ntitle: Tin\ndate: 2026-11-20 08:00\ncategory: Thời sự\n"

CASES = {
    "yaml syntax": (
        HEAD + "tags: [a, b\n---\nx\n",
        "5: the front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    "yaml tab": (
        "---\ntitle: Tin\n\tdate: x\n---\n",
        "3: the front matter is not valid YAML: found character '\\t' that cannot start any token",
    ),
    "not a mapping": ("---\n- a\n- b\n---\nx\n", '2: the front matter must be lines of "key: value"'),
    "no front matter": (
        "Chỉ có thân bài.\n",
        '1: the file must start with a line "---", then the front matter, then "---"',
    ),
    "never closed": ("---\ntitle: Tin\n", '1: the front matter that starts on line 1 is never closed by a line "---"'),
    "empty file": ("", "1: the file is empty; an article needs front matter and a body"),
    "missing title": (
        "---\ndate: 2026-11-20\ncategory: X\n---\n",
        '1: "title" is missing from the front matter (headline (required))',
    ),
    "empty title": ("---\ntitle: ''\ndate: 2026-11-20\ncategory: X\n---\n", "2: title is empty"),
    "null category": ("---\ntitle: T\ndate: 2026-11-20\ncategory:\n---\n", "4: category must be text, not empty"),
    "list title": ("---\ntitle: [a, b]\ndate: 2026-11-20\ncategory: X\n---\n", "2: title must be text, not a list"),
    "number category": (
        "---\ntitle: T\ndate: 2026-11-20\ncategory: 42\n---\n",
        "4: category must be text, not a number (put it in quotes)",
    ),
    "impossible date": (
        "---\ntitle: T\ndate: 2026-02-30\ncategory: X\n---\n",
        '3: date "2026-02-30" is not a real date (day is out of range for month)',
    ),
    "impossible vn date": (
        "---\ntitle: T\ndate: 31/04/2026 08:00\ncategory: X\n---\n",
        '3: date "31/04/2026 08:00" is not a real date (day is out of range for month)',
    ),
    "ambiguous date": (
        "---\ntitle: T\ndate: 3/4/26\ncategory: X\n---\n",
        '3: date "3/4/26" is not a date; write it like 2024-07-16 14:30 or 16/07/2024 14:30',
    ),
    "words date": (
        "---\ntitle: T\ndate: hôm qua\ncategory: X\n---\n",
        '3: date "hôm qua" is not a date; write it like 2024-07-16 14:30 or 16/07/2024 14:30',
    ),
    "number date": (
        "---\ntitle: T\ndate: 2026\ncategory: X\n---\n",
        "3: date must be a date like 2024-07-16 14:30, not a number",
    ),
    "unknown key": (HEAD + "catgory: X\n---\n", '5: unknown key "catgory" (did you mean "category"?)'),
    "unknown key no hint": (HEAD + "zzz: 1\n---\n", '5: unknown key "zzz"'),
    "duplicate key": (HEAD + "title: Lại\n---\n", '5: "title" is given twice (first on line 2)'),
    "draft not bool": (HEAD + "draft: có\n---\n", '5: draft must be true or false, not "có"'),
    "tags of lists": (HEAD + "tags: [[a]]\n---\n", "5: tags must be a list of words, e.g. [giao thông, an toàn]"),
    "image javascript": (
        HEAD + "image: javascript:alert(1)\n---\n",
        '5: image must be a path beside the article or an http(s) address, not "javascript:alert(1)"',
    ),
    "image data": (
        HEAD + "image: 'data:image/png;base64,AAAA'\n---\n",
        '5: image must be a path beside the article or an http(s) address, not "data:image/png;base64,AAAA"',
    ),
    "image missing": (
        HEAD + "image: anh/khong-co.jpg\n---\n",
        '5: image "anh/khong-co.jpg" is not a file in the content folder',
    ),
    "body image missing": (
        HEAD + "---\n\nĐoạn một.\n\n![Cầu](anh/khong-co.jpg)\nChú thích\n",
        '9: image "anh/khong-co.jpg" is not a file in the content folder',
    ),
    "reference image missing": (
        HEAD + "---\n\n![Cầu][anh]\n\n[anh]: anh/khong-co.png\n",
        '9: image "anh/khong-co.png" is not a file in the content folder',
    ),
    "expires before date": (HEAD + "expires: 2026-11-19 08:00\n---\n", "5: expires must be later than date"),
    "expires not a date": (
        HEAD + "expires: sắp tới\n---\n",
        '5: expires "sắp tới" is not a date; write it like 2024-07-16 14:30 or 16/07/2024 14:30',
    ),
    "aliases not a list": (
        HEAD + "aliases: {cu: 1}\n---\n",
        "5: aliases must be a list of old addresses, e.g. [/tin-tuc/cau-moi.html]",
    ),
    "alias with query": (
        HEAD + "aliases: ['/index.php?id=3']\n---\n",
        '5: alias "/index.php?id=3" must be an old address of this site starting with "/", such as '
        "/tin-tuc/cau-moi.html (no ?query, #part, .. or hidden names)",
    ),
    "alias climbing out": (
        HEAD + "aliases: [/tin/../../etc/passwd]\n---\n",
        '5: alias "/tin/../../etc/passwd" must be an old address of this site starting with "/", such as '
        "/tin-tuc/cau-moi.html (no ?query, #part, .. or hidden names)",
    ),
    "alias elsewhere": (
        HEAD + "aliases: ['ftp://x.vn/a']\n---\n",
        '5: alias "ftp://x.vn/a" must be an old address of this site, such as /tin-tuc/cau-moi.html',
    ),
    "slug without letters": (HEAD + "slug: '!!!'\n---\n", "5: slug has no letters or digits to make an address from"),
    "title too long": (
        "---\ntitle: " + "a" * 300 + "\ndate: 2026-11-20\ncategory: X\n---\n",
        "2: title is 300 characters long; a headline must be at most 250",
    ),
    "windows-1258": (
        HEAD.encode("utf-8") + b"---\n\nTin t\xfd\xecc\n",
        "7: the file is not UTF-8 text (byte 0xfd cannot be read; it may be saved as Windows-1258 or another old encoding); save it as UTF-8",
    ),
    "utf-16": (article().encode("utf-16"), "1: the file is saved as UTF-16; save it as UTF-8"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_mistake_has_its_exact_message(make_site, name):
    text, expected = CASES[name]
    site = make_site({"content/ok.md": article("Tin tốt")})
    assert site.run("build").code == 0
    before = site.snapshot()
    site.write({"content/bad.md": text})
    result = site.run("build")
    assert result.code == 1
    assert result.err.splitlines()[0] == f"{site.root}/content/bad.md:{expected}"
    assert "Traceback" not in result.err
    assert site.snapshot() == before


def test_config_mistakes_are_reported_with_their_lines(make_site):
    site = make_site(
        {"content/a.md": article()},
        config='title = "X"\nper_page = 0\nbase_url = "bantin.vn"\ntimzone = "Asia/Hanoi"\n',
    )
    result = site.run("build")
    toml = f"{site.root}/site.toml"
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{toml}:2: per_page must be a whole number of at least 1",
        f'{toml}:3: base_url must be an address starting with http:// or https://, not "bantin.vn"',
        f'{toml}:4: unknown setting "timzone" (did you mean "timezone"?)',
        "3 problems in 1 file; nothing was written.",
    ]


def test_config_syntax_error_and_bad_timezone(make_site):
    site = make_site({"content/a.md": article()}, config='title = "X"\ntitle2 = \n')
    assert site.run("build").err.splitlines()[0] == f"{site.root}/site.toml:2: not valid TOML: Invalid value"
    site.write({"site.toml": 'timezone = "Mars/Olympus"\n'})
    assert site.run("build").err.splitlines()[0] == (
        f'{site.root}/site.toml:1: timezone "Mars/Olympus" is not a known time zone (try "Asia/Ho_Chi_Minh")'
    )


def test_template_syntax_error_names_template_file_and_line(make_site):
    site = make_site({"content/a.md": article()})
    site.write({"layouts/404.html": '{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n'})
    result = site.run("build")
    assert result.code == 1
    assert (
        result.err.splitlines()[0]
        == f"{site.root}/layouts/404.html:3: template error: Expected an expression, got 'end of statement block'"
    )


def test_template_undefined_variable_names_template_file_and_line(make_site):
    site = make_site({"content/a.md": article()})
    site.write({"layouts/404.html": "<!doctype html>\n<title>404</title>\n<p>{{ no_such_thing }}</p>\n"})
    result = site.run("build")
    assert result.code == 1
    assert result.err.splitlines()[0] == f"{site.root}/layouts/404.html:3: template error: 'no_such_thing' is undefined"


def test_a_template_failing_while_rendering_is_named_with_relative_folders_too(make_site, monkeypatch, capsys):
    site = make_site({"content/a.md": article()})
    site.write({"layouts/404.html": "<!doctype html>\n<title>404</title>\n<p>{{ no_such_thing.x }}</p>\n"})
    monkeypatch.chdir(site.root)
    capsys.readouterr()
    assert main(["build", "--layouts", "layouts", "--content", "content", "--config", "site.toml"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "layouts/404.html:3: template error: 'no_such_thing' is undefined"


def test_category_spellings_that_share_an_address(make_site):
    site = make_site(
        {"content/a.md": article("A", category="Thanh Hóa"), "content/b.md": article("B", category="Thanh Hoa")}
    )
    result = site.run("build")
    assert result.code == 1
    assert result.err.startswith(  # at the line of the category
        f'{site.root}/content/b.md:4: category "Thanh Hoa" and "Thanh Hóa" would share the address '
        "/chuyen-muc/thanh-hoa/; use one spelling"
    )


def test_folders_that_would_harm_each_other_are_refused_before_anything_is_written(make_site):
    site = make_site({"content/a.md": article()})
    (site.root / "output.txt").write_text("a file")
    cases = [
        (["--output", str(site.root / "output.txt")], "the output folder is a file"),
        (["--cache", str(site.output / "cache")], "the cache folder is inside the output folder"),
        (["--cache", str(site.root / "content/cache")], "the cache folder is inside the content folder"),
        (["--output", str(site.root)], "the output folder holds the content folder"),
        (["--output", str(site.root / "layouts/site")], "the output folder is inside the layouts folder"),
    ]
    for extra, message in cases:
        for command in ("build", "serve"):
            result = site.run(command, *extra)
            assert result.code == 1 and message in result.err and "Traceback" not in result.err, (command, extra)
    assert not site.output.exists() and not (site.root / "layouts/site").exists()
    assert (site.root / "output.txt").read_text() == "a file"
    assert site.run("build").code == 0


def test_a_template_expression_that_fails_or_a_template_not_in_utf8_is_a_problem_not_a_crash(make_site):
    site = make_site({"content/a.md": article()})
    site.write({"layouts/404.html": "<!doctype html>\n<title>404</title>\n<p>{{ 1 / 0 }}</p>\n"})
    result = site.run("build")
    assert result.code == 1 and result.err.startswith(f"{site.root}/layouts/404.html:3: template error: division")
    site.write({"layouts/404.html": "<!doctype html>\n<p>{{ 1 + 'a' }}</p>\n"})
    assert site.run("check").err.startswith(f"{site.root}/layouts/404.html:2: template error: unsupported operand")
    site.write({"layouts/404.html": b"<p>Kh\xf4ng t\xecm th\xe1y</p>\n"})
    result = site.run("build")
    assert result.err.startswith(f"{site.root}/layouts/404.html:1: the template is not UTF-8 text; save it as UTF-8")
    assert "Traceback" not in result.err and not site.output.exists()


def test_a_settings_file_that_is_a_folder_is_a_problem_not_a_crash(make_site):
    site = make_site({"content/a.md": article()})
    (site.root / "site.toml").unlink()
    (site.root / "site.toml").mkdir()
    result = site.run("build")
    assert result.code == 1 and result.err.startswith(f"{site.root}/site.toml:1: the settings file cannot be read")


def test_new_refuses_what_check_would_refuse_and_a_content_folder_it_cannot_write(make_site):
    site = make_site({"content/a.md": article()})
    for title, category in (("Tin", "!!!"), ("Tin " * 200, "Thời sự")):
        result = site.run("new", title, "--category", category)
        assert result.code == 1 and "Traceback" not in result.err, title
    assert not (site.root / "content/2026").exists()
    (site.root / "content/2026").write_text("a file")
    result = site.run("new", "Tin mới", "--category", "Thời sự")
    assert result.code == 1 and "cannot be written" in result.err


def test_a_name_too_long_for_a_file_system_is_refused_by_check_and_build(make_site):
    long = "tài liệu hướng dẫn " * 9
    site = make_site(
        {
            "content/a.md": article("Tin", aliases=f"[/{'a' * 240}.html]"),
            f"content/tep/{long}.pdf": b"%PDF-1.4",
        }
    )
    for command in ("check", "build"):
        result = site.run(command)
        assert result.code == 1 and "Traceback" not in result.err, command
        lines = result.err.splitlines()
        assert any(line.startswith(f'{site.root}/content/a.md:1: the name "aaaa') for line in lines), lines
        assert any(f"/content/tep/{long[:20]}" in line and "too long to publish" in line for line in lines), lines
    assert not site.output.exists()


def test_an_output_inside_a_file_or_a_cache_holding_the_sources_is_refused(make_site):
    site = make_site({"content/a.md": article()})
    for extra, where, message in (
        (["--output", str(site.root / "site.toml/x")], f"{site.root}/site.toml/x", "the output folder is a file"),
        (["--cache", str(site.root)], str(site.root), "the cache folder holds the sources"),
        (["--cache", str(site.root / "content/c")], f"{site.root}/content/c", "the cache folder is inside"),
    ):
        result = site.run("build", *extra)
        assert result.code == 1 and result.err.startswith(f"{where}:1: {message}"), result.err


def test_more_mistakes_named_at_their_line_in_plain_words(make_site):
    site = make_site(
        {
            "content/a.md": article("Tin một", aliases="[/bai-viet/tin-mot/]"),
            "content/b.md": article("Tin hai", date="2024-07-16T14:30:00+25:00"),
            "content/c.md": article("Tin ba", date="1900-01-01 00:00"),
            "content/d.md": article("Tin bốn", body="Ảnh:\n\n![x](anh/do.jpg)\n\n![y](do.jpg)\n"),
            "content/anh/do.jpg": jpeg(40, 30),
            "content/.kho/e.md": article("Tin năm"),
        },
        config='base_url = "https://bantin.example.vn/?a=1#b"\n',
    )
    (site.root / "content/kho").symlink_to(".kho")
    result = site.run("build")
    root = f"{site.root}/content"
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.splitlines()[:-1] == [
        f'{root}/a.md:5: alias "/bai-viet/tin-mot/" is the article\'s own address',
        f'{root}/b.md:3: date "2024-07-16T14:30:00+25:00" is not a real date (the time offset must lie between '
        "-23:59 and +23:59)",
        f'{root}/c.md:3: date "1900-01-01 00:00" is earlier than the time zone\'s standard time; check the year',
        f'{root}/d.md:11: image "do.jpg" is not a file in the content folder',  # not line 9's "anh/do.jpg"
        f"{root}/kho:1: a link to a folder is not followed; move the folder here, or link each file",
        f'{site.root}/site.toml:1: base_url must be the site\'s address without "?" or "#", not '
        '"https://bantin.example.vn/?a=1#b"',
    ]
