"""autograde: release, validate and grade the course's nbgrader notebooks."""

__version__ = "0.1.0"
