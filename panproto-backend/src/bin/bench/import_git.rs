//! `import-git` of a 500-commit history of a 1 MB JSON Schema file,
//! beside `git log -p` of the same path in the same run. The history is
//! written with `git fast-import` (each commit adds one property to a
//! schema of about 12,000), so making it is not what is measured.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use panproto_core::Protocol;
use panproto_core::import::{GitImport, import_git};

use super::{BenchResult, Place, emit, init, ms, unique};

const COMMITS: usize = 500;
/// Properties in the first version: about 1 MB of JSON.
const BASE_PROPERTIES: usize = 12_000;

/// The schema of version `v`: `BASE_PROPERTIES + v` properties, each with
/// a description, so the file is about 1 MB.
fn schema(v: usize) -> String {
    let mut out = String::with_capacity(1 << 20);
    out.push_str("{\n  \"type\": \"object\",\n  \"properties\": {\n");
    for i in 0..BASE_PROPERTIES + v {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(&format!(
            "    \"field_{i:05}\": {{\"type\": \"string\", \"description\": \"property {i} of the record\"}}"
        ));
    }
    out.push_str("\n  }\n}\n");
    out
}

/// A git repository with the history, made by `git fast-import`.
fn make_history(dir: &std::path::Path) -> BenchResult<usize> {
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(dir).output();
    std::fs::create_dir_all(dir)?;
    git(&["init", "-q", "-b", "main"])?;
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()?;
    let mut size = 0;
    {
        let stdin = child.stdin.as_mut().ok_or("no stdin")?;
        let mut stream = std::io::BufWriter::new(stdin);
        for v in 0..COMMITS {
            let text = schema(v);
            size = text.len();
            let message = format!("version {v}");
            write!(
                stream,
                "commit refs/heads/main\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{message}\n",
                1_700_000_000 + v * 60,
                message.len()
            )?;
            // fast-import makes each commit a child of the branch's last.
            write!(
                stream,
                "M 100644 inline schema.json\ndata {}\n{text}\n",
                text.len()
            )?;
        }
    }
    if !child.wait()?.success() {
        return Err("git fast-import failed".into());
    }
    Ok(size)
}

pub(super) fn run(protocol: &Arc<Protocol>) -> BenchResult<()> {
    let dir = std::env::temp_dir().join(unique("import_git"));
    let size = make_history(&dir)?;
    // The reference: git printing every version's diff of the path.
    let t = Instant::now();
    let log = Command::new("git")
        .args(["log", "-p", "--", "schema.json"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .status()?;
    let git_ms = ms(t.elapsed());
    if !log.success() {
        return Err("git log -p failed".into());
    }
    let place = Place::new("import_git")?;
    let mut repo = init(&place, protocol)?;
    let paths = vec!["schema.json".to_owned()];
    let t = Instant::now();
    let report = import_git(
        &mut repo,
        &GitImport {
            git_dir: &dir,
            paths: &paths,
            rev: "HEAD",
            format: None,
        },
        &mut |_| {},
    )?;
    let import_s = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    if report.imported.len() != COMMITS {
        return Err(format!(
            "import-git wrote {} commits of {COMMITS} ({} skipped)",
            report.imported.len(),
            report.skipped.len()
        )
        .into());
    }
    emit(
        "import_git_500x1mb",
        import_s,
        "s",
        &format!(
            "< 60 s ({COMMITS} commits of a {:.1} MB file; git log -p of it: {git_ms:.0} ms)",
            size as f64 / 1e6
        ),
    );
    Ok(())
}
