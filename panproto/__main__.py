"""``python -m panproto``: the command line (see :mod:`panproto.cli`)."""

from panproto.cli import main

raise SystemExit(main())
