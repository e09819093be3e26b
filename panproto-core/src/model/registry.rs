//! The process-wide table of protocols: the built-ins plus those defined at run time.
//!
//! `define_protocol` registers a user protocol by name so that schemas read
//! back from JSON (which name their protocol) find it again.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::model::builtin::{builtin_names, builtin_protocol};
use crate::model::error::ProtocolError;
use crate::model::protocol::Protocol;

fn defined() -> &'static RwLock<BTreeMap<String, Arc<Protocol>>> {
    static DEFINED: OnceLock<RwLock<BTreeMap<String, Arc<Protocol>>>> = OnceLock::new();
    DEFINED.get_or_init(Default::default)
}

/// Validates and registers a user-defined protocol, replacing an earlier
/// definition of the same name. Built-in names cannot be redefined.
pub fn define(spec: Protocol) -> Result<Arc<Protocol>, ProtocolError> {
    let spec = spec.validate()?;
    if builtin_names().any(|n| n == spec.name) {
        return Err(ProtocolError::Invalid {
            name: spec.name.clone(),
            problems: vec!["this name belongs to a built-in protocol".to_owned()],
        });
    }
    let proto = Arc::new(spec);
    let mut table = defined()
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    table.insert(proto.name.clone(), Arc::clone(&proto));
    Ok(proto)
}

/// Finds a protocol by name: built-ins first, then defined ones.
pub fn lookup(name: &str) -> Result<Arc<Protocol>, ProtocolError> {
    if let Ok(p) = builtin_protocol(name) {
        return Ok(p);
    }
    let table = defined()
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    table
        .get(name)
        .cloned()
        .ok_or_else(|| ProtocolError::Unknown {
            name: name.to_owned(),
            known: builtin_names()
                .map(str::to_owned)
                .chain(table.keys().cloned())
                .collect(),
        })
}

/// Names of every known protocol: built-ins, then defined ones in name order.
pub fn names() -> Vec<String> {
    let table = defined()
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    builtin_names()
        .map(str::to_owned)
        .chain(table.keys().cloned())
        .collect()
}
