"""Grading a class: collect, restore, sandbox, execute and judge, record, report.

See docs/grading.md for the design and the threat model.
"""
