//! Spawning commands: every step is announced, streams its output, and a
//! failure names the step and the command.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use crate::error::{Result, fail};

/// A command line, quoted enough to paste back into a shell.
pub fn display(cmd: &Command) -> String {
    let mut parts = vec![quote(cmd.get_program())];
    parts.extend(cmd.get_args().map(quote));
    let mut line = parts.join(" ");
    if let Some(dir) = cmd.get_current_dir() {
        line = format!("(cd {} && {line})", quote(dir.as_os_str()));
    }
    line
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@+[]".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Prints a step header.
pub fn announce(step: &str) {
    eprintln!("\n\x1b[1m==> {step}\x1b[0m");
}

/// Runs `cmd` with inherited stdio (its output streams live) and fails with
/// a message naming `step` when it cannot start or exits unsuccessfully.
pub fn run(step: &str, cmd: &mut Command) -> Result {
    announce(step);
    eprintln!("    $ {}", display(cmd));
    let status = cmd.status().map_err(|e| {
        fail(format!(
            "step `{step}` failed: could not start `{}`: {e}",
            display(cmd)
        ))
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "step `{step}` failed: `{}` exited with {status}",
            display(cmd)
        )))
    }
}

/// Runs `cmd`, streaming stderr live and echoing stdout line by line while
/// also returning it (for commands whose output the runner parses).
pub fn run_capturing_stdout(step: &str, cmd: &mut Command) -> Result<String> {
    announce(step);
    eprintln!("    $ {}", display(cmd));
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(|e| {
        fail(format!(
            "step `{step}` failed: could not start `{}`: {e}",
            display(cmd)
        ))
    })?;
    let mut captured = String::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line =
                line.map_err(|e| fail(format!("step `{step}` failed: reading its output: {e}")))?;
            println!("{line}");
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    let status = child.wait().map_err(|e| {
        fail(format!(
            "step `{step}` failed: waiting for `{}`: {e}",
            display(cmd)
        ))
    })?;
    if status.success() {
        Ok(captured)
    } else {
        Err(fail(format!(
            "step `{step}` failed: `{}` exited with {status}",
            display(cmd)
        )))
    }
}

/// Runs `cmd` with its output captured (not streamed); the caller judges
/// the exit status. Used where failure is the expected outcome.
pub fn capture(step: &str, cmd: &mut Command) -> Result<Output> {
    announce(step);
    eprintln!("    $ {}", display(cmd));
    cmd.output().map_err(|e| {
        fail(format!(
            "step `{step}` failed: could not start `{}`: {e}",
            display(cmd)
        ))
    })
}
