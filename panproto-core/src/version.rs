//! The product version as Python packaging spells it.
//!
//! The workspace `Cargo.toml` holds the one version of the whole product.
//! The native modules publish it as `__version__` and the task runner writes
//! it into every pyproject; both convert it here, so the dispatcher never
//! refuses a backend over two spellings of one version.

/// Converts a SemVer version to PEP 440.
pub fn pep440(version: &str) -> String {
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version, None),
    };
    let core = core.split('+').next().unwrap_or(core);
    let Some(pre) = pre else {
        return core.to_owned();
    };
    let pre = pre.split('+').next().unwrap_or(pre);
    let (tag, num) = match pre.split_once('.') {
        Some((tag, num)) => (tag, num),
        None => {
            let split = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
            (&pre[..split], &pre[split..])
        }
    };
    let num = if num.is_empty() { "0" } else { num };
    let tag = match tag {
        "alpha" | "a" => "a",
        "beta" | "b" => "b",
        "rc" | "c" => "rc",
        "dev" => return format!("{core}.dev{num}"),
        other => return format!("{core}+{}", other.replace(['-', '.'], "")),
    };
    format!("{core}{tag}{num}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep440_conversions() {
        assert_eq!(pep440("0.1.0"), "0.1.0");
        assert_eq!(pep440("1.2.0-alpha.3"), "1.2.0a3");
        assert_eq!(pep440("1.2.0-beta.1"), "1.2.0b1");
        assert_eq!(pep440("1.2.0-rc.2"), "1.2.0rc2");
        assert_eq!(pep440("1.2.0-rc2"), "1.2.0rc2");
        assert_eq!(pep440("1.2.0-dev.4"), "1.2.0.dev4");
        assert_eq!(pep440("1.2.0+build.5"), "1.2.0");
    }
}
