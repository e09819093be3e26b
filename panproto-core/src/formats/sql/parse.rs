//! Applying statements to the database state (see the module doc).

use std::collections::HashMap;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnDef, ColumnOption,
    CreateIndex, CreateTable, DataType, Ident, IndexColumn, ObjectName, ObjectNamePart, ObjectType,
    RenameTableNameKind, Statement, TableConstraint, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};

use super::SqlDialect;
use super::gaps::{Gap, offset_of, patch};
use super::kept;
use super::model::{Check, Column, Database, ForeignKey, Index, Key, Object, Table};
use super::split::{Piece, leading_words, split};
use crate::formats::{FormatError, Location, Source, SourceFile};
use crate::model::{Schema, builtin_protocol};

/// The dialect the text is in, by its marks (see the module doc).
pub(super) fn detect(texts: &[&str]) -> SqlDialect {
    for t in texts {
        if let Some(rest) = t.trim_start().strip_prefix("-- dialect:") {
            let name = rest.split_whitespace().next().unwrap_or("");
            if let Some(d) = SqlDialect::from_name(name) {
                return d;
            }
        }
    }
    let has = |s: &str| texts.iter().any(|t| t.contains(s));
    let any = |marks: &[&str]| marks.iter().any(|m| has(m));
    if any(&[
        "`",
        "ENGINE=",
        "ENGINE =",
        "engine=",
        "AUTO_INCREMENT",
        "auto_increment",
        "DELIMITER ",
    ]) {
        SqlDialect::MySql
    } else if any(&[
        "AUTOINCREMENT",
        "autoincrement",
        "PRAGMA ",
        "pragma ",
        "WITHOUT ROWID",
        "without rowid",
        "TABLE [",
        "EXISTS [",
        "table [",
        "exists [",
    ]) {
        SqlDialect::Sqlite
    } else if any(&[
        "::", "$$", "nextval(", "AS ENUM", "as enum", "OWNER TO", "SERIAL", "serial", "\\c ",
    ]) {
        SqlDialect::PostgreSql
    } else {
        SqlDialect::Generic
    }
}

/// Whether the text is T-SQL: a batch separator `GO` alone on a line.
fn tsql_go(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().eq_ignore_ascii_case("GO") {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Parses the files of `source`, in path order, into one database.
pub(super) fn parse(source: &Source, dialect: Option<SqlDialect>) -> Result<Schema, FormatError> {
    let files = source.files();
    let dialect = dialect
        .unwrap_or_else(|| detect(&files.iter().map(|f| f.text.as_str()).collect::<Vec<_>>()));
    let mut state = State {
        db: Database {
            dialect,
            objects: Vec::new(),
        },
        names: HashMap::new(),
        files,
        gaps: HashMap::new(),
        parsed: String::new(),
    };
    for (index, file) in files.iter().enumerate() {
        if let Some(at) = tsql_go(&file.text) {
            return Err(FormatError::Unsupported {
                at: Location::at_offset(&file.path, &file.text, at),
                construct: "T-SQL (SQL Server) batches separated by GO".to_owned(),
                reason: "the SQL format reads the PostgreSQL, SQLite and MySQL dialects".to_owned(),
            });
        }
        let pieces = split(&file.text, dialect).map_err(|u| FormatError::Syntax {
            at: Location::at_offset(&file.path, &file.text, u.offset),
            message: format!(
                "unterminated quote or comment: expected {:?} before the end of the file",
                u.expected
            ),
        })?;
        for piece in pieces {
            state.statement(index, piece)?;
        }
    }
    state.resolve()?;
    let protocol = builtin_protocol("sql").map_err(|e| FormatError::Io {
        path: source.origin().to_owned(),
        message: e.to_string(),
    })?;
    state.db.to_schema(protocol)
}

/// What a statement is, by its first words.
enum What {
    /// Not a change to the schema: skipped.
    Skip,
    /// Kept verbatim, not parsed.
    Keep,
    /// Parsed and applied.
    Parse,
}

fn classify(words: &[String], generated: bool, dialect: SqlDialect) -> What {
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    let create_of = || {
        // CREATE [OR REPLACE] [TEMP|TEMPORARY|UNIQUE|MATERIALIZED|UNLOGGED] X
        let mut i = 1;
        if w(i) == "OR" {
            i += 2;
        }
        while matches!(
            w(i),
            "TEMP" | "TEMPORARY" | "UNIQUE" | "MATERIALIZED" | "UNLOGGED" | "GLOBAL" | "LOCAL"
        ) {
            i += 1;
        }
        w(i).to_owned()
    };
    match w(0) {
        "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "SELECT" | "WITH" | "VALUES" | "COPY"
        | "SET" | "BEGIN" | "COMMIT" | "ROLLBACK" | "START" | "END" | "SAVEPOINT" | "RELEASE"
        | "LOCK" | "UNLOCK" | "PRAGMA" | "VACUUM" | "ANALYZE" | "USE" | "TRUNCATE" | "CALL"
        | "EXPLAIN" | "SHOW" | "FLUSH" | "CHECKPOINT" => What::Skip,
        "CREATE" => match create_of().as_str() {
            "TABLE" | "INDEX" | "VIEW" | "SEQUENCE" => What::Parse,
            "TYPE" if words.iter().any(|x| x == "ENUM") => What::Parse,
            "DATABASE" => What::Skip,
            "SCHEMA" if dialect == SqlDialect::MySql => What::Skip,
            _ => What::Keep,
        },
        "ALTER" => match w(1) {
            // Identity columns are kept as written (sqlparser reads no
            // ADD GENERATED ... (SEQUENCE NAME ...)).
            "TABLE" if generated => What::Keep,
            "TABLE" => What::Parse,
            "TYPE" if words.iter().any(|x| x == "VALUE") => What::Parse,
            _ => What::Keep,
        },
        "DROP" => match w(1) {
            "TABLE" | "VIEW" | "INDEX" | "SEQUENCE" | "TYPE" => What::Parse,
            "MATERIALIZED" => What::Parse,
            "DATABASE" => What::Skip,
            "SCHEMA" if dialect == SqlDialect::MySql => What::Skip,
            _ => What::Keep,
        },
        "COMMENT" | "GRANT" | "REVOKE" | "DO" | "SECURITY" | "REFRESH" | "CLUSTER" | "REINDEX"
        | "RENAME" => What::Keep,
        _ => What::Parse,
    }
}

/// The parse in progress.
struct State<'s> {
    db: Database,
    /// Lower-cased name → index in `db.objects`.
    names: HashMap<String, usize>,
    files: &'s [SourceFile],
    /// The gaps of the statement being applied, by the offset of the
    /// column name they follow.
    gaps: HashMap<usize, Vec<Gap>>,
    /// The statement's text as parsed, to turn spans into offsets.
    parsed: String,
}

/// A statement being applied: where it is, for errors.
#[derive(Clone, Copy)]
struct At<'a> {
    file: &'a SourceFile,
    index: usize,
    piece: Piece<'a>,
}

