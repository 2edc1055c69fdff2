"""The exceptions the pipeline raises for problems a person has to fix."""


class AutogradeError(Exception):
    """A problem with the course, stated in one line that says what to do.

    The CLI prints the message and exits non-zero without a traceback.
    """


class LayoutError(AutogradeError):
    """Source notebooks break docs/authoring.md; ``problems`` lists every break."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the source notebooks (see docs/authoring.md); "
            f"fix them, then run the command again:\n" + "\n".join(f"  {p}" for p in problems)
        )
