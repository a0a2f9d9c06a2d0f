"""The classroom kit: assignments carved out of minidl's own source, and their autograder.

- :mod:`~minidl.classroom.regions`: the solution regions marked in the source
- :mod:`~minidl.classroom.catalog`: the four assignments and their tasks
- :mod:`~minidl.classroom.make`: ``make_assignment`` writes a student copy
- :mod:`~minidl.classroom.grading`: ``grade`` runs each task's tests and scores them
- :mod:`~minidl.classroom.time_checks`: gradient checks per time step, for the recurrent tasks

Command line: ``minidl assignment make NAME OUT`` and ``minidl assignment grade DIR``.
"""
from minidl.classroom.catalog import ASSIGNMENTS, get_assignment
from minidl.classroom.grading import grade
from minidl.classroom.make import make_assignment, restore_solutions

__all__ = ["ASSIGNMENTS", "get_assignment", "grade", "make_assignment", "restore_solutions"]
