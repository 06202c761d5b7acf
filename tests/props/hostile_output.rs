//! No byte from the API can move the cursor, change the title or recolour the terminal: the real
//! binary, in tmux, against `ecrp emulator` serving a state file full of escape sequences (CSI,
//! OSC, DCS, two-character ESC, 8-bit C1 forms), C0 controls, bidi and zero-width characters in
//! every string it returns: registry display name and alias, repository names, catalog text,
//! policy, resource tags, image tags, and error messages that quote a hostile name. The state file
//! is loaded without validation, so the emulator stands in for a hostile or broken endpoint.
//!
//! Every byte ecrp writes is recorded (`tmux pipe-pane`) and tokenised as a terminal would; the
//! TUI's own sequences are all of the forms crossterm writes, none carries the payload's
//! parameters, and no text it draws holds a control, bidi or invisible format character. The
//! payload's markers are on screen, so the hostile strings were drawn.
//!
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::binary::{BIN, Emulator, tmux_available};
use crate::support::tmux::{Launch, Session};
use ecrp::sanitize::is_unsafe_char;
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// What an attacker would put in a string, each followed in the payload by a marker word.
/// Distinctive parameters (7777, 4242, 3;141;59) tell the payload's sequences from the TUI's own.
const ATTACKS: &[&str] = &[
    "\x1b[7777;4242H",                           // CSI: move the cursor
    "\x1b[38;2;3;141;59m",                       // CSI: recolour (SGR truecolour)
    "\x1b[5;6m",                                 // CSI: blink
    "\x1b[3J",                                   // CSI: clear the scrollback
    "\x1b[?1049l",                               // CSI: leave the alternate screen
    "\x1b[?1000l",                               // CSI: mouse reporting off
    "\x1b]0;PWNED-TITLE\x07",                    // OSC: window title (BEL)
    "\x1b]2;PWNED-TITLE\x1b\\",                  // OSC: window title (ST)
    "\x1b]11;#ff00ff\x07",                       // OSC: background colour
    "\x1b]4;1;rgb:ff/00/ff\x1b\\",               // OSC: palette
    "\x1b]8;;http://evil.example/\x1b\\",        // OSC: hyperlink
    "\x1b]52;c;cm0gLXJmIH4K\x07",                // OSC: write the clipboard
    "\x1bP1$qm\x1b\\",                           // DCS: request status (the terminal answers)
    "\x1b_APC\x1b\\",                            // APC
    "\x1bc",                                     // RIS: reset the terminal
    "\x1b#8",                                    // DECALN: fill the screen
    "\x1b7\x1b8",                                // save / restore the cursor
    "\x1b(0",                                    // line-drawing character set
    "\u{9b}7777;4242H",                          // 8-bit CSI
    "\u{9d}0;PWNED-TITLE\u{9c}",                 // 8-bit OSC
    "\u{90}q\u{9c}",                             // 8-bit DCS
    "\u{85}\u{8d}",                              // NEL, RI
    "\x07\x08\r\n\x0b\x0c\x0e\x0f\x7f\t",        // C0 and DEL
    "\u{202e}\u{202a}\u{2066}\u{2069}\u{200f}",  // bidi overrides, embeddings, isolates, marks
    "\u{200b}\u{200d}\u{2060}\u{feff}\u{e0041}", // zero-width and tag characters
];

/// A string with every attack, and `marker` (a plain word the test looks for on screen) after
/// each, so the marker appears whatever the sanitiser keeps of the attacks around it.
fn hostile(marker: &str) -> String {
    let mut s = String::new();
    for a in ATTACKS {
        s.push_str(a);
        s.push_str(marker);
    }
    s
}

