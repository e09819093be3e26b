//! The task runner's one error type: a message for a human, naming the step.

use std::fmt;

/// A task failed; the message says which step and why.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Result of a task or step.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// Builds an [`Error`] from anything printable.
pub fn fail(message: impl Into<String>) -> Error {
    Error(message.into())
}

/// Adds "what we were doing" to I/O and other errors.
pub trait Context<T> {
    /// Wraps the error as `"{what}: {error}"`.
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error(format!("{}: {e}", what())))
    }
}
