//! The history as one self-contained HTML page (`report --html`): the
//! commit graph with branches and tags, a badge per commit with its
//! verdict, each commit's classified changes on click, the schema's size
//! over time as a chart, and the datasets per commit. The page holds its
//! data as JSON and draws itself with a little inline script and style
//! (`report.html`): nothing is fetched, so it opens anywhere, offline.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::*;

/// The page's template; `/*DATA*/null` is replaced by the report's JSON.
const PAGE: &str = include_str!("report.html");
const DATA: &str = "/*DATA*/null";

/// What the page shows.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryReport {
    /// The repository's name and protocol.
    pub repository: String,
    /// Its protocol's name.
    pub protocol: String,
    /// Branch name → commit id.
    pub branches: BTreeMap<String, String>,
    /// Tag name → commit id.
    pub tags: BTreeMap<String, String>,
    /// The commits in graph order (children first, newest first).
    pub commits: Vec<ReportCommit>,
}

/// One commit of the page.
#[derive(Debug, Clone, Serialize)]
pub struct ReportCommit {
    /// The commit id.
    pub id: String,
    /// Its lane glyphs (`* `, `| `), and the lines that join or fork lanes
    /// after it.
    pub glyphs: String,
    /// See `glyphs`.
    pub joins: Vec<String>,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Who, when (seconds since the epoch), why.
    pub author: String,
    /// See `author`.
    pub timestamp: i64,
    /// See `author`.
    pub message: String,
    /// The verdict against the first parent, and the format's levels.
    pub compatibility: Option<String>,
    /// See `compatibility`.
    pub backward: Option<String>,
    /// See `compatibility`.
    pub forward: Option<String>,
    /// Each change from the first parent's schema, classified.
    pub changes: Vec<serde_json::Value>,
    /// The schema's size.
    pub vertices: usize,
    /// See `vertices`.
    pub edges: usize,
    /// The datasets it holds, with their record counts.
    pub datasets: BTreeMap<String, u64>,
    /// Where it was imported from, if it was.
    pub origin: Option<String>,
}

/// The longest `old` or `new` value a change keeps on the page: a list
/// constraint (a JSON Schema's `propertyOrder`) holds every name, and a
/// thousand of them would make the page megabytes (`show` has them whole).
const SHOWN: usize = 160;

/// `change` with its `old` and `new` values cut to [`SHOWN`] characters.
fn shortened(mut change: serde_json::Value) -> serde_json::Value {
    if let serde_json::Value::Object(fields) = &mut change {
        for key in ["old", "new"] {
            if let Some(serde_json::Value::String(text)) = fields.get_mut(key) {
                if let Some((cut, _)) = text.char_indices().nth(SHOWN) {
                    text.truncate(cut);
                    text.push('…');
                }
            }
        }
    }
    change
}

impl<S: Store> Repository<S> {
    /// The report of the history [`graph`](Self::graph) draws (at most
    /// `limit` commits).
    ///
    /// # Errors
    /// The store's errors, or a damaged object.
    pub fn history_report(&mut self, limit: Option<usize>) -> Result<HistoryReport, VcsError> {
        let lines = self.graph(limit)?;
        let hex = |pairs: Vec<(String, ObjectId)>| {
            pairs
                .into_iter()
                .map(|(name, id)| (name, id.to_hex()))
                .collect::<BTreeMap<_, _>>()
        };
        let branches = hex(self.branches()?);
        let tags = hex(self.tags()?);
        // Children come before parents: a commit's schema is needed again
        // only as a later commit's own, so each is dropped once used.
        let mut schemas: HashMap<ObjectId, Schema> = HashMap::new();
        let mut commits: Vec<ReportCommit> = Vec::new();
        for line in lines {
            let Some(info) = line.commit else {
                if let Some(last) = commits.last_mut() {
                    last.joins.push(line.glyphs);
                }
                continue;
            };
            let schema = match schemas.remove(&info.id) {
                Some(schema) => schema,
                None => self.schema_of(&info.id)?,
            };
            let old = match info.commit.parents.first() {
                Some(parent) => match schemas.get(parent) {
                    Some(schema) => schema.clone(),
                    None => {
                        let loaded = self.schema_of(parent)?;
                        schemas.insert(*parent, loaded.clone());
                        loaded
                    }
                },
                None => empty_schema(&schema),
            };
            let changes = diff(&old, &schema);
            let classification = classify(&changes, &self.protocol);
            let changes = classification
                .classified(&changes)
                .map(|c| serde_json::to_value(c).map(shortened))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| VcsError::InvalidInput {
                    what: "report",
                    reason: e.to_string(),
                })?;
            let datasets = self.dataset_counts(&info.commit)?;
            let c = info.commit;
            commits.push(ReportCommit {
                id: info.id.to_hex(),
                glyphs: line.glyphs,
                joins: Vec::new(),
                parents: c.parents.iter().map(ObjectId::to_hex).collect(),
                author: c.author,
                timestamp: c.timestamp,
                message: c.message,
                compatibility: c.compatibility,
                backward: c.backward.map(|l| l.code().to_owned()),
                forward: c.forward.map(|l| l.code().to_owned()),
                changes,
                vertices: schema.vertices().len(),
                edges: schema.edges().len(),
                datasets,
                origin: c.origin,
            });
        }
        Ok(HistoryReport {
            repository: self.info.name.clone(),
            protocol: self.protocol.name.clone(),
            branches,
            tags,
            commits,
        })
    }

    /// The page of [`history_report`](Self::history_report): one HTML
    /// document with everything it shows inside it.
    ///
    /// # Errors
    /// As [`history_report`](Self::history_report).
    pub fn report_html(&mut self, limit: Option<usize>) -> Result<String, VcsError> {
        let report = self.history_report(limit)?;
        let json = serde_json::to_string(&report).map_err(|e| VcsError::InvalidInput {
            what: "report",
            reason: e.to_string(),
        })?;
        // Inside <script>, "</" could end the element; the escapes are
        // the same string to JavaScript.
        let json = json
            .replace("</", "<\\/")
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029");
        Ok(PAGE.replacen(DATA, &json, 1))
    }
}
