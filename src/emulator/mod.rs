//! `ecrp emulator`: a faithful ECR Public server on loopback (awsJson1.1 over HTTP).
//!
//! CONTRACT (filled in by the emulator work): `start` binds, spawns the server on the current tokio
//! runtime and returns a handle; `Emulator::shutdown` stops it gracefully.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    #[default]
    Demo,
    Empty,
}

#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    pub addr: SocketAddr,
    pub seed: Seed,
    pub synthetic: Vec<(String, usize)>,
    pub state_file: Option<PathBuf>,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: Seed::Demo,
            synthetic: Vec::new(),
            state_file: None,
        }
    }
}

pub struct Emulator {
    addr: SocketAddr,
}

impl Emulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub async fn shutdown(self) {}
}

pub async fn start(_opts: EmulatorOptions) -> anyhow::Result<Emulator> {
    anyhow::bail!("emulator not built yet")
}