/// Repository names added to the state, next to the demo's 13: hostile ones, and wide, emoji and
/// combining ones (the SDK does not check names it receives).
fn hostile_names() -> Vec<String> {
    vec![
        "zqerr\x1b[7777;4242H\x1b]0;PWNED-TITLE\x07\u{9b}31m\u{202e}mkname".to_string(),
        "csi\x1b[38;2;3;141;59mmkname2\x1b[0m".to_string(),
        "dcs\x1bP1$qm\x1b\\mkname3\x07\x08".to_string(),
        "世界-服务-mkwide".to_string(),
        "🚀-mkemoji".to_string(),
        "cafe\u{301}-mkcomb".to_string(),
        "ｶﾞｷﾞ-mkkana".to_string(),
    ]
}

/// Runs `ecrp emulator --state FILE` once to write the demo state, then fills it with hostile
/// strings.
fn write_hostile_state(path: &Path) {
    let mut child = Command::new(BIN)
        .args(["emulator", "--addr", "127.0.0.1:0", "--state"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ecrp emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    assert!(line.starts_with("listening on "), "{line:?}");
    // The state file is written (atomically) before the emulator listens.
    child.kill().expect("stop the emulator");
    child.wait().expect("wait for the emulator");

    let mut state: Value =
        serde_json::from_slice(&std::fs::read(path).expect("state file")).expect("state JSON");
    state["registry"]["display_name"] = json!(hostile("mkdisplay"));
    state["registry"]["aliases"][0]["name"] =
        json!("acme\x1b]2;PWNED-TITLE\x07\u{9b}7777;4242Hmkalias");
    let repos = state["repos"].as_object_mut().expect("repos");
    let template = repos["worker"].clone();
    for repo in repos.values_mut() {
        let catalog = &mut repo["catalog"];
        catalog["description"] = json!(hostile("mkdesc"));
        catalog["about_text"] = json!(format!(
            "# About mkabout\n\n{}\n\n```\n{}\n```\n",
            hostile("mkabout"),
            hostile("mkcode")
        ));
        catalog["usage_text"] = json!(format!("{}\n", hostile("mkusage")));
        catalog["architectures"] = json!([hostile("mkarch")]);
        repo["policy"] = json!(format!("{{\"Sid\": \"{}\"}}", hostile("mkpolicy")));
        // A short key, so the value is on screen too.
        let key = "k\x1b]0;PWNED-TITLE\x07\x1b[7777;4242H\u{9b}31m\u{202e}mktagk";
        repo["tags"] = json!([[key, hostile("mktagv")]]);
        // The newest image (where there is one) gets a hostile tag.
        let images = repo["images"].as_object_mut().expect("images");
        let Some(newest) = images
            .values()
            .max_by_key(|i| i["pushed_ms"].as_i64())
            .and_then(|i| i["digest"].as_str())
            .map(str::to_string)
        else {
            continue;
        };
        let tag = hostile("mkimgtag");
        let image = images.get_mut(&newest).expect("newest image");
        let pushed = image["pushed_ms"].clone();
        image["tags"].as_array_mut().expect("tags").push(json!(tag));
        repo["image_tags"][&tag] = json!({ "digest": newest, "created_ms": pushed });
    }
    for name in hostile_names() {
        let mut repo = template.clone();
        repo["name"] = json!(name);
        repos.insert(name, repo);
    }
    std::fs::write(path, serde_json::to_vec(&state).expect("encode")).expect("write state");
}

/// What a terminal makes of a byte stream.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Text(String),
    /// A C0 control or DEL.
    Ctl(u8),
    Csi {
        params: String,
        inter: String,
        fin: u8,
    },
    /// `ESC` + intermediates + final (not `[`, `]`, `P`, `X`, `^`, `_`).
    Esc {
        inter: String,
        fin: u8,
    },
    /// OSC, DCS, SOS, PM or APC: `kind` is the byte after ESC.
    Str {
        kind: u8,
        body: String,
    },
}

fn tokenize(b: &[u8]) -> Vec<Tok> {
    fn flush(text: &mut Vec<u8>, out: &mut Vec<Tok>) {
        if !text.is_empty() {
            out.push(Tok::Text(String::from_utf8_lossy(text).into_owned()));
            text.clear();
        }
    }
    let mut out = Vec::new();
    let mut text = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, ok: &dyn Fn(u8) -> bool| -> String {
        let start = *i;
        while *i < b.len() && ok(b[*i]) {
            *i += 1;
        }
        String::from_utf8_lossy(&b[start..*i]).into_owned()
    };
    while i < b.len() {
        let c = b[i];
        if c != 0x1b {
            if c < 0x20 || c == 0x7f {
                flush(&mut text, &mut out);
                out.push(Tok::Ctl(c));
            } else {
                text.push(c);
            }
            i += 1;
            continue;
        }
        flush(&mut text, &mut out);
        i += 1;
        match b.get(i).copied() {
            Some(b'[') => {
                i += 1;
                let params = take(&mut i, &|c| (0x30..=0x3f).contains(&c));
                let inter = take(&mut i, &|c| (0x20..=0x2f).contains(&c));
                let fin = b.get(i).copied().unwrap_or(0);
                i += 1;
                out.push(Tok::Csi { params, inter, fin });
            }
            Some(kind @ (b']' | b'P' | b'X' | b'^' | b'_')) => {
                i += 1;
                let start = i;
                while i < b.len() && !(kind == b']' && b[i] == 0x07) && b[i] != 0x1b {
                    i += 1;
                }
                let body = String::from_utf8_lossy(&b[start..i]).into_owned();
                // BEL, or ESC \ (an ESC starting anything else also ends the string).
                if b.get(i) == Some(&0x07) || b.get(i + 1) == Some(&b'\\') {
                    i += if b[i] == 0x07 { 1 } else { 2 };
                }
                out.push(Tok::Str { kind, body });
            }
            Some(_) => {
                let inter = take(&mut i, &|c| (0x20..=0x2f).contains(&c));
                let fin = b.get(i).copied().unwrap_or(0);
                i += 1;
                out.push(Tok::Esc { inter, fin });
            }
            None => out.push(Tok::Esc {
                inter: String::new(),
                fin: 0,
            }),
        }
    }
    flush(&mut text, &mut out);
    out
}

/// Whether `params` is an SGR parameter list of the kind crossterm writes for ratatui's styles: a
/// sequence of resets, attributes, and 16-, 256- or 24-bit colours (crossterm writes foreground and
/// background together, as in `38;5;6;49`).
fn crossterm_sgr(params: &str) -> bool {
    let p: Vec<Option<u16>> = params.split(';').map(|s| s.parse().ok()).collect();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            Some(38 | 48 | 58) => match p.get(i + 1) {
                Some(Some(5)) if p.get(i + 2).is_some_and(|n| n.is_some_and(|n| n < 256)) => i += 3,
                Some(Some(2))
                    if p.len() >= i + 5
                        && p[i + 2..i + 5].iter().all(|c| c.is_some_and(|c| c < 256)) =>
                {
                    i += 5
                }
                _ => return false,
            },
            Some(
                0..=4
                | 7..=9
                | 21..=24
                | 27..=29
                | 30..=37
                | 39..=47
                | 49
                | 59
                | 90..=97
                | 100..=107,
            ) => i += 1,
            _ => return false,
        }
    }
    true
}

