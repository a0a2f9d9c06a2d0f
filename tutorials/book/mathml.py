"""TeX math in Markdown becomes MathML when the book is built, so pages need no script and no network.

nbconvert's HTML pages load MathJax from a CDN, which a machine without
internet cannot reach. Browsers typeset MathML natively (Chromium since 109,
Firefox, Safari), so we convert ``$...$`` and ``$$...$$`` with latex2mathml
before nbconvert renders the Markdown; the ``<math>`` elements pass through as
inline HTML. Code spans and fenced code are left alone: ``$TUTORIAL_OUT`` is not math.
"""
from __future__ import annotations

import re

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor

CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)  # fenced blocks first, then inline spans
DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")


def _math(tex: str, display: str) -> str:
    return convert(" ".join(tex.split()), display=display)  # one line: Markdown must not split the element


def tex_to_mathml(markdown: str) -> str:
    """Replace every TeX formula outside code by MathML. str -> str"""
    pieces = CODE.split(markdown)
    for k in range(0, len(pieces), 2):  # even pieces are prose, odd ones are code
        prose = DISPLAY.sub(lambda m: _math(m.group(1), "block"), pieces[k])
        pieces[k] = INLINE.sub(lambda m: _math(m.group(1), "inline"), prose)
    return "".join(pieces)


class MathMLPreprocessor(Preprocessor):
    """Converts the math of Markdown cells and of Markdown outputs (what a chapter's ``say`` displays)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = tex_to_mathml(cell.source)
        for output in cell.get("outputs", []):
            if "text/markdown" in output.get("data", {}):
                output.data["text/markdown"] = tex_to_mathml(output.data["text/markdown"])
        return cell, resources
