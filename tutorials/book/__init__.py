"""The book: every chapter (and its worked answers) executed as a notebook and published as a static HTML site.

``python -m tutorials.book OUT`` (``QUICK=1`` for the quick versions) writes

    OUT/index.html            contents: every chapter with its learning goals, then the appendix
    OUT/NN_name.html          one page per chapter: outputs, figures (OUT/NN_name_files/), math as MathML
    OUT/answers-NN_name.html  the teacher's worked answers (tutorials/answers/NN_name.py)
    OUT/notebooks/*.ipynb     the executed notebooks, for download
    OUT/figures/              what the chapters save: their PNG figures and key numbers (NN_name.json)

The tools are the ecosystem's: jupytext reads the scripts, nbclient runs them
on an IPython kernel, nbconvert renders the pages (its lab template, made offline
in templates/minidl). A cell that raises stops the build with the chapter's name.
"""
from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor
from traitlets.config import Config

from .mathml import MathMLPreprocessor
from .pages import TUTORIALS, Page, contents, discover, navigation

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPO = TUTORIALS.parent


# With one notebook per core, a kernel that starts a thread per core (Numba's parallel loops, BLAS)
# oversubscribes the machine, and threads waiting on each other cost more than the work. What the
# user set explicitly wins.
ONE_THREAD = {name: "1" for name in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def kernel_environment(figures: Path, *, parallel: bool) -> dict:
    """The kernel's environment: chapters save to ``figures``, import the repository, and draw inline."""
    env = {**(ONE_THREAD if parallel else {}), **os.environ, "TUTORIAL_OUT": str(figures)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), str(TUTORIALS), env.get("PYTHONPATH")) if p)
    env.pop("MPLBACKEND", None)  # a backend set for scripts (Agg) would hide every figure from the notebook
    return env


class ChapterFailed(RuntimeError):
    """A cell of a chapter raised while the book was built (the message names the chapter and shows the cell)."""


def execute(source: Path, figures: Path, parallel: bool) -> tuple[nbformat.NotebookNode, float]:
    """Run one script as a notebook, in the tutorials folder; returns the executed notebook and its seconds."""
    start = time.perf_counter()
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(TUTORIALS)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])  # not a warning per kernel about TCP
    try:
        client.execute(env=kernel_environment(figures, parallel=parallel))
    except CellExecutionError as error:  # re-raised as a plain message: it crosses a process boundary
        raise ChapterFailed(f"{source.name} failed:\n{error}") from None
    return notebook, time.perf_counter() - start


def exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the book's template, MathML math and figures as separate files."""
    config = Config()
    config.HTMLExporter.preprocessors = [MathMLPreprocessor, ExtractOutputPreprocessor]
    config.ExtractOutputPreprocessor.extract_output_types = {"image/png", "image/jpeg", "image/svg+xml"}
    return HTMLExporter(config=config, template_name="minidl", extra_template_basedirs=[str(TEMPLATES)])


def write_page(notebook, stem: str, title: str, links: list, out: Path) -> None:
    """Render one notebook to OUT/<stem>.html, its figures to OUT/<stem>_files/."""
    notebook.metadata["title"] = title
    resources = {"output_files_dir": f"{stem}_files", "unique_key": stem, "book_links": links}
    body, resources = exporter().from_notebook_node(notebook, resources=resources)
    for name, data in resources.get("outputs", {}).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    (out / f"{stem}.html").write_text(body, encoding="utf-8")


def build(out: Path, *, jobs: int | None = None, log=print) -> dict[str, float]:
    """Build the whole book into ``out`` (replacing the book there); returns seconds per page."""
    out = Path(out)
    is_book = (out / "index.html").is_file() and (out / "notebooks").is_dir()
    if out.exists() and any(out.iterdir()) and not is_book:
        raise FileExistsError(f"{out} is not empty and holds no book: refusing to replace it")
    shutil.rmtree(out, ignore_errors=True)
    (out / "notebooks").mkdir(parents=True)
    figures = out / "figures"
    figures.mkdir()
    chapters, answers = discover()
    pages: list[Page] = chapters + answers
    # The longest scripts first, so that the slowest chapter does not start last on a busy pool.
    order = sorted(pages, key=lambda page: page.source.stat().st_size, reverse=True)
    jobs = jobs or min(len(pages), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        runs = {page.stem: pool.submit(execute, page.source, figures, jobs > 1) for page in order}
        executed = {stem: run.result() for stem, run in runs.items()}
    answers_by_chapter = {page.stem.removeprefix("answers-"): page for page in answers}
    seconds = {}
    for group in (chapters, answers):
        for k, page in enumerate(group):
            notebook, seconds[page.stem] = executed[page.stem]
            nbformat.write(notebook, out / page.notebook)
            write_page(notebook, page.stem, page.title, navigation(group, k, answers_by_chapter), out)
            log(f"{page.html:<40} {seconds[page.stem]:6.1f} s")
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        contents(chapters, answers, quick=os.environ.get("QUICK", "0") == "1"))])
    write_page(index, "index", "minidl — the book", [], out)
    return seconds