/// The private modes ecrp sets and resets, each exactly once: alternate screen, mouse capture and
/// bracketed paste (so a pasted block arrives as text, never as keys).
const ONCE_MODES: &[&str] = &[
    "?1049", "?1000", "?1002", "?1003", "?1015", "?1006", "?2004",
];

fn is_mode(t: &Tok, mode: &str, set: u8) -> bool {
    matches!(t, Tok::Csi { params, inter, fin } if params == mode && inter.is_empty() && *fin == set)
}

/// Checks what ecrp wrote between entering and leaving the alternate screen: every sequence is
/// one crossterm writes for ratatui (cursor moves inside the screen, SGR styles, the cursor and
/// the modes set once on entry and reset once on exit, a full clear), none carries the payload's
/// parameters, and the text drawn holds no control, bidi or invisible format character.
/// Returns the text drawn, one run per line.
fn check_tui_output(raw: &[u8]) -> Result<String, String> {
    let toks = tokenize(raw);
    let start = toks
        .iter()
        .position(|t| is_mode(t, "?1049", b'h'))
        .ok_or("ecrp never entered the alternate screen")?;
    let end = toks
        .iter()
        .rposition(|t| is_mode(t, "?1049", b'l'))
        .ok_or("ecrp never left the alternate screen")?;
    let mut drawn = String::new();
    for t in &toks[start..=end] {
        match t {
            Tok::Text(s) => {
                let bad: Vec<char> = s
                    .chars()
                    .filter(|c| is_unsafe_char(*c) || *c == '\u{fffd}')
                    .collect();
                if !bad.is_empty() {
                    return Err(format!("unsafe characters {bad:?} drawn in {s:?}"));
                }
                drawn.push_str(s);
                drawn.push('\n');
            }
            Tok::Ctl(c) => return Err(format!("control byte {c:#04x} in the TUI's output")),
            Tok::Esc { inter, fin } => {
                return Err(format!(
                    "ESC {inter}{} in the TUI's output (crossterm writes none)",
                    *fin as char
                ));
            }
            Tok::Str { kind, body } => {
                return Err(format!(
                    "string sequence ESC {} {body:?} in the TUI's output",
                    *kind as char
                ));
            }
            Tok::Csi { params, inter, fin } => {
                let seq = format!("CSI {params}{inter}{}", *fin as char);
                if !inter.is_empty() {
                    return Err(seq);
                }
                if ["7777", "4242", "3;141;59"]
                    .iter()
                    .any(|p| params.contains(p))
                {
                    return Err(format!("the payload's parameters: {seq}"));
                }
                let ok = match fin {
                    b'H' => {
                        let rc: Vec<Option<u16>> =
                            params.split(';').map(|n| n.parse().ok()).collect();
                        matches!(rc.as_slice(), [Some(r), Some(c)]
                            if (1..=HEIGHT).contains(r) && (1..=WIDTH).contains(c))
                    }
                    b'm' => crossterm_sgr(params),
                    b'h' | b'l' => params == "?25" || ONCE_MODES.contains(&params.as_str()),
                    b'J' => params == "2",
                    _ => false,
                };
                if !ok {
                    return Err(format!("{seq} is not a sequence the TUI writes"));
                }
            }
        }
    }
    for mode in ONCE_MODES {
        for set in [b'h', b'l'] {
            let n = toks.iter().filter(|t| is_mode(t, mode, set)).count();
            if n != 1 {
                return Err(format!("CSI {mode}{} written {n} times", set as char));
            }
        }
    }
    Ok(drawn)
}

