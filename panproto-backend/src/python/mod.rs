//! The Python module, identical for both backends.
//!
//! One declarative `#[pymodule]` lists every export once; `__all__` is
//! derived from what it exports (every public name), so nothing keeps a
//! second list. maturin names the module `panproto_sqlite._native` or
//! `panproto_postgres._native`; the classes take that name as their
//! `__module__` at init, so they pickle under the right path.

mod compat;
mod convert;
mod errors;
mod formats;
mod gat;
mod kinds;
mod lens;
mod migration;
mod protocol;
mod report;
mod repository;
mod schema;

use std::sync::OnceLock;

static MODULE_NAME: OnceLock<String> = OnceLock::new();

/// The module's import name, e.g. `panproto_sqlite._native`.
fn module_name() -> &'static str {
    MODULE_NAME.get().map_or("panproto._native", String::as_str)
}

/// panproto's native engine: protocols, schemas and their version history.
///
/// Import it through the ``panproto`` package, which picks the backend.
#[pyo3::pymodule]
mod _native {
    use pyo3::prelude::*;
    use pyo3::types::{PyList, PyType};

    #[pymodule_export]
    use super::compat::{_restore_compat_report, PyCompatReport, check};
    #[pymodule_export]
    use super::formats::{PyField, list_formats, parse};
    #[pymodule_export]
    use super::gat::{_restore_theory, PyTheory, check_morphism, colimit_theories, create_theory};
    #[pymodule_export]
    use super::kinds::list_kinds;
    #[pymodule_export]
    use super::lens::{
        _restore_chain, _restore_complement, _restore_lens, LensIterator, PyChain, PyComplement,
        PyLens, PySymmetricLens, add, check_laws, convert, head, hoist, in_, map, plunge, remove,
        rename, wrap,
    };
    #[pymodule_export]
    use super::migration::{
        _restore_existence_report, _restore_migration, _restore_migration_builder, LiftIterator,
        PyCompiledMigration, PyExistenceReport, PyMigrationBuilder, check_existence, compose,
        invert, migration,
    };
    #[pymodule_export]
    use super::protocol::{PyProtocol, define_protocol, list_protocols, protocol};
    #[pymodule_export]
    use super::report::{_restore_diff_report, PyDiffReport, classify, diff};
    #[pymodule_export]
    use super::repository::{
        DataIterator, PyCommit, PyRepository, PyStatus, PyVerifyReport, delete_repository,
        list_repositories,
    };
    #[pymodule_export]
    use super::schema::{_restore_builder, _restore_schema, PySchema, PySchemaBuilder};

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let name = m.name()?.to_string();
        let _ = super::MODULE_NAME.set(name.clone());
        let mut public = Vec::new();
        for (key, value) in m.dict().iter() {
            let key: String = key.extract()?;
            if key.starts_with('_') {
                continue;
            }
            if let Ok(cls) = value.cast::<PyType>() {
                cls.setattr("__module__", &name)?;
            }
            public.push(key);
        }
        public.sort();
        m.add(
            "__version__",
            panproto_core::pep440(env!("CARGO_PKG_VERSION")),
        )?;
        m.add("__backend__", crate::store::BACKEND)?;
        m.add("__all__", PyList::new(m.py(), public)?)?;
        Ok(())
    }
}
