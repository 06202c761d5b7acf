//! The CNCF distribution registry (`docker-registry`), the independent registry server ecrp's
//! registry client is checked against: a fresh temporary store on a free loopback port, killed on
//! drop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = "/usr/bin/docker-registry";

pub struct Distribution {
    child: Child,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Distribution {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the interop peers must be there (CI sets it): then a missing one fails the test.
pub fn require_interop() -> bool {
    std::env::var("ECRP_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

/// `GET /v2/` answers 200.
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET /v2/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1 200")
}

impl Distribution {
    /// The registry, answering; `None` (the test skips, saying why) where it is not installed,
    /// unless ECRP_REQUIRE_INTEROP=1 makes that a failure.
    pub fn start(test: &str) -> Option<Distribution> {
        if !std::path::Path::new(BIN).exists() {
            assert!(
                !require_interop(),
                "{test}: {BIN} is missing (apt-get install docker-registry); ECRP_REQUIRE_INTEROP=1"
            );
            eprintln!("SKIPPED {test}: {BIN} is missing (apt-get install docker-registry)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        // A free port: bind, read, release (the registry binds it a moment later).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new(BIN)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let reg = Distribution {
            child,
            addr,
            _dir: dir,
        };
        for _ in 0..300 {
            if answers(addr) {
                return Some(reg);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{test}: docker-registry did not answer on {addr}");
    }
}
