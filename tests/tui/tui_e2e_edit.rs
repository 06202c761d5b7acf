//! End to end, editing and deleting: the real binary in tmux against `ecrp emulator` (demo seed),
//! as a person would use it, with every result read back through a fresh SDK client of the test's
//! own. Covers a catalog edit, a bracketed paste into the about editor (one edit, escape sequences
//! as text, undone in one step), a draft surviving `kill -9`, the $VISUAL round trip, a bulk delete
//! of a few hundred untagged images in one confirmation, and read-only mode.
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use crate::support::e2e;

use std::collections::HashSet;

use crate::support::binary::{Emulator, tmux_available};
use crate::support::e2e::{Fresh, Sandbox, Tmux, draft_values, poll};
use ecrp::fmt::thousands;

const DRAFT: &str = "__web__catalog.json";

/// Filter the repositories to `web` and open its catalog form; the screen then.
fn open_web_form(pane: &e2e::Pane<'_>) -> String {
    pane.wait_for(&["Repositories (13)", "Acme Containers", "? help"]);
    pane.keys(&["/", "w", "e", "b", "Enter"]);
    pane.wait_for(&["Repositories (1 of 13)", "▶ web "]);
    pane.keys(&["e"]);
    // The description is the first field and has the focus.
    pane.wait_for(&["Catalog · web", "▸ Description", "ctrl-s save"])
}

#[test]
fn edit_a_catalog_description_and_read_it_back() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let fresh = Fresh::new(&emu.url);
    let before = fresh.catalog("web");
    let old = before.description().expect("web has a description");
    let new = format!("{old} (edited in tmux)");

    let sandbox = Sandbox::new();
    let tmux = Tmux::new();
    let pane = tmux.launch("edit-desc", &sandbox, &emu.url, &[], &[]);
    let s = open_web_form(&pane);
    assert!(s.contains(old), "the form is prefilled:\n{s}");
    pane.keys(&["End"]);
    pane.type_text(" (edited in tmux)");
    pane.wait_for(&[&new]);
    pane.keys(&["C-s"]);
    // The form closes and the catalog preview shows the service's new description.
    let s = pane.wait_until(
        "\"saved the catalog of web\", the form closed, the new text in the preview",
        |s| {
            s.contains("saved the catalog of web")
                && !s.contains("Catalog · web")
                && s.contains("(edited in tmux)")
        },
    );
    assert!(
        s.contains("┌ Catalog "),
        "the catalog preview is shown:\n{s}"
    );

    let after = fresh.catalog("web");
    assert_eq!(after.description(), Some(new.as_str()));
    // The whole catalog was sent back: nothing the user did not touch changed.
    assert_eq!(after.architectures(), before.architectures());
    assert_eq!(after.operating_systems(), before.operating_systems());
    assert_eq!(after.about_text(), before.about_text());
    assert_eq!(after.usage_text(), before.usage_text());
    assert_eq!(after.logo_url(), before.logo_url());
    assert!(after.about_text().is_some_and(|t| !t.is_empty()));
    assert!(after.logo_url().is_some_and(|t| !t.is_empty()));
    // Saved, so no draft is left behind.
    poll(
        "the draft to be removed after the save",
        || sandbox.drafts(DRAFT).is_empty().then_some(()),
        || format!("{:?}", sandbox.drafts(DRAFT)),
    );
}

