//! What a parser reads: one or more files, each a path and its text.
//!
//! A [`Source`] is read from a file, from a directory (every file whose
//! name the format accepts, recursively, in path order, so the result does
//! not depend on the order the file system lists them in), or made from
//! text. Paths are kept relative to the root, with `/` separators, because
//! they name the files of a multi-file schema and must be the same on
//! every machine.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use crate::formats::FormatError;

/// One file of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path relative to the source's root, `/`-separated; for a source
    /// that is one file, its file name.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// The files a schema is parsed from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    files: Vec<SourceFile>,
    /// What the source was read from, for messages.
    origin: String,
    /// Whether the source is one file on its own (not a directory), whose
    /// name is then no part of the schema (see [`Source::key`]).
    single: bool,
}

impl Source {
    /// A source of one file, from text: `name` is the file name errors and
    /// emitted files use (it may decide the format, by its extension).
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let path = name.into();
        Self {
            origin: path.clone(),
            files: vec![SourceFile {
                path,
                text: text.into(),
            }],
            single: true,
        }
    }

    /// A source of several files, given as (relative path, text) pairs.
    pub fn from_files(
        origin: impl Into<String>,
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let mut files: Vec<SourceFile> = files
            .into_iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Self {
            files,
            origin: origin.into(),
            single: false,
        }
    }

    /// Reads a file, or every file under a directory that `accept` takes
    /// (by its path relative to the directory). Hidden files and
    /// directories (a name starting with `.`) are skipped.
    ///
    /// # Errors
    /// [`FormatError::Io`] if the path, or a file under it, cannot be read
    /// or is not UTF-8.
    pub fn read(path: &Path, accept: impl Fn(&str) -> bool) -> Result<Self, FormatError> {
        let io = |p: &Path, e: &dyn std::fmt::Display| FormatError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let meta = fs::metadata(path).map_err(|e| io(path, &e))?;
        if !meta.is_dir() {
            let text = fs::read_to_string(path).map_err(|e| io(path, &e))?;
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let mut source = Self::from_text(name, text);
            source.origin = path.display().to_string();
            return Ok(source);
        }
        let mut paths = Vec::new();
        walk(path, path, &mut paths).map_err(|(p, e)| io(&p, &e))?;
        let mut files = Vec::new();
        for (relative, full) in paths {
            if accept(&relative) {
                let text = fs::read_to_string(&full).map_err(|e| io(&full, &e))?;
                files.push((relative, text));
            }
        }
        Ok(Self::from_files(path.display().to_string(), files))
    }

    /// The name a file has in the schema (its `file` vertex): its path
    /// relative to the directory read, or `single_name` (the format's
    /// `schema.<ext>`) for a source that is one file on its own, so that
    /// `v1.proto` and `v2.proto` compare as two versions of one file, not
    /// as one file removed and another added.
    pub fn key<'a>(&self, file: &'a SourceFile, single_name: &'a str) -> &'a str {
        if self.single { single_name } else { &file.path }
    }

    /// The files, in path order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// What the source was read from: a path, or the name given to text.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The files `keep` takes, as a source of their own: this source
    /// itself when it keeps them all (the common case, so a parse does not
    /// copy every file's text).
    pub fn filtered(&self, keep: impl Fn(&SourceFile) -> bool) -> Cow<'_, Self> {
        if self.files.iter().all(&keep) {
            return Cow::Borrowed(self);
        }
        Cow::Owned(Self {
            files: self.files.iter().filter(|f| keep(f)).cloned().collect(),
            origin: self.origin.clone(),
            single: self.single,
        })
    }

    /// Whether the source has no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Every file under `dir`, as (path relative to `root`, full path).
fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), (PathBuf, std::io::Error)> {
    let entries = fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(|e| (path.clone(), e))?;
        if kind.is_dir() {
            walk(root, &path, out)?;
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, path));
        }
    }
    Ok(())
}

/// The extension of a path (after its last `.`, lowercased), if any.
pub(crate) fn extension(path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
}
