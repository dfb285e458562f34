"""andraeus: give a language model one person's memory, and measure it honestly."""

__version__ = "0.1.0"
