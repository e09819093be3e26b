"""``python -m panproto``: the command line (see :mod:`panproto._cli`)."""

from panproto._cli import main

raise SystemExit(main())
