//! Importing from git: histories made in the test with the real `git`
//! binary (the import itself reads them with gitoxide), checked commit by
//! commit: which git commits become versions, their author, time, message
//! and origin, merges, a version that does not parse, a directory of
//! files, importing again, and the errors.

use std::path::{Path, PathBuf};
use std::process::Command;

use panproto_core::import::{GitImport, Progress, import_git};
use panproto_core::vcs::memory::MemoryStore;
use panproto_core::{Repository, VcsError, builtin_protocol};

use crate::common::memory_repo;

/// A git repository of the test's own, driven by the `git` binary with a
/// fixed identity and clock, so commits are reproducible.
struct Git {
    dir: PathBuf,
    clock: i64,
}

impl Git {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "panproto-git-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let git = Self {
            dir,
            clock: 1_700_000_000,
        };
        git.run(&["init", "-q", "-b", "main"]);
        git
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn output(&self, args: &[&str]) -> std::process::Output {
        let date = format!("@{} +0000", self.clock);
        Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_AUTHOR_NAME", "Ada Lovelace")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Lovelace")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.dir)
            .output()
            .expect("git runs")
    }

    fn write(&self, path: &str, text: &str) {
        let file = self.dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    /// Commits everything with `message`, a minute after the last commit;
    /// returns the commit id.
    fn commit(&mut self, message: &str) -> String {
        self.clock += 60;
        self.run(&["add", "-A"]);
        self.run(&["commit", "-q", "--allow-empty", "-m", message]);
        self.run(&["rev-parse", "HEAD"])
    }
}

impl Drop for Git {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A JSON Schema of an object with string properties `names`.
fn schema(names: &[&str]) -> String {
    let props: Vec<String> = names
        .iter()
        .map(|n| format!("\"{n}\": {{\"type\": \"string\"}}"))
        .collect();
    format!(
        "{{\"type\": \"object\", \"properties\": {{{}}}}}",
        props.join(", ")
    )
}

fn repo() -> Repository<MemoryStore> {
    memory_repo("imported", builtin_protocol("json-schema").unwrap())
}

fn import(
    repo: &mut Repository<MemoryStore>,
    git: &Git,
    paths: &[&str],
    rev: &str,
) -> Result<panproto_core::import::ImportReport, VcsError> {
    let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
    let mut seen: Vec<Progress> = Vec::new();
    let report = import_git(
        repo,
        &GitImport {
            git_dir: &git.dir,
            paths: &paths,
            rev,
            format: None,
        },
        &mut |p| seen.push(p),
    )?;
    // Progress counts up to the whole history.
    assert_eq!(
        seen.last().map(|p| (p.done, p.total)),
        Some((report.considered, report.considered))
    );
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    Ok(report)
}

fn origins(repo: &Repository<MemoryStore>) -> Vec<(String, String, i64, String)> {
    repo.log(None)
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.commit.origin.unwrap_or_default(),
                c.commit.message,
                c.commit.timestamp,
                c.commit.author,
            )
        })
        .collect()
}

