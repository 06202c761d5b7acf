//! End to end: the real binary in tmux against `ecrp emulator`, from the repository list to the
//! layer list of a demo image through the inspector: a multi-arch image's platforms, `enter` on
//! one, `tab` to its history and layers, `esc` back out. The registry API is the emulator's
//! (`--registry-url`), read with the token the emulator hands out.
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use std::process::Command;
use std::time::{Duration, Instant};

mod binary_support;
use binary_support::{BIN, Emulator, tmux_available};

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

impl Session {
    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.0])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// Wait until the screen shows every one of `texts`.
    fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), |s| texts.iter().all(|t| s.contains(t)))
    }

    /// Wait until `ok(screen)`: for a key whose result was partly on the screen before it.
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.capture();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "waited for {what}, screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn from_the_repository_list_to_the_layers_of_a_demo_image() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    let name = format!("ecrp-e2e-inspector-{}", std::process::id());
    let cmd = format!(
        "AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1 \
         AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
         {BIN} --endpoint-url {url} --registry-url {url} --config {} --log-file /dev/null; \
         echo ECRP-EXITED $?; sleep 60",
        config.display(),
        url = emu.url,
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "160",
            "-y",
            "45",
            &cmd,
        ])
        .status()
        .expect("tmux new-session");
    assert!(status.success());
    let session = Session(name);

    session.wait_for(&["Repositories (13)", "? help"]);
    session.keys(&["/", "w", "e", "b", "Enter"]);
    session.wait_for(&["Repositories (1 of 13)"]);
    session.keys(&["Enter"]);
    session.wait_for(&["web › images", "enter inspect"]);
    // The newest image of `web` is an index: its platforms come first.
    session.keys(&["Enter"]);
    let s = session.wait_for(&["inspect · web:", "index of 2 platforms", "linux/arm64"]);
    assert!(s.contains("linux/amd64"), "{s}");
    assert!(s.contains("PLATFORM") && s.contains("DIGEST"), "{s}");
    session.keys(&["Enter"]);
    let s = session.wait_for(&["› linux/", "Entrypoint", "Exposed ports"]);
    assert!(s.contains("image · "), "{s}");
    session.keys(&["Tab"]);
    session.wait_for(&["CREATED BY", "(empty)"]);
    session.keys(&["Tab"]);
    let s = session.wait_for(&["SHARE", "MEDIA TYPE", "%"]);
    assert!(s.contains("sha256:"), "layer digests:\n{s}");
    assert!(s.contains("rootfs.diff.tar.gzip"), "{s}");
    // esc: back to the index, then out of the inspector, then out of the images.
    session.keys(&["Escape"]);
    session.wait_for(&["index of 2 platforms"]);
    std::thread::sleep(Duration::from_millis(100));
    session.keys(&["Escape"]);
    // The breadcrumb says "web › images" under the inspector too: wait for the inspector to go.
    session.wait_until("the images without the inspector", |s| {
        s.contains("web › images") && !s.contains("inspect · ")
    });
    std::thread::sleep(Duration::from_millis(100));
    session.keys(&["q"]);
    session.wait_for(&["ECRP-EXITED 0"]);
    drop(emu);
}
