//! The released binary as an operator runs it: `serve` in a process of its own on a data
//! directory (or `DATABASE_URL`), tokens made with `token create`, stopped on drop.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Client;

pub const BIN: &str = env!("CARGO_BIN_EXE_penalty-standards");

/// `--data-dir DIR`, and `DATABASE_URL` exactly when `url` is given.
pub fn storage_args(cmd: &mut Command, data_dir: &Path, url: Option<&str>) {
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL");
    if let Some(u) = url {
        cmd.env("DATABASE_URL", u);
    }
}

/// A token of `role` for a 压测员 of ZHZF (one person per role: no two live tokens of a unit
/// share a name).
pub fn create_token(data_dir: &Path, url: Option<&str>, role: &str) -> String {
    create_token_for(data_dir, url, &format!("压测员（{role}）"), "ZHZF", role)
}

/// `token create` prints the token alone on its last line.
pub fn create_token_for(
    data_dir: &Path,
    url: Option<&str>,
    name: &str,
    unit: &str,
    role: &str,
) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "token", "create", "--name", name, "--unit", unit, "--role", role,
    ]);
    storage_args(&mut cmd, data_dir, url);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}

/// Starts `serve --rate-limit 0` and waits until it answers; its address.
pub fn start(data_dir: &Path, url: Option<&str>) -> (Child, SocketAddr) {
    start_with(data_dir, url, &["--rate-limit", "0"])
}

/// Starts `serve` with `args` on a port the system chooses (`--bind 127.0.0.1:0`: no other
/// process can take it in between), reads the port from the line announcing it, and waits
/// until the server answers; its address.
pub fn start_with(data_dir: &Path, url: Option<&str>, args: &[&str]) -> (Child, SocketAddr) {
    // What the server says on stderr (its tokens, its errors) goes to a file: a failed start
    // is reported with its reason.
    std::fs::create_dir_all(data_dir).expect("the data directory");
    let stderr_file = data_dir.join("serve-stderr.txt");
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_file).expect("a file for stderr"));
    storage_args(&mut cmd, data_dir, url);
    let mut child = cmd.spawn().unwrap();
    let addr = announced_addr(child.stdout.take().expect("stdout is piped"));
    let Ok(addr) = addr.recv_timeout(Duration::from_secs(60)) else {
        let _ = child.kill();
        let status = child.wait();
        let said = std::fs::read_to_string(&stderr_file).unwrap_or_default();
        panic!("the server did not say where it listens ({status:?}): {said}");
    };
    let client = Client::new(addr);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !client
        .request("GET", "/healthz")
        .try_send()
        .is_ok_and(|r| r.status == 200)
    {
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

/// The address in the server's `listening on http://ADDR` line, from a thread that then goes
/// on reading its output to the end (a full pipe would stop the server).
fn announced_addr(out: std::process::ChildStdout) -> std::sync::mpsc::Receiver<SocketAddr> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = BufReader::new(out);
        let mut line = String::new();
        while out.read_line(&mut line).is_ok_and(|n| n > 0) {
            let addr = line
                .split_once("listening on http://")
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .and_then(|a| a.parse().ok());
            if let Some(addr) = addr {
                let _ = tx.send(addr);
                break;
            }
            line.clear();
        }
        // The rest is read and dropped, whatever bytes it holds.
        let _ = std::io::copy(&mut out, &mut std::io::sink());
    });
    rx
}

/// A served binary, killed when dropped.
pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
    pub client: Client,
}

impl Served {
    pub fn start(data_dir: &Path, args: &[&str]) -> Served {
        let (child, addr) = start_with(data_dir, None, args);
        Served {
            child,
            addr,
            client: Client::new(addr),
        }
    }

    /// The resident memory of the process (VmRSS), in bytes.
    pub fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        kb * 1024
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