#[test]
fn each_commit_that_changed_the_schema_becomes_a_commit() {
    let mut git = Git::new("linear");
    git.write("README.md", "hello\n");
    git.commit("a readme, no schema yet");
    git.write("schema/person.json", &schema(&["name"]));
    let v1 = git.commit("person: name");
    git.write("README.md", "hello again\n");
    git.commit("docs only");
    git.write("schema/person.json", &schema(&["name", "email"]));
    let v2 = git.commit("person: email\n\nWith a body.");
    git.write(
        "schema/person.json",
        "{\"type\": \"object\", \"properties\": ",
    );
    let broken = git.commit("oops, truncated");
    git.write("schema/person.json", &schema(&["email"]));
    let v3 = git.commit("person: drop name");

    let mut repo = repo();
    let report = import(&mut repo, &git, &["schema/person.json"], "HEAD").unwrap();
    assert_eq!(report.considered, 6);
    assert_eq!(
        report
            .imported
            .iter()
            .map(|(g, _)| g.clone())
            .collect::<Vec<_>>(),
        vec![v1.clone(), v2.clone(), v3.clone()]
    );
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert_eq!(report.skipped[0].commit, broken);
    assert_eq!(report.skipped[0].summary, "oops, truncated");
    assert!(
        report.skipped[0].reason.contains("person.json"),
        "{}",
        report.skipped[0].reason
    );
    let log = origins(&repo);
    let t0 = 1_700_000_000;
    assert_eq!(
        log,
        vec![
            (
                format!("git:{v3}"),
                "person: drop name".to_owned(),
                t0 + 360,
                "Ada Lovelace <ada@example.com>".to_owned()
            ),
            (
                format!("git:{v2}"),
                "person: email\n\nWith a body.".to_owned(),
                t0 + 240,
                "Ada Lovelace <ada@example.com>".to_owned()
            ),
            (
                format!("git:{v1}"),
                "person: name".to_owned(),
                t0 + 120,
                "Ada Lovelace <ada@example.com>".to_owned()
            ),
        ]
    );
    // The verdicts are the format's: dropping a property breaks.
    let head = repo.log(Some(1)).unwrap().remove(0);
    assert_eq!(head.commit.compatibility.as_deref(), Some("breaking"));
    assert_eq!(report.tip, Some(head.id));
}

#[test]
fn importing_again_continues_where_the_last_import_stopped() {
    let mut git = Git::new("resume");
    git.write("s.json", &schema(&["a"]));
    git.commit("a");
    git.write("s.json", &schema(&["a", "b"]));
    git.commit("b");
    let mut repo = repo();
    let first = import(&mut repo, &git, &["s.json"], "main").unwrap();
    assert_eq!(first.imported.len(), 2);
    let again = import(&mut repo, &git, &["s.json"], "main").unwrap();
    assert_eq!((again.imported.len(), again.already), (0, 2));
    assert_eq!(again.tip, first.tip);
    git.write("s.json", &schema(&["a", "b", "c"]));
    let c = git.commit("c");
    let more = import(&mut repo, &git, &["s.json"], "main").unwrap();
    assert_eq!(
        more.imported
            .iter()
            .map(|(g, _)| g.as_str())
            .collect::<Vec<_>>(),
        vec![c.as_str()]
    );
    assert_eq!(more.already, 2);
    assert_eq!(repo.log(None).unwrap().len(), 3);
    // A commit made here stops a later import: the branch is no longer
    // where the import left it.
    repo.add(
        panproto_core::Format::JsonSchema
            .parse(
                &panproto_core::Source::from_text("s.json", schema(&["z"])),
                &Default::default(),
            )
            .unwrap(),
    )
    .unwrap();
    repo.commit("local", "me", Some(1)).unwrap();
    git.write("s.json", &schema(&["a", "b", "c", "d"]));
    git.commit("d");
    let err = import(&mut repo, &git, &["s.json"], "main").unwrap_err();
    assert!(
        err.to_string().contains("not from this git history"),
        "{err}"
    );
}

#[test]
fn merges_become_merges() {
    let mut git = Git::new("merge");
    git.write("s.json", &schema(&["id"]));
    let base = git.commit("base");
    git.run(&["checkout", "-q", "-b", "feature"]);
    git.write("s.json", &schema(&["id", "feature"]));
    let feature = git.commit("feature field");
    git.run(&["checkout", "-q", "main"]);
    git.write("s.json", &schema(&["id", "main"]));
    let main = git.commit("main field");
    git.clock += 60;
    // Both sides changed the file: git stops with a conflict, resolved here.
    let conflicted = git.output(&["merge", "-q", "--no-commit", "--no-ff", "feature"]);
    assert!(!conflicted.status.success());
    git.write("s.json", &schema(&["id", "main", "feature"]));
    let merge = git.commit("merge feature");
    // A branch that did not touch the schema merged in: not a version.
    git.run(&["checkout", "-q", "-b", "docs"]);
    git.write("notes.txt", "notes\n");
    git.commit("notes");
    git.run(&["checkout", "-q", "main"]);
    git.clock += 60;
    git.run(&["merge", "-q", "--no-ff", "-m", "merge docs", "docs"]);

    let mut repo = repo();
    let report = import(&mut repo, &git, &["s.json"], "HEAD").unwrap();
    let ids: std::collections::HashMap<String, panproto_core::ObjectId> =
        report.imported.iter().cloned().collect();
    assert_eq!(report.imported.len(), 4, "{:?}", report.imported);
    let head = repo.log(Some(1)).unwrap().remove(0);
    assert_eq!(head.id, ids[&merge]);
    assert_eq!(head.commit.parents, vec![ids[&main], ids[&feature]]);
    assert_eq!(head.commit.merge_migrations.len(), 1);
    assert!(ids.contains_key(&base));
}

