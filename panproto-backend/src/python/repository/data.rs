//! `DataIterator`: the records of a dataset, read lazily through the repository.

use std::collections::VecDeque;

use panproto_core::{DataCursor, DataWriter, Value};
use pyo3::prelude::*;

use super::PyRepository;
use crate::python::convert::{Writer, to_value};
use crate::python::errors::{Error, detached};

/// Records read from ``add_data``'s iterable per GIL release.
const BATCH: usize = 4096;

/// Feeds every record of `records` (any iterable) to `writer`, a batch at
/// a time, each batch validated and encoded with the GIL released.
pub(super) fn feed(
    py: Python<'_>,
    mut writer: DataWriter,
    records: &Bound<'_, PyAny>,
) -> PyResult<DataWriter> {
    let mut source = records.try_iter()?;
    loop {
        let mut batch: Vec<Value> = Vec::with_capacity(BATCH);
        for item in source.by_ref().take(BATCH) {
            batch.push(to_value(&item?)?);
        }
        let last = batch.len() < BATCH;
        writer = detached(py, move || {
            writer.extend(batch)?;
            Ok::<_, Error>(writer)
        })?;
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
}

impl DataIterator {
    pub(super) fn new(repo: &Bound<'_, PyRepository>, cursor: DataCursor) -> Self {
        Self {
            repo: repo.clone().unbind(),
            cursor: Some(cursor),
            ready: VecDeque::new(),
        }
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
            self.cursor = Some(cursor);
            let mut writer = Writer::new(py);
            for v in values {
                self.ready.push_back(writer.write(v)?.unbind());
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
