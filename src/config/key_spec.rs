//! Key strings as written in the config file ("j", "G", "ctrl-a", "shift-tab", "pgdn", "f5") and
//! the small `KeySpec` type they parse into. Independent of crossterm so the config can be parsed
//! and tested without a terminal; `from_event`/`to_event` bridge to crossterm.
//!
//! Normal form: a letter typed with shift is its upper-case character with no SHIFT modifier
//! ("G", not "shift-g"), and SHIFT is dropped from other characters ("?" arrives with SHIFT on some
//! terminals and without on others). That way a binding and an event compare with `==`.

use std::fmt;

use crossterm::event::{KeyCode as CtKeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
    /// F1–F24.
    F(u8),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Modifiers {
    pub const NONE: Modifiers = Modifiers {
        ctrl: false,
        alt: false,
        shift: false,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySpec {
    pub code: KeyCode,
    pub modifiers: Modifiers,
}

/// Names accepted for non-character keys; the first spelling of each is the canonical one.
const NAMED: &[(&[&str], KeyCode)] = &[
    (&["enter", "return", "ret", "cr"], KeyCode::Enter),
    (&["esc", "escape"], KeyCode::Esc),
    (&["tab"], KeyCode::Tab),
    (&["backspace", "bs"], KeyCode::Backspace),
    (&["delete", "del"], KeyCode::Delete),
    (&["insert", "ins"], KeyCode::Insert),
    (&["home"], KeyCode::Home),
    (&["end"], KeyCode::End),
    (&["pgup", "pageup"], KeyCode::PageUp),
    (&["pgdn", "pagedown", "pgdown"], KeyCode::PageDown),
    (&["up"], KeyCode::Up),
    (&["down"], KeyCode::Down),
    (&["left"], KeyCode::Left),
    (&["right"], KeyCode::Right),
    (&["space", "spc"], KeyCode::Char(' ')),
    (&["minus"], KeyCode::Char('-')),
];

impl KeySpec {
    pub const fn new(code: KeyCode, modifiers: Modifiers) -> Self {
        KeySpec { code, modifiers }
    }

    /// A key with no modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        KeySpec {
            code,
            modifiers: Modifiers::NONE,
        }
    }

    /// Parse a key string. The error says what was wrong in words a config file's author can use.
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        if s.is_empty() {
            return Err("empty key string".into());
        }
        // A single character is always that character, including "-" and "+".
        if s.chars().count() == 1 {
            return Ok(KeySpec::plain(KeyCode::Char(s.chars().next().unwrap_or(' '))).normalized());
        }
        // "ctrl--" means ctrl and the minus key: the last part may be the separator itself.
        let (mods_part, key_part) = match s.strip_suffix("--") {
            Some(rest) => (rest, "-"),
            None => match s.rsplit_once('-') {
                Some((m, k)) => (m, k),
                None => ("", s),
            },
        };
        let mut modifiers = Modifiers::NONE;
        if !mods_part.is_empty() {
            for m in mods_part.split('-') {
                let flag = match m.to_ascii_lowercase().as_str() {
                    "ctrl" | "control" | "c" => &mut modifiers.ctrl,
                    "alt" | "meta" | "m" | "a" => &mut modifiers.alt,
                    "shift" | "s" => &mut modifiers.shift,
                    _ => {
                        return Err(format!(
                            "unknown modifier {m:?} (use ctrl, alt or shift, e.g. \"ctrl-a\")"
                        ));
                    }
                };
                if *flag {
                    return Err(format!("modifier {m:?} given twice"));
                }
                *flag = true;
            }
        }
        let code = parse_code(key_part)?;
        if let KeyCode::Char(c) = code
            && modifiers.shift
            && !c.is_alphabetic()
        {
            return Err(format!(
                "shift with {c:?}: write the character the key types instead (e.g. \"?\", not \"shift-/\")"
            ));
        }
        Ok(KeySpec { code, modifiers }.normalized())
    }

    /// Fold shift into characters (see the module comment).
    fn normalized(mut self) -> Self {
        if let KeyCode::Char(c) = self.code {
            if self.modifiers.shift && c.is_alphabetic() {
                self.code = KeyCode::Char(c.to_uppercase().next().unwrap_or(c));
            }
            self.modifiers.shift = false;
        }
        self
    }

    /// The key a crossterm event stands for, or `None` for keys that cannot be bound (caps lock,
    /// media keys, a bare modifier).
    pub fn from_event(ev: &KeyEvent) -> Option<KeySpec> {
        let m = ev.modifiers;
        let mut modifiers = Modifiers {
            ctrl: m.contains(KeyModifiers::CONTROL),
            alt: m.contains(KeyModifiers::ALT),
            shift: m.contains(KeyModifiers::SHIFT),
        };
        let code = match ev.code {
            CtKeyCode::Char(c) => KeyCode::Char(c),
            CtKeyCode::Enter => KeyCode::Enter,
            CtKeyCode::Esc => KeyCode::Esc,
            CtKeyCode::Tab => KeyCode::Tab,
            CtKeyCode::BackTab => {
                modifiers.shift = true;
                KeyCode::Tab
            }
            CtKeyCode::Backspace => KeyCode::Backspace,
            CtKeyCode::Delete => KeyCode::Delete,
            CtKeyCode::Insert => KeyCode::Insert,
            CtKeyCode::Home => KeyCode::Home,
            CtKeyCode::End => KeyCode::End,
            CtKeyCode::PageUp => KeyCode::PageUp,
            CtKeyCode::PageDown => KeyCode::PageDown,
            CtKeyCode::Up => KeyCode::Up,
            CtKeyCode::Down => KeyCode::Down,
            CtKeyCode::Left => KeyCode::Left,
            CtKeyCode::Right => KeyCode::Right,
            CtKeyCode::F(n) => KeyCode::F(n),
            _ => return None,
        };
        Some(KeySpec { code, modifiers }.normalized())
    }

    /// A press event for this key (shift-tab becomes crossterm's `BackTab`, as terminals send it).
    pub fn to_event(&self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.modifiers.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.modifiers.alt {
            m |= KeyModifiers::ALT;
        }
        if self.modifiers.shift {
            m |= KeyModifiers::SHIFT;
        }
        let code = match self.code {
            KeyCode::Char(c) => {
                if c.is_uppercase() {
                    m |= KeyModifiers::SHIFT;
                }
                CtKeyCode::Char(c)
            }
            KeyCode::Enter => CtKeyCode::Enter,
            KeyCode::Esc => CtKeyCode::Esc,
            KeyCode::Tab if self.modifiers.shift => CtKeyCode::BackTab,
            KeyCode::Tab => CtKeyCode::Tab,
            KeyCode::Backspace => CtKeyCode::Backspace,
            KeyCode::Delete => CtKeyCode::Delete,
            KeyCode::Insert => CtKeyCode::Insert,
            KeyCode::Home => CtKeyCode::Home,
            KeyCode::End => CtKeyCode::End,
            KeyCode::PageUp => CtKeyCode::PageUp,
            KeyCode::PageDown => CtKeyCode::PageDown,
            KeyCode::Up => CtKeyCode::Up,
            KeyCode::Down => CtKeyCode::Down,
            KeyCode::Left => CtKeyCode::Left,
            KeyCode::Right => CtKeyCode::Right,
            KeyCode::F(n) => CtKeyCode::F(n),
        };
        KeyEvent {
            code,
            modifiers: m,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    /// A short label for the help popup and the footer: arrows for arrow keys, "PgDn", "ctrl-a".
    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            _ => return self.to_string(),
        };
        format!("{}{key}", self.modifier_prefix())
    }

    fn modifier_prefix(&self) -> String {
        let mut s = String::new();
        for (on, name) in [
            (self.modifiers.ctrl, "ctrl-"),
            (self.modifiers.alt, "alt-"),
            (self.modifiers.shift, "shift-"),
        ] {
            if on {
                s.push_str(name);
            }
        }
        s
    }
}

