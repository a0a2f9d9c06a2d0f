"""What the book is made of: the chapters and answers on disk, their titles and goals, the links between pages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

TUTORIALS = Path(__file__).resolve().parents[1]
NUMBERED = "[0-9][0-9]_*.py"  # every chapter, present and future: 01_audio_as_data.py ... 09_ctc.py


@dataclass(frozen=True)
class Page:
    """One executed notebook of the book: a chapter, or the teacher's worked answers to one."""

    source: Path  # the jupytext script
    stem: str  # the file name of its page, notebook and figures, without suffix
    title: str
    goals: tuple[str, ...]

    @property
    def html(self) -> str:
        return f"{self.stem}.html"

    @property
    def notebook(self) -> str:
        return f"notebooks/{self.stem}.ipynb"


def read_page(source: Path, stem: str) -> Page:
    """Title (the first heading) and learning goals (the numbered list after "Learning goals") of a script."""
    first = jupytext.read(source).cells[0].source
    title = re.search(r"^#\s+(.+)$", first, re.MULTILINE).group(1).strip()
    goals, in_goals = [], False
    for line in first.splitlines():
        if "Learning goals" in line:
            in_goals = True
        elif in_goals and re.match(r"\d+\.\s", line):
            goals.append(re.sub(r"^\d+\.\s+", "", line).strip())
        elif in_goals and goals and not line.strip():
            break
    return Page(source, stem, title, tuple(goals))


def discover(root: Path = TUTORIALS) -> tuple[list[Page], list[Page]]:
    """The chapters (root/NN_*.py) and the worked answers (root/answers/NN_*.py), in order."""
    chapters = [read_page(path, path.stem) for path in sorted(root.glob(NUMBERED))]
    answers = [read_page(path, f"answers-{path.stem}") for path in sorted((root / "answers").glob(NUMBERED))]
    return chapters, answers


def navigation(pages: list[Page], k: int, answers_by_chapter: dict[str, Page]) -> list[tuple[str, str]]:
    """(label, href) links of page k: contents, previous, next, its notebook, and its answers or chapter."""
    page = pages[k]
    links = [("Contents", "index.html")]
    if k > 0:
        links.append((f"\u2190 {pages[k - 1].title}", pages[k - 1].html))
    if k + 1 < len(pages):
        links.append((f"{pages[k + 1].title} \u2192", pages[k + 1].html))
    links.append(("Download the notebook", page.notebook))
    if page.stem in answers_by_chapter:
        links.append(("Worked answers", answers_by_chapter[page.stem].html))
    if page.stem.startswith("answers-"):
        links.append(("The chapter", page.stem.removeprefix("answers-") + ".html"))
    return links


def contents(chapters: list[Page], answers: list[Page], quick: bool) -> str:
    """The index page's Markdown: every chapter with its learning goals, then the appendix."""
    lines = ["# minidl — a textbook of deep learning for audio", "",
             "Every page is a notebook executed when the book was built: the figures and numbers are "
             "the ones the code produced" + (" (quick mode: every experiment shrunk)." if quick else "."),
             "Each chapter links to its notebook, to run and change it yourself.", ""]
    for page in chapters:
        lines += [f"## [{page.title}]({page.html})", "", "Learning goals:", ""]
        lines += [f"{k}. {goal}" for k, goal in enumerate(page.goals, 1)]
        lines += ["", f"[notebook]({page.notebook})", ""]
    if answers:
        lines += ["## Appendix: worked answers for teachers", ""]
        lines += [f"* [{page.title}]({page.html}) ([notebook]({page.notebook}))" for page in answers]
    return "\n".join(lines) + "\n"
