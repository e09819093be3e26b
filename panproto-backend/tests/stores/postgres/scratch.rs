//! A PostgreSQL cluster of the tests' own, and a PgBouncer in front of it:
//! what the deployment tests need that the shared test server must not be
//! changed for (TLS on with a certificate made here, a role with a
//! password, connections refused without TLS).
//!
//! Both start once per test process, each under a shell that stops it
//! when the test process is gone (the harness has no end hook), in a
//! directory of the system's temporary directory named by
//! the process id (one the `postgres` user can reach); a later run removes
//! the directories of processes that are gone. Everything the tests create lives and dies with the cluster, so
//! the shared server does not grow. Running as root (as CI does), the
//! servers run as the `postgres` user, as both refuse root.
//!
//! The programs come from Debian's packages: `postgresql` (initdb,
//! postgres, psql, pg_isready under `/usr/lib/postgresql/N/bin`, or
//! `PANPROTO_PG_BINDIR`) and `pgbouncer` (on `PATH`; `cargo tasks test`
//! installs it).

use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

/// The role with a password, and its password.
pub const ROLE: &str = "alice";
pub const PASSWORD: &str = "c0rrect-h0rse";
/// [`ROLE`]'s database; the superuser's is `postgres`. Each role keeps
/// panproto's tables in its own, as tables one role creates are not the
/// other's to write.
pub const DATABASE: &str = "scratch";
pub const SUPERUSER_DATABASE: &str = "postgres";
/// PgBouncer's databases: the pool of three server sessions, and the one
/// of a single session (which makes a lost prepared statement certain).
pub const POOLED: &str = "pooled";
pub const SINGLE: &str = "single";

pub struct Scratch {
    /// Where the cluster listens (TCP on 127.0.0.1, and a socket in `dir`).
    pub port: u16,
    /// Where PgBouncer listens (127.0.0.1), in transaction mode.
    pub bouncer_port: u16,
    pub dir: PathBuf,
    /// The authority that signed the server's certificate (for `localhost`).
    pub ca: PathBuf,
    /// An authority that signed nothing the server shows.
    pub untrusted_ca: PathBuf,
}

impl Scratch {
    /// A URL to the cluster over TCP as `user` (with `password`, if any)
    /// with the query `query` (`key=value&..`, or empty).
    pub fn url(&self, host: &str, user: &str, password: Option<&str>, query: &str) -> String {
        let auth = match password {
            Some(p) => format!("{user}:{p}"),
            None => user.to_owned(),
        };
        let sep = if query.is_empty() { "" } else { "?" };
        let database = if user == ROLE {
            DATABASE
        } else {
            SUPERUSER_DATABASE
        };
        format!(
            "postgresql://{auth}@{host}:{}/{database}{sep}{query}",
            self.port
        )
    }

    /// A URL to PgBouncer's database `db`, with the query `query`.
    pub fn bouncer_url(&self, db: &str, query: &str) -> String {
        let sep = if query.is_empty() { "" } else { "?" };
        format!(
            "postgresql://postgres@127.0.0.1:{}/{db}{sep}{query}",
            self.bouncer_port
        )
    }
}

/// The cluster and its PgBouncer, started on first use.
pub fn scratch() -> &'static Scratch {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    SCRATCH.get_or_init(|| start().unwrap_or_else(|e| panic!("the scratch PostgreSQL: {e}")))
}

type Result<T> = std::result::Result<T, String>;

fn bindir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PANPROTO_PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("no /usr/lib/postgresql ({e}); set PANPROTO_PG_BINDIR"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_owned())
}

/// The uid and gid to run the servers as: `postgres`'s when we are root.
fn server_user() -> Option<(u32, u32)> {
    // /proc/self belongs to the process's effective user.
    if std::fs::metadata("/proc/self").ok()?.uid() != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres"))
            .then(|| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
            .flatten()
    })
}

