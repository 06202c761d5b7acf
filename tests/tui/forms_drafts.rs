//! Drafts on disk: round trip, listing, removal, and surviving a SIGKILL of the writer.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use ecrp::drafts::{DraftKind, Drafts};
use ecrp::forms::catalog::catalog_form;
use ecrp::forms::{Value, Values};

fn values(desc: &str) -> Values {
    let mut v = Values::new();
    v.insert("description".into(), Value::Text(desc.into()));
    v.insert(
        "architectures".into(),
        Value::List(vec!["ARM".into(), "RISC-V".into()]),
    );
    v
}

#[test]
fn round_trip_list_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let d = Drafts::at(dir.path().join("drafts"));
    assert!(
        d.load("123456789012", "acme/web", DraftKind::Catalog)
            .is_none()
    );
    assert!(d.list().is_empty(), "a missing dir lists nothing");
    d.save(
        "123456789012",
        "acme/web",
        DraftKind::Catalog,
        &values("one"),
    )
    .unwrap();
    d.save(
        "123456789012",
        "acme/web",
        DraftKind::Catalog,
        &values("two"),
    )
    .unwrap();
    d.save(
        "123456789012",
        "acme_web",
        DraftKind::Catalog,
        &values("other"),
    )
    .unwrap();
    let mut p = Values::new();
    p.insert("policyText".into(), Value::Text("{}".into()));
    d.save("123456789012", "acme/web", DraftKind::Policy, &p)
        .unwrap();
    let got = d
        .load("123456789012", "acme/web", DraftKind::Catalog)
        .unwrap();
    assert_eq!(got.values, values("two"), "the latest write wins");
    assert_eq!(
        (got.repository.as_str(), got.kind),
        ("acme/web", DraftKind::Catalog)
    );
    assert_eq!(d.list().len(), 3, "acme/web and acme_web do not collide");
    let names: Vec<_> = std::fs::read_dir(d.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "no temp files left behind: {names:?}");
    d.remove("123456789012", "acme/web", DraftKind::Catalog)
        .unwrap();
    d.remove("123456789012", "acme/web", DraftKind::Catalog)
        .unwrap();
    assert!(
        d.load("123456789012", "acme/web", DraftKind::Catalog)
            .is_none()
    );
    assert_eq!(
        d.load("123456789012", "acme/web", DraftKind::Policy)
            .unwrap()
            .values,
        p
    );

    // Offered back: restoring into a fresh form makes it dirty with the draft's values.
    let mut f = catalog_form("acme/web", &Default::default());
    f.restore(
        &d.load("123456789012", "acme_web", DraftKind::Catalog)
            .unwrap()
            .values,
    );
    assert_eq!(f.value("description"), Some(Value::Text("other".into())));
    assert_eq!(
        f.value("architectures"),
        Some(Value::List(vec!["ARM".into(), "RISC-V".into()]))
    );
    assert!(f.is_dirty());
}

#[test]
fn a_corrupt_draft_reads_as_none() {
    let dir = tempfile::tempdir().unwrap();
    let d = Drafts::at(dir.path());
    let path = d.save("r", "x", DraftKind::Policy, &Values::new()).unwrap();
    std::fs::write(&path, "{ not json").unwrap();
    assert!(d.load("r", "x", DraftKind::Policy).is_none());
    assert!(d.list().is_empty());
}

#[test]
fn env_override_picks_the_data_dir() {
    // Alone in a child process: other tests in this binary read ECRP_DATA_DIR.
    if !crate::support::alone::alone(module_path!(), "env_override_picks_the_data_dir") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    unsafe { std::env::set_var("ECRP_DATA_DIR", dir.path()) };
    assert_eq!(Drafts::default_dir().unwrap(), dir.path().join("drafts"));
    unsafe { std::env::remove_var("ECRP_DATA_DIR") };
}

/// The child half of `survives_sigkill`: write, say so, and hang until killed.
#[test]
fn sigkill_child() {
    let Ok(dir) = std::env::var("ECRP_DRAFT_CHILD_DIR") else {
        return;
    };
    Drafts::at(dir)
        .save(
            "r",
            "acme/web",
            DraftKind::Catalog,
            &values("typed before the crash"),
        )
        .unwrap();
    println!("written");
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "forms_drafts::sigkill_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ECRP_DRAFT_CHILD_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    for line in out.lines() {
        if line.unwrap().contains("written") {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL on unix: no destructors, no flushing
    child.wait().unwrap();
    let d = Drafts::at(dir.path());
    assert_eq!(
        d.load("r", "acme/web", DraftKind::Catalog).unwrap().values,
        values("typed before the crash")
    );
}

#[test]
fn offer_names_the_edit_and_its_age() {
    let dir = tempfile::tempdir().unwrap();
    let d = Drafts::at(dir.path());
    d.save("r", "acme/web", DraftKind::Policy, &Values::new())
        .unwrap();
    let draft = d.load("r", "acme/web", DraftKind::Policy).unwrap();
    let c = ecrp::drafts::offer(&draft, draft.saved_at + 150);
    assert_eq!(
        c.text(),
        "You have unsaved policy edits of acme/web from 2 min ago."
    );
    assert!(
        ecrp::drafts::offer(&draft, draft.saved_at)
            .text()
            .contains("less than a minute")
    );
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// Drafts are unpublished text: the directory is 0700 (a wider one that already existed is
/// tightened, missing parents are created 0700) and every draft file 0600.
#[test]
fn drafts_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let fresh = root.path().join("data/ecrp/drafts");
    let d = Drafts::at(&fresh);
    let path = d
        .save("r", "acme/web", DraftKind::Catalog, &values("x"))
        .unwrap();
    assert_eq!(mode(&fresh), 0o700);
    assert_eq!(mode(&root.path().join("data/ecrp")), 0o700);
    assert_eq!(mode(&path), 0o600);
    // A second save replaces the file, still 0600.
    let path = d
        .save("r", "acme/web", DraftKind::Catalog, &values("y"))
        .unwrap();
    assert_eq!(mode(&path), 0o600);

    let wide = root.path().join("wide");
    std::fs::create_dir(&wide).unwrap();
    std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = Drafts::at(&wide)
        .save("r", "x", DraftKind::Policy, &Values::new())
        .unwrap();
    assert_eq!((mode(&wide), mode(&path)), (0o700, 0o600));
}

/// A symlink planted where a draft belongs is never followed: loading it reads nothing, listing
/// skips it, and saving replaces the link instead of writing into its target.
#[test]
fn a_planted_symlink_is_never_followed() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("drafts");
    let d = Drafts::at(&dir);
    let path = d
        .save("r", "x", DraftKind::Catalog, &values("real"))
        .unwrap();
    let target = root.path().join("elsewhere.json");
    std::fs::rename(&path, &target).unwrap();
    std::os::unix::fs::symlink(&target, &path).unwrap();
    let before = std::fs::read(&target).unwrap();

    assert!(d.load("r", "x", DraftKind::Catalog).is_none());
    assert!(d.list().is_empty());
    d.save("r", "x", DraftKind::Catalog, &values("new"))
        .unwrap();
    assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "the target is untouched"
    );
    assert_eq!(
        d.load("r", "x", DraftKind::Catalog).unwrap().values,
        values("new")
    );
}
