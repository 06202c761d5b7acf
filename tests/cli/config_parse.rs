//! Config files good, bad and missing: every problem is a warning naming line, column and key,
//! that entry keeps its default, and the rest of the file still applies.

use ecrp::config::{
    self, Action, Config, ConfigWarning, DateFormat, KeyContext, KeySpec, Overrides, Theme,
};

fn key(s: &str) -> KeySpec {
    KeySpec::parse(s).unwrap()
}

fn only_warning(text: &str) -> (Config, ConfigWarning) {
    let (c, w) = config::parse(text);
    assert_eq!(w.len(), 1, "expected one warning for {text:?}, got {w:#?}");
    (c, w.into_iter().next().unwrap())
}

#[test]
fn the_default_file_is_valid_and_documents_every_setting() {
    let text = config::default_file_text();
    let (c, w) = config::parse(&text);
    assert_eq!(w, vec![]);
    assert_eq!(c, Config::default());
    for name in [
        "profile",
        "region",
        "registry_url",
        "read_only",
        "page_size",
        "theme",
        "date_format",
        "auto_refresh_seconds",
        "connect_timeout_seconds",
        "read_timeout_seconds",
        "attempt_timeout_seconds",
        "operation_timeout_seconds",
    ] {
        assert!(text.contains(&format!("# {name} = ")), "{name} missing");
    }
    for a in Action::ALL {
        assert!(
            text.contains(&format!("# {:<13} = ", a.name())),
            "{} missing",
            a.name()
        );
        assert!(text.contains(a.description()));
    }
}

#[test]
fn uncommenting_every_setting_gives_the_defaults_without_warnings() {
    let text: String = config::default_file_text()
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            // A setting line: `# name = value`, not prose.
            Some(rest)
                if rest
                    .split_once(" = ")
                    .is_some_and(|(k, _)| !k.trim().contains(' ')) =>
            {
                rest.to_string()
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("\npage_size = 1000"));
    assert!(text.contains("\nquit          = [\"q\", \"ctrl-c\"]"));
    let (c, w) = config::parse(&text);
    assert_eq!(w, vec![]);
    let expected = Config {
        profile: Some("default".into()),
        region: Some("us-east-1".into()),
        registry_url: Some("http://127.0.0.1:5000".into()),
        ..Config::default()
    };
    assert_eq!(c, expected);
}

#[test]
fn a_good_file_sets_everything() {
    let (c, w) = config::parse(
        r#"
profile = "work"
region = "us-west-2"
read_only = true
page_size = 250
theme = "light"
date_format = "absolute"
auto_refresh_seconds = 30

[keys]
down = ["j", "ctrl-n"]
quit = "ctrl-q"
filter = "f"
"#,
    );
    assert_eq!(w, vec![]);
    assert_eq!(c.profile.as_deref(), Some("work"));
    assert_eq!(c.region.as_deref(), Some("us-west-2"));
    assert!(c.read_only);
    assert_eq!(c.page_size, 250);
    assert_eq!(c.theme, Theme::Light);
    assert_eq!(c.date_format, DateFormat::Absolute);
    assert_eq!(c.auto_refresh_seconds, 30);
    assert_eq!(c.keys.keys(Action::Down), &[key("j"), key("ctrl-n")]);
    assert_eq!(c.keys.keys(Action::Quit), &[key("ctrl-q")]);
    assert_eq!(
        c.keys.action(KeyContext::Browse, &key("f")),
        Some(Action::Filter)
    );
    assert_eq!(c.keys.action(KeyContext::Browse, &key("/")), None);
    assert_eq!(c.keys.action(KeyContext::Browse, &key("q")), None);
    // Untouched actions keep their defaults.
    assert_eq!(c.keys.keys(Action::Delete), &[key("d")]);
}

#[test]
fn a_missing_file_gives_defaults_silently() {
    let dir = tempfile::tempdir().unwrap();
    let (c, w) = config::load(&dir.path().join("nope.toml"));
    assert_eq!(c, Config::default());
    assert_eq!(w, vec![]);
}

#[test]
fn each_bad_value_names_line_column_and_key_and_keeps_its_default() {
    let text = "theme = \"dark\"\npage_size = 5000\nread_only = \"yes\"\ncolour = \"red\"\n\
                date_format = \"iso\"\nauto_refresh_seconds = -1\nregion = \"US East\"\n\
                profile = \"ops\"\n";
    let (c, w) = config::parse(text);
    let got: Vec<(Option<usize>, Option<usize>, Option<&str>)> = w
        .iter()
        .map(|w| (w.line, w.column, w.key.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(2), Some(13), Some("page_size")),
            (Some(3), Some(13), Some("read_only")),
            (Some(4), Some(1), Some("colour")),
            (Some(5), Some(15), Some("date_format")),
            (Some(6), Some(24), Some("auto_refresh_seconds")),
            (Some(7), Some(10), Some("region")),
        ]
    );
    assert!(w[0].message.contains("out of range") && w[0].message.contains("1000"));
    assert!(w[1].message.contains("found string") && w[1].message.contains("false"));
    assert!(w[2].message.contains("unknown key"));
    assert!(w[3].message.contains("\"relative\" or \"absolute\""));
    // The good entries around the bad ones still apply; the bad ones are defaults.
    assert_eq!(c.theme, Theme::Dark);
    assert_eq!(c.profile.as_deref(), Some("ops"));
    assert_eq!(c.page_size, 1000);
    assert!(!c.read_only);
    assert_eq!(c.region, None);
}

