"""The handler registry: a BPMN service task's operator name is a handler's name.

BPMN parameters arrive as keyword arguments; infrastructure (clock, documents,
lookups) arrives as keyword-only dependencies chosen by parameter name, so a
handler is a plain function that tests can call directly.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Callable

Handler = Callable[..., dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name in _HANDLERS and _HANDLERS[name] is not fn:
            raise ValueError(f"duplicate handler name {name!r}")
        _HANDLERS[name] = fn
        return fn
    return register


def unregister(name: str) -> None:
    _HANDLERS.pop(name, None)


def get_handler(name: str) -> Handler:
    load_all()
    try:
        return _HANDLERS[name]
    except KeyError:
        raise KeyError(f"no handler named {name!r}") from None


def registered_names() -> list[str]:
    load_all()
    return sorted(_HANDLERS)


_loaded = False


def load_all() -> None:
    """Import every module of this package once, so all @handler decorators have run."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "registry":
            importlib.import_module(f"{__package__}.{info.name}")
