//! The formats layer's error: a file that does not parse, a construct a
//! schema cannot hold, a ref to nothing, a schema a format cannot write.
//!
//! Every error about input names where it is ([`Location`]: file, line,
//! column). The Python bindings raise the input errors as
//! `panproto.ParseError`, with the location as attributes.

use std::fmt;

use crate::model::{ProtocolError, SchemaError};

/// A place in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file's path, relative to the source's root (or the name given
    /// to text parsed without a file).
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1, counted in characters.
    pub column: u32,
}

impl Location {
    /// The location of byte `offset` of `text` (clamped to the text's end,
    /// and to the start of a character).
    pub fn at_offset(file: &str, text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self {
            file: file.to_owned(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    /// A line and column as a parser reports them.
    pub fn new(file: &str, line: usize, column: usize) -> Self {
        Self {
            file: file.to_owned(),
            line: u32::try_from(line.max(1)).unwrap_or(u32::MAX),
            column: u32::try_from(column.max(1)).unwrap_or(u32::MAX),
        }
    }

    /// The location of the first occurrence of `needle` in `text`, or the
    /// file's start: for parsers (JSON) that keep no positions past the
    /// syntax, so a bad ref is still pointed at.
    pub fn of_text(file: &str, text: &str, needle: &str) -> Self {
        Self::at_offset(file, text, text.find(needle).unwrap_or(0))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Why a native schema could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The text is not valid in the format: what the parser expected there.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Location,
        /// What was wrong, and what was expected.
        message: String,
    },
    /// The file is valid in its format, but says something that breaks the
    /// format's own rules (two types of one name, a field number reused).
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Location,
        /// What rule is broken.
        message: String,
    },
    /// A construct the schema cannot represent, refused rather than dropped.
    #[error("{at}: {construct} is not supported: {reason}")]
    Unsupported {
        /// Where.
        at: Location,
        /// The construct, in the format's terms.
        construct: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// A reference to a type that no file of the source defines.
    #[error("{at}: {reference:?} names no type defined in this schema")]
    UnresolvedRef {
        /// Where the reference is.
        at: Location,
        /// The reference, as written.
        reference: String,
    },
    /// A file or directory could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A format name no format has.
    #[error("unknown format {name:?}; the formats are {}", .known.join(", "))]
    UnknownFormat {
        /// The name asked for.
        name: String,
        /// The formats there are.
        known: Vec<String>,
    },
    /// The format of an input could not be told from its names and content.
    #[error("cannot tell the format of {what}: {reason}; pass format= one of {}", .known.join(", "))]
    Undetected {
        /// The input (a path, or "the text").
        what: String,
        /// Why: no candidate, or several.
        reason: String,
        /// The formats there are.
        known: Vec<String>,
    },
    /// The schema's protocol is not the format's.
    #[error(
        "a schema of protocol {protocol:?} cannot be written as {format}; its format is that of its protocol"
    )]
    WrongProtocol {
        /// The format asked for.
        format: String,
        /// The schema's protocol.
        protocol: String,
    },
    /// Two schemas of different protocols cannot be compared.
    #[error(
        "cannot compare a schema of protocol {old:?} with one of protocol {new:?}: a compatibility check compares two versions of one protocol's schema"
    )]
    Mismatched {
        /// The old schema's protocol.
        old: String,
        /// The new schema's protocol.
        new: String,
    },
    /// The schema holds something the format cannot write (a schema built
    /// by hand rather than parsed, say), named by its vertex or edge.
    #[error("cannot write {element} as {format}: {reason}")]
    Unemittable {
        /// The format.
        format: String,
        /// The vertex or edge.
        element: String,
        /// Why.
        reason: String,
    },
    /// The parsed declarations do not make a valid schema of the protocol.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The format's protocol is not available (a user protocol named like
    /// a format's is refused when defined, so this means a broken build).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
}

impl FormatError {
    /// Where in the input the error is, for the errors about input.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Syntax { at, .. }
            | Self::Invalid { at, .. }
            | Self::Unsupported { at, .. }
            | Self::UnresolvedRef { at, .. } => Some(at),
            _ => None,
        }
    }
}
