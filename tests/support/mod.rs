//! Running the real `trama` binary from tests: servers as separate processes, and the CLI.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn trama() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trama"));
    command.env("RUST_LOG", "info");
    command
}

/// Runs a CLI command with `stdin` as its input.
pub fn run(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `trama serve` process on a free port; killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    /// Starts `trama serve` on `database` and waits until it prints the URL it serves. Its
    /// files (basemaps, the audit signing key) go to a folder of the system's temporary
    /// directory, never into the working tree the test runs from.
    pub fn start(database: &str) -> Self {
        let data = std::env::temp_dir().join(format!("trama-test-{}", uuid::Uuid::new_v4()));
        Self::start_command(trama().args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            database,
            "--data-dir",
            data.to_str().expect("utf-8"),
        ]))
    }

    pub fn start_command(command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn server");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(at) = line.find("http://") {
                let url = line[at..]
                    .split_whitespace()
                    .next()
                    .expect("url")
                    .trim_end_matches('/')
                    .to_owned();
                // Keep draining the log so the server never blocks on a full pipe.
                std::thread::spawn(move || lines.for_each(drop));
                return Self { child, url };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server never printed its URL");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates an admin on `database` with the CLI and returns a token for it.
pub fn admin_token(database: &str, username: &str) -> String {
    let added = run(
        trama().args([
            "user",
            "add",
            "--username",
            username,
            "--role",
            "admin",
            "--database",
            database,
        ]),
        "a long enough password\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let token = run(
        trama().args([
            "token",
            "create",
            "--username",
            username,
            "--database",
            database,
        ]),
        "",
    );
    assert!(token.status.success(), "{}", text(&token.stderr));
    text(&token.stdout).trim().to_owned()
}
