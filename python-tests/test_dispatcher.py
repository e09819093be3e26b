"""The dispatcher: backend selection, refusals, re-exports, interface."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest

import panproto as pp
import panproto._seed
import panproto.errors
from conftest import BACKEND, ROOT
from panproto import _build, _interface

OTHER = "postgres" if BACKEND == "sqlite" else "sqlite"
BARE_PYTHON = os.environ.get("PANPROTO_BARE_PYTHON", "")

# The seed SDK's compatibility forms: pure Python in the dispatcher (panproto/_seed.py).
SEED_FORMS = {"Panproto", "vcs_init", "vcs_open", "vcs_add", "vcs_commit", "vcs_log", "vcs_status"}
# The seed's names for backend classes (``LensHandle`` is ``Lens``): aliases, not copies.
SEED_ALIASES = {"ProtolensChainHandle", "LensHandle", "SymmetricLensHandle"}

DISPATCHER_NAMES = {
    *panproto.errors.__all__,
    *SEED_FORMS,
    *SEED_ALIASES,
    "available_backends",
    "__backend__",
    "__version__",
}


def python(
    code: str, *, executable: str = sys.executable, env: dict[str, str] | None = None, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("PANPROTO_BACKEND", "PYTHONPATH")}
    environment.update(env or {})
    if path is not None:
        environment["PYTHONPATH"] = str(path)
    return subprocess.run(
        [executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
        cwd=path or Path.cwd(),
    )


IMPORT_ERROR = """
import traceback
try:
    import panproto
except ImportError as exc:
    print(str(exc))
    print("CAUSE:", type(exc.__cause__).__name__ if exc.__cause__ else None)
else:
    print("IMPORTED", panproto.__backend__)
