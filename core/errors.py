"""The one exception core raises for input that makes no sense.

``DomainError`` carries a message written for a student ("stride must be at least 1, got 0").
The service turns it, and only it, into a 422 answer; any other exception escaping core is a
bug. It subclasses ``ValueError`` so that library callers who catch ``ValueError`` keep working.
"""


class DomainError(ValueError):
    """Input outside the domain of a core function; the message says what is wrong."""
