"""Attribute validators every domain's commands share, and the argument refusals they raise.

Ranges are stated once: amounts in `domains.money` (`MAX_CENTS`, `MAX_SATS`), text in `MAX_TEXT`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from domains.aggregate import Refusal
from domains.money import MAX_CENTS, MAX_SATS

__all__ = [
    "MAX_CENTS", "MAX_SATS", "MAX_TEXT", "AmountOutOfRange", "ArgumentRefused", "TextTooLong", "WrongType",
    "NOT_UNICODE", "amount", "bounded_text", "check_amount", "check_id", "instance_of", "is_nameable", "is_unicode",
    "optional_text", "required",
]

MAX_TEXT = 254  # characters in any text argument (an email's limit, RFC 5321)
NOT_UNICODE = "text of valid Unicode (this holds a lone surrogate, which UTF-8 cannot encode)"

Validator = Callable[[object, "attrs.Attribute[Any]", object], None]


class ArgumentRefused(Refusal):
    """Base of the shared argument refusals: a command field of the wrong type or out of range."""


class AmountOutOfRange(ArgumentRefused):
    """A whole-number amount outside [minimum, maximum] (fields: field, amount, minimum, maximum);
    a value that is not a whole number at all is `WrongType`."""


class TextTooLong(ArgumentRefused):
    """A text field is longer than allowed (fields: field, length, maximum)."""


class WrongType(ArgumentRefused):
    """A field holds a value of the wrong type (fields: field, value, expected)."""


def is_unicode(text: str) -> bool:
    """Whether `text` encodes as UTF-8, as SQLite stores text. A lone surrogate ('\\ud800', a file
    name decoded with `surrogateescape`) does not: staged, it failed the next group commit, and with
    it every row acknowledged since the last one (`JournalWriteFailed`, the journal stuck)."""
    if text.isascii():  # the common case, in C
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def is_nameable(path: str) -> bool:
    """Whether a file system can name `path`: no NUL character and valid Unicode (opening one that
    holds either was a bare ValueError or UnicodeEncodeError, from SQLite, mkdir or open)."""
    return "\x00" not in path and is_unicode(path)


def required(error: Callable[..., Exception], maximum: int = MAX_TEXT) -> Validator:
    """Refuse a value that is not a non-blank string with `error(field=name)`, one longer than
    `maximum` characters with `TextTooLong`, and one that is no valid Unicode with `WrongType`."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise error(field=attribute.name)
        if len(value) > maximum:
            raise TextTooLong(field=attribute.name, length=len(value), maximum=maximum)
        if not is_unicode(value):
            raise WrongType(field=attribute.name, value=value, expected=NOT_UNICODE)

    return check


def bounded_text(name: str, value: object, maximum: int = MAX_TEXT) -> str:
    """A string (possibly empty) of at most `maximum` characters of valid Unicode, else `WrongType` /
    `TextTooLong`."""
    if not isinstance(value, str):
        raise WrongType(field=name, value=value, expected="str")
    if len(value) > maximum:
        raise TextTooLong(field=name, length=len(value), maximum=maximum)
    if not is_unicode(value):
        raise WrongType(field=name, value=value, expected=NOT_UNICODE)
    return value


def check_id(field: str, value: object) -> str:
    """An id argument: a non-empty string of at most `MAX_TEXT` characters (`WrongType` otherwise)."""
    if not isinstance(value, str) or not value:
        raise WrongType(field=field, value=value, expected="a non-empty id string")
    return bounded_text(field, value)


def optional_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None, or a string of at most `MAX_TEXT` characters."""
    if value is not None:
        bounded_text(attribute.name, value)


def amount(error: Callable[..., Exception] | None = None, *, maximum: int = MAX_CENTS,
           minimum: int | None = 1, unit: str = "cents") -> Validator:
    """A whole number of `unit` (a bool is not one) in [minimum, maximum]. A value that is not an
    int is `WrongType(field, value, expected="a whole number of <unit>")`; an int below `minimum`
    raises the domain's own `error(field=, amount=)` when given; any other int outside the range
    `AmountOutOfRange`."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_amount(attribute.name, value, error, minimum=minimum, maximum=maximum, unit=unit)

    return check


def check_amount(field: str, value: object, error: Callable[..., Exception] | None = None, *,
                 minimum: int | None = 1, maximum: int = MAX_CENTS, unit: str = "cents") -> int:
    """`amount`'s check for a service argument (before anything is read or staged); `minimum=None`
    leaves the lower bound to the domain's rule. Returns the value."""
    if type(value) is not int:
        raise WrongType(field=field, value=value, expected=f"a whole number of {unit}")
    if (minimum is None or minimum <= value) and value <= maximum:
        return value
    if error is not None and minimum is not None and value < minimum:
        raise error(field=field, amount=value)
    raise AmountOutOfRange(field=field, amount=value, minimum=minimum, maximum=maximum)


def instance_of(kind: type | tuple[type, ...], expected: str) -> Validator:
    """Refuse a value that is not an instance of `kind` with `WrongType(field, value, expected)`."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise WrongType(field=attribute.name, value=value, expected=expected)

    return check