#[test]
fn a_bracketed_paste_into_the_about_editor_is_text_and_one_edit() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let fresh = Fresh::new(&emu.url);
    let before = fresh
        .catalog("web")
        .about_text()
        .unwrap_or_default()
        .to_string();

    let sandbox = Sandbox::new();
    let tmux = Tmux::new();
    let pane = tmux.launch("paste", &sandbox, &emu.url, &[], &[]);
    open_web_form(&pane);
    pane.keys(&["Tab", "Tab", "Tab", "Tab"]);
    pane.wait_for(&["▸ About (markdown)"]);
    pane.keys(&["C-End"]);
    // An ESC would cancel the form and "q" quit, were they read as keys; wide text wraps.
    pane.paste("\nPasted: \x1b[31mred\x1b[0m q\n世界のコンテナを走らせる 🐳 done");
    let s = pane.wait_for(&["Pasted: [31mred[0m q", "世界のコンテナを走らせる 🐳 done"]);
    assert!(s.contains("Catalog · web"), "the form is still open:\n{s}");
    assert!(!s.contains("discard your changes?"), "{s}");

    // One undo takes the whole block back; redo restores it.
    pane.keys(&["C-z"]);
    pane.wait_until("the pasted block undone", |s| !s.contains("Pasted: "));
    pane.keys(&["C-y"]);
    pane.wait_for(&["Pasted: [31mred[0m q"]);
    pane.keys(&["C-s"]);
    pane.wait_for(&["saved the catalog of web"]);
    let after = fresh
        .catalog("web")
        .about_text()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        after,
        format!("{before}\nPasted: [31mred[0m q\n世界のコンテナを走らせる 🐳 done")
    );
}

#[test]
fn kill_9_in_the_middle_of_an_edit_loses_nothing() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    const DESC: &str = " [kept through kill -9]";
    const ABOUT: &str = "Written just before kill -9.";
    let emu = Emulator::start(&[]);
    let fresh = Fresh::new(&emu.url);
    let before = fresh.catalog("web");
    let desc = format!("{}{DESC}", before.description().expect("description"));
    let about = format!("{ABOUT}\n{}", before.about_text().expect("about text"));

    let sandbox = Sandbox::new();
    let tmux = Tmux::new();
    let first = tmux.launch("edit-kill-1", &sandbox, &emu.url, &[], &[]);
    open_web_form(&first);
    first.keys(&["End"]);
    first.type_text(DESC);
    // Description → architectures → operating systems → logo → about (cursor at its start).
    first.keys(&["Tab", "Tab", "Tab", "Tab"]);
    first.wait_for(&["▸ About (markdown)"]);
    first.type_text(ABOUT);
    first.keys(&["Enter"]);
    first.wait_for(&[&desc, ABOUT]);

    // Every change is on disk before anything is saved.
    let draft = poll(
        "a draft with the typed description and about text",
        || {
            let files = sandbox.drafts(DRAFT);
            let [file] = files.as_slice() else {
                return None;
            };
            let v = draft_values(file)?;
            (v["description"] == desc.as_str() && v["aboutText"] == about.as_str())
                .then(|| file.clone())
        },
        || {
            format!(
                "drafts: {:?}\n{}",
                sandbox
                    .drafts(DRAFT)
                    .iter()
                    .map(|p| std::fs::read_to_string(p).unwrap_or_default())
                    .collect::<Vec<_>>(),
                first.report()
            )
        },
    );

    let pid = first.pid();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "ecrp", "the pane's process is ecrp itself");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    poll(
        "ecrp to die from SIGKILL",
        || first.dead(),
        || first.report(),
    );
    assert!(draft.exists(), "the draft outlived the process");
    // Nothing reached the service.
    assert_eq!(fresh.catalog("web").description(), before.description());

    // The next start offers the draft back.
    let second = tmux.launch("edit-kill-2", &sandbox, &emu.url, &[], &[]);
    second.wait_for(&["Unsaved edits", "catalog of web"]);
    second.keys(&["Enter"]);
    let s = second.wait_for(&["Catalog · web", &desc, ABOUT]);
    assert!(
        !s.contains("restore them?"),
        "chosen, so restored at once:\n{s}"
    );
    second.keys(&["C-s"]);
    second.wait_until("\"saved the catalog of web\" and the form closed", |s| {
        s.contains("saved the catalog of web") && !s.contains("Catalog · web")
    });
    poll(
        "the draft file to be removed after the save",
        || (!draft.exists()).then_some(()),
        || second.report(),
    );

    let after = fresh.catalog("web");
    assert_eq!(after.description(), Some(desc.as_str()));
    assert_eq!(after.about_text(), Some(about.as_str()));
    assert_eq!(after.usage_text(), before.usage_text());
    assert_eq!(after.architectures(), before.architectures());
}

