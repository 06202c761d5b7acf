//! The secrets no output of ecrp may contain, named in one place so every leak test checks them
//! all: the secret access key, the session token, the GetAuthorizationToken password. A feature
//! that handles a new secret (the registry client's bearer tokens, a cached credential) adds a
//! constructor here and its value to the tests' lists (tests/props/secrets_log.rs, secrets_tui.rs), and
//! lists the files it writes in `written_files` so they are searched too.

#![allow(dead_code)] // each test binary uses the part it needs

use std::path::{Path, PathBuf};

/// One secret value and what it is, for the failure message.
pub struct Secret {
    pub what: &'static str,
    pub value: String,
}

impl Secret {
    pub fn secret_access_key(value: &str) -> Secret {
        Secret {
            what: "the secret access key",
            value: value.to_string(),
        }
    }

    pub fn session_token(value: &str) -> Secret {
        Secret {
            what: "the session token",
            value: value.to_string(),
        }
    }

    /// The emulator's GetAuthorizationToken passwords start `ecrp-emulator-<access key>-` (then a
    /// random part), so this prefix finds any of them, whichever call minted it.
    pub fn emulator_auth_password(access_key: &str) -> Secret {
        Secret {
            what: "a GetAuthorizationToken password",
            value: format!("ecrp-emulator-{access_key}-"),
        }
    }

    /// A password docker received (read back from a fake docker's stdin).
    pub fn auth_password(value: &str) -> Secret {
        Secret {
            what: "the GetAuthorizationToken password",
            value: value.trim().to_string(),
        }
    }
}

/// Fails naming the secret and the place when `text` contains any of them.
pub fn assert_absent(place: &str, text: &str, secrets: &[Secret]) {
    for s in secrets {
        assert!(!s.value.is_empty(), "empty secret for {}", s.what);
        assert!(!text.contains(&s.value), "{} is in the {place}", s.what);
    }
}

/// Every regular file under `dir` (drafts, logs, caches, journals), recursively.
pub fn written_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(written_files(&p)),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
    out
}

/// Checks every file under `dir` like [`assert_absent`].
pub fn assert_absent_in_files(dir: &Path, secrets: &[Secret]) {
    for f in written_files(dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert_absent(&f.display().to_string(), &text, secrets);
    }
}

/// A `docker` that saves its stdin (the password of `docker login --password-stdin`) to `stdin`
/// beside it and succeeds. Returns its directory, to put first on PATH.
pub fn fake_docker(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("fake-docker-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("docker");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n/bin/cat > {}/stdin\necho 'Login Succeeded'\n",
            bin.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// The emulator's passwords and registry bearer tokens end in a sealed value,
/// `base64url(payload).<64 hex HMAC>`, whose payload is `<expiry>|<push flag or access key>|<32
/// hex>` (a token adds `|<the repositories it may push to>`). Finds every such value in `text`, whichever process minted it: `--demo` runs its
/// emulator inside ecrp, so the test cannot read the tokens it hands out.
pub fn emulator_sealed_values(text: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let payload_ok = |p: &str| {
        let parts: Vec<&str> = p.split('|').collect();
        (parts.len() == 3 || parts.len() == 4)
            && !parts[0].is_empty()
            && parts[0].bytes().all(|b| b.is_ascii_digit())
            && parts[2].len() == 32
            && parts[2].bytes().all(is_hex)
    };
    let b = text.as_bytes();
    let mut found = Vec::new();
    for (dot, _) in text.match_indices('.') {
        let sig = &b[dot + 1..(dot + 65).min(b.len())];
        if sig.len() < 64 || !sig.iter().all(|&c| is_hex(c)) {
            continue;
        }
        let mut lo = dot;
        while lo > 0 && dot - lo < 400 && is_b64(b[lo - 1]) {
            lo -= 1;
        }
        // A password's prefix (`ecrp-emulator-<key>-`) is base64url too: try each start.
        let hit = (lo..dot).find(|&start| {
            URL_SAFE_NO_PAD
                .decode(&text[start..dot])
                .ok()
                .and_then(|p| String::from_utf8(p).ok())
                .is_some_and(|p| payload_ok(&p))
        });
        if let Some(start) = hit {
            found.push(text[start..dot + 65].to_string());
        }
    }
    found
}

/// Fails naming the place when `text` holds an emulator password or bearer token.
pub fn assert_no_emulator_token(place: &str, text: &str) {
    let found = emulator_sealed_values(text);
    assert!(
        found.is_empty(),
        "{} emulator password(s) or bearer token(s) in the {place}",
        found.len()
    );
}