#[test]
fn a_syntax_error_costs_only_its_line() {
    let text = "theme = \"light\"\npage_size = = 10\nread_only = true\n";
    let (c, w) = only_warning(text);
    assert_eq!((w.line, w.key.as_deref()), (Some(2), None));
    assert!(w.message.contains("TOML syntax error"), "{}", w.message);
    assert_eq!(c.theme, Theme::Light);
    assert!(c.read_only);
    assert_eq!(c.page_size, 1000);

    // An unterminated string and a duplicate key: two warnings, the rest applies.
    let text = "region = \"us-west-2\nprofile = \"a\"\nprofile = \"b\"\ntheme = \"dark\"\n";
    let (c, w) = config::parse(text);
    let lines: Vec<_> = w.iter().map(|w| w.line).collect();
    assert_eq!(lines, vec![Some(1), Some(3)], "{w:#?}");
    assert_eq!(c.profile.as_deref(), Some("a"));
    assert_eq!(c.theme, Theme::Dark);
}

#[test]
fn warnings_display_as_path_line_column_key_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[keys]\ndelete = \"ctrl-\"\n").unwrap();
    let (c, w) = config::load(&path);
    assert_eq!(w.len(), 1);
    let shown = w[0].to_string();
    let prefix = format!("{}:2:10: keys.delete: \"ctrl-\": ", path.display());
    assert!(shown.starts_with(&prefix), "{shown}");
    assert!(shown.ends_with("using the default (d)"), "{shown}");
    assert_eq!(c.keys.keys(Action::Delete), &[key("d")]);
}

#[test]
fn bad_key_entries_fall_back_one_by_one() {
    let text = r#"[keys]
up = ["k", "hyper-k"]
dwn = "j"
top = 7
bottom = "end"
"#;
    let (c, w) = config::parse(text);
    let got: Vec<_> = w
        .iter()
        .map(|w| (w.line, w.column, w.key.clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(2), Some(12), "keys.up".to_string()),
            (Some(3), Some(1), "keys.dwn".to_string()),
            (Some(4), Some(7), "keys.top".to_string()),
        ]
    );
    assert!(w[0].message.contains("unknown modifier"));
    assert!(
        w[1].message.contains("did you mean `down`?"),
        "{}",
        w[1].message
    );
    assert!(w[2].message.contains("found integer"));
    assert_eq!(c.keys.keys(Action::Up), &[key("k"), key("up")]);
    assert_eq!(c.keys.keys(Action::Top), &[key("g"), key("home")]);
    assert_eq!(c.keys.keys(Action::Bottom), &[key("end")]);
}

#[test]
fn two_user_bindings_on_one_key_keep_the_earlier_line() {
    let text = "[keys]\nrefresh = \"x\"\ndelete = [\"x\", \"D\"]\n";
    let (c, w) = only_warning(text);
    assert_eq!((w.line, w.key.as_deref()), (Some(3), Some("keys.delete")));
    assert!(
        w.message
            .contains("`x` is already bound to refresh on line 2"),
        "{}",
        w.message
    );
    assert_eq!(c.keys.keys(Action::Refresh), &[key("x")]);
    assert_eq!(c.keys.keys(Action::Delete), &[key("d")]);
    assert_eq!(c.keys.conflicts(), vec![]);
}

#[test]
fn a_user_binding_takes_a_key_from_a_default_one() {
    // `G` and `end` are bottom's defaults: taking one is a plain remap, taking both leaves bottom
    // without a key, which deserves a warning.
    let (c, w) = config::parse("[keys]\nquit = \"G\"\n");
    assert_eq!(w, vec![]);
    assert_eq!(c.keys.keys(Action::Bottom), &[key("end")]);
    let (c, w) = only_warning("[keys]\nquit = [\"G\", \"end\"]\n");
    assert!(w.message.contains("bottom now has none"), "{}", w.message);
    assert_eq!(c.keys.keys(Action::Bottom), &[] as &[KeySpec]);
    assert_eq!(c.keys.conflicts(), vec![]);
    // Different contexts may share a key; `[]` unbinds.
    let (c, w) = config::parse("[keys]\nnext_field = \"j\"\ndelete = []\n");
    assert_eq!(w, vec![]);
    assert_eq!(
        c.keys.action(KeyContext::Form, &key("j")),
        Some(Action::NextField)
    );
    assert_eq!(
        c.keys.action(KeyContext::Browse, &key("j")),
        Some(Action::Down)
    );
    assert_eq!(c.keys.action(KeyContext::Browse, &key("d")), None);
}

