//! $VISUAL / $EDITOR round trip with fake editor scripts (run alone in a child process: it sets
//! process env vars).

use std::os::unix::fs::PermissionsExt;

use ecrp::forms::editor::{edit_in_editor, editor_command};

fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

#[test]
fn edits_through_visual_then_editor() {
    if !crate::support::alone::alone(module_path!(), "edits_through_visual_then_editor") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Appends a line, as a user would; the editor's trailing newline is not kept.
    let append = script(
        dir.path(),
        "append",
        r#"printf '\nedited by %s\n' "$0" >> "$1""#,
    );
    let fail = script(dir.path(), "fail", "exit 3");
    let check_ext = script(
        dir.path(),
        "ext",
        r#"case "$1" in *.md) printf ok > "$1";; esac"#,
    );
    unsafe {
        std::env::set_var("VISUAL", &append);
        std::env::set_var("EDITOR", &fail);
    }
    assert_eq!(editor_command(), append);
    let out = edit_in_editor("# About\nhello").unwrap();
    assert_eq!(out, format!("# About\nhello\nedited by {append}"));
    // A text that ended with a newline keeps it.
    assert!(edit_in_editor("x\n").unwrap().ends_with('\n'));
    // Markdown suffix, so editors highlight it.
    unsafe { std::env::set_var("VISUAL", &check_ext) };
    assert_eq!(edit_in_editor("").unwrap(), "ok");
    // Empty VISUAL falls back to EDITOR; a failing editor is an error (the form keeps its text).
    unsafe { std::env::set_var("VISUAL", "") };
    assert_eq!(editor_command(), fail);
    let e = edit_in_editor("keep").unwrap_err();
    assert!(e.to_string().contains("exited with"), "{e}");
    unsafe {
        std::env::remove_var("VISUAL");
        std::env::remove_var("EDITOR");
    }
    assert_eq!(editor_command(), "vi");
}