"""


def test_public_names_are_the_backend_all_plus_the_dispatchers_own():
    backend = sys.modules[f"panproto_{BACKEND}"]
    assert set(pp.__all__) == set(backend.__all__) | DISPATCHER_NAMES
    assert len(pp.__all__) == len(set(pp.__all__))
    for name in set(backend.__all__) - DISPATCHER_NAMES:
        assert getattr(pp, name) is getattr(backend, name)
    for name in pp.__all__:
        assert hasattr(pp, name), name
    public = {n for n in dir(pp) if not n.startswith("_")} - {"BACKENDS", "cli", "errors", "types"}
    assert public <= set(pp.__all__)


def test_the_seed_forms_are_the_dispatchers_own_pure_python():
    """Written once, in panproto/_seed.py; a same-named native object never wins."""
    assert set(panproto._seed.__all__) == SEED_FORMS | SEED_ALIASES
    backend = sys.modules[f"panproto_{BACKEND}"]
    for name in SEED_ALIASES:
        assert getattr(pp, name) is getattr(backend, name.removesuffix("Handle")), name
    for name in SEED_FORMS:
        value = getattr(pp, name)
        assert value is getattr(panproto._seed, name)
        assert value.__module__ == "panproto._seed", name
        assert value.__doc__, f"{name} is documented"
    assert not SEED_FORMS & set(_interface.protocol_members(_interface.Backend)), "not part of a backend's interface"
    for name in SEED_FORMS & set(backend.__all__):  # a backend that still has native copies
        assert getattr(pp, name) is not getattr(backend, name)


def test_version_and_backend():
    assert pp.__backend__ == BACKEND
    backend = sys.modules[f"panproto_{BACKEND}"]
    assert pp.__version__ == backend.__version__ == backend._native.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+|\.dev\d+)?", pp.__version__)
    assert version("panproto") == version(f"panproto-{BACKEND}") == pp.__version__


def test_available_backends_lists_the_installed_one():
    assert pp.available_backends() == [BACKEND]


def test_backend_satisfies_the_interface():
    backend = sys.modules[f"panproto_{BACKEND}"]
    assert _interface.missing_members(backend) == []
    assert isinstance(backend, _interface.Backend)
    schema = pp.protocol("atproto").schema().vertex("a", "object").build()
    assert isinstance(pp.protocol("atproto"), _interface.ProtocolLike)
    assert isinstance(schema, _interface.SchemaLike)
    assert isinstance(schema.to_builder(), _interface.SchemaBuilderLike)


def test_preference_order_matches_the_task_runner_table():
    assert pp.BACKENDS == ("sqlite", "postgres")
    table = (ROOT / "tasks" / "src" / "project.rs").read_text(encoding="utf-8")
    block = table[table.index("pub const BACKENDS") :]
    names = re.findall(r'name: "(\w+)"', block)[:2]
    assert tuple(names) == pp.BACKENDS


def test_forcing_the_installed_backend():
    out = python(IMPORT_ERROR, env={"PANPROTO_BACKEND": BACKEND})
    assert out.stdout.strip() == f"IMPORTED {BACKEND}", out.stderr


def test_forcing_a_backend_that_is_not_installed():
    out = python(IMPORT_ERROR, env={"PANPROTO_BACKEND": OTHER})
    assert f"PANPROTO_BACKEND={OTHER}" in out.stdout
    assert f"pip install panproto[{OTHER}]" in out.stdout
    assert "CAUSE: ModuleNotFoundError" in out.stdout  # the cause is chained


def test_forcing_an_unknown_backend():
    out = python(IMPORT_ERROR, env={"PANPROTO_BACKEND": "oracle"})
    assert "'oracle' is not a panproto backend" in out.stdout
    assert "sqlite" in out.stdout and "postgres" in out.stdout
    assert "pip install panproto[sqlite]" in out.stdout


def bare_python() -> str:
    if not BARE_PYTHON:
        pytest.fail("PANPROTO_BARE_PYTHON is unset: run the suite with `cargo tasks test`")
    return BARE_PYTHON


# What `import panproto` and the command line must not import: each of these
# costs a `panproto` command more than judging a real `.proto` pair does
# (importlib.metadata alone more than everything else), and every command
# pays for its imports.
NOT_AT_IMPORT = ("importlib.metadata", "typing", "inspect", "panproto._interface", "concurrent.futures", "socket")


def test_import_and_the_command_line_leave_out_the_expensive_modules():
    out = python("import sys, panproto.cli; print(' '.join(sorted(sys.modules)))")
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    assert "panproto.cli.commands" in loaded
    assert [m for m in NOT_AT_IMPORT if m in loaded] == []


def test_the_rendered_interface_is_the_declared_one():
    """_build.INTERFACE, which import checks a backend against, is what
    _interface declares (the task runner renders it by running that file)."""
    assert {name: tuple(names) for name, names in _interface.members().items()} == _build.INTERFACE
    assert _build.__version__ == version("panproto")


def test_no_backend_installed():
    out = python(IMPORT_ERROR, executable=bare_python())
    message = out.stdout
    assert "no panproto backend could be imported" in message
    assert "pip install panproto[sqlite]" in message and "pip install panproto[postgres]" in message
    assert "panproto_sqlite: ModuleNotFoundError" in message
    assert "panproto_postgres: ModuleNotFoundError" in message


def test_no_backend_installed_but_errors_module_is_plain_python():
    code = """
    import importlib.util, sys
    spec = importlib.util.find_spec("panproto")
    path = spec.submodule_search_locations[0]
    sys.path.insert(0, path)
    import errors  # the module itself needs no backend
    print(errors.ConflictError("m", ref="r").ref)
    """
    assert python(code, executable=bare_python()).stdout.strip() == "r"


def test_cli_without_a_backend_says_how_to_install(tmp_path):
    bare = Path(bare_python())
    result = subprocess.run(
        [str(bare.with_name("panproto")), "status"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PANPROTO_BACKEND"},
    )
    assert result.returncode != 0
    assert "pip install panproto[sqlite]" in result.stderr


def fake_backend(tmp_path: Path, name: str, body: str) -> Path:
    package = tmp_path / f"panproto_{name}"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def test_a_backend_of_another_version_is_refused(tmp_path):
    path = fake_backend(tmp_path, OTHER, f"__version__ = '0.0.1'\n__backend__ = '{OTHER}'\n__all__ = []\n")
    out = python(IMPORT_ERROR, env={"PANPROTO_BACKEND": OTHER}, path=path)
    assert f"panproto_{OTHER} 0.0.1 does not match panproto {pp.__version__}" in out.stdout


def test_a_backend_missing_part_of_the_interface_is_refused(tmp_path):
    body = f"""
    __version__ = {pp.__version__!r}
    __backend__ = {OTHER!r}
    __all__ = ["protocol"]
    def protocol(name): ...
    class Schema:
        def to_json(self): ...
    """
    out = python(IMPORT_ERROR, env={"PANPROTO_BACKEND": OTHER}, path=fake_backend(tmp_path, OTHER, body))
    assert "does not provide the backend interface" in out.stdout
    assert "check_existence" in out.stdout and "Schema.from_json" in out.stdout and "Repository" in out.stdout


def test_a_broken_backend_is_reported_not_half_imported(tmp_path):
    path = fake_backend(tmp_path, "sqlite", "raise RuntimeError('the build is broken')\n")
    out = python(IMPORT_ERROR, executable=bare_python(), path=path)
    assert "panproto_sqlite: RuntimeError: the build is broken" in out.stdout
    assert "panproto_postgres: ModuleNotFoundError" in out.stdout


@pytest.mark.backend("postgres")
def test_automatic_selection_falls_through_a_broken_backend(tmp_path):
    path = fake_backend(tmp_path, "sqlite", "raise RuntimeError('broken')\n")
    out = python(IMPORT_ERROR + "\nprint(panproto.available_backends())", path=path)
    assert "IMPORTED postgres" in out.stdout, out.stdout + out.stderr
    assert "['postgres']" in out.stdout
