"""The quick-mode book: a page per chapter and per worked answer, figures that decode, no errors, no dead links."""
from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tutorials.book.mathml import tex_to_mathml
from tutorials.book.pages import discover

pytestmark = pytest.mark.slow  # the book is built once for the session (conftest.py): about two minutes

CHAPTERS, ANSWERS = discover()


class Links(HTMLParser):
    """Every href and src of a page, and every id it defines."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def decode(path: Path):
    from PIL import Image  # matplotlib's own dependency

    with Image.open(io.BytesIO(path.read_bytes())) as image:
        image.load()  # decodes every pixel, not just the header
        return image.size


@pytest.mark.parametrize("page", CHAPTERS + ANSWERS, ids=lambda page: page.stem)
def test_every_page_exists_with_its_figures_and_no_error(book, page):
    html = book / page.html
    assert html.is_file(), f"no page for {page.source.name}"
    text = html.read_text(encoding="utf-8")
    assert "Traceback" not in text
    notebook = json.loads((book / page.notebook).read_text())
    errors = [output for cell in notebook["cells"] for output in cell.get("outputs", []) if output["output_type"] == "error"]
    assert not errors, errors[:1]
    images = parse(html).images
    pictures = sum(1 for cell in notebook["cells"] for output in cell.get("outputs", [])
                   if "image/png" in output.get("data", {}))
    assert len(images) == pictures
    for src in images:
        width, height = decode(book / unquote(src))
        assert width > 50 and height > 50, src
    if page in CHAPTERS:
        saved = [line for line in page.source.read_text().splitlines() if "save(" in line and "def save" not in line]
        assert pictures >= len(saved), f"{page.stem}: {len(saved)} figures saved, {pictures} shown"


def test_every_internal_link_resolves(book):
    pages = sorted(book.glob("*.html"))
    assert {path.name for path in pages} >= {"index.html"} | {page.html for page in CHAPTERS + ANSWERS}
    for path in pages:
        for link in parse(path).links:
            url = urlparse(link)
            if url.scheme or url.netloc or link.startswith("data:"):
                continue  # an external address or an inline image: not the book's to resolve
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            assert target.is_file(), f"{path.name} links to {link}, which does not exist"
            if url.fragment and target.suffix == ".html":
                ids = parse(target).ids  # a browser matches the fragment as written, then percent-decoded
                assert {url.fragment, unquote(url.fragment)} & ids, f"{path.name}: no #{url.fragment} in {target.name}"


def test_index_lists_every_chapter_with_goals_and_pages_link_in_order(book):
    index = (book / "index.html").read_text(encoding="utf-8")
    for page in CHAPTERS:
        assert f'href="{page.html}"' in index and f'href="{page.notebook}"' in index
    for before, after in zip(CHAPTERS, CHAPTERS[1:]):
        assert f'href="{after.html}"' in (book / before.html).read_text(encoding="utf-8")
        assert f'href="{before.html}"' in (book / after.html).read_text(encoding="utf-8")


def test_math_is_mathml_and_no_page_needs_the_network(book):
    for path in book.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script src=\"http" not in text and "cdn" not in text.lower(), path.name
    assert "<math" in (book / CHAPTERS[0].html).read_text(encoding="utf-8")


def test_math_conversion_leaves_code_alone():
    converted = tex_to_mathml("cost $N^2$, `$TUTORIAL_OUT` and\n$$X_k = \\sum_n x_n$$")
    assert converted.count("<math") == 2 and "`$TUTORIAL_OUT`" in converted and 'display="block"' in converted


def test_a_new_chapter_joins_the_book(tmp_path):
    for name in ("01_first.py", "09_ctc.py", "tutorial_support.py"):
        (tmp_path / name).write_text(f"# %% [markdown]\n# # {name}\n#\n# **Learning goals.**\n# 1. one\n")
    chapters, answers = discover(tmp_path)
    assert [page.stem for page in chapters] == ["01_first", "09_ctc"] and answers == []
    assert chapters[1].goals == ("one",)