/// The checker is not vacuous: a clean stream passes, and each attack spliced into it as is (as
/// if the sanitiser let it through) is caught.
#[test]
fn the_output_check_catches_every_attack() {
    let mut clean = Vec::new();
    for mode in ONCE_MODES {
        clean.extend_from_slice(format!("\x1b[{mode}h").as_bytes());
    }
    clean.extend_from_slice(
        "\x1b[?25l\x1b[2J\x1b[1;1H\x1b[38;5;6;49mrepo\x1b[2;3H世界\x1b[0m".as_bytes(),
    );
    let tail: Vec<u8> = ONCE_MODES
        .iter()
        .rev()
        .flat_map(|m| format!("\x1b[{m}l").into_bytes())
        .chain(b"\x1b[?25h".iter().copied())
        .collect();
    let stream = |middle: &str| [clean.as_slice(), middle.as_bytes(), &tail].concat();
    assert_eq!(
        check_tui_output(&stream("ok")).as_deref(),
        Ok("repo\n世界\nok\n")
    );
    for attack in ATTACKS {
        let r = check_tui_output(&stream(&format!("name{attack}mk")));
        assert!(r.is_err(), "{attack:?} not caught");
    }
    for name in hostile_names() {
        if name.chars().any(is_unsafe_char) {
            assert!(check_tui_output(&stream(&name)).is_err(), "{name:?}");
        }
    }
}