#[test]
fn a_directory_of_files_is_one_schema() {
    let mut git = Git::new("dir");
    let lexicon = |id: &str, prop: &str| {
        format!(
            r#"{{"lexicon": 1, "id": "{id}", "defs": {{"main": {{"type": "record", "key": "tid",
               "record": {{"type": "object", "properties": {{"{prop}": {{"type": "string"}}}}}}}}}}}}"#
        )
    };
    git.write(
        "lexicons/app/post.json",
        &lexicon("com.example.post", "text"),
    );
    git.write(
        "lexicons/app/like.json",
        &lexicon("com.example.like", "subject"),
    );
    git.write("lexicons/package.json", "{\"name\": \"not a lexicon\"}");
    git.commit("two lexicons");
    git.write(
        "lexicons/app/like.json",
        &lexicon("com.example.like", "uri"),
    );
    git.commit("like: uri");
    let mut repo = memory_repo("atproto", builtin_protocol("atproto").unwrap());
    let paths: Vec<String> = vec!["lexicons".to_owned()];
    let report = import_git(
        &mut repo,
        &GitImport {
            git_dir: &git.dir,
            paths: &paths,
            rev: "HEAD",
            // Detected: the lexicons, not the package.json beside them.
            format: None,
        },
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.imported.len(), 2, "{:?}", report.skipped);
    let tip = report.tip.unwrap();
    let schema = repo.schema_of(&tip).unwrap();
    assert!(
        schema
            .vertices()
            .keys()
            .any(|v| v.contains("com.example.like"))
    );
    assert!(
        schema
            .vertices()
            .keys()
            .any(|v| v.contains("com.example.post"))
    );
}

#[test]
fn bad_input_is_named() {
    let dir = std::env::temp_dir().join(format!("panproto-not-git-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut repo = repo();
    let paths = vec!["s.json".to_owned()];
    let run = |repo: &mut Repository<MemoryStore>, dir: &Path, rev: &str, paths: &[String]| {
        import_git(
            repo,
            &GitImport {
                git_dir: dir,
                paths,
                rev,
                format: None,
            },
            &mut |_| {},
        )
    };
    let err = run(&mut repo, &dir, "HEAD", &paths).unwrap_err();
    assert!(
        matches!(err, VcsError::NotFound(ref m) if m.contains("git repository")),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let mut git = Git::new("errors");
    git.write("s.json", &schema(&["a"]));
    git.commit("a");
    let err = run(&mut repo, &git.dir, "no-such-branch", &paths).unwrap_err();
    assert!(
        matches!(err, VcsError::NotFound(ref m) if m.contains("no-such-branch")),
        "{err}"
    );
    let err = run(&mut repo, &git.dir, "HEAD", &["other.json".to_owned()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("no commit of HEAD holds other.json"),
        "{err}"
    );
    let err = run(&mut repo, &git.dir, "HEAD", &["../s.json".to_owned()]).unwrap_err();
    assert!(matches!(err, VcsError::InvalidInput { .. }), "{err}");
    // The files are another protocol's: refused, not skipped.
    let mut other = memory_repo("avro", builtin_protocol("avro").unwrap());
    let err = run(&mut other, &git.dir, "HEAD", &paths).unwrap_err();
    assert!(matches!(err, VcsError::ProtocolMismatch { .. }), "{err}");
}