fn parse_code(s: &str) -> Result<KeyCode, String> {
    let mut chars = s.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Ok(KeyCode::Char(c));
    }
    let lower = s.to_ascii_lowercase();
    if let Some((_, code)) = NAMED
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
    {
        return Ok(*code);
    }
    if let Some(n) = lower.strip_prefix('f')
        && let Ok(n) = n.parse::<u8>()
    {
        return if (1..=24).contains(&n) {
            Ok(KeyCode::F(n))
        } else {
            Err(format!("function key {s:?} out of range (f1 to f24)"))
        };
    }
    if s.is_empty() {
        return Err("missing key after the modifier (e.g. \"ctrl-a\")".into());
    }
    Err(format!(
        "unknown key {s:?} (a single character, or one of: enter, esc, tab, backspace, delete, \
         insert, home, end, pgup, pgdn, up, down, left, right, space, f1–f24)"
    ))
}

impl fmt::Display for KeySpec {
    /// The canonical key string: `KeySpec::parse(&k.to_string()) == Ok(k)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.modifier_prefix())?;
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED
                    .iter()
                    .find(|(_, c)| *c == code)
                    .map(|(names, _)| names[0])
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}

impl std::str::FromStr for KeySpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeySpec::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KeySpec {
        KeySpec::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_the_documented_examples() {
        assert_eq!(k("j"), KeySpec::plain(KeyCode::Char('j')));
        assert_eq!(k("G"), KeySpec::plain(KeyCode::Char('G')));
        assert_eq!(k("shift-g"), k("G"));
        let ctrl = Modifiers {
            ctrl: true,
            ..Modifiers::NONE
        };
        assert_eq!(k("ctrl-a"), KeySpec::new(KeyCode::Char('a'), ctrl));
        assert_eq!(k("Ctrl-A").code, KeyCode::Char('A'));
        let shift = Modifiers {
            shift: true,
            ..Modifiers::NONE
        };
        assert_eq!(k("shift-tab"), KeySpec::new(KeyCode::Tab, shift));
        assert_eq!(k("enter"), KeySpec::plain(KeyCode::Enter));
        assert_eq!(k("esc"), KeySpec::plain(KeyCode::Esc));
        assert_eq!(k("pgdn"), KeySpec::plain(KeyCode::PageDown));
        assert_eq!(k("f5"), KeySpec::plain(KeyCode::F(5)));
        assert_eq!(k("space"), KeySpec::plain(KeyCode::Char(' ')));
        assert_eq!(k("?"), KeySpec::plain(KeyCode::Char('?')));
        assert_eq!(k("-"), KeySpec::plain(KeyCode::Char('-')));
        assert_eq!(k("ctrl--"), KeySpec::new(KeyCode::Char('-'), ctrl));
    }