/// `program` as the server user.
fn command(program: impl AsRef<Path>) -> Command {
    let mut cmd = Command::new(program.as_ref());
    if let Some((uid, gid)) = server_user() {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

fn give_to_server_user(path: &Path) -> Result<()> {
    if let Some((uid, gid)) = server_user() {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", path.display()))?;
    }
    Ok(())
}

fn run(what: &str, cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Starts `program` with `args` as the server user, under a shell that
/// sends it `signal` once this process is gone, and returns at once.
fn spawn_for_life(program: &Path, args: &[String], signal: &str, log: &Path) -> Result<()> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let line: Vec<String> = std::iter::once(program.display().to_string())
        .chain(args.iter().cloned())
        .map(|a| quote(&a))
        .collect();
    let script = format!(
        "{} >>{} 2>&1 & child=$!; while [ -d /proc/{} ] && kill -0 $child 2>/dev/null; do \
         sleep 0.5; done; kill -{signal} $child 2>/dev/null",
        line.join(" "),
        quote(&log.display().to_string()),
        std::process::id(),
    );
    command("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("{}: {e}", program.display()))
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Waits until `ready` holds, for at most 30 s.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > Duration::from_secs(30) {
            return Err(format!("{what} did not start within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The scratch directories' names, before the process id.
const PREFIX: &str = "panproto-pg-scratch-";

/// Removes the directories of earlier test processes that are gone.
fn remove_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn write(path: &Path, text: &str, mode: u32) -> Result<()> {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| e.to_string())?;
    give_to_server_user(path)
}

/// The certificates: an authority, the server's certificate for
/// `localhost` signed by it, and a second authority that signed nothing.
fn certificates(dir: &Path) -> Result<()> {
    let e = |e: rcgen::Error| e.to_string();
    let authority = |name: &str| -> Result<CertifiedIssuer<'static, KeyPair>> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(e)?).map_err(e)
    };
    let ca = authority("panproto test authority")?;
    let untrusted = authority("panproto untrusted authority")?;
    let server_key = KeyPair::generate().map_err(e)?;
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .map_err(e)?
        .signed_by(&server_key, &ca)
        .map_err(e)?;
    write(&dir.join("ca.crt"), &ca.pem(), 0o644)?;
    write(&dir.join("untrusted.crt"), &untrusted.pem(), 0o644)?;
    write(&dir.join("server.crt"), &server.pem(), 0o644)?;
    write(&dir.join("server.key"), &server_key.serialize_pem(), 0o600)
}

/// Who may connect: anyone over the socket; over TCP only with TLS, the
/// superuser without a password, [`ROLE`] with its password.
const HBA: &str = "\
local all all trust
hostssl all postgres 127.0.0.1/32 trust
hostssl all postgres ::1/128 trust
hostssl all all 127.0.0.1/32 scram-sha-256
hostssl all all ::1/128 scram-sha-256
hostnossl all all all reject
";

fn start() -> Result<Scratch> {
    let bin = bindir()?;
    let root = std::env::temp_dir();
    remove_stale(&root);
    let dir = root.join(format!("{PREFIX}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    give_to_server_user(&dir)?;
    let data = dir.join("data");
    run(
        "initdb",
        command(bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8"])
            .args(["--locale=C", "--no-sync"]),
    )?;
    certificates(&dir)?;
    write(&data.join("pg_hba.conf"), HBA, 0o600)?;
    let port = free_port()?;
    let args: Vec<String> = [
        "-D".to_owned(),
        data.display().to_string(),
        "-p".to_owned(),
        port.to_string(),
        "-k".to_owned(),
        dir.display().to_string(),
    ]
    .into_iter()
    .chain(
        [
            "listen_addresses=127.0.0.1".to_owned(),
            "ssl=on".to_owned(),
            format!("ssl_cert_file={}", dir.join("server.crt").display()),
            format!("ssl_key_file={}", dir.join("server.key").display()),
            "fsync=off".to_owned(),
            "synchronous_commit=off".to_owned(),
            "full_page_writes=off".to_owned(),
            "max_connections=80".to_owned(),
            "shared_buffers=32MB".to_owned(),
        ]
        .into_iter()
        .flat_map(|setting| ["-c".to_owned(), setting]),
    )
    .collect();
    // SIGQUIT: PostgreSQL's immediate shutdown.
    spawn_for_life(
        &bin.join("postgres"),
        &args,
        "QUIT",
        &dir.join("postgres.log"),
    )?;
    wait_for("the scratch PostgreSQL", || {
        Command::new(bin.join("pg_isready"))
            .arg("-q")
            .arg("-h")
            .arg(&dir)
            .arg("-p")
            .arg(port.to_string())
            .status()
            .is_ok_and(|s| s.success())
    })?;
    run(
        "creating the role and database",
        command(bin.join("psql"))
            .arg("-h")
            .arg(&dir)
            .arg("-p")
            .arg(port.to_string())
            .args([
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
            ])
            .arg("-c")
            .arg(format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"))
            .arg("-c")
            .arg(format!("CREATE DATABASE {DATABASE} OWNER {ROLE}")),
    )?;
    let bouncer_port = start_bouncer(&dir, port)?;
    Ok(Scratch {
        port,
        bouncer_port,
        ca: dir.join("ca.crt"),
        untrusted_ca: dir.join("untrusted.crt"),
        dir,
    })
}

/// PgBouncer in transaction mode, reaching the cluster over its socket.
fn start_bouncer(dir: &Path, pg_port: u16) -> Result<u16> {
    if Command::new("pgbouncer").arg("--version").output().is_err() {
        return Err(
            "no pgbouncer on PATH: install Debian's pgbouncer (cargo tasks test does)".to_owned(),
        );
    }
    let port = free_port()?;
    let server = format!(
        "host={} port={pg_port} dbname={SUPERUSER_DATABASE} user=postgres",
        dir.display()
    );
    let ini = format!(
        "[databases]\n\
         {POOLED} = {server} pool_size=3\n\
         {SINGLE} = {server} pool_size=1\n\
         [pgbouncer]\n\
         listen_addr = 127.0.0.1\n\
         listen_port = {port}\n\
         unix_socket_dir =\n\
         auth_type = any\n\
         auth_file = {users}\n\
         pool_mode = transaction\n\
         max_client_conn = 200\n\
         logfile = {log}\n",
        users = dir.join("users.txt").display(),
        log = dir.join("pgbouncer.log").display(),
    );
    let config = dir.join("pgbouncer.ini");
    write(&config, &ini, 0o600)?;
    write(&dir.join("users.txt"), "\"postgres\" \"\"\n", 0o600)?;
    // SIGINT: PgBouncer's safe shutdown.
    spawn_for_life(
        Path::new("pgbouncer"),
        &[config.display().to_string()],
        "INT",
        &dir.join("pgbouncer.out"),
    )?;
    wait_for("PgBouncer", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })?;
    Ok(port)
}
