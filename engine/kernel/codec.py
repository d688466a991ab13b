"""Event codec: registered names and versions, canonical JSON encoding, typed decoding, upcasters.

Encoding is orjson with a `default` hook (attrs instances -> dicts in field order, Decimal -> str),
so the hot path never calls `attrs.asdict`. Decoding is driven by each class's resolved field types.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import attrs
import orjson

from engine.kernel.errors import CorruptEvent, UnknownEventType

__all__ = ["Codec", "dumps", "loads"]

_OPTS = orjson.OPT_UTC_Z
Upcaster = Callable[[dict], dict]


_ENCODERS: dict[type, Callable[[object], object]] = {Decimal: str}


def _default(obj: object) -> object:
    encode = _ENCODERS.get(type(obj))
    if encode is None:
        encode = _ENCODERS[type(obj)] = _encoder_for(type(obj))
    return encode(obj)


def _encoder_for(cls: type) -> Callable[[Any], object]:
    """attrs class -> a generated `lambda o: {"f": o.f, ...}` (field order, no asdict)."""
    if attrs.has(cls):
        body = ", ".join(f"{f.name!r}: o.{f.name}" for f in attrs.fields(cls))
        return eval(f"lambda o: {{{body}}}")  # noqa: S307 - built from attrs field names only
    if issubclass(cls, (frozenset, set)):
        return sorted  # never iterate a set into the journal in hash order
    if issubclass(cls, Decimal):
        return str

    def refuse(obj: object) -> object:
        raise TypeError(f"cannot encode {cls.__name__}")

    return refuse


def dumps(obj: object, _dumps=orjson.dumps) -> str:
    """Canonical JSON text of a payload (deterministic for equal inputs)."""
    return _dumps(obj, default=_default, option=_OPTS).decode()


loads = orjson.loads


class Codec:
    """Registry of stored event (and state) types: name <-> class, version, upcaster chain."""

    def __init__(self) -> None:
        self._by_cls: dict[type, tuple[str, int]] = {}
        self.names = self._by_cls  # read directly on the hot path
        self._by_name: dict[str, tuple[type, int]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._decoders: dict[type, Callable[[object], object]] = {}

    def register(self, cls: type, name: str, version: int = 1) -> None:
        known = self._by_name.get(name)
        if known is not None and known[0] is not cls:
            raise ValueError(f"event name {name!r} is already registered to {known[0].__name__}")
        self._by_cls[cls] = (name, version)
        self._by_name[name] = (cls, version)

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: turn a stored payload of `name` at `from_version` into `from_version + 1`."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return register

    def encoder(self, cls: type) -> tuple[str, int, Callable[[object], str]]:
        """(name, version, encode) for a registered class; `encode` skips the default hook."""
        name, version = self.name_of(cls)
        body = ", ".join(f"{f.name!r}: o.{f.name}" for f in attrs.fields(cls))
        encode = eval(f"lambda o: _dumps({{{body}}}, default=_default, option=_OPTS).decode()",  # noqa: S307
                      {"_dumps": orjson.dumps, "_default": _default, "_OPTS": _OPTS})
        return name, version, encode

    def name_of(self, cls: type) -> tuple[str, int]:
        try:
            return self._by_cls[cls]
        except KeyError:
            raise UnknownEventType(name=cls.__name__) from None

    def knows(self, name: str) -> bool:
        return name in self._by_name

    def decode(self, name: str, version: int, payload: str | bytes) -> object:
        try:
            cls, current = self._by_name[name]
        except KeyError:
            raise UnknownEventType(name=name) from None
        try:
            data = orjson.loads(payload)
            while version < current:
                data = self._upcasters[(name, version)](data)
                version += 1
            return self.decoder(cls)(data)
        except KeyError as exc:
            raise CorruptEvent(name=name, version=version, problem=f"no upcaster or field {exc}") from None
        except (TypeError, ValueError, orjson.JSONDecodeError) as exc:
            raise CorruptEvent(name=name, version=version, problem=str(exc)) from None

    def decoder(self, cls: type) -> Callable[[object], object]:
        dec = self._decoders.get(cls)
        if dec is None:
            dec = self._decoders[cls] = _attrs_decoder(cls, self)
        return dec


def _attrs_decoder(cls: type, codec: Codec) -> Callable[[object], object]:
    """A generated `lambda d: cls(f=conv_f(d["f"]), ...)`; missing fields take their defaults."""
    hints = typing.get_type_hints(cls)
    convs = {f.name: _converter(hints[f.name], codec) for f in attrs.fields(cls)}
    args = ", ".join(f"{n}=d[{n!r}]" if c is _identity else f"{n}=c[{n!r}](d[{n!r}])" for n, c in convs.items())
    fast = eval(f"lambda d, cls=cls, c=convs: cls({args})", {"cls": cls, "convs": convs})  # noqa: S307

    def decode(data: object) -> object:
        try:
            return fast(data)
        except KeyError:  # an older payload without a defaulted field
            assert isinstance(data, dict)
            return cls(**{n: conv(data[n]) for n, conv in convs.items() if n in data})

    return decode


def _identity(v: object) -> object:
    return v


def _converter(tp: object, codec: Codec) -> Callable[[Any], object]:
    """A decoder of one field's JSON value into the annotated type (values arrive as JSON gives them)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _converter(members[0], codec) if len(members) == 1 else _identity
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        args = typing.get_args(tp)
        item = _converter(args[0], codec) if args else _identity
        return lambda v: tuple(item(x) for x in v)
    if origin is typing.Literal or tp in (int, str, bool, float, object) or tp is typing.Any:
        return _identity
    if origin is dict:
        return lambda v: dict(v)
    if tp is Decimal:
        return lambda v: Decimal(str(v))
    if tp is datetime:
        return lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))
    if tp is date:
        return lambda v: date.fromisoformat(v)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if isinstance(tp, type) and attrs.has(tp):
        return lambda v: codec.decoder(tp)(v)
    return _identity
