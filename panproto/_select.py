"""Backend selection for :mod:`panproto` (see the package docstring for the rules)."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any


# Preference order when PANPROTO_BACKEND is not set: SQLite first, because it
# needs no server and is what a single user wants; PostgreSQL is for teams
# who install it on purpose. The task runner's table lists them in the same
# order (a test checks).
BACKENDS: tuple[str, ...] = ("sqlite", "postgres")
"""Every backend, in preference order."""

_ENV = "PANPROTO_BACKEND"


# Rendered into the built package from templates/dispatcher/_build.py.j2,
# not read from importlib.metadata and panproto._interface: those two
# imports cost more than the rest of `import panproto`, which every command
# pays for.
try:
    from panproto._build import INTERFACE as _INTERFACE, __version__ as _built_version
except ImportError as exc:
    raise ImportError(
        "the panproto package has no rendered _build.py, so its version is unknown; "
        "install it (pip install panproto[sqlite], or `cargo tasks develop` in a checkout) "
        "rather than importing the source folder"
    ) from exc

__version__: str = _built_version
"""The dispatcher's own version, rendered into the package when it is built."""


def missing_members(module: object, interface: Mapping[str, Iterable[str]]) -> list[str]:
    """The names of ``interface`` (under ``""`` the module's, under a class
    name that class's; see :func:`panproto._interface.members`) that
    ``module`` lacks, e.g. ``"Schema.to_json"``. Empty when it has them all."""
    missing = sorted(n for n in interface[""] if not hasattr(module, n))
    for cls_name, names in interface.items():
        cls = getattr(module, cls_name, None) if cls_name else None
        if cls is None:
            continue
        if not isinstance(cls, type):
            missing.append(f"{cls_name} (not a class)")
            continue
        missing += sorted(f"{cls_name}.{n}" for n in names if not hasattr(cls, n))
    return missing


def _install_hint(name: str) -> str:
    return f"pip install panproto[{name}]"


def _load(name: str) -> ModuleType:
    """Import one backend and check it: version, name, interface."""
    module = importlib.import_module(f"panproto_{name}")
    version = getattr(module, "__version__", None)
    if version != __version__:
        raise ImportError(
            f"panproto_{name} {version} does not match panproto {__version__}; "
            f"install matching versions: pip install 'panproto[{name}]=={__version__}'"
        )
    backend = getattr(module, "__backend__", None)
    if backend != name:
        raise ImportError(f"panproto_{name} reports __backend__ = {backend!r}, expected {name!r}")
    missing = missing_members(module, _INTERFACE)
    if missing:
        raise ImportError(
            f"panproto_{name} {version} does not provide the backend interface; missing: {', '.join(missing)}"
        )
    return module


# Outcome of each import attempt, by backend name: None when it loaded,
# else the exception. available_backends() reads it rather than importing again.
_attempts: dict[str, BaseException | None] = {}


def _select() -> ModuleType:
    forced = os.environ.get(_ENV, "").strip()
    if forced:
        if forced not in BACKENDS:
            raise ImportError(
                f"{_ENV}={forced!r} is not a panproto backend; choose one of {', '.join(BACKENDS)} "
                f"(e.g. {_ENV}=sqlite after {_install_hint('sqlite')})"
            )
        try:
            module = _load(forced)
        except Exception as exc:
            _attempts[forced] = exc
            raise ImportError(
                f"{_ENV}={forced} forces the {forced} backend, but it could not be imported "
                f"({type(exc).__name__}: {exc}); install it with: {_install_hint(forced)}"
            ) from exc
        _attempts[forced] = None
        return module

    failures: list[str] = []
    for name in BACKENDS:
        try:
            module = _load(name)
        except Exception as exc:  # any failure, so a broken build is reported, not half imported
            _attempts[name] = exc
            failures.append(f"  - panproto_{name}: {type(exc).__name__}: {exc}")
            continue
        _attempts[name] = None
        return module
    hints = " or ".join(_install_hint(name) for name in BACKENDS)
    raise ImportError(
        f"no panproto backend could be imported; install one with {hints}. Attempts:\n" + "\n".join(failures)
    )


backend: ModuleType = _select()
"""The backend module in use."""


def available_backends() -> list[str]:
    """The backends that can be used here, in preference order.

    The one in use, plus those installed that were not tried; a backend whose
    import failed during selection is left out. Nothing is imported again.

    Returns
    -------
    list[str]
        Backend names, e.g. ``["sqlite"]``.
    """
    import importlib.util  # noqa: PLC0415  (only here: `import panproto` does not pay for it)

    found = []
    for name in BACKENDS:
        outcome = _attempts.get(name, ...)
        if outcome is None or (
            outcome is ...
            and (f"panproto_{name}" in sys.modules or importlib.util.find_spec(f"panproto_{name}") is not None)
        ):
            found.append(name)
    return found


def reexport(namespace: dict[str, Any], own_names: tuple[str, ...]) -> list[str]:
    """Copy every name of the backend's ``__all__`` into ``namespace``;
    return the public names: the backend's followed by ``own_names``."""
    names = list(backend.__all__)
    for name in names:
        if name not in own_names:  # the dispatcher's own value wins (same version and backend, checked)
            namespace[name] = getattr(backend, name)
    return list(dict.fromkeys([*names, *own_names]))
