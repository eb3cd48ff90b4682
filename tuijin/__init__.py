"""Tuijin (推进): the key-project supervision platform."""

__version__ = "0.1.0"
