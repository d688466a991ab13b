"""Attribute validators every domain's commands share (written once, raising each domain's own error)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["required"]


def required(error: Callable[..., Exception]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator refusing a value that is not a non-blank string with `error(field=name)`."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise error(field=attribute.name)

    return check
