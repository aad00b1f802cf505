"""Small text rules shared by the apps."""


def is_ascii_digits(text: str) -> bool:
    """Only 0-9, at least one. ``str.isdigit`` also takes superscripts such as '²', which
    ``int()`` refuses: a user's '²' must be a clear refusal, not a server error."""
    return text.isascii() and text.isdigit()