#[test]
fn init_refuses_to_overwrite_without_force_and_first_run_creates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("config.toml");
    let (c, w, created) = config::load_or_create(&path);
    assert!(created);
    assert_eq!((c, w), (Config::default(), vec![]));
    std::fs::write(&path, "theme = \"light\"\n").unwrap();
    let err = config::write_default_file(&path, false).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "theme = \"light\"\n"
    );
    let (c, _, created) = config::load_or_create(&path);
    assert!(!created);
    assert_eq!(c.theme, Theme::Light);
    config::write_default_file(&path, true).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        config::default_file_text()
    );
}

#[test]
fn flags_beat_environment_beat_config_beat_defaults() {
    let file = Config {
        profile: Some("from-file".into()),
        region: Some("us-west-2".into()),
        read_only: true,
        ..Config::default()
    };
    let no_env = |_: &str| None;
    let s = config::resolve(&Overrides::default(), no_env, &file);
    assert_eq!(s.profile.as_deref(), Some("from-file"));
    assert_eq!(s.region.as_deref(), Some("us-west-2"));
    assert!(s.read_only);

    let env = |k: &str| match k {
        "AWS_PROFILE" => Some("from-env".to_string()),
        "AWS_DEFAULT_REGION" => Some("eu-west-1".to_string()),
        _ => None,
    };
    let s = config::resolve(&Overrides::default(), env, &file);
    assert_eq!(s.profile.as_deref(), Some("from-env"));
    assert_eq!(s.region.as_deref(), Some("eu-west-1"));

    let flags = Overrides {
        profile: Some("from-flag".into()),
        region: Some("us-east-1".into()),
        read_only: Some(false),
    };
    let s = config::resolve(&flags, env, &file);
    assert_eq!(s.profile.as_deref(), Some("from-flag"));
    assert_eq!(s.region.as_deref(), Some("us-east-1"));
    assert!(!s.read_only);

    let s = config::resolve(&Overrides::default(), no_env, &Config::default());
    assert_eq!((s.profile, s.region, s.read_only), (None, None, false));
}

#[test]
fn auto_theme_and_no_color_follow_the_environment() {
    assert_eq!(Theme::Auto.resolve(Some("0;15")), Theme::Light);
    assert_eq!(Theme::Auto.resolve(Some("15;0")), Theme::Dark);
    assert_eq!(Theme::Auto.resolve(Some("15;default;7")), Theme::Light);
    assert_eq!(Theme::Auto.resolve(None), Theme::Dark);
    assert_eq!(Theme::Light.resolve(Some("15;0")), Theme::Light);
    assert!(config::no_color(Some(std::ffi::OsStr::new("1"))));
    assert!(!config::no_color(Some(std::ffi::OsStr::new(""))));
    assert!(!config::no_color(None));
}

#[test]
fn registry_url_is_checked() {
    let (c, w) = config::parse("registry_url = \"http://127.0.0.1:5000\"\n");
    assert_eq!(w, vec![]);
    assert_eq!(c.registry_url.as_deref(), Some("http://127.0.0.1:5000"));
    for bad in [
        "\"http://registry.example\"",
        "\"127.0.0.1:5000\"",
        "\"https://x/v2\"",
        "5",
    ] {
        let (c, w) = config::parse(&format!("registry_url = {bad}\n"));
        assert_eq!(c.registry_url, None, "{bad}");
        assert_eq!(w.len(), 1, "{bad}");
        assert_eq!(w[0].key.as_deref(), Some("registry_url"));
    }
}

#[test]
fn request_timeouts_are_set_in_seconds_and_bad_ones_keep_their_default() {
    use std::time::Duration;
    let (c, w) = config::parse(
        "connect_timeout_seconds = 1\nread_timeout_seconds = 2\n\
         attempt_timeout_seconds = 3\noperation_timeout_seconds = 4\n",
    );
    assert_eq!(w, vec![]);
    assert_eq!(c.timeouts.connect, Duration::from_secs(1));
    assert_eq!(c.timeouts.read, Duration::from_secs(2));
    assert_eq!(c.timeouts.attempt, Duration::from_secs(3));
    assert_eq!(c.timeouts.operation, Duration::from_secs(4));
    let settings = config::resolve(&Overrides::default(), |_| None, &c);
    assert_eq!(settings.timeouts, c.timeouts);

    let (c, w) = only_warning("attempt_timeout_seconds = 0\n");
    assert_eq!(c.timeouts, Config::default().timeouts);
    assert_eq!(w.key.as_deref(), Some("attempt_timeout_seconds"));
    assert!(w.message.contains("1 to 3600"), "{}", w.message);
    let (_, w) = only_warning("read_timeout_seconds = \"slow\"\n");
    assert!(
        w.message.contains("expected a whole number of seconds"),
        "{}",
        w.message
    );
}