#[test]
fn no_byte_from_the_api_reaches_the_terminal_as_a_control() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    write_hostile_state(&state);
    let emu = Emulator::start(&["--state", state.to_str().expect("utf-8 path")]);
    let session = Session::launch(Launch {
        tag: "hostile",
        endpoint: &emu.url,
        env: &[],
        args: &[],
        width: WIDTH,
        height: HEIGHT,
    });
    let before = session.state();
    session.go();

    // Every place API text shows up, each waited for by its marker.
    let total = 13 + hostile_names().len();
    session.wait_for(&[
        &format!("Repositories ({total})"),
        "mkdisplay",
        "mkalias",
        "mkname",
        "mkname2",
        "mkname3",
        "mkwide",
        "mkemoji",
        "mkcomb",
        "mkkana",
    ]);
    // The terminal agrees with ratatui on every width: the border between the repositories and
    // the preview is in one column on every row, whatever the names hold.
    let screen = session.capture();
    let columns: Vec<(usize, &str)> = screen
        .lines()
        .filter_map(|l| l.find("││").map(|i| (l[..i].width(), l)))
        .collect();
    assert!(columns.len() > total, "{screen}");
    assert!(
        columns.iter().all(|(c, _)| *c == columns[0].0),
        "borders out of line: {columns:#?}"
    );
    session.keys(&["/", "w", "e", "b"]);
    session.wait_for(&[&format!("Repositories (1 of {total})")]);
    session.keys(&["Enter"]);
    session.wait_for(&["mkdesc", "mkabout"]);
    session.keys(&["c"]);
    session.wait_for(&["Catalog · web", "mkabout", "mkcode", "mkusage"]);
    session.keys(&["Escape"]);
    session.wait_for(&[&format!("Repositories (1 of {total})")]);
    session.keys(&["p"]);
    session.wait_for(&["Policy · web", "mkpolicy"]);
    session.keys(&["Escape"]);
    session.wait_for(&[&format!("Repositories (1 of {total})")]);
    session.keys(&["t"]);
    session.wait_for(&["Resource tags · web", "mktagk", "mktagv"]);
    session.keys(&["Escape"]);
    session.wait_for(&[&format!("Repositories (1 of {total})")]);
    session.keys(&["Enter"]);
    session.wait_for(&["Images · web", "mkimgtag"]);
    session.keys(&["Tab"]);
    session.wait_for(&["Image tags · web", "mkimgtag"]);
    session.keys(&["Escape"]);
    session.wait_for_without(&format!("Repositories (1 of {total})"), "Image tags · web");
    session.keys(&["Escape"]);
    session.wait_for(&[&format!("Repositories ({total})")]);
    // A repository whose name the service would refuse: its catalog fails with a validation
    // error that quotes the name back.
    session.keys(&["/", "z", "q", "e", "r", "r"]);
    session.wait_for(&[&format!("Repositories (1 of {total})")]);
    session.keys(&["Enter"]);
    session.wait_for(&["InvalidParameterException"]);
    session.keys(&["q"]);
    assert_eq!(session.exit_code(), 0);

    // tmux's view of the pane: title, modes and cursor as before.
    let after = session.state();
    assert_eq!(after, before, "pane state after ecrp exited");
    assert!(!after.pane_title.contains("PWNED"));

    let raw = session.raw_after_exit();
    let drawn = check_tui_output(&raw).unwrap_or_else(|e| panic!("{e}"));
    // The hostile strings were drawn (with their attacks removed).
    for marker in [
        "mkdisplay",
        "mkalias",
        "mkname",
        "mkwide",
        "mkemoji",
        "mkcomb",
        "mkkana",
        "mkdesc",
        "mkabout",
        "mkcode",
        "mkusage",
        "mkpolicy",
        "mktagk",
        "mktagv",
        "mkimgtag",
        "InvalidParameterException",
    ] {
        assert!(drawn.contains(marker), "{marker} never drawn");
    }
    drop(emu);
}

