"""panproto: version control for schemas and the data that conforms to them.

This package is the dispatcher: pure Python, it selects one compiled backend
and re-exports its API, so user code only ever says ``import panproto``.

The contract
------------
Every backend (``panproto_sqlite``, ``panproto_postgres``) provides the same
interface, declared as ``typing.Protocol`` classes in
:mod:`panproto._interface` and documented in the API stub. Selection:

- ``PANPROTO_BACKEND=sqlite|postgres`` forces a backend. An unknown value,
  or a backend that is not installed or fails to import, is an
  :class:`ImportError` that says so, how to install it, and chains the cause.
- Otherwise the first backend of :data:`BACKENDS` that imports is used.
  Each attempt catches :class:`Exception`, so a broken build is reported,
  never half imported; if none imports, the :class:`ImportError` lists every
  attempt and why it failed, and names ``pip install panproto[sqlite]`` /
  ``panproto[postgres]``.
- A backend whose ``__version__`` differs from this package's is refused:
  the extras pin the backends exactly, and mixing versions would break
  silently.
- The chosen module is checked against the interface; missing names are
  reported.

Then every name of the backend's ``__all__`` is re-exported here (nothing
lists them by hand) and ``panproto.__all__`` is that list plus the
dispatcher's own names: the exceptions of :mod:`panproto.errors`, the seed
SDK's compatibility forms of :mod:`panproto._seed` (``Panproto`` and the
``vcs_*`` functions, pure Python over the backend's API),
:func:`available_backends`, ``__backend__`` and ``__version__``. Where a
backend also exports one of the dispatcher's names, the dispatcher's wins.
"""

from panproto import _seed, _select, errors as _errors
from panproto._seed import *  # noqa: F403  (Panproto and vcs_*: panproto._seed.__all__)
from panproto.errors import *  # noqa: F403  (the exception classes: panproto.errors.__all__)

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:  # the backend's API as type checkers see it: the one stub, rendered as _api.pyi
    from panproto._api import *  # noqa: F403


BACKENDS: tuple[str, ...] = _select.BACKENDS
"""Every backend, in preference order."""

__version__: str = _select.__version__
__backend__: str = _select.backend.__backend__
available_backends = _select.available_backends

# Built at import from the backend's __all__, so no list here can drift from it.
__all__ = _select.reexport(  # noqa: PLE0605
    globals(), (*_errors.__all__, *_seed.__all__, "available_backends", "__backend__", "__version__")
)

del TYPE_CHECKING
