"""Event codec: registered names and versions, canonical JSON encoding, typed decoding, upcasters.

Encoding is orjson with a `default` hook (attrs instances -> dicts in field order, Decimal -> str),
so the hot path never calls `attrs.asdict`. Decoding is driven by each class's resolved field
types, one explicit transcoder per type; a field type it cannot decode is refused at registration.
"""

from __future__ import annotations

import enum
import functools
import inspect
import types
import typing
from collections import deque
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from itertools import repeat, starmap
from operator import itemgetter
from typing import Any, cast

import attrs
import orjson
from cattrs import Converter
from cattrs.fns import identity
from cattrs.gen import make_dict_unstructure_fn, override

from engine.kernel.errors import CorruptEvent, UnknownEventType

__all__ = ["OPTIONS", "Codec", "UnsupportedFieldType", "dumps", "encode_default", "loads"]

OPTIONS = orjson.OPT_UTC_Z
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


_ENCODERS: dict[type, Callable[[object], object]] = {Decimal: str}


def encode_default(obj: object) -> object:
    encode = _ENCODERS.get(type(obj))
    if encode is None:
        encode = _ENCODERS[type(obj)] = _encoder_for(type(obj))
    return encode(obj)


def _encoder_for(cls: type) -> Callable[[Any], object]:
    """attrs class -> its fields as a dict in field order (no asdict, no recursion: orjson calls
    back for nested values); a set is sorted; anything else is refused with its type named."""
    if attrs.has(cls):
        return _fields_dict(cls)
    if issubclass(cls, (frozenset, set)):
        return sorted  # never iterate a set into the journal in hash order
    if issubclass(cls, Decimal):
        return str

    def refuse(obj: object) -> object:
        raise TypeError(f"cannot encode {cls.__name__}")

    return refuse


def _fields_dict(cls: type) -> Callable[[Any], dict[str, object]]:
    """`o -> {"f": o.f, ...}` for an attrs class, every field in field order, values as they are
    (cattrs builds it; orjson's `default` hook encodes nested values)."""
    raw = {f.name: override(unstruct_hook=identity) for f in attrs.fields(cls)}
    return cast(Callable[[Any], dict[str, object]],
                make_dict_unstructure_fn(cls, _FIELDS, _cattrs_include_init_false=True, **raw))  # type: ignore[arg-type]


_FIELDS = Converter()  # used only to build `_fields_dict` functions; never configured


def dumps(obj: object, _dumps: Callable[..., bytes] = orjson.dumps) -> str:
    """Canonical JSON text of a payload (deterministic for equal inputs)."""
    return _dumps(obj, default=encode_default, option=OPTIONS).decode()


loads = orjson.loads


