"""DL Playground numerical core: pure NumPy, one idea per module.

Every function takes arrays and plain configuration (and an explicit
``numpy.random.Generator`` when it needs randomness) and returns arrays or frozen
dataclasses. Nothing here does I/O. Notation follows Prince, *Understanding Deep Learning*.
"""
