//! The released binary as an operator runs it: `serve` in a process of its own on a data
//! directory (or `DATABASE_URL`), tokens made with `token create`, stopped on drop.

use std::net::{SocketAddr, TcpListener};
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

/// A port that was free a moment ago. The binary binds its `--bind` address itself (it cannot
/// be handed a listener, and with port 0 it would not tell which port it got), so another
/// process may take the port in between: `start` then tries another.
fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Starts `serve --rate-limit 0` and waits until it answers; its address.
pub fn start(data_dir: &Path, url: Option<&str>) -> (Child, SocketAddr) {
    start_with(data_dir, url, &["--rate-limit", "0"])
}

/// Starts `serve` with `args` and waits until it answers; its address.
pub fn start_with(data_dir: &Path, url: Option<&str>, args: &[&str]) -> (Child, SocketAddr) {
    for _ in 0..5 {
        let addr = free_addr();
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--bind", &addr.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        storage_args(&mut cmd, data_dir, url);
        let mut child = cmd.spawn().unwrap();
        let client = Client::new(addr);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if client
                .request("GET", "/healthz")
                .try_send()
                .is_ok_and(|r| r.status == 200)
            {
                return (child, addr);
            }
            if child.try_wait().unwrap().is_some() {
                break; // It exited: the port was taken meanwhile; try another.
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("the server did not start: no free port");
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
