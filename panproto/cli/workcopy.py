"""The working copy: ``.panproto/`` and what it keeps.

- ``config``: an INI file naming the store (a SQLite file, relative paths
  taken from the working copy's root, or a ``postgresql://`` URL) and the
  repository's name in it;
  and, for a directory of native files, their format (``init --format``);
- ``tracked``: the file or directory ``add`` last read, and its format,
  so ``status`` can say when it no longer gives what is staged;
- ``HEAD``: what ``checkout`` chose for this working copy (a branch name,
  or a commit id when detached); absent, the store's HEAD;
- ``index``: the schema ``add`` staged (its JSON), the commit it was
  staged on, and the lens staged with it (``add --lens``, ``evolve``), if any;
- ``data/``: a copy of each dataset ``data add`` staged (its records as
  given) and ``index.json`` naming them with their base commit, root and
  record count.

The stage is read lazily: :meth:`WorkingCopy.open` restores into the
repository handle only the parts a command asks for, so read-only commands
(``log``, ``show``, ``diff A B``, ``branch``, ``tag``, ``reflog``) never
re-read and re-validate a large or damaged stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import panproto
from panproto.cli.errors import CliError
from panproto.cli.files import read_optional_text, read_records, read_text

TYPE_CHECKING = False  # as typing's, without importing typing at run time (see _select)
if TYPE_CHECKING:
    from typing import Any

    from panproto._api import ProtolensChain, Repository, Schema


DIR = ".panproto"
CONFIG = "config"
INDEX = "index"
DATA = "data"
DATA_INDEX = "index.json"
TRACKED = "tracked"
HEAD = "HEAD"
DEFAULT_STORE = f"{DIR}/panproto.db"


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (through a temporary file)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


class WorkingCopy:
    """A directory holding ``.panproto/``: its config, HEAD and stage."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / DIR
        import configparser  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(read_text(self.dir / CONFIG), source=str(self.dir / CONFIG))
            self.store = parser.get("repository", "store")
            self.name = parser.get("repository", "name", fallback="default")
            self.format: str | None = parser.get("repository", "format", fallback=None) or None
        except configparser.Error as exc:
            raise CliError(f"{self.dir / CONFIG} is not a valid panproto config: {exc}") from exc

    @staticmethod
    def find(start: Path) -> WorkingCopy:
        """The working copy containing ``start``, found by walking up as git finds ``.git``."""
        for directory in (start, *start.parents):
            if (directory / DIR / CONFIG).is_file():
                return WorkingCopy(directory)
        raise CliError(f"not a panproto working copy (nor any parent of {start}): no {DIR}/; run `panproto init`")

    @property
    def location(self) -> str:
        """The store location; relative paths are relative to the working copy's root."""
        if "://" in self.store:
            return self.store
        path = Path(self.store)
        return str(path if path.is_absolute() else self.root / path)

    def open(self, *, schema: bool = False, data: bool = False) -> Repository:
        """Open the repository at this working copy's HEAD.

        Parameters
        ----------
        schema
            Restore the staged schema (read and validated again).
        data
            Restore the staged datasets (every record read and validated
            again); only ``commit`` and ``rebase`` need them.
        """
        repo = panproto.Repository.open(self.location, name=self.name)
        try:
            head = self.head()
            if head is not None:
                repo.checkout(head)
            staged = self.staged() if schema else None
            if staged is not None:
                schema_staged, base, lens = staged
                if lens is None:
                    repo.add(schema_staged, base=base)
                else:
                    repo.add(schema_staged, base=base, lens=lens[0], root=lens[1])
            if data:
                for name, entry in self.staged_data().items():
                    records = read_records(self.dir / DATA / entry["file"])
                    repo.add_data(name, records, root=entry.get("root"), base=entry.get("base", "HEAD"))
        except BaseException:
            repo.close()
            raise
        return repo

    # ---------------------------------------------------------------- HEAD

    def head(self) -> str | None:
        """What ``checkout`` chose, if anything (else the store's HEAD)."""
        text = read_optional_text(self.dir / HEAD)
        return (text or "").strip() or None

    def set_head(self, ref: str) -> None:
        _replace(self.dir / HEAD, ref + "\n")

    # ---------------------------------------------------------------- tracked files

    def track(self, path: Path, fmt: str | None) -> None:
        """Remember what ``add`` read (relative to the root where it is inside)."""
        full = path.resolve()
        try:
            shown = str(full.relative_to(self.root.resolve()))
        except ValueError:
            shown = str(full)
        _replace(self.dir / TRACKED, json.dumps({"path": shown, "format": fmt}))

    def tracked(self) -> tuple[str, str | None] | None:
        """The path ``add`` last read and its format, if any."""
        text = read_optional_text(self.dir / TRACKED)
        if text is None:
            return None
        try:
            entry = json.loads(text)
            return str(entry["path"]), entry.get("format")
        except (ValueError, KeyError, TypeError) as exc:
            raise CliError(f"{self.dir / TRACKED} is damaged ({exc}); add the files again") from exc

    # ---------------------------------------------------------------- staged schema

    @property
    def index(self) -> Path:
        return self.dir / INDEX

    def has_staged_schema(self) -> bool:
        """Whether ``add`` staged a schema (without reading it)."""
        return self.index.is_file()

    def staged(self) -> tuple[Schema, str | None, tuple[ProtolensChain, str | None] | None] | None:
        """The schema ``add`` staged, the commit it was staged on, and the
        lens staged with it (with its root), if anything is staged."""
        text = read_optional_text(self.index)
        if text is None:
            return None
        try:
            index = json.loads(text)
            schema_json, base = json.dumps(index["schema"]), index["base"]
            lens_entry = index.get("lens")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CliError(f"{self.index} is not a panproto index ({exc}); remove it and add again") from exc
        try:
            lens = None
            if lens_entry is not None:
                lens = panproto.ProtolensChain.from_json(lens_entry["chain"]), lens_entry.get("root")
            return panproto.Schema.from_json(schema_json), base, lens
        except (KeyError, TypeError) as exc:
            raise CliError(f"{self.index} is not a panproto index ({exc}); remove it and add again") from exc
        except panproto.PanprotoError as exc:
            raise CliError(f"{self.index}: the staged schema is no longer valid ({exc}); add it again") from exc

    def staged_schema(self) -> Schema | None:
        """The schema ``add`` staged, if any."""
        staged = self.staged()
        return None if staged is None else staged[0]

    def stage(self, schema: Schema, base: str | None, lens: tuple[str, str | None] | None = None) -> None:
        """Save the staged schema, the commit it is a change from (``None``:
        none yet) and the lens staged with it (its JSON and root), if any."""
        index: dict[str, Any] = {"base": base, "schema": json.loads(schema.to_json())}
        if lens is not None:
            index["lens"] = {"chain": lens[0], "root": lens[1]}
        _replace(self.index, json.dumps(index))

    def unstage(self) -> None:
        self.index.unlink(missing_ok=True)

    # ---------------------------------------------------------------- staged data

    def staged_data(self) -> dict[str, dict[str, Any]]:
        """The datasets ``data add`` staged: name -> {"file", "base", "root"?, "count"?}."""
        path = self.dir / DATA / DATA_INDEX
        text = read_optional_text(path)
        if text is None:
            return {}
        try:
            index = json.loads(text)
        except ValueError as exc:
            raise CliError(f"{path} is damaged: {exc}") from exc
        if not isinstance(index, dict):
            raise CliError(f"{path} is damaged: not a JSON object")
        return index

    def staged_data_counts(self) -> dict[str, int]:
        """How many records each staged dataset holds, from the index (files
        staged before counts were kept are counted, not validated)."""
        counts = {}
        for name, entry in self.staged_data().items():
            count = entry.get("count")
            if not isinstance(count, int):
                count = sum(1 for _ in read_records(self.dir / DATA / entry["file"]))
            counts[name] = count
        return counts

    def stage_data(
        self, name: str, source: Path | None, root: str | None, base: str | None, count: int | None = None
    ) -> None:
        """Keep a copy of ``source``'s records as dataset ``name``'s staged data,
        a change from commit ``base``; with no ``source``, only move it to ``base``."""
        folder = self.dir / DATA
        folder.mkdir(exist_ok=True)
        index = self.staged_data()
        previous = index.get(name, {})
        import hashlib  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

        file = previous.get("file") or hashlib.sha256(name.encode()).hexdigest()[:32] + ".jsonl"
        if source is not None:
            tmp = (folder / file).with_suffix(".tmp")
            tmp.write_bytes(source.read_bytes())
            tmp.replace(folder / file)
        else:
            count = previous.get("count") if count is None else count
        entry: dict[str, Any] = {"file": file, "base": base}
        if root is not None:
            entry["root"] = root
        if count is not None:
            entry["count"] = count
        index[name] = entry
        self.write_data_index(index)

    def write_data_index(self, index: dict[str, dict[str, Any]]) -> None:
        _replace(self.dir / DATA / DATA_INDEX, json.dumps(index, indent=2))

    def unstage_data(self, name: str | None = None) -> None:
        """Forget the staged dataset ``name``, or all of them."""
        folder = self.dir / DATA
        index = self.staged_data()
        for entry_name, entry in list(index.items()):
            if name is None or entry_name == name:
                (folder / entry["file"]).unlink(missing_ok=True)
                del index[entry_name]
        if index:
            self.write_data_index(index)
        else:
            (folder / DATA_INDEX).unlink(missing_ok=True)

    def has_stage(self) -> bool:
        """Whether a schema or any dataset is staged."""
        return self.has_staged_schema() or bool(self.staged_data())


