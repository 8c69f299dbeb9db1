"""Workbench: build, train and tune neural networks; a NumPy core with a Qt front end."""

__version__ = "0.1.0"
