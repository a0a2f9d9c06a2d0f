"""The classroom kit itself: regions, the student copy, the grader, the command.

The slow tests run the whole cycle the issue asks for, for every
assignment: make the student copy, check each task fails with its
"Task a.b" message, put the solutions back, check full marks; and they
plant mistakes (a sign error, a syntax error, an infinite loop, a missing
transition) that must each cost exactly one task and be named.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from minidl.classroom import ASSIGNMENTS, grade, make_assignment, regions, restore_solutions
from minidl.classroom.catalog import all_markers
from minidl.classroom.make import find_leaks, project_root
from minidl.cli import main
from minidl.errors import AssignmentError

ROOT = project_root()
B, E = "# BEGIN SOLUTION", "# END SOLUTION"  # assembled here so this file holds no region itself


# ---------------------------------------------------------------- regions
def test_regions_are_parsed_with_hint_indent_and_body():
    text = f"def f(x):\n    # HINT: square it\n    {B} 1.2\n    y = x * x\n    return y\n    {E}\n"
    (region,) = regions.find_regions(text, "m.py")
    assert (region.task, region.hint, region.indent, region.body) == ("1.2", "square it", "    ",
                                                                      ("    y = x * x", "    return y"))
    stubbed = regions.stub_regions(text, "m.py", {"1.2": "title"})
    assert 'raise NotImplementedError("Task 1.2: square it")' in stubbed and "x * x" not in stubbed
    namespace = {}
    exec(stubbed, namespace)
    with pytest.raises(NotImplementedError, match="Task 1.2: square it"):
        namespace["f"](3)
    # and back: the solution's body fills the student's region
    assert regions.fill_regions(stubbed, "m.py", [region], {"1.2"}) == text


@pytest.mark.parametrize("text, message", [
    (f"{B} 1.1\nx = 1\n{B} 1.2\n{E}\n", "inside the region opened at line 1"),
    (f"x = 1\n{E}\n", "without a BEGIN"),
    (f"{B} 1.1\nx = 1\n", "never closed"),
    (f"{B} 1.1\n\n{E}\n", "is empty"),
    (f"{B} two\nx = 1\n{E}\n", "'two' is not of the form"),
])
def test_malformed_regions_are_reported_with_file_and_line(text, message):
    with pytest.raises(AssignmentError, match=message) as info:
        regions.find_regions(text, "pkg/mod.py")
    assert "pkg/mod.py:" in str(info.value)


def test_only_lines_that_compute_count_as_solution_lines():
    assert regions.is_distinctive("d_f = dc * c_prev * f * (1 - f)")
    assert regions.is_distinctive("X = np.concatenate([even + w * odd, even - w * odd], axis=-2)")
    for scaffolding in ("for b in range(B):", "B, H = c_prev.shape", "x = cache[b, H:2 * H]", "# a * b", ")"):
        assert not regions.is_distinctive(scaffolding), scaffolding


def test_every_task_has_regions_and_a_registered_marker():
    found = regions.scan(ROOT)
    for a in ASSIGNMENTS.values():
        for t in a.tasks:
            mine = [r for r in found if r.task == t.id]
            assert mine, f"task {t.id} has no region"
            assert any(regions.is_distinctive(line) for r in mine for line in r.body), t.id
    assert {r.task for r in found} == {t.id for a in ASSIGNMENTS.values() for t in a.tasks}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    registered = {m.split(":")[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    assert set(all_markers()) <= registered


# ---------------------------------------------------------------- making a student copy
@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_student_copy_keeps_no_solution_line_and_everything_else(tmp_path, name):
    out = make_assignment(name, tmp_path / "hw")
    removed = [r for r in regions.scan(ROOT) if r.task in {t.id for t in ASSIGNMENTS[name].tasks}]
    assert find_leaks(out, removed) == []
    stubs = [r for r in regions.scan(out) if r.task in {t.id for t in ASSIGNMENTS[name].tasks}]
    assert len(stubs) == len(removed)
    for region in stubs:
        assert len(region.body) == 1, region.where()
        assert region.body[0].strip().startswith(f"raise NotImplementedError(\"Task {region.task}: "), region.body[0]
    assert not (out / ".git").exists() and not list(out.rglob("__pycache__"))
    assert (out / "ASSIGNMENT.md").read_text().startswith("# ")
    assert json.loads((out / ".assignment.json").read_text())["assignment"] == name
    # files without regions are copied unchanged
    assert (out / "README.md").read_bytes() == (ROOT / "README.md").read_bytes()


def test_a_leak_stops_make_and_leaves_nothing(tmp_path):
    source = tmp_path / "project"
    make_assignment("audio", source)  # a copy of the project to plant a leak in
    restore_solutions(source)
    tutorial = source / "tutorials" / "leaky.py"
    tutorial.write_text("# the mel corners, copied from the solution\n"
                        "widths = np.diff(corners)  # [n_mels + 1]\n"
                        "rising = -distance[:-2] / widths[:-1, None]\n")
    with pytest.raises(AssignmentError, match=r"tutorials/leaky.py:3 repeats a line of task 3.2"):
        make_assignment("audio", tmp_path / "hw", source=source)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_make_never_writes_into_a_folder_with_files(tmp_path):
    (tmp_path / "hw").mkdir()
    (tmp_path / "hw" / "notes.txt").write_text("mine")
    with pytest.raises(AssignmentError, match="not an empty folder"):
        make_assignment("autograd", tmp_path / "hw")
    assert [p.name for p in (tmp_path / "hw").iterdir()] == ["notes.txt"]
    with pytest.raises(AssignmentError, match="no assignment named 'fourier'; choose one of autograd"):
        make_assignment("fourier", tmp_path / "new")


# ---------------------------------------------------------------- the whole cycle
@pytest.mark.slow
@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_make_fail_restore_pass_full_marks(tmp_path, name):
    out = make_assignment(name, tmp_path / "hw")
    before = grade(out)
    for task in ASSIGNMENTS[name].tasks:
        result = before.task(task.id)
        assert result.status == "fail" and result.tests_total > 0, (task.id, result)
        assert result.message.startswith(f"NotImplementedError: Task {task.id}: "), result.message
    assert before.score == 0
    restore_solutions(out)
    after = grade(out)
    assert after.score == after.max_score == len(ASSIGNMENTS[name].tasks), after.table()
    assert all(t.tests_passed == t.tests_total > 0 for t in after.tasks)
    assert all(t.worst_rel_error is not None and t.worst_rel_error <= 1e-5 for t in after.tasks), after.table()


def _replace_in_region(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


# each assignment's planted mistakes: (file, a line of its solution, the mistake), and what
# the grader must say of every task (substrings for message and parameter)
PLANTED = {
    "recurrent": (
        [  # 2.1: a syntax error; 2.2: a sign error in the forget gate's gradient; 2.3: an infinite loop
            ("minidl/nn/recurrent/steps.py", "return d_pre, d_pre, (d_pre @ w_hh,)",
             "return d_pre, d_pre, (d_pre @ w_hh,"),
            ("kernels/recurrent/reference.py", "d_f = dc * c_prev * f * (1 - f)", "d_f = -dc * c_prev * f * (1 - f)"),
            ("kernels/recurrent/reference.py", "d_n = dh * (1 - z) * (1 - n * n)", "while True:\n        pass"),
        ], {
            "2.1": dict(status="fail", message="SyntaxError in minidl/nn/recurrent/steps.py"),
            # at t=0, c_{-1} = 0 hides the forget gate's gradient
            "2.2": dict(status="fail", first_wrong_step=1, parameter="forget gate"),
            "2.3": dict(status="timeout"),
            "2.4": dict(status="pass"),  # the loop is graded with its own test cells
        }),
    "ctc": (
        [  # 4.1: the skip from s - 2 forgotten; 4.2: the gradient's sign
            ("kernels/ctc/reference.py", "alpha[t] = y[t] + np.logaddexp(np.logaddexp(prev, _shift(prev, 1)), jump)",
             "alpha[t] = y[t] + np.logaddexp(prev, _shift(prev, 1))"),
            ("kernels/ctc/reference.py", "return -gamma @ one_hot", "return gamma @ one_hot"),
        ], {
            # the first skip: from the first label (s=1) at t=0 to the second (s=3) at t=1
            "4.1": dict(status="fail", first_wrong_step=1, parameter="alpha at s=3"),
            "4.2": dict(status="fail", first_wrong_step=0, parameter="dL/dlog_probs"),
            "4.3": dict(status="pass"),  # the beam search does not use the kernels
        }),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PLANTED))
def test_planted_mistakes_each_cost_one_task_and_are_named(tmp_path, name):
    out = make_assignment(name, tmp_path / "hw")
    restore_solutions(out)
    mistakes, expected = PLANTED[name]
    for path, old, new in mistakes:
        _replace_in_region(out / path, old, new)
    assert main(["assignment", "grade", str(out), "--time-limit", "30", "--json", str(tmp_path / "r.json")]) == 1
    json_report = json.loads((tmp_path / "r.json").read_text())
    report = {t["id"]: t for t in json_report["tasks"]}
    for task_id, want in expected.items():
        got = report[task_id]
        assert got["status"] == want["status"], (task_id, got)
        assert want.get("message", "") in got["message"], (task_id, got)
        if "first_wrong_step" in want:
            assert got["first_wrong_step"] == want["first_wrong_step"], (task_id, got)
            assert want["parameter"] in got["parameter"] and got["worst_rel_error"] > 0.5, (task_id, got)
    passing = sum(want["status"] == "pass" for want in expected.values())
    assert json_report["score"] == passing and json_report["max_score"] == len(ASSIGNMENTS[name].tasks)


def test_grade_command_writes_its_report_and_never_replaces_a_foreign_file(tmp_path, capsys):
    out = make_assignment("autograd", tmp_path / "hw")
    assert main(["assignment", "grade", str(out), "--task", "1.5"]) == 1
    table = capsys.readouterr().out
    assert "1.5" in table and "FAIL" in table and "score: 0/1" in table
    report = json.loads((out / "grade-report.json").read_text())
    assert report["tasks"][0]["message"].startswith("NotImplementedError: Task 1.5: ")
    restore_solutions(out, tasks=["1.5"])
    assert main(["assignment", "grade", str(out), "--task", "1.5"]) == 0  # replaces its own report
    assert json.loads((out / "grade-report.json").read_text())["score"] == 1
    mine = tmp_path / "notes.json"
    mine.write_text('{"my": "notes"}')
    assert main(["assignment", "grade", str(out), "--task", "1.5", "--json", str(mine)]) == 2
    assert "not a grade report" in capsys.readouterr().err and mine.read_text() == '{"my": "notes"}'
    assert main(["assignment", "make", "autograd", str(out)]) == 2  # never writes into an existing copy
    assert main(["assignment", "grade", str(tmp_path / "missing")]) == 2