class Codec:
    """Registry of stored event (and state) types: name <-> class, version, upcaster chain."""

    def __init__(self) -> None:
        self._by_cls: dict[type, tuple[str, int]] = {}
        self.names = self._by_cls  # read directly on the hot path
        self._by_name: dict[str, tuple[type, int]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._decoders: dict[type, Callable[[object], object]] = {}
        self._plain: dict[type, tuple[str, ...]] = {}  # classes built positionally from JSON values as they are
        self._batches: dict[type, Callable[[list[Any]], list[object]]] = {}

    def register(self, cls: type, name: str, version: int = 1) -> None:
        """Register a stored type; a field type the codec cannot decode raises `UnsupportedFieldType`."""
        known = self._by_name.get(name)
        if known is not None and known[0] is not cls:
            raise ValueError(f"event name {name!r} is already registered to {known[0].__name__}")
        self.decoder(cls)  # built (and checked) now, not at the first read
        self._by_cls[cls] = (name, version)
        self._by_name[name] = (cls, version)

    def upcaster(self, name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: turn a stored payload of `name` at `from_version` into `from_version + 1`."""

        def register(fn: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = fn
            return fn

        return register

    def fields(self, cls: type) -> tuple[str, int, Callable[[Any], dict[str, object]]]:
        """(name, version, as_dict) for a registered class: `dumps(as_dict(o))` is its payload
        (the journal's hot path calls orjson itself, one call fewer per event)."""
        name, version = self.name_of(cls)
        return name, version, _fields_dict(cls)

    def encoder(self, cls: type) -> tuple[str, int, Callable[[object], str]]:
        """(name, version, encode) for a registered class: `encode(o)` is its canonical payload."""
        name, version, fields = self.fields(cls)
        return name, version, lambda o: dumps(fields(o))

    def name_of(self, cls: type) -> tuple[str, int]:
        try:
            return self._by_cls[cls]
        except KeyError:
            raise UnknownEventType(name=cls.__name__) from None

    def knows(self, name: str) -> bool:
        return name in self._by_name

    def decode(self, name: str, version: int, payload: str | bytes) -> object:
        found = self._by_name.get(name)
        if found is None:
            raise UnknownEventType(name=name)
        try:
            data = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise CorruptEvent(name=name, version=version, problem=str(exc)) from None
        return self._upcast_decode(found, name, version, data)

    def _upcast_decode(self, found: tuple[type, int], name: str, version: int, data: Any) -> object:
        """A parsed payload of `name` (registered as `found`: class, current version) at `version`,
        upcast to the current version and decoded."""
        cls, current = found
        try:
            while version < current:
                data = self._upcasters[(name, version)](data)
                version += 1
            return self.decoder(cls)(data)
        except KeyError as exc:
            raise CorruptEvent(name=name, version=version, problem=f"no upcaster or field {exc}") from None
        except (TypeError, ValueError) as exc:
            raise CorruptEvent(name=name, version=version, problem=str(exc)) from None

    def decode_array(self, name: str, version: int, array: str, count: int) -> list[object] | None:
        """`decode` of `count` payloads of one type and version given as one JSON array (an entity's
        usual stream, as the journal concatenates it): parsed by orjson in one call and built by the
        class's batch decoder, no Python loop per event. None when the array is not `count`
        well-formed payloads of a known type: the caller decodes them one by one, which names the
        corrupt event."""
        found = self._by_name.get(name)
        if found is None:
            return None
        try:
            datas = orjson.loads(array)
            if datas.__class__ is not list or len(datas) != count:
                return None
            if found[1] == version:
                return self._batch(found[0])(datas)
            return [self._upcast_decode(found, name, version, data) for data in datas]
        except (CorruptEvent, KeyError, TypeError, ValueError):
            return None

    def _batch(self, cls: type) -> Callable[[list[Any]], list[object]]:
        batch = self._batches.get(cls)
        if batch is None:
            batch = self._batches[cls] = _batch_decoder(cls, self.decoder(cls), self._plain.get(cls))
        return batch

    def decoder(self, cls: type) -> Callable[[object], object]:
        dec = self._decoders.get(cls)
        if dec is None:
            dec = self._decoders[cls] = _attrs_decoder(cls, self)
        return dec


def _batch_decoder(cls: type, one: Callable[[object], object],
                   plain: tuple[str, ...] | None) -> Callable[[list[Any]], list[object]]:
    """Dicts -> instances: a class whose fields (`plain`) are all positional and stored as JSON holds
    them is built straight from each dict's values (C-level `map`/`starmap`); any other by `one`."""
    if not plain:
        return lambda datas: list(map(one, datas))
    setters = _slot_setters(cls, plain)
    if setters is not None:
        return partial(_built_by_slots, cls, tuple(zip(map(itemgetter, plain), setters)))
    if len(plain) == 1:
        return lambda datas: list(map(cls, map(itemgetter(plain[0]), datas)))
    read = itemgetter(*plain)
    return lambda datas: list(starmap(cls, map(read, datas)))


_CACHED_HASH = "_attrs_cached_hash"  # attrs' slot of a `cache_hash=True` class: its `__init__` sets it


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[object, object], None], ...] | None:
    """The slots' setters of a slotted attrs class whose generated `__init__` only sets its fields,
    in `names`' order (no validator, converter or `on_setattr` hook, no `__attrs_pre_init__` or
    `__attrs_post_init__`, no cached hash, `object.__new__`); None for any other class, which its
    `__init__` builds. Such an `__init__` costs about 0.3 us an instance on this project's machine,
    most of a long stream's decoding (`bench/engine.py --section load`); its slots set from C cost
    a third of it, with the same instances (equal, hashed alike, still frozen)."""
    init = getattr(inspect.getattr_static(cls, "__init__"), "__code__", None)
    if (init is None or not init.co_filename.startswith("<attrs generated")
            or inspect.getattr_static(cls, "__new__") is not object.__new__
            or any(hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__", _CACHED_HASH))):
        return None
    if any(f.validator is not None or f.converter is not None or f.on_setattr not in (None, attrs.setters.NO_OP)
           for f in attrs.fields(cls)):
        return None
    descriptors = [inspect.getattr_static(cls, name, None) for name in names]
    if not all(isinstance(d, types.MemberDescriptorType) for d in descriptors):
        return None  # not slotted: a dict class keeps its fields in each instance's __dict__
    return tuple(d.__set__ for d in descriptors)


def _built_by_slots(cls: type, plan: tuple[tuple[Callable[[Any], Any], Callable[[object, object], None]], ...],
                    datas: list[Any]) -> list[object]:
    """`datas` as instances of `cls` built field by field from C (`_slot_setters`): a missing key is
    the KeyError the per-instance path raises, and no half-built instance is returned."""
    built: list[object] = list(map(object.__new__, repeat(cls, len(datas))))
    for read, set_slot in plan:
        deque(map(set_slot, built, map(read, datas)), 0)
    return built


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The class's resolved annotations, once a process (a class's, not any entity's): every
    `Simulation` registers every stored type in a codec of its own, and resolving them again cost
    a 2-facility sweep run about 20 ms of its 242."""
    return typing.get_type_hints(cls)


def _attrs_decoder(cls: type, codec: Codec) -> Callable[[object], object]:
    """`d -> cls(f=conv_f(d["f"]), ...)` in field order; missing fields take their defaults."""
    if not attrs.has(cls):
        raise UnsupportedFieldType(owner=cls.__name__, field="", type=_name(cls), problem="not an attrs class")
    try:
        hints = _hints(cls)
    except NameError as exc:
        raise UnsupportedFieldType(owner=cls.__name__, field="", type="?", problem=str(exc)) from None
    fields = attrs.fields(cls)
    names = tuple(f.name for f in fields)
    convs = tuple(_converter(hints[f.name], codec, cls, f.name) for f in fields)
    plan = tuple(zip(names, convs))
    positional = all(f.init and not f.kw_only for f in fields)
    if positional and all(c is None for c in convs) and names:
        codec._plain[cls] = names
    read = itemgetter(*names) if len(names) > 1 else (lambda d: (d[names[0]],)) if names else (lambda d: ())
    plain = all(c is None for c in convs)

    def fallback(data: dict[str, object]) -> object:  # an older payload without a defaulted field
        return cls(**{n: v if c is None else c(v) for n, c in plan if n in data for v in (data[n],)})

    if positional and plain:
        def decode(data: object) -> object:
            try:
                values = read(data)  # type: ignore[arg-type]
            except KeyError:
                return fallback(data)  # type: ignore[arg-type]
            return cls(*values)
    elif positional:
        def decode(data: object) -> object:
            try:
                values = read(data)  # type: ignore[arg-type]
            except KeyError:
                return fallback(data)  # type: ignore[arg-type]
            return cls(*[v if c is None else c(v) for v, c in zip(values, convs)])
    else:
        def decode(data: object) -> object:
            return fallback(data)  # type: ignore[arg-type]

    return decode


class UnsupportedFieldType(TypeError):
    """A stored type declares a field the codec cannot decode (fields: owner, field, type, problem)."""

    def __init__(self, *, owner: str, field: str, type: str, problem: str) -> None:
        self.owner, self.field, self.type, self.problem = owner, field, type, problem
        super().__init__(f"UnsupportedFieldType(owner={owner!r}, field={field!r}, type={type!r}, problem={problem!r})")


def _name(tp: object) -> str:
    return getattr(tp, "__name__", None) or repr(tp)


_PASS = (int, str, bool, float, object)


def _converter(tp: object, codec: Codec, owner: type, field: str) -> Callable[[Any], object] | None:
    """The decoder of one field's JSON value into its declared type (None: the JSON value as is)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) != 1 or len(members) == len(args):
            raise UnsupportedFieldType(owner=owner.__name__, field=field, type=repr(tp),
                                       problem="only `X | None` unions can be decoded")
        inner = _converter(members[0], codec, owner, field)
        if inner is None:
            return None
        return lambda v: None if v is None else inner(v)
    if tp is tuple or tp is list:
        return tp  # unparameterised: the JSON items as they are
    if origin in (list, frozenset, set):
        each = _converter(args[0], codec, owner, field) if args else None
        if each is None:
            return origin  # type: ignore[no-any-return]
        return lambda v: origin(map(each, v))
    if origin is tuple:
        if not args or args == ((),):
            return tuple
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0], codec, owner, field)
            if item is None:
                return tuple
            return lambda v: tuple(map(item, v))
        items = tuple(_converter(a, codec, owner, field) for a in args)
        return lambda v: tuple(x if c is None else c(x) for c, x in zip(items, v, strict=True))
    if origin is typing.Literal or tp in _PASS or tp is typing.Any:
        return None
    if origin is dict or tp is dict:
        return dict
    if tp is Decimal:
        return lambda v: Decimal(str(v))
    if tp is datetime:
        return lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))
    if tp is date:
        return date.fromisoformat
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if isinstance(tp, type) and attrs.has(tp):
        return codec.decoder(tp)
    raise UnsupportedFieldType(owner=owner.__name__, field=field, type=_name(tp),
                               problem="no transcoder for this type")