impl At<'_> {
    fn here(&self) -> Location {
        Location::at_offset(&self.file.path, &self.file.text, self.piece.offset)
    }

    /// The first occurrence of `needle` in the statement, or its start.
    fn of(&self, needle: &str) -> Location {
        let off = self.piece.text.find(needle).unwrap_or(0);
        Location::at_offset(&self.file.path, &self.file.text, self.piece.offset + off)
    }

    fn unsupported(&self, construct: impl Into<String>, reason: &str) -> FormatError {
        FormatError::Unsupported {
            at: self.here(),
            construct: construct.into(),
            reason: reason.to_owned(),
        }
    }

    fn invalid(&self, message: String) -> FormatError {
        FormatError::Invalid {
            at: self.here(),
            message,
        }
    }

    /// A parser error, located in the file.
    fn syntax(&self, e: &ParserError) -> FormatError {
        let text = e.to_string();
        let (message, line, column) = match text.rfind(" at Line: ") {
            Some(p) => {
                let rest = &text[p + " at Line: ".len()..];
                let mut nums = rest.split(", Column: ");
                let line = nums.next().and_then(|l| l.trim().parse::<usize>().ok());
                let column = nums.next().and_then(|c| c.trim().parse::<usize>().ok());
                (text[..p].to_owned(), line.unwrap_or(1), column.unwrap_or(1))
            }
            None => (text.clone(), 1, 1),
        };
        let start = self.here();
        let (l0, c0) = (start.line as usize, start.column as usize);
        let at = if line <= 1 {
            Location::new(&self.file.path, l0, c0 + column.saturating_sub(1))
        } else {
            Location::new(&self.file.path, l0 + line - 1, column)
        };
        let message = message
            .strip_prefix("sql parser error: ")
            .unwrap_or(&message)
            .to_owned();
        FormatError::Syntax { at, message }
    }
}

fn parser_dialect(d: SqlDialect) -> Box<dyn Dialect> {
    match d {
        SqlDialect::PostgreSql => Box::new(PostgreSqlDialect {}),
        SqlDialect::Sqlite => Box::new(SQLiteDialect {}),
        SqlDialect::MySql => Box::new(MySqlDialect {}),
        SqlDialect::Generic => Box::new(GenericDialect {}),
    }
}

/// A name's text: unquoted parts folded where the dialect folds them.
fn ident(i: &Ident, fold: bool) -> String {
    if fold && i.quote_style.is_none() {
        i.value.to_lowercase()
    } else {
        i.value.clone()
    }
}

