"""Argument types the `autograde` subcommands share: argparse says what is wrong."""

from __future__ import annotations

import argparse


def positive(kind):
    """An argparse type: ``kind`` (int or float) of the text, above 0."""
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be positive")
        return value
    return parse


def fraction(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value
