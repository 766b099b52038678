"""Pictures: figures with captions, width/height, srcset copies made by Pillow and cached, broken pictures refused."""

from __future__ import annotations

import io
import re
import shutil

import feedparser
from conftest import article
from PIL import Image

SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'/>"


def jpeg(width: int, height: int, orientation: int | None = None, colour: str = "#3a6ea5") -> bytes:
    """A real JPEG of the given size, optionally with an EXIF orientation tag (as phones write them)."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((200, 30, 30), (0, 0, width // 2, height // 3))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def attributes(page: str, src: str) -> dict[str, str]:
    """The attributes of the first <img> whose src is `src`."""
    tag = re.search(rf'<img[^>]*\ssrc="{re.escape(src)}"[^>]*>', page)
    assert tag, f"no <img> for {src}"
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag.group(0)))


def test_lead_and_body_pictures_get_sizes_and_narrower_copies(make_site):
    site = make_site(
        {
            "content/2026/anh/cau.jpg": jpeg(2000, 1000),
            "content/2026/anh/hien-truong.jpg": jpeg(1200, 900),
            "content/2026/anh/nho.jpg": jpeg(400, 300),
            "content/2026/bai.md": article(
                "Cầu mới",
                image="anh/cau.jpg",
                image_caption="Cầu nhìn từ bờ bắc",
                image_alt="Cây cầu dây văng bắc qua sông",
                body="Mở đầu.\n\n![Hiện trường](anh/hien-truong.jpg)\nCông nhân trên cầu\n\n![Nhỏ](anh/nho.jpg)\n",
            ),
        }
    )
    assert site.run("build").code == 0
    folder = site.output / "2026/anh"
    assert sorted(p.name for p in folder.iterdir()) == [
        "cau-1440w.jpg",
        "cau-480w.jpg",
        "cau-960w.jpg",
        "cau.jpg",
        "hien-truong-480w.jpg",
        "hien-truong-960w.jpg",
        "hien-truong.jpg",
        "nho.jpg",
    ]
    for name, size in [
        ("cau-480w.jpg", (480, 240)),
        ("cau-1440w.jpg", (1440, 720)),
        ("hien-truong-960w.jpg", (960, 720)),
    ]:
        with Image.open(folder / name) as copy:
            assert copy.size == size and copy.format == "JPEG", name
    assert (folder / "cau.jpg").read_bytes() == (site.root / "content/2026/anh/cau.jpg").read_bytes()  # original kept

    page = site.page("bai-viet/cau-moi/index.html")
    lead = attributes(page, "/2026/anh/cau.jpg")
    assert lead["width"] == "2000" and lead["height"] == "1000"
    assert lead["srcset"] == (
        "/2026/anh/cau-480w.jpg 480w, /2026/anh/cau-960w.jpg 960w, /2026/anh/cau-1440w.jpg 1440w, /2026/anh/cau.jpg 2000w"
    )
    assert lead["sizes"] and lead["alt"] == "Cây cầu dây văng bắc qua sông"
    assert "loading" not in lead and lead["fetchpriority"] == "high"  # the lead is above the fold
    assert "<figcaption>Cầu nhìn từ bờ bắc</figcaption>" in page

    body = attributes(page, "/2026/anh/hien-truong.jpg")
    assert (body["width"], body["height"], body["loading"]) == ("1200", "900", "lazy")
    assert body["srcset"].startswith("/2026/anh/hien-truong-480w.jpg 480w, /2026/anh/hien-truong-960w.jpg 960w")
    assert re.search(
        r'<figure><img [^>]*src="/2026/anh/hien-truong.jpg"[^>]*><figcaption>Công nhân trên cầu</figcaption>', page
    )
    small = attributes(page, "/2026/anh/nho.jpg")
    assert (small["width"], small["height"]) == ("400", "300") and "srcset" not in small

    home = site.page("index.html")
    assert 'srcset="/2026/anh/cau-480w.jpg 480w' in home


def test_phone_photo_orientation_is_applied(make_site):
    site = make_site(
        {
            "content/anh/doc.jpg": jpeg(1200, 800, orientation=6),  # stored sideways, shown upright 800x1200
            "content/a.md": article("Ảnh dọc", image="anh/doc.jpg"),
        }
    )
    assert site.run("build").code == 0
    lead = attributes(site.page("bai-viet/anh-doc/index.html"), "/anh/doc.jpg")
    assert (lead["width"], lead["height"]) == ("800", "1200")
    with Image.open(site.output / "anh/doc-480w.jpg") as copy:
        assert copy.size == (480, 720)
        assert copy.getexif().get(0x0112) is None  # no orientation left to apply twice, no camera data


def test_svg_and_remote_pictures_are_left_alone_but_captioned(make_site):
    site = make_site(
        {
            "content/anh/so-do.svg": SVG,
            "content/a.md": article(
                "Sơ đồ",
                image="https://anh.example.vn/cau.jpg",
                image_caption="Ảnh từ kho",
                body="![Sơ đồ](anh/so-do.svg)\nSơ đồ tuyến\n\n![Ảnh ngoài](https://anh.example.vn/x.png)\nẢnh của bạn đọc\n",
            ),
        }
    )
    assert site.run("build").code == 0
    assert sorted(p.name for p in (site.output / "anh").iterdir()) == ["so-do.svg"]
    page = site.page("bai-viet/so-do/index.html")
    svg = attributes(page, "/anh/so-do.svg")
    assert "srcset" not in svg and "width" not in svg
    remote = attributes(page, "https://anh.example.vn/x.png")
    assert "srcset" not in remote and remote["loading"] == "lazy"
    assert "<figcaption>Sơ đồ tuyến</figcaption>" in page and "<figcaption>Ảnh của bạn đọc</figcaption>" in page
    lead = attributes(page, "https://anh.example.vn/cau.jpg")
    assert "srcset" not in lead and "<figcaption>Ảnh từ kho</figcaption>" in page


def test_an_unchanged_picture_is_not_resized_again(make_site, tmp_path):
    cache = tmp_path / "cache"
    site = make_site({"content/anh/a.jpg": jpeg(1000, 500), "content/a.md": article("Tin", image="anh/a.jpg")})
    assert site.run("build", "--cache", str(cache)).code == 0
    stored = sorted((cache / "images").iterdir())
    assert [re.sub(r"^[0-9a-f]{64}", "HASH", p.name) for p in stored] == ["HASH-480-r1.jpg", "HASH-960-r1.jpg"]
    assert stored[0].read_bytes() == (site.output / "anh/a-480w.jpg").read_bytes()
    # Mark the cached copy: a second build that publishes the mark used the cache instead of resizing.
    # output/ is removed first: with it intact, the build has nothing to redo and reads no cache at all.
    stored[0].write_bytes(b"cached copy")
    shutil.rmtree(site.output)
    assert site.run("build", "--cache", str(cache)).code == 0
    assert (site.output / "anh/a-480w.jpg").read_bytes() == b"cached copy"
    # A changed picture has other bytes, so another key: it is resized afresh.
    site.write({"content/anh/a.jpg": jpeg(1000, 500, colour="#228b22")})
    assert site.run("build", "--cache", str(cache)).code == 0
    with Image.open(site.output / "anh/a-480w.jpg") as fresh:
        assert fresh.size == (480, 240)
    assert len(list((cache / "images").iterdir())) == 4


def test_the_cache_sits_beside_site_toml_by_default_and_check_writes_no_output(make_site):
    site = make_site({"content/anh/a.jpg": jpeg(1000, 500), "content/a.md": article("Tin", image="anh/a.jpg")})
    assert site.run("check").code == 0
    assert not site.output.exists()
    assert len(list((site.root / ".bulletin-cache/images").iterdir())) == 2


def test_broken_pictures_are_errors_naming_article_and_line(make_site):
    site = make_site(
        {
            "content/anh/hong.jpg": b"\xff\xd8\xff this is not really a JPEG",
            "content/a.md": article(
                "Tin",
                image="anh/hong.jpg",
                body="Đoạn.\n\n![Ảnh hỏng](anh/hong.jpg)\n\n![Ảnh thiếu](anh/thieu.png)\n",
            ),
        }
    )
    result = site.run("build")
    assert result.code == 1
    path = f"{site.root}/content/a.md"
    reason = "the file is not a picture Pillow can read (is it really a JPEG, PNG, WebP or GIF?)"
    assert result.err.splitlines() == [
        f'{path}:5: image "anh/hong.jpg" cannot be used: {reason}',
        f'{path}:10: image "anh/hong.jpg" cannot be used: {reason}',
        f'{path}:12: image "anh/thieu.png" is not a file in the content folder',
        "3 problems in 1 file; nothing was written.",
    ]
    assert not site.output.exists()


def test_feeds_carry_the_lead_picture_as_an_enclosure_of_its_real_size(make_site):
    photo = jpeg(1600, 900)
    site = make_site(
        {
            "content/anh/a.jpg": photo,
            "content/anh/b.png": _png(),
            "content/a.md": article("Có ảnh", image="anh/a.jpg", tags="[Sầm Sơn]", body="![x](anh/b.png)\nChú thích"),
            "content/b.md": article("Không ảnh", date="2026-11-21 08:00", tags="[Sầm Sơn]"),
        }
    )
    assert site.run("build").code == 0
    for name in ("rss.xml", "atom.xml", "the/sam-son/rss.xml", "the/sam-son/atom.xml", "chuyen-muc/thoi-su/atom.xml"):
        parsed = feedparser.parse((site.output / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        entries = {e.title: e for e in parsed.entries}
        enclosures = entries["Có ảnh"].enclosures
        assert len(enclosures) == 1, name
        assert enclosures[0].href == "https://bantin.example.vn/anh/a.jpg"
        assert int(enclosures[0].length) == len(photo) == (site.output / "anh/a.jpg").stat().st_size
        assert enclosures[0].type == "image/jpeg"
        assert entries["Không ảnh"].enclosures == []
        content = entries["Có ảnh"].content[0].value
        assert 'src="https://bantin.example.vn/anh/a.jpg"' in content  # the lead image opens the full text
        assert 'src="https://bantin.example.vn/anh/b.png"' in content and "srcset" not in content


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (900, 300), (20, 120, 200, 128)).save(out, "PNG")
    return out.getvalue()


def test_file_names_with_spaces_and_vietnamese_letters(make_site):
    site = make_site(
        {
            "content/ảnh/cầu mới.jpg": jpeg(1000, 500),
            "content/a.md": article("Tin", image="ảnh/cầu mới.jpg", body="![Cầu](<ảnh/cầu mới.jpg>)\nCầu mới"),
        }
    )
    assert site.run("build").code == 0
    page = site.page("bai-viet/tin/index.html")
    srcsets = re.findall(r'srcset="([^"]*)"', page)
    assert len(srcsets) == 2
    encoded = "/%E1%BA%A3nh/c%E1%BA%A7u%20m%E1%BB%9Bi"
    assert srcsets[0] == f"{encoded}-480w.jpg 480w, {encoded}-960w.jpg 960w, {encoded}.jpg 1000w"
    assert srcsets[1] == srcsets[0]
    assert (site.output / "ảnh/cầu mới-480w.jpg").is_file() and (site.output / "ảnh/cầu mới-960w.jpg").is_file()
    enclosure = feedparser.parse((site.output / "rss.xml").read_bytes()).entries[0].enclosures[0]
    assert enclosure.href == f"https://bantin.example.vn{encoded}.jpg"


def test_pictures_load_in_a_real_browser(make_site, browser):
    from browser import static_server

    site = make_site(
        {
            "content/ảnh/cầu mới.jpg": jpeg(2000, 1000),
            "content/a.md": article("Tin", image="ảnh/cầu mới.jpg", body="Đoạn.\n\n![Cầu](<ảnh/cầu mới.jpg>)\nCầu"),
        }
    )
    assert site.run("build").code == 0
    with static_server(site.output) as base:
        page = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=1)
        page.goto(base + "/bai-viet/tin/")
        page.evaluate("scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function("[...document.images].every(i => i.complete)")
        chosen = page.evaluate("[...document.images].map(i => [i.currentSrc, i.naturalWidth])")
        page.close()
    # A 360 px phone takes the 480 px copy of both pictures, and every one of them loaded.
    assert [src.rsplit("/", 1)[1] for src, _ in chosen] == ["c%E1%BA%A7u%20m%E1%BB%9Bi-480w.jpg"] * 2
    assert all(width > 0 for _, width in chosen)


def test_a_picture_cut_short_is_a_problem_of_the_picture_not_a_crash(make_site):
    """Its header reads well (so its size is known) but its pixels end early: the copies cannot be made."""
    noisy = Image.effect_noise((1600, 1200), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=90)
    site = make_site(
        {"content/a.md": article("Tin", image="anh/cat.jpg"), "content/anh/cat.jpg": out.getvalue()[:4000]}
    )
    for command in ("check", "build"):
        result = site.run(command)
        assert result.code == 1 and "Traceback" not in result.err, command
        assert result.err.startswith(
            f"{site.root}/content/anh/cat.jpg:1: the picture cannot be resized: the file is damaged"
        )
    assert not site.output.exists()
