"""Mutation testing of the course's graded exercises (``autograde mutate``).

- :mod:`autograde.mutation.operators`: the AST mutation operators, one class per family;
- :mod:`autograde.mutation.engine`: mutant generation, the cache, the run, the command line;
- :mod:`autograde.mutation.pool`: worker processes with a time limit per mutant;
- :mod:`autograde.mutation.equivalent`: the reviewed list of equivalent mutants;
- :mod:`autograde.mutation.report`: the table, the survivors and the JSON output.
"""
