//! The service binary as a child process, as a new user starts it: a clean environment,
//! development mode on a loopback port the system picks, the address and tokens read from
//! the banner it prints.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary with a clean environment: no settings leak in from the test's own.
pub fn klachtenregister(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_klachtenregister"));
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    command.env("KLACHTEN_DATA_DIR", data_dir).env("RUST_LOG", "warn");
    command
}

/// The binary in development mode, ready: killed when dropped.
pub struct DevService {
    pub child: Child,
    /// What it writes after its banner (its log, at `RUST_LOG`'s level).
    lines: mpsc::Receiver<String>,
    pub base: String,
    pub swagger: String,
    pub dienstverlener: String,
    pub coordinator: String,
}

impl DevService {
    /// Starts `command` (see [`klachtenregister`]) on `127.0.0.1:0` and reads its banner.
    pub fn start(mut command: Command) -> DevService {
        command.env("KLACHTEN_BIND", "127.0.0.1:0");
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        // Reads on, so that the service never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut banner = Vec::new();
        loop {
            let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) else {
                panic!("no development banner; got {banner:?}");
            };
            let done = line.contains("try: curl");
            banner.push(line);
            if done {
                break;
            }
        }
        let token_after = |label: &str| {
            let at = banner.iter().position(|l| l.contains(label));
            banner[at.unwrap_or_else(|| panic!("{label} in {banner:?}")) + 1].trim().to_owned()
        };
        let swagger = banner
            .iter()
            .find_map(|l| l.split("Swagger UI: ").nth(1))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("no Swagger UI address in {banner:?}"))
            .to_owned();
        DevService {
            base: swagger.trim_end_matches("/swagger-ui/").to_owned(),
            dienstverlener: token_after("dienstverlener (dev-dienstverlener)"),
            coordinator: token_after("klachtencoordinator (dev-coordinator)"),
            swagger,
            lines,
            child,
        }
    }

    /// The next line the service writes.
    pub fn next_line(&self) -> String {
        self.lines.recv_timeout(Duration::from_secs(60)).expect("a line from the service")
    }
}

impl Drop for DevService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