    #[test]
    fn rejects_with_a_reason() {
        assert!(KeySpec::parse("").unwrap_err().contains("empty"));
        assert!(KeySpec::parse("hyper-a").unwrap_err().contains("modifier"));
        assert!(KeySpec::parse("ctrl-").unwrap_err().contains("missing key"));
        assert!(KeySpec::parse("f99").unwrap_err().contains("f1 to f24"));
        assert!(KeySpec::parse("pgdwn").unwrap_err().contains("unknown key"));
        assert!(KeySpec::parse("shift-/").unwrap_err().contains("\"?\""));
        assert!(KeySpec::parse("ctrl-ctrl-a").unwrap_err().contains("twice"));
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "j",
            "G",
            "ctrl-a",
            "shift-tab",
            "enter",
            "esc",
            "pgdn",
            "pgup",
            "f5",
            "space",
            "?",
            "alt-x",
            "ctrl-alt-delete",
            "-",
            "ctrl--",
        ] {
            assert_eq!(k(s).to_string(), s);
            assert_eq!(k(&k(s).to_string()), k(s));
        }
        assert_eq!(k("return").to_string(), "enter");
        assert_eq!(k("down").label(), "↓");
        assert_eq!(k("pgdn").label(), "PgDn");
    }

    #[test]
    fn crossterm_events_map_both_ways() {
        for s in [
            "j",
            "G",
            "ctrl-a",
            "shift-tab",
            "enter",
            "pgdn",
            "f5",
            "space",
            "?",
        ] {
            let spec = k(s);
            assert_eq!(KeySpec::from_event(&spec.to_event()), Some(spec), "{s}");
        }
        // What terminals actually send: shift-tab as BackTab (often with SHIFT), "?" with SHIFT.
        let backtab = KeyEvent::new(CtKeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&backtab), Some(k("shift-tab")));
        let q = KeyEvent::new(CtKeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&q), Some(k("?")));
        let g = KeyEvent::new(CtKeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&g), Some(k("G")));
        let caps = KeyEvent::new(CtKeyCode::CapsLock, KeyModifiers::NONE);
        assert_eq!(KeySpec::from_event(&caps), None);
    }
}
