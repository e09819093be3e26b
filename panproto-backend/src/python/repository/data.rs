//! `DataIterator`: the records of a dataset, read lazily through the repository.

use std::collections::VecDeque;

use panproto_core::{DataCursor, DataWriter, Value};
use pyo3::prelude::*;

use super::PyRepository;
use crate::python::convert::{Writer, to_value};
use crate::python::errors::{Error, detached};

/// Records read from ``add_data``'s iterable per GIL release.
const BATCH: usize = 4096;

/// The body of `Repository.add_data`: a writer on `base` (HEAD, a ref, or
/// none), fed every record, staged.
pub(super) fn add(
    repo: &PyRepository,
    py: Python<'_>,
    name: &str,
    records: &Bound<'_, PyAny>,
    root: Option<&str>,
    base: Option<&str>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let writer = repo.with(py, |r| {
        Ok(match base {
            Some("HEAD") => r.data_writer(name, root)?,
            Some(reference) => {
                let base = r.resolve(reference)?;
                r.data_writer_on(name, root, Some(base))?
            }
            None => r.data_writer_on(name, root, None)?,
        })
    })?;
    let writer = feed(py, writer, records, progress)?;
    repo.with(py, |r| Ok(r.stage_data(writer)?.to_hex()))
}

/// Feeds every record of `records` (any iterable) to `writer`, a batch at
/// a time, each batch validated and encoded with the GIL released; calls
/// `progress(done, total)` after each (`total`: `len(records)`, or `None`).
pub(super) fn feed(
    py: Python<'_>,
    mut writer: DataWriter,
    records: &Bound<'_, PyAny>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<DataWriter> {
    let total = records.len().ok();
    let mut source = records.try_iter()?;
    let mut done = 0usize;
    loop {
        let mut batch: Vec<Value> = Vec::with_capacity(BATCH);
        for item in source.by_ref().take(BATCH) {
            batch.push(to_value(&item?)?);
        }
        let last = batch.len() < BATCH;
        done += batch.len();
        writer = detached(py, move || {
            writer.extend(batch)?;
            Ok::<_, Error>(writer)
        })?;
        if let Some(progress) = progress {
            progress.call1((done, total))?;
        }
        if last {
            return Ok(writer);
        }
    }
}

/// The lazy iterator of records ``data_at`` and ``migrate_data`` return.
/// It reads one chunk of the dataset at a time, through its repository.
#[pyclass(name = "DataIterator")]
pub(crate) struct DataIterator {
    repo: Py<PyRepository>,
    cursor: Option<DataCursor>,
    ready: VecDeque<Py<PyAny>>,
    /// Called as `progress(read, total)` after each chunk is read.
    progress: Option<Py<PyAny>>,
    read: u64,
}

impl DataIterator {
    pub(super) fn new(repo: &Bound<'_, PyRepository>, cursor: DataCursor) -> Self {
        Self {
            repo: repo.clone().unbind(),
            cursor: Some(cursor),
            ready: VecDeque::new(),
            progress: None,
            read: 0,
        }
    }

    /// The iterator, calling `progress(read, total)` after each chunk.
    pub(super) fn with_progress(mut self, progress: Option<Py<PyAny>>) -> Self {
        self.progress = progress;
        self
    }

    /// Reads, decodes and migrates the next chunk with the GIL released.
    fn refill(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some(mut cursor) = self.cursor.take() else {
            return Ok(());
        };
        let repo = self.repo.get();
        let chunk = repo.with(py, move |r| {
            let chunk = cursor.next_chunk(r.store())?;
            Ok(chunk.map(|c| (c, cursor)))
        })?;
        if let Some((values, cursor)) = chunk {
            let total = cursor.count();
            self.cursor = Some(cursor);
            self.read += values.len() as u64;
            let mut writer = Writer::new(py);
            for v in values {
                self.ready.push_back(writer.write(v)?.unbind());
            }
            if let Some(progress) = &self.progress {
                progress.call1(py, (self.read, total))?;
            }
        }
        Ok(())
    }
}

#[pymethods]
impl DataIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        while self.ready.is_empty() && self.cursor.is_some() {
            self.refill(py)?;
        }
        Ok(self.ready.pop_front())
    }

    /// How many records are left, as ``len()`` of an iterator would not say.
    fn __length_hint__(&self) -> usize {
        let pending = self
            .cursor
            .as_ref()
            .map_or(0, |c| usize::try_from(c.remaining()).unwrap_or(usize::MAX));
        self.ready.len() + pending
    }

    fn __repr__(&self) -> String {
        match &self.cursor {
            Some(c) => format!(
                "DataIterator({:?}, remaining={})",
                c.name(),
                self.__length_hint__()
            ),
            None => format!("DataIterator(remaining={})", self.ready.len()),
        }
    }
}