/// `ecrp` with a subcommand, against `endpoint`, with the user's AWS files out of the way.
fn ecrp_cli(endpoint: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(["--endpoint-url", endpoint, "--config", "/dev/null"])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run ecrp")
}

/// Output meant for a terminal: nothing but printable text, spaces and newlines.
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    let text = String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let bad: Vec<char> = text
        .chars()
        .filter(|c| *c != '\n' && is_unsafe_char(*c))
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in {text:?}");
}

/// `ecrp ls` tables print the same hostile state with every string neutralised.
#[test]
fn ls_tables_print_no_control_from_the_api() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    write_hostile_state(&state);
    let emu = Emulator::start(&["--state", state.to_str().expect("utf-8 path")]);
    for args in [
        &["ls", "registries"][..],
        &["ls", "repos"],
        &["ls", "images", "web"],
        &["ls", "tags", "web"],
    ] {
        let out = ecrp_cli(&emu.url, args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_terminal_safe(&format!("{args:?} stdout"), &out.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let marker = match args[1] {
            "registries" => "mkalias",
            "repos" => "mkname",
            _ => "mkimgtag",
        };
        assert!(stdout.contains(marker), "{args:?}: {stdout}");
    }
}

/// A stand-in for a hostile endpoint: every request is answered with a 400 whose error message
/// (JSON-escaped on the wire, as any server would send it) is full of attacks.
fn hostile_error_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let body = json!({
        "__type": "AccessDeniedException",
        "message": hostile("mkerror"),
    })
    .to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            // Read the request head and its declared body, then answer and close.
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            let head_end = loop {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break None,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
                if let Some(p) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(p + 4);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&req[..head_end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while req.len() < head_end + len {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let resp = format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\n\
                 x-amzn-requestid: 00000000-0000-0000-0000-000000000000\r\n\
                 x-amzn-errortype: AccessDeniedException\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    format!("http://{addr}")
}

/// The error a subcommand prints on the way out quotes the service's message: neutralised too.
#[test]
fn ls_errors_print_no_control_from_the_api() {
    let url = hostile_error_server();
    let out = ecrp_cli(&url, &["ls", "repos"]);
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("AccessDeniedException"), "{stderr}");
    assert!(stderr.contains("mkerror"), "{stderr}");
    assert_terminal_safe("stderr", &out.stderr);
    assert_terminal_safe("stdout", &out.stdout);
}

/// `ecrp ls --json` keeps every string exact (a script gets what the API said) and, printed to a
/// terminal, still executes nothing: controls travel as JSON escapes.
///
/// serde_json alone escapes C0 controls but writes C1 controls (U+0080–U+009F, such as the
/// 8-bit CSI U+009B) and bidi overrides as they are; `ls` writes those as `\uXXXX` escapes too.
#[test]
fn ls_json_is_exact_and_terminal_safe() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state.json");
    write_hostile_state(&state);
    let emu = Emulator::start(&["--state", state.to_str().expect("utf-8 path")]);
    let out = ecrp_cli(&emu.url, &["ls", "repos", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let rows: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = rows
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["repositoryName"].as_str())
        .collect();
    for name in hostile_names() {
        assert!(names.contains(&name.as_str()), "{name:?} in {names:?}");
    }
    assert_terminal_safe("stdout", &out.stdout);
}
