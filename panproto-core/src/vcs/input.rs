//! Checks on the text a user gives that a store keeps: repository, branch
//! and tag names, commit and tag messages, authors and taggers.
//!
//! Every entry point calls [`check_text`] (or [`check_not_empty`], which
//! calls it) before it reads or writes the store, so every store refuses
//! the same inputs the same way: PostgreSQL cannot keep a NUL byte in
//! text (`invalid byte sequence for encoding "UTF8"`) while SQLite would,
//! so NUL is refused here, as [`VcsError::NulByte`] naming the field.

use crate::vcs::error::VcsError;

/// Refuses text holding a NUL byte. `what` names the field, e.g.
/// `"commit message"`.
///
/// # Errors
/// [`VcsError::NulByte`] naming `what`.
pub fn check_text(what: &'static str, value: &str) -> Result<(), VcsError> {
    match value.find('\0') {
        Some(at) => Err(VcsError::NulByte { what, at }),
        None => Ok(()),
    }
}

/// Refuses text that is empty (or only white space), or holds a NUL byte.
///
/// # Errors
/// [`VcsError::InvalidInput`] naming `what` when empty, [`VcsError::NulByte`]
/// for a NUL.
pub fn check_not_empty(what: &'static str, value: &str) -> Result<(), VcsError> {
    if value.trim().is_empty() {
        return Err(VcsError::InvalidInput {
            what,
            reason: "it is empty".to_owned(),
        });
    }
    check_text(what, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_empty_text_are_refused_by_name() {
        assert_eq!(check_text("author", "ada"), Ok(()));
        let err = check_text("author", "a\0da").unwrap_err();
        assert!(
            matches!(
                &err,
                VcsError::NulByte {
                    what: "author",
                    at: 1
                }
            ),
            "{err:?}"
        );
        assert!(matches!(
            check_not_empty("commit message", " \n"),
            Err(VcsError::InvalidInput {
                what: "commit message",
                ..
            })
        ));
        assert!(check_not_empty("commit message", "\0").is_err());
    }
}