#[test]
fn about_text_round_trip_through_visual() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    const APPENDED: &str = "\nAppended by the editor.";
    const MARK: &str = "THE-EDITOR-HAS-THE-TERMINAL";
    let emu = Emulator::start(&[]);
    let fresh = Fresh::new(&emu.url);
    let before = fresh.catalog("web");
    let old_about = before.about_text().expect("about text").to_string();

    let sandbox = Sandbox::new();
    let seen = sandbox.path("editor-input.md");
    let editor = sandbox.path("editor.sh");
    // Keeps what it was given, appends a line, and shows itself for a moment.
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\ncp \"$1\" {}\nprintf '{}' >> \"$1\"\necho {MARK}\nsleep 1.5\n",
            e2e::sh_quote(&seen.display().to_string()),
            APPENDED.replace('\n', "\\n"),
        ),
    )
    .expect("write the editor script");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755))
            .expect("chmod the editor script");
    }
    let editor = editor.display().to_string();

    let tmux = Tmux::new();
    let pane = tmux.launch(
        "edit-visual",
        &sandbox,
        &emu.url,
        &[("VISUAL", &editor), ("EDITOR", "false")],
        &[],
    );
    open_web_form(&pane);
    pane.keys(&["Tab", "Tab", "Tab", "Tab"]);
    pane.wait_for(&["▸ About (markdown)"]);
    pane.keys(&["C-e"]);
    // Suspended: the alternate screen is left and the editor has the terminal.
    pane.wait_until("the editor on the normal screen, the TUI gone", |s| {
        s.contains(MARK) && !s.contains("Catalog · web")
    });
    // Back: the whole screen is drawn again, not just what changed.
    let s = pane.wait_until("the TUI redrawn after the editor", |s| {
        !s.contains(MARK)
            && [
                " ecrp ",
                "Acme Containers",
                "? help",
                "Repositories (1 of 13)",
                "Catalog · web",
                "▸ About (markdown)",
                "Usage (markdown)",
                "tab next · shift-tab back · ctrl-s save · esc cancel",
            ]
            .iter()
            .all(|t| s.contains(t))
    });
    assert!(
        !s.contains("editor failed"),
        "the editor's result was taken:\n{s}"
    );
    assert_eq!(
        std::fs::read_to_string(&seen).expect("the editor ran on a file"),
        old_about,
        "the editor was given the About field's text"
    );
    // The field holds the appended line: its count grew, and its end shows it.
    let count = format!(
        "about: {} / 25,600",
        thousands(old_about.chars().count() + APPENDED.chars().count())
    );
    pane.wait_for(&[&count]);
    pane.keys(&["C-End"]);
    pane.wait_for(&["Appended by the editor."]);
    pane.keys(&["C-s"]);
    pane.wait_until("\"saved the catalog of web\" and the form closed", |s| {
        s.contains("saved the catalog of web") && !s.contains("Catalog · web")
    });

    let after = fresh.catalog("web");
    assert_eq!(
        after.about_text(),
        Some(format!("{old_about}{APPENDED}").as_str())
    );
    assert_eq!(after.description(), before.description());
    assert_eq!(after.usage_text(), before.usage_text());
}

