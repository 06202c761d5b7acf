//! End to end: the real binary in tmux against `ecrp emulator`, from the repository list to the
//! layer list of a demo image through the inspector: a multi-arch image's platforms, `enter` on
//! one, `tab` to its history and layers, `esc` back out. The registry API is the emulator's, found
//! with no `--registry-url` because the endpoint is on loopback (an emulator serves both APIs),
//! read with the token the emulator hands out.
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use std::time::Duration;

use crate::support::binary::{Emulator, tmux_available};
use crate::support::tmux::{Launch, Session};

#[test]
fn from_the_repository_list_to_the_layers_of_a_demo_image() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let session = Session::launch(Launch {
        tag: "e2e-inspector",
        endpoint: &emu.url,
        env: &[],
        args: &[],
        width: 160,
        height: 45,
    });
    session.go();
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
    session.wait_for_without("web › images", "inspect · ");
    std::thread::sleep(Duration::from_millis(100));
    session.keys(&["q"]);
    assert_eq!(session.exit_code(), 0);
    drop(emu);
}
