"""autograde: release, validate and grade the course's nbgrader notebooks."""

import sys

__version__ = "0.1.0"

# nbformat validates notebooks with jsonschema, which imports rfc3987_syntax when it
# is installed (JupyterLab brings it) to check the "iri" string format. That import
# builds a parser: 1.4 s in every process that reads a notebook (the CLI, each grading
# process), for a format no notebook schema uses. Without it jsonschema skips that
# one format and validates everything else as before.
sys.modules.setdefault("rfc3987_syntax", None)
