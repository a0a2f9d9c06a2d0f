"""The README's tour is code a newcomer copies: it must run as written."""
from __future__ import annotations

import pathlib
import re

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 2, "the README should hold a tour in python blocks"
    monkeypatch.chdir(tmp_path)  # the tour saves model.npz
    exec(compile("\n".join(blocks), str(README), "exec"), {})
    assert (tmp_path / "model.npz").exists()
    assert "gradcheck passed" in capsys.readouterr().out
