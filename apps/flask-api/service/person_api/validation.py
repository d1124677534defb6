"""Input validation for person keys and names.

Each validator returns an error message, or ``None`` when the value is valid.
"""

from __future__ import annotations

import re

PERSON_MAX_LENGTH = 64
NAME_MAX_LENGTH = 50

# Person keys are URL-safe identifiers: ASCII letters, digits, "-" and "_",
# starting with a letter or digit. Keys are case-sensitive.
_PERSON_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

# Besides letters (any script), names may contain these separators, e.g.
# "Jean-Luc", "O'Brien", "Mary Ann", "St. John".
_NAME_SEPARATORS = frozenset(" '-.")


def person_key_error(value: object, field: str = "person") -> str | None:
    if not isinstance(value, str):
        return f"'{field}' must be a string"
    if not value:
        return f"'{field}' must not be empty"
    if len(value) > PERSON_MAX_LENGTH:
        return f"'{field}' must be at most {PERSON_MAX_LENGTH} characters"
    if not _PERSON_RE.fullmatch(value):
        return (
            f"'{field}' may contain only ASCII letters, digits, '-' and '_', "
            "and must start with a letter or digit"
        )
    return None


def name_error(value: object, field: str) -> str | None:
    if not isinstance(value, str):
        return f"'{field}' must be a string"
    if not value:
        return f"'{field}' must not be empty"
    if len(value) > NAME_MAX_LENGTH:
        return f"'{field}' must be at most {NAME_MAX_LENGTH} characters"
    if not value[0].isalpha() or not (value[-1].isalpha() or value[-1] == "."):
        return f"'{field}' must start with a letter and end with a letter or '.'"
    if any(not (ch.isalpha() or ch in _NAME_SEPARATORS) for ch in value):
        return f"'{field}' may contain only letters, spaces, '-', \"'\" and '.'"
    if "  " in value:
        return f"'{field}' must not contain consecutive spaces"
    return None
