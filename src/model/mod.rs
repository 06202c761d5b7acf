//! The ECR Public service model: limits and name patterns that both the client (forms, push) and
//! the emulator apply, so the two agree and neither depends on the other.

pub mod limits;
pub mod names;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The modules a file names through `crate::` paths.
    fn crate_modules(text: &str) -> Vec<&str> {
        text.match_indices("crate::")
            .map(|(i, m)| {
                let rest = &text[i + m.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    /// The client and the emulator share only this module: client code never names the emulator
    /// (only the binary's router starts it), and the emulator names nothing of the client's (only
    /// the model and `private_fs`, the base layer's private files).
    #[test]
    fn client_and_emulator_meet_only_in_the_model() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(files.len() > 50, "found the sources");
        for path in files {
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            // The shipped code: unit tests may start an emulator to test against.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let modules = crate_modules(code);
            if rel.starts_with("emulator/") {
                // The model and the base layer's private-file helpers, nothing of the client's.
                for m in modules {
                    assert!(
                        matches!(m, "emulator" | "model" | "private_fs"),
                        "{rel} uses crate::{m}"
                    );
                }
            } else if rel.starts_with("model/") {
                assert!(modules.iter().all(|m| *m == "model"), "{rel}: {modules:?}");
            } else if !(matches!(rel.as_str(), "main.rs" | "lib.rs") || rel.starts_with("cli/")) {
                assert!(!modules.contains(&"emulator"), "{rel} uses crate::emulator");
            }
        }
    }

    /// `ui` reads the app's state; the app never names the drawing (the event loop is handed
    /// `ui::view`), so the two do not import each other.
    #[test]
    fn the_app_never_names_the_drawing() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src.join("app"), &mut files);
        assert!(files.len() > 20, "found the app's sources");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let modules = crate_modules(&text);
            assert!(
                !modules.contains(&"ui"),
                "{} uses crate::ui",
                path.display()
            );
        }
    }
}