def without_password(store: str) -> str:
    """``store`` with no password: a URL's ``user:PASSWORD@`` becomes
    ``user@`` and a ``password=`` query parameter is dropped; a path is
    returned as it is. What the config keeps and the CLI shows (libpq's
    ``PGPASSWORD`` and ``~/.pgpass`` give the password instead)."""
    if "://" not in store:
        return store
    scheme, rest = store.split("://", 1)
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        authority = f"{userinfo.split(':', 1)[0]}@{host}"
    if "?" in tail:
        path, query = tail.split("?", 1)
        query, hash_, fragment = query.partition("#")
        kept = [pair for pair in query.split("&") if pair.split("=", 1)[0] != "password"]
        tail = path + ("?" + "&".join(kept) if kept else "") + hash_ + fragment
    return f"{scheme}://{authority}{tail}"


def write_config(directory: Path, store: str, name: str, fmt: str | None = None) -> Path:
    """Write ``.panproto/config`` under ``directory``, never with a password
    (see :func:`without_password`)."""
    import configparser  # noqa: PLC0415  (imported where used: every command pays for top-level imports)

    parser = configparser.ConfigParser(interpolation=None)
    parser["repository"] = {"store": without_password(store), "name": name}
    if fmt is not None:
        parser["repository"]["format"] = fmt
    path = directory / DIR / CONFIG
    with path.open("w", encoding="utf-8") as f:
        f.write("# panproto working copy: where the history is kept\n")
        parser.write(f)
    return path