#[test]
fn delete_hundreds_of_untagged_images_in_one_confirmation() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let fresh = Fresh::new(&emu.url);
    let images = fresh.images("ci/builds");
    assert_eq!(images.len(), 3_500, "the demo seed's ci/builds");
    let untagged: HashSet<String> = images
        .iter()
        .filter(|i| i.image_tags().is_empty())
        .filter_map(|i| i.image_digest().map(str::to_string))
        .collect();
    let n = untagged.len();
    assert!(
        (200..1000).contains(&n),
        "a few hundred untagged images: {n}"
    );

    let sandbox = Sandbox::new();
    let tmux = Tmux::new();
    let pane = tmux.launch("delete", &sandbox, &emu.url, &[], &[]);
    pane.wait_for(&["Repositories (13)"]);
    pane.type_text("/ci/builds");
    pane.keys(&["Enter"]);
    pane.wait_for(&["Repositories (1 of 13)"]);
    pane.keys(&["Enter"]);
    // Every page loaded: the count has no "loading" part.
    pane.wait_for(&["Images · ci/builds (3,500)"]);
    pane.type_text("/untagged");
    pane.keys(&["Enter"]);
    pane.wait_for(&[&format!("({} of 3,500)", thousands(n))]);
    pane.keys(&["C-a"]);
    pane.wait_for(&[&format!("{} marked", thousands(n))]);
    pane.keys(&["d"]);
    let s = pane.wait_for(&[
        &format!("Delete {} items", thousands(n)),
        &format!("Will delete {} images (", thousands(n)),
    ]);
    assert!(
        s.contains("(untagged): the whole image"),
        "the confirmation lists what goes:\n{s}"
    );
    pane.keys(&["y"]);
    // Nothing failed: no report to dismiss, the status line says what happened.
    pane.wait_for(&[&format!("deleted {0} of {0}", thousands(n))]);
    // The list reloaded from the service.
    pane.wait_for(&[&format!(
        "Images · ci/builds (0 of {})",
        thousands(3_500 - n)
    )]);

    let left = fresh.images("ci/builds");
    assert_eq!(left.len(), 3_500 - n);
    let digests: HashSet<&str> = left.iter().filter_map(|i| i.image_digest()).collect();
    assert_eq!(digests.len(), left.len(), "each image once");
    assert!(
        untagged.iter().all(|d| !digests.contains(d.as_str())),
        "every marked untagged image is gone"
    );
    assert!(
        left.iter().all(|i| !i.image_tags().is_empty()),
        "only tagged images are left"
    );
}

#[test]
fn read_only_refuses_edit_new_and_delete() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let sandbox = Sandbox::new();
    let tmux = Tmux::new();
    let pane = tmux.launch("read-only", &sandbox, &emu.url, &[], &["--read-only"]);
    let s = pane.wait_for(&["Repositories (13)", "Acme Containers"]);
    let header = s.lines().next().unwrap_or_default();
    assert!(
        header.contains("READ-ONLY"),
        "the badge is in the header:\n{s}"
    );
    pane.keys(&["/", "w", "e", "b", "Enter"]);
    pane.wait_for(&["Repositories (1 of 13)", "▶ web "]);

    // Said in the status line (just above the footer), and nothing opens.
    let refused = |key: &str, message: &str, popup: &str| {
        pane.keys(&[key]);
        let s = pane.wait_for(&[message]);
        let lines: Vec<&str> = s.trim_end().lines().collect();
        assert!(
            lines.len() >= 2 && lines[lines.len() - 2].contains(message),
            "{key}: {message:?} in the status line:\n{s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        let s = pane.capture();
        assert!(!s.contains(popup), "{key} opened {popup:?}:\n{s}");
        assert!(!s.contains("ctrl-s save"), "{key} opened a form:\n{s}");
    };
    refused("e", "read-only: editing is off", "Catalog · web");
    refused(
        "n",
        "read-only: creating repositories is off",
        "New repository",
    );
    refused("d", "read-only: deleting is off", "Delete repository");

    // In the images: marks are only for deleting, so space marks nothing either.
    pane.keys(&["Enter"]);
    pane.wait_for(&["Images · web ("]);
    pane.keys(&["e"]);
    pane.wait_for(&["read-only: editing is off"]);
    refused("Space", "read-only: marking rows is off", "1 marked");
    refused("d", "read-only: deleting is off", "Delete 1 item");

    // Nothing changed in the service.
    let fresh = Fresh::new(&emu.url);
    assert_eq!(
        fresh.catalog("web").description(),
        Some("Acme web frontend: the storefront SPA served by a hardened nginx.")
    );
}