fn object_name(n: &ObjectName, fold: bool) -> String {
    let mut out = String::new();
    for (k, part) in n.0.iter().enumerate() {
        if k > 0 {
            out.push('.');
        }
        match part {
            ObjectNamePart::Identifier(i) => out.push_str(&ident(i, fold)),
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

/// The normalised kind of a declared type (see the module doc).
fn kind_of(type_text: &str) -> &'static str {
    let lower = type_text.to_ascii_lowercase();
    if lower.ends_with(']') || lower.contains(" array") {
        return "other";
    }
    let base = lower.split('(').next().unwrap_or("").trim();
    let first = base.split_whitespace().next().unwrap_or("");
    match first {
        "int" | "integer" | "int4" | "mediumint" | "serial" | "serial4" | "int32" => "integer",
        "bigint" | "int8" | "bigserial" | "serial8" | "int64" => "bigint",
        "smallint" | "int2" | "tinyint" | "smallserial" | "serial2" => "smallint",
        "text" | "tinytext" | "mediumtext" | "longtext" | "clob" | "ntext" | "string" => "text",
        "varchar" | "varchar2" | "nvarchar" | "nvarchar2" | "varying" => "varchar",
        "character" | "char" | "nchar" if base.contains("varying") => "varchar",
        "character" | "char" | "nchar" | "bpchar" => "char",
        "boolean" | "bool" => "boolean",
        "real" | "float4" | "float" => "real",
        "double" | "float8" => "double",
        "numeric" | "decimal" | "dec" | "number" | "money" => "numeric",
        "date" => "date",
        "time" | "timetz" => "time",
        "timestamp" | "timestamptz" | "datetime" | "datetime2" | "smalldatetime" => "timestamp",
        "interval" => "interval",
        "blob" | "bytea" | "binary" | "varbinary" | "tinyblob" | "mediumblob" | "longblob"
        | "image" | "raw" => "blob",
        "uuid" => "uuid",
        "json" | "jsonb" => "json",
        _ => "other",
    }
}

fn index_columns(cols: &[IndexColumn], fold: bool) -> Vec<String> {
    cols.iter()
        .map(|c| {
            let plain = c.column.options.sort.is_none()
                && c.column.options.nulls_first.is_none()
                && c.operator_class.is_none()
                && c.column.with_fill.is_none();
            match &c.column.expr {
                sqlparser::ast::Expr::Identifier(i) if plain => ident(i, fold),
                _ => c.to_string(),
            }
        })
        .collect()
}

fn idents(ids: &[Ident], fold: bool) -> Vec<String> {
    ids.iter().map(|i| ident(i, fold)).collect()
}

impl State<'_> {
    fn fold(&self) -> bool {
        self.db.dialect.folds()
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.names.get(&name.to_lowercase()).copied()
    }

    fn add(&mut self, name: &str, object: Object, at: &At<'_>) -> Result<(), FormatError> {
        if self.lookup(name).is_some() {
            return Err(at.invalid(format!("{name:?} is created twice")));
        }
        self.names
            .insert(name.to_lowercase(), self.db.objects.len());
        self.db.objects.push(object);
        Ok(())
    }

    fn keep(&mut self, text: &str) {
        self.db.objects.push(Object::Statement(text.to_owned()));
    }

    fn table(&self, name: &str, at: &At<'_>) -> Result<&Table, FormatError> {
        match self.lookup(name).and_then(|i| self.db.objects.get(i)) {
            Some(Object::Table(t)) => Ok(t),
            _ => Err(FormatError::UnresolvedRef {
                at: at.of(name.rsplit('.').next().unwrap_or(name)),
                reference: name.to_owned(),
            }),
        }
    }

    fn table_mut(&mut self, name: &str, at: &At<'_>) -> Result<&mut Table, FormatError> {
        match self.lookup(name).and_then(|i| self.db.objects.get_mut(i)) {
            Some(Object::Table(t)) => Ok(t),
            _ => Err(FormatError::UnresolvedRef {
                at: at.of(name.rsplit('.').next().unwrap_or(name)),
                reference: name.to_owned(),
            }),
        }
    }

    fn statement(&mut self, index: usize, piece: Piece<'_>) -> Result<(), FormatError> {
        let files = self.files;
        let Some(file) = files.get(index) else {
            return Ok(());
        };
        let at = At { file, index, piece };
        let words = leading_words(piece.text, 8);
        let generated =
            words.first().is_some_and(|w| w == "ALTER") && contains_ci(piece.text, "ADD GENERATED");
        match classify(&words, generated, self.db.dialect) {
            What::Skip => return Ok(()),
            What::Keep => {
                if !self.drop_kept(piece.text) {
                    self.keep(piece.text);
                }
                return Ok(());
            }
            What::Parse => {}
        }
        let dialect = parser_dialect(self.db.dialect);
        let patched = match words.first().map(String::as_str) {
            Some("CREATE" | "ALTER") => patch(piece.text, self.db.dialect),
            _ => None,
        };
        let mut text = patched.as_ref().map_or(piece.text, |(t, _)| t.as_str());
        // sqlparser reads no WITH [NO] DATA after a materialized view: the
        // view's definition gets it back.
        let mut suffix = None;
        if words.get(1).is_some_and(|w| w == "MATERIALIZED") {
            for tail in [" WITH NO DATA", " WITH DATA"] {
                let cut = text.len().saturating_sub(tail.len());
                if text
                    .get(cut..)
                    .is_some_and(|t| t.eq_ignore_ascii_case(tail))
                {
                    text = text.get(..cut).unwrap_or(text).trim_end();
                    suffix = Some(tail);
                    break;
                }
            }
        }
        let statements = Parser::new(dialect.as_ref())
            .try_with_sql(text)
            .and_then(|mut p| p.parse_statements())
            .map_err(|e| at.syntax(&e))?;
        self.gaps.clear();
        if let Some((text, gaps)) = patched {
            self.place_gaps(&statements, &text, gaps);
            self.parsed = text;
        }
        for s in statements {
            if let (Some(tail), Statement::CreateView(cv)) = (suffix, &s) {
                let name = object_name(&cv.name, self.fold());
                self.apply(s, &at)?;
                if let Some(Object::View(_, text)) =
                    self.lookup(&name).and_then(|i| self.db.objects.get_mut(i))
                {
                    text.push_str(tail);
                }
                continue;
            }
            self.apply(s, &at)?;
        }
        Ok(())
    }

    /// Gives each gap to the column whose name comes last before it.
    fn place_gaps(&mut self, statements: &[Statement], text: &str, gaps: Vec<(usize, Gap)>) {
        let mut names: Vec<usize> = Vec::new();
        for s in statements {
            let defs: Vec<&Ident> = match s {
                Statement::CreateTable(ct) => ct.columns.iter().map(|c| &c.name).collect(),
                Statement::AlterTable(a) => a
                    .operations
                    .iter()
                    .filter_map(|op| match op {
                        AlterTableOperation::AddColumn { column_def, .. } => Some(&column_def.name),
                        AlterTableOperation::ModifyColumn { col_name, .. } => Some(col_name),
                        AlterTableOperation::ChangeColumn { new_name, .. } => Some(new_name),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            names.extend(
                defs.iter()
                    .map(|i| offset_of(text, i.span.start.line, i.span.start.column)),
            );
        }
        names.sort_unstable();
        for (at, gap) in gaps {
            if let Some(&column) = names.iter().rev().find(|&&n| n < at) {
                self.gaps.entry(column).or_default().push(gap);
            }
        }
    }

    /// The gaps after the column named by `name`.
    fn gaps_of(&self, name: &Ident) -> Vec<Gap> {
        if self.gaps.is_empty() {
            return Vec::new();
        }
        let at = offset_of(&self.parsed, name.span.start.line, name.span.start.column);
        self.gaps.get(&at).cloned().unwrap_or_default()
    }

    fn apply(&mut self, s: Statement, at: &At<'_>) -> Result<(), FormatError> {
        let fold = self.fold();
        match s {
            Statement::CreateTable(ct) => self.create_table(ct, at),
            Statement::CreateIndex(ci) => self.create_index(ci, at),
            Statement::CreateView(mut cv) => {
                let name = object_name(&cv.name, fold);
                cv.or_replace = false;
                cv.if_not_exists = false;
                if let Some(i) = self.lookup(&name) {
                    if let Some(o @ Object::View(..)) = self.db.objects.get_mut(i) {
                        *o = Object::View(name, cv.to_string());
                        return Ok(());
                    }
                }
                self.add(&name.clone(), Object::View(name, cv.to_string()), at)
            }
            Statement::CreateType {
                name,
                representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
            } => {
                let n = object_name(&name, fold);
                let labels = labels.into_iter().map(|l| l.value).collect();
                self.add(&n.clone(), Object::Enum(n, labels), at)
            }
            Statement::CreateSequence {
                temporary,
                if_not_exists,
                name,
                sequence_options,
            } => {
                let n = object_name(&name, fold);
                if if_not_exists && self.lookup(&n).is_some() {
                    return Ok(());
                }
                let text = Statement::CreateSequence {
                    temporary,
                    if_not_exists: false,
                    name,
                    sequence_options,
                }
                .to_string();
                self.add(&n.clone(), Object::Sequence(n, text), at)
            }
            Statement::AlterTable(alter) => {
                let name = object_name(&alter.name, fold);
                if alter.if_exists && self.lookup(&name).is_none() {
                    return Ok(());
                }
                let mut rest = Vec::new();
                for op in alter.operations.clone() {
                    if let Some(op) = self.alter(&name, op, at)? {
                        rest.push(op);
                    }
                }
                if !rest.is_empty() {
                    let mut kept = alter;
                    kept.operations = rest;
                    self.keep(&Statement::AlterTable(kept).to_string());
                }
                Ok(())
            }
            Statement::AlterType(a) => {
                let n = object_name(&a.name, fold);
                let Some(Object::Enum(_, labels)) =
                    self.lookup(&n).and_then(|i| self.db.objects.get_mut(i))
                else {
                    return Err(FormatError::UnresolvedRef {
                        at: at.here(),
                        reference: n,
                    });
                };
                match a.operation {
                    AlterTypeOperation::AddValue(v) => {
                        let value = v.value.value.clone();
                        let pos = match &v.position {
                            Some(sqlparser::ast::AlterTypeAddValuePosition::Before(b)) => {
                                labels.iter().position(|l| *l == b.value)
                            }
                            Some(sqlparser::ast::AlterTypeAddValuePosition::After(b)) => {
                                labels.iter().position(|l| *l == b.value).map(|p| p + 1)
                            }
                            None => None,
                        };
                        if !labels.contains(&value) {
                            match pos {
                                Some(p) => labels.insert(p, value),
                                None => labels.push(value),
                            }
                        }
                        Ok(())
                    }
                    AlterTypeOperation::RenameValue(r) => {
                        for l in labels.iter_mut() {
                            if *l == r.from.value {
                                l.clone_from(&r.to.value);
                            }
                        }
                        Ok(())
                    }
                    AlterTypeOperation::Rename(_) => Err(at.unsupported(
                        "ALTER TYPE ... RENAME TO",
                        "rename the type in its CREATE TYPE",
                    )),
                }
            }
            Statement::Drop {
                object_type,
                names,
                table,
                cascade,
                ..
            } => {
                for n in names {
                    let name = object_name(&n, fold);
                    match object_type {
                        ObjectType::Index => self.drop_index(&name, table.as_ref(), fold),
                        ObjectType::Table
                        | ObjectType::View
                        | ObjectType::MaterializedView
                        | ObjectType::Sequence
                        | ObjectType::Type => self.drop(&name, cascade),
                        other => {
                            return Err(at.unsupported(
                                format!("DROP {other}"),
                                "only tables, views, indexes, types and sequences are modelled",
                            ));
                        }
                    }
                }
                Ok(())
            }
            other => {
                self.keep(&other.to_string());
                Ok(())
            }
        }
    }

    /// A DROP of what was kept verbatim (a function, a domain, a trigger):
    /// takes the statements kept about it; false if it names none of them.
    fn drop_kept(&mut self, text: &str) -> bool {
        let Some((word, names)) = kept::dropped(text) else {
            return false;
        };
        let before = self.db.objects.len();
        self.db.objects.retain(|o| match o {
            Object::Statement(t) => !kept::subjects(t)
                .0
                .is_some_and(|(w, n)| w == word && names.iter().any(|d| kept::same(d, &n))),
            _ => true,
        });
        let dropped = self.db.objects.len() != before;
        if dropped {
            self.reindex();
        }
        dropped
    }

    fn drop(&mut self, name: &str, cascade: bool) {
        let found = self.lookup(name);
        // With CASCADE, what depends on it goes too: the tables that
        // inherit from it, the views that name it (after it is gone, so a
        // cycle of names ends).
        let dependents: Vec<String> = if cascade && found.is_some() {
            self.db
                .objects
                .iter()
                .filter_map(|o| match o {
                    Object::Table(t) => t
                        .options
                        .as_deref()
                        .filter(|o| kept::names_any(o, "INHERITS", name))
                        .map(|_| t.name.clone()),
                    Object::View(v, text) => kept::mentions(text, name).then(|| v.clone()),
                    _ => None,
                })
                .filter(|d| !kept::same(d, name))
                .collect()
        } else {
            Vec::new()
        };
        let table = match found.and_then(|i| self.db.objects.get(i)) {
            Some(Object::Table(t)) => Some(t.name.clone()),
            _ => None,
        };
        if let Some(i) = found {
            self.db.objects.remove(i);
        }
        // What was kept about it goes with it (its owner, its triggers).
        self.db.objects.retain(|o| match o {
            Object::Statement(text) => {
                let (primary, on) = kept::subjects(text);
                let about = primary.is_some_and(|(w, n)| {
                    matches!(w.as_str(), "TABLE" | "VIEW" | "SEQUENCE" | "TYPE" | "INDEX")
                        && kept::same(&n, name)
                });
                !about && !on.iter().any(|n| kept::same(n, name))
            }
            _ => true,
        });
        self.reindex();
        // As CASCADE: the foreign keys to a dropped table go with it.
        if let Some(table) = table {
            for o in &mut self.db.objects {
                if let Object::Table(t) = o {
                    t.foreign_keys.retain(|fk| fk.table != table);
                }
            }
        }
        for d in dependents {
            self.drop(&d, true);
        }
    }

    fn reindex(&mut self) {
        self.names.clear();
        for (i, o) in self.db.objects.iter().enumerate() {
            let name = match o {
                Object::Table(t) => &t.name,
                Object::View(n, _) | Object::Enum(n, _) | Object::Sequence(n, _) => n,
                Object::Statement(_) => continue,
            };
            self.names.insert(name.to_lowercase(), i);
        }
    }

    fn drop_index(&mut self, name: &str, table: Option<&ObjectName>, fold: bool) {
        let table = table.map(|t| object_name(t, fold).to_lowercase());
        let short = name.rsplit('.').next().unwrap_or(name);
        for o in &mut self.db.objects {
            if let Object::Table(t) = o {
                if table.as_ref().is_some_and(|n| *n != t.name.to_lowercase()) {
                    continue;
                }
                t.indexes.retain(|ix| {
                    !ix.name.eq_ignore_ascii_case(name) && !ix.name.eq_ignore_ascii_case(short)
                });
            }
        }
    }

    fn create_table(&mut self, ct: CreateTable, at: &At<'_>) -> Result<(), FormatError> {
        let fold = self.fold();
        let name = object_name(&ct.name, fold);
        if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
            return Err(at.unsupported(
                "CREATE TABLE ... AS / LIKE / CLONE",
                "its columns come from another table or a query; declare them",
            ));
        }
        if ct.partition_of.is_some() {
            return Err(at.unsupported(
                "CREATE TABLE ... PARTITION OF",
                "declare the partition's columns and ATTACH it",
            ));
        }
        if ct.if_not_exists && self.lookup(&name).is_some() {
            return Ok(());
        }
        let mut t = Table {
            name: name.clone(),
            ..Table::default()
        };
        t.table_kind = if ct.temporary {
            Some("TEMPORARY".to_owned())
        } else if ct.unlogged {
            Some("UNLOGGED".to_owned())
        } else {
            None
        };
        // PostgreSQL's INHERITS: the parents' columns come first, and a
        // column declared again is merged into the inherited one.
        let mut inherited = 0;
        for parent in ct.inherits.iter().flatten() {
            let pname = object_name(parent, fold);
            let p = self.table(&pname, at)?;
            for c in &p.columns {
                if t.column(&c.name).is_none() {
                    t.columns.push(Column {
                        unique: false,
                        ..c.clone()
                    });
                    inherited += 1;
                }
            }
        }
        for c in &ct.columns {
            let column = self.column(&mut t, c, at)?;
            match t.column(&column.name) {
                Some(i) if i < inherited => {
                    if let Some(slot) = t.columns.get_mut(i) {
                        *slot = column;
                    }
                }
                Some(_) => {
                    return Err(at.invalid(format!(
                        "column {:?} of {name:?} is declared twice",
                        column.name
                    )));
                }
                None => t.columns.push(column),
            }
        }
        for k in &ct.constraints {
            self.table_constraint(&mut t, k.clone(), at)?;
        }
        t.options = table_options(
            at.piece.text,
            ct.columns.is_empty() && ct.constraints.is_empty(),
        );
        self.add(&name, Object::Table(t), at)
    }

    /// A column and what its options say (some about the table: a primary
    /// key, a foreign key).
    fn column(&self, t: &mut Table, c: &ColumnDef, at: &At<'_>) -> Result<Column, FormatError> {
        let fold = self.fold();
        let name = ident(&c.name, fold);
        let mut col = Column {
            name: name.clone(),
            ..Column::default()
        };
        self.set_type(&mut col, &c.data_type);
        let mut extra: Vec<String> = Vec::new();
        for o in &c.options {
            let named = o.name.is_some();
            match &o.option {
                ColumnOption::Null if !named => col.not_null = false,
                ColumnOption::NotNull if !named => col.not_null = true,
                ColumnOption::Default(e) if !named => col.default = Some(e.to_string()),
                ColumnOption::PrimaryKey(pk) => {
                    if t.primary_key.is_some() {
                        return Err(at.invalid(format!("{:?} has two primary keys", t.name)));
                    }
                    t.primary_key = Some(Key {
                        name: o.name.as_ref().or(pk.name.as_ref()).map(|n| ident(n, fold)),
                        columns: vec![name.clone()],
                    });
                    if let Some(ch) = &pk.characteristics {
                        extra.push(ch.to_string());
                    }
                }
                ColumnOption::Unique(u) => {
                    let n = o.name.as_ref().or(u.name.as_ref());
                    match n {
                        None => col.unique = true,
                        Some(n) => t.uniques.push(Key {
                            name: Some(ident(n, fold)),
                            columns: vec![name.clone()],
                        }),
                    }
                }
                ColumnOption::Check(ch) => {
                    let n = o.name.as_ref().or(ch.name.as_ref());
                    if n.is_none() && col.check.is_none() {
                        col.check = Some(ch.expr.to_string());
                    } else {
                        t.checks.push(Check {
                            name: n.map(|n| ident(n, fold)),
                            expr: ch.expr.to_string(),
                        });
                    }
                }
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.columns = vec![c.name.clone()];
                    if fk.name.is_none() {
                        fk.name.clone_from(&o.name);
                    }
                    t.foreign_keys.push(self.foreign_key(&fk, at));
                }
                ColumnOption::DialectSpecific(tokens)
                    if tokens.len() == 1
                        && matches!(
                            tokens[0].to_string().to_ascii_uppercase().as_str(),
                            "AUTO_INCREMENT" | "AUTOINCREMENT"
                        ) =>
                {
                    col.auto_increment = true;
                }
                _ => extra.push(o.to_string()),
            }
        }
        for gap in self.gaps_of(&c.name) {
            match gap {
                Gap::Type(words) => {
                    col.type_text.push_str(&words);
                }
                Gap::Virtual => {
                    for e in &mut extra {
                        if e.starts_with("GENERATED") && e.ends_with(" STORED") {
                            e.truncate(e.len() - " STORED".len());
                            e.push_str(" VIRTUAL");
                        }
                    }
                }
            }
        }
        if !extra.is_empty() {
            col.options = Some(extra.join(" "));
        }
        Ok(col)
    }

    fn set_type(&self, col: &mut Column, data_type: &DataType) {
        col.type_text = data_type.to_string();
        col.type_ref = None;
        col.kind = kind_of(&col.type_text);
        if let DataType::Custom(n, mods) = data_type {
            if mods.is_empty() {
                let name = object_name(n, self.fold());
                if let Some(Object::Enum(e, _)) =
                    self.lookup(&name).and_then(|i| self.db.objects.get(i))
                {
                    col.kind = "ref";
                    col.type_ref = Some(e.clone());
                }
            }
        }
    }

    fn foreign_key(&self, fk: &sqlparser::ast::ForeignKeyConstraint, at: &At<'_>) -> ForeignKey {
        let fold = self.fold();
        let mut extra = Vec::new();
        if let Some(m) = &fk.match_kind {
            extra.push(format!("MATCH {m}"));
        }
        if let Some(c) = &fk.characteristics {
            extra.push(c.to_string());
        }
        let table = object_name(&fk.foreign_table, fold);
        // The name as written, its first part: `REFERENCES public.t` is
        // found by `public`.
        let short = fk
            .foreign_table
            .0
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        ForeignKey {
            name: fk
                .name
                .as_ref()
                .or(fk.index_name.as_ref())
                .map(|n| ident(n, fold)),
            columns: idents(&fk.columns, fold),
            table,
            ref_columns: idents(&fk.referred_columns, fold),
            on_delete: fk.on_delete.map(|a| a.to_string()),
            on_update: fk.on_update.map(|a| a.to_string()),
            extra: (!extra.is_empty()).then(|| extra.join(" ")),
            at: (
                at.index,
                at.piece.offset + reference_offset(at.piece.text, &short),
            ),
        }
    }

    fn table_constraint(
        &self,
        t: &mut Table,
        k: TableConstraint,
        at: &At<'_>,
    ) -> Result<(), FormatError> {
        let fold = self.fold();
        match k {
            TableConstraint::PrimaryKey(pk) => {
                if t.primary_key.is_some() {
                    return Err(at.invalid(format!("{:?} has two primary keys", t.name)));
                }
                if pk.index_type.is_some()
                    || !pk.include.is_empty()
                    || !pk.index_options.is_empty()
                    || pk.characteristics.is_some()
                {
                    return Err(at.unsupported(
                        "PRIMARY KEY with index options",
                        "declare the key without them",
                    ));
                }
                t.primary_key = Some(Key {
                    name: pk
                        .name
                        .as_ref()
                        .or(pk.index_name.as_ref())
                        .map(|n| ident(n, fold)),
                    columns: index_columns(&pk.columns, fold),
                });
            }
            TableConstraint::Unique(u) => {
                if u.index_type.is_some()
                    || !u.include.is_empty()
                    || !u.index_options.is_empty()
                    || u.characteristics.is_some()
                {
                    return Err(
                        at.unsupported("UNIQUE with index options", "declare the key without them")
                    );
                }
                let name = u
                    .name
                    .as_ref()
                    .or(u.index_name.as_ref())
                    .map(|n| ident(n, fold));
                let columns = index_columns(&u.columns, fold);
                match (&name, columns.as_slice()) {
                    (None, [one]) if t.column(one).is_some() => {
                        if let Some(i) = t.column(one) {
                            if let Some(c) = t.columns.get_mut(i) {
                                c.unique = true;
                            }
                        }
                    }
                    _ => t.uniques.push(Key { name, columns }),
                }
            }
            TableConstraint::Check(c) => {
                t.checks.push(Check {
                    name: c.name.as_ref().map(|n| ident(n, fold)),
                    expr: c.expr.to_string(),
                });
            }
            TableConstraint::ForeignKey(fk) => {
                let fk = self.foreign_key(&fk, at);
                t.foreign_keys.push(fk);
            }
            TableConstraint::Index(ix) => {
                if !ix.index_options.is_empty() {
                    return Err(
                        at.unsupported("KEY with index options", "declare the index without them")
                    );
                }
                let columns = index_columns(&ix.columns, fold);
                let name = match &ix.name {
                    Some(n) => ident(n, fold),
                    None => unnamed_index(t, &columns),
                };
                t.indexes.push(Index {
                    name,
                    columns,
                    using: ix.index_type.as_ref().map(ToString::to_string),
                    ..Index::default()
                });
            }
            TableConstraint::FulltextOrSpatial(f) => {
                let columns = index_columns(&f.columns, fold);
                let name = match &f.opt_index_name {
                    Some(n) => ident(n, fold),
                    None => unnamed_index(t, &columns),
                };
                t.indexes.push(Index {
                    name,
                    columns,
                    using: Some(if f.fulltext { "FULLTEXT" } else { "SPATIAL" }.to_owned()),
                    ..Index::default()
                });
            }
            other => {
                return Err(
                    at.unsupported(format!("table constraint {other}"), "it is not modelled")
                );
            }
        }
        Ok(())
    }

    fn create_index(&mut self, ci: CreateIndex, at: &At<'_>) -> Result<(), FormatError> {
        let fold = self.fold();
        let table = object_name(&ci.table_name, fold);
        if !ci.with.is_empty()
            || ci.nulls_distinct.is_some()
            || !ci.index_options.is_empty()
            || !ci.alter_options.is_empty()
        {
            return Err(at.unsupported(
                "CREATE INDEX with WITH / NULLS DISTINCT / index options",
                "declare the index without them",
            ));
        }
        // An index of a materialized view is kept as written.
        if let Some(Object::View(..)) = self.lookup(&table).and_then(|i| self.db.objects.get(i)) {
            self.keep(at.piece.text);
            return Ok(());
        }
        let columns = index_columns(&ci.columns, fold);
        let t = self.table_mut(&table, at)?;
        let name = match &ci.name {
            // An index lives in its table's schema: its name without one.
            Some(n) => n.0.last().map_or_else(String::new, |p| match p {
                ObjectNamePart::Identifier(i) => ident(i, fold),
                other => other.to_string(),
            }),
            None => unnamed_index(t, &columns),
        };
        if t.indexes.iter().any(|ix| ix.name == name) {
            if ci.if_not_exists {
                return Ok(());
            }
            return Err(at.invalid(format!("index {name:?} is created twice")));
        }
        t.indexes.push(Index {
            name,
            columns,
            unique: ci.unique,
            using: ci.using.as_ref().map(ToString::to_string),
            predicate: ci.predicate.as_ref().map(ToString::to_string),
            include: idents(&ci.include, fold),
        });
        Ok(())
    }

    /// Applies one ALTER TABLE operation; gives back what is not modelled,
    /// to keep verbatim.
    fn alter(
        &mut self,
        table: &str,
        op: AlterTableOperation,
        at: &At<'_>,
    ) -> Result<Option<AlterTableOperation>, FormatError> {
        let fold = self.fold();
        match op {
            AlterTableOperation::AddColumn {
                column_def,
                if_not_exists,
                column_position,
                ..
            } => {
                if column_position.is_some() {
                    return Err(at.unsupported(
                        "ADD COLUMN ... FIRST / AFTER",
                        "columns are added at the end",
                    ));
                }
                let mut t = std::mem::take(self.table_mut(table, at)?);
                let result = self.column(&mut t, &column_def, at);
                let result = result.and_then(|col| {
                    if t.column(&col.name).is_some() {
                        if if_not_exists {
                            return Ok(());
                        }
                        return Err(at.invalid(format!(
                            "column {:?} of {table:?} exists already",
                            col.name
                        )));
                    }
                    t.columns.push(col);
                    Ok(())
                });
                *self.table_mut(table, at)? = t;
                result?;
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                let t = self.table_mut(table, at)?;
                for c in column_names {
                    let c = ident(&c, fold);
                    match t.column(&c) {
                        Some(i) => {
                            let name = t.columns.remove(i).name;
                            t.indexes.retain(|ix| !ix.columns.contains(&name));
                            t.uniques.retain(|k| !k.columns.contains(&name));
                            t.foreign_keys.retain(|k| !k.columns.contains(&name));
                            if t.primary_key
                                .as_ref()
                                .is_some_and(|k| k.columns.contains(&name))
                            {
                                t.primary_key = None;
                            }
                        }
                        None if if_exists => {}
                        None => {
                            return Err(FormatError::UnresolvedRef {
                                at: at.of(&c),
                                reference: format!("{table}.{c}"),
                            });
                        }
                    }
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let c = ident(&column_name, fold);
                let mut t = std::mem::take(self.table_mut(table, at)?);
                let result = match t.column(&c).and_then(|i| t.columns.get_mut(i)) {
                    None => Err(FormatError::UnresolvedRef {
                        at: at.of(&column_name.value),
                        reference: format!("{table}.{c}"),
                    }),
                    Some(col) => match op {
                        AlterColumnOperation::SetNotNull => {
                            col.not_null = true;
                            Ok(None)
                        }
                        AlterColumnOperation::DropNotNull => {
                            col.not_null = false;
                            Ok(None)
                        }
                        AlterColumnOperation::SetDefault { value } => {
                            col.default = Some(value.to_string());
                            Ok(None)
                        }
                        AlterColumnOperation::DropDefault => {
                            col.default = None;
                            Ok(None)
                        }
                        AlterColumnOperation::SetDataType {
                            data_type,
                            using: None,
                            ..
                        } => {
                            self.set_type(col, &data_type);
                            Ok(None)
                        }
                        op => Ok(Some(AlterTableOperation::AlterColumn { column_name, op })),
                    },
                };
                *self.table_mut(table, at)? = t;
                return result;
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                column_position,
            } => {
                return self
                    .change_column(
                        table,
                        &col_name,
                        &col_name,
                        data_type,
                        options,
                        column_position.is_some(),
                        at,
                    )
                    .map(|()| None);
            }
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                column_position,
            } => {
                return self
                    .change_column(
                        table,
                        &old_name,
                        &new_name,
                        data_type,
                        options,
                        column_position.is_some(),
                        at,
                    )
                    .map(|()| None);
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (old, new) = (ident(&old_column_name, fold), ident(&new_column_name, fold));
                self.rename_column(table, &old, &new, at)?;
            }
            AlterTableOperation::RenameTable { table_name } => {
                let new = match table_name {
                    RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => {
                        object_name(&n, fold)
                    }
                };
                self.rename_table(table, &new, at)?;
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                let mut t = std::mem::take(self.table_mut(table, at)?);
                let result = self.table_constraint(&mut t, constraint, at);
                *self.table_mut(table, at)? = t;
                result?;
            }
            AlterTableOperation::DropConstraint {
                name, if_exists, ..
            } => {
                let n = ident(&name, fold);
                let t = self.table_mut(table, at)?;
                let before = (
                    t.uniques.len(),
                    t.checks.len(),
                    t.foreign_keys.len(),
                    t.primary_key.is_some(),
                    t.indexes.len(),
                );
                let is =
                    |k: &Option<String>| k.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&n));
                t.uniques.retain(|k| !is(&k.name));
                t.checks.retain(|k| !is(&k.name));
                t.foreign_keys.retain(|k| !is(&k.name));
                t.indexes.retain(|k| !k.name.eq_ignore_ascii_case(&n));
                if t.primary_key.as_ref().is_some_and(|k| is(&k.name)) {
                    t.primary_key = None;
                }
                let after = (
                    t.uniques.len(),
                    t.checks.len(),
                    t.foreign_keys.len(),
                    t.primary_key.is_some(),
                    t.indexes.len(),
                );
                if before == after && !if_exists {
                    return Err(FormatError::UnresolvedRef {
                        at: at.of(&name.value),
                        reference: n,
                    });
                }
            }
            AlterTableOperation::DropPrimaryKey { .. } => {
                self.table_mut(table, at)?.primary_key = None;
            }
            AlterTableOperation::DropForeignKey { name, .. } => {
                let n = ident(&name, fold);
                self.table_mut(table, at)?.foreign_keys.retain(|k| {
                    !k.name
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(&n))
                });
            }
            AlterTableOperation::DropIndex { name } => {
                let n = ident(&name, fold);
                self.table_mut(table, at)?
                    .indexes
                    .retain(|k| !k.name.eq_ignore_ascii_case(&n));
            }
            // Kept verbatim (and on what may be no table: PostgreSQL takes
            // ALTER TABLE ... OWNER TO for sequences and views).
            other => return Ok(Some(other)),
        }
        Ok(None)
    }

    #[allow(clippy::too_many_arguments)]
    fn change_column(
        &mut self,
        table: &str,
        old: &Ident,
        new: &Ident,
        data_type: DataType,
        options: Vec<ColumnOption>,
        positioned: bool,
        at: &At<'_>,
    ) -> Result<(), FormatError> {
        if positioned {
            return Err(at.unsupported(
                "MODIFY / CHANGE COLUMN ... FIRST / AFTER",
                "columns keep their place",
            ));
        }
        let fold = self.fold();
        let (old, new_name) = (ident(old, fold), new.clone());
        if old != ident(&new_name, fold) {
            self.rename_column(table, &old, &ident(&new_name, fold), at)?;
        }
        let def = ColumnDef {
            name: new_name,
            data_type,
            options: options
                .into_iter()
                .map(|option| sqlparser::ast::ColumnOptionDef { name: None, option })
                .collect(),
        };
        let mut t = std::mem::take(self.table_mut(table, at)?);
        let result = self.column(&mut t, &def, at).and_then(|col| {
            match t.column(&col.name).and_then(|i| t.columns.get_mut(i)) {
                Some(slot) => {
                    *slot = col;
                    Ok(())
                }
                None => Err(FormatError::UnresolvedRef {
                    at: at.here(),
                    reference: format!("{table}.{}", col.name),
                }),
            }
        });
        *self.table_mut(table, at)? = t;
        result
    }

    fn rename_column(
        &mut self,
        table: &str,
        old: &str,
        new: &str,
        at: &At<'_>,
    ) -> Result<(), FormatError> {
        let t = self.table_mut(table, at)?;
        let Some(i) = t.column(old) else {
            return Err(FormatError::UnresolvedRef {
                at: at.of(old),
                reference: format!("{table}.{old}"),
            });
        };
        let old = t.columns.get(i).map(|c| c.name.clone()).unwrap_or_default();
        let tname = t.name.clone();
        let swap = |cols: &mut Vec<String>| {
            for c in cols.iter_mut() {
                if *c == old {
                    *c = new.to_owned();
                }
            }
        };
        if let Some(c) = t.columns.get_mut(i) {
            c.name = new.to_owned();
        }
        if let Some(pk) = &mut t.primary_key {
            swap(&mut pk.columns);
        }
        t.uniques.iter_mut().for_each(|k| swap(&mut k.columns));
        t.foreign_keys.iter_mut().for_each(|k| swap(&mut k.columns));
        t.indexes.iter_mut().for_each(|k| swap(&mut k.columns));
        for o in &mut self.db.objects {
            if let Object::Table(other) = o {
                for fk in &mut other.foreign_keys {
                    if fk.table == tname {
                        swap(&mut fk.ref_columns);
                    }
                }
            }
        }
        Ok(())
    }

    fn rename_table(&mut self, old: &str, new: &str, at: &At<'_>) -> Result<(), FormatError> {
        if self.lookup(new).is_some() {
            return Err(at.invalid(format!("cannot rename {old:?} to {new:?}, which exists")));
        }
        let t = self.table_mut(old, at)?;
        let old = std::mem::replace(&mut t.name, new.to_owned());
        for o in &mut self.db.objects {
            if let Object::Table(other) = o {
                for fk in &mut other.foreign_keys {
                    if fk.table == old {
                        fk.table = new.to_owned();
                    }
                }
            }
        }
        self.reindex();
        Ok(())
    }

    /// Every foreign key names a table that exists, by its id.
    fn resolve(&mut self) -> Result<(), FormatError> {
        let names = &self.names;
        let files = self.files;
        let ids: Vec<String> = self
            .db
            .objects
            .iter()
            .map(|o| match o {
                Object::Table(t) => t.name.clone(),
                _ => String::new(),
            })
            .collect();
        for o in &mut self.db.objects {
            let Object::Table(t) = o else { continue };
            let mut fks = std::mem::take(&mut t.foreign_keys);
            for fk in &mut fks {
                let target = names
                    .get(&fk.table.to_lowercase())
                    .and_then(|&i| ids.get(i))
                    .filter(|id| !id.is_empty());
                match target {
                    Some(id) => fk.table.clone_from(id),
                    None => {
                        let (fi, off) = fk.at;
                        let at = files.get(fi).map_or_else(
                            || Location::new("", 1, 1),
                            |f| Location::at_offset(&f.path, &f.text, off),
                        );
                        return Err(FormatError::UnresolvedRef {
                            at,
                            reference: fk.table.clone(),
                        });
                    }
                }
                let missing = fk.columns.iter().find(|c| t.column(c).is_none());
                if let Some(c) = missing {
                    let (fi, off) = fk.at;
                    let at = files.get(fi).map_or_else(
                        || Location::new("", 1, 1),
                        |f| Location::at_offset(&f.path, &f.text, off),
                    );
                    return Err(FormatError::UnresolvedRef {
                        at,
                        reference: format!("{}.{c}", t.name),
                    });
                }
            }
            t.foreign_keys = fks;
        }
        Ok(())
    }
}

