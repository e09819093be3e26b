//! Where things live: the workspace root and the generated folders under `target/`.

use std::path::{Component, Path, PathBuf};

/// The workspace root (the parent of the `tasks` crate).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Cargo's target folder: `$CARGO_TARGET_DIR` if set, else `<root>/target`.
/// maturin and cargo use the same one, so every build shares one cache.
pub fn target() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        _ => root().join("target"),
    }
}

/// The rendered maturin and dispatcher projects.
pub fn python_projects() -> PathBuf {
    target().join("python")
}

/// The one wheelhouse every build writes to and every install reads from.
pub fn wheelhouse() -> PathBuf {
    target().join("wheels")
}

/// The virtual environments the runner creates (tools, one per backend, bare).
pub fn venvs() -> PathBuf {
    target().join("venvs")
}

/// The templates folder.
pub fn templates() -> PathBuf {
    root().join("templates")
}

/// `to` relative to the directory `from` (both absolute), e.g. `../../../x`.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_walks_up_then_down() {
        let r = relative(
            Path::new("/w/target/python/sqlite"),
            Path::new("/w/panproto-backend/Cargo.toml"),
        );
        assert_eq!(r, Path::new("../../../panproto-backend/Cargo.toml"));
    }
}