/// Where `REFERENCES <name>` names `name` in a statement (its first such
/// place), or where the name first appears.
fn reference_offset(text: &str, name: &str) -> usize {
    let bare = name.trim_matches(|c| "\"`[]".contains(c));
    let b = text.as_bytes();
    let word = b"REFERENCES";
    let mut i = 0;
    while let Some(p) = b.get(i..).and_then(|r| {
        r.windows(word.len())
            .position(|w| w.eq_ignore_ascii_case(word))
    }) {
        let after = i + p + word.len();
        let rest = text.get(after..).unwrap_or("");
        let name_at = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_whitespace() || "\"`[".contains(c))
                .len();
        if rest.get(name_at..).is_some_and(|r| r.starts_with(bare)) {
            return after + name_at;
        }
        i = after;
    }
    text.find(bare).unwrap_or(0)
}

fn contains_ci(text: &str, upper: &str) -> bool {
    text.as_bytes()
        .windows(upper.len())
        .any(|w| w.eq_ignore_ascii_case(upper.as_bytes()))
}

/// A name for an index declared without one, as MySQL gives it: its first
/// column, with `_2`, `_3`... when that is taken.
fn unnamed_index(t: &Table, columns: &[String]) -> String {
    let base = columns
        .first()
        .cloned()
        .unwrap_or_else(|| "index".to_owned());
    let mut name = base.clone();
    let mut n = 2;
    while t.indexes.iter().any(|ix| ix.name == name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// What follows a CREATE TABLE's column list, verbatim (`ENGINE=...`).
fn table_options(text: &str, no_list: bool) -> Option<String> {
    if no_list {
        return None;
    }
    let b = text.as_bytes();
    let open = top_level_paren(b)?;
    let close = matching(b, open)?;
    let rest = text.get(close + 1..)?.trim();
    let rest = rest.strip_suffix(';').unwrap_or(rest).trim();
    (!rest.is_empty()).then(|| rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The first `(` outside quotes.
fn top_level_paren(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' => return Some(i),
            q @ (b'"' | b'`' | b'\'') => i += b[i + 1..].iter().position(|&x| x == q)? + 1,
            b'[' => i += b[i..].iter().position(|&x| x == b']')?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The `)` that closes the `(` at `open`, skipping quotes and comments.
fn matching(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            q @ (b'"' | b'`' | b'\'') => {
                let mut j = i + 1;
                loop {
                    let x = *b.get(j)?;
                    if x == b'\\' && q == b'\'' {
                        j += 2;
                        continue;
                    }
                    if x == q {
                        break;
                    }
                    j += 1;
                }
                i = j;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i += b[i..].iter().position(|&x| x == b'\n')?;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += b[i..].windows(2).position(|w| w == b"*/")? + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}
