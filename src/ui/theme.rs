//! Colours and styles in one place. Meaning never rests on colour alone: the selection carries a
//! `▶` (focused) or `▸` symbol, flags are words or `✓`, errors are prefixed with their code.
//!
//! Three palettes: dark, light, and plain for NO_COLOR (bold, reverse and underline only).
//! `view` picks one per frame with `set`; the drawing functions read it with `theme()`, which
//! saves threading a palette through every widget.

use std::cell::Cell;

use ratatui::style::{Color, Modifier, Style};

use crate::config::Theme as ThemeName;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub title: Style,
    pub header: Style,
    pub badge_read_only: Style,
    pub badge_demo: Style,
    pub crumb: Style,
    pub border: Style,
    pub border_focused: Style,
    pub column_header: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub dim: Style,
    pub key: Style,
    pub error: Style,
    pub info: Style,
    pub badge: Style,
    pub label: Style,
    pub accent: Style,
    pub code: Style,
}

pub const SELECTED_SYMBOL: &str = "▶ ";
pub const SELECTED_UNFOCUSED_SYMBOL: &str = "▸ ";
pub const CHECK: &str = "✓";
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub const DARK: Theme = Theme {
    title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    header: Style::new(),
    badge_read_only: Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD),
    badge_demo: Style::new()
        .fg(Color::Black)
        .bg(Color::Magenta)
        .add_modifier(Modifier::BOLD),
    crumb: Style::new().fg(Color::Cyan),
    border: Style::new().fg(Color::DarkGray),
    border_focused: Style::new().fg(Color::Cyan),
    column_header: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    selected: Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD),
    selected_unfocused: Style::new().add_modifier(Modifier::REVERSED),
    dim: Style::new().fg(Color::DarkGray),
    key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    info: Style::new().fg(Color::Green),
    badge: Style::new().fg(Color::Black).bg(Color::Blue),
    label: Style::new().fg(Color::Yellow),
    accent: Style::new().fg(Color::Green),
    code: Style::new().fg(Color::LightYellow),
};

pub const LIGHT: Theme = Theme {
    title: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
    header: Style::new(),
    badge_read_only: Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD),
    badge_demo: Style::new()
        .fg(Color::White)
        .bg(Color::Magenta)
        .add_modifier(Modifier::BOLD),
    crumb: Style::new().fg(Color::Blue),
    border: Style::new().fg(Color::Gray),
    border_focused: Style::new().fg(Color::Blue),
    column_header: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    selected: Style::new()
        .fg(Color::White)
        .bg(Color::Blue)
        .add_modifier(Modifier::BOLD),
    selected_unfocused: Style::new().add_modifier(Modifier::REVERSED),
    dim: Style::new().fg(Color::DarkGray),
    key: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
    error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
    info: Style::new().fg(Color::Green),
    badge: Style::new().fg(Color::White).bg(Color::Blue),
    label: Style::new().fg(Color::Magenta),
    accent: Style::new().fg(Color::Green),
    code: Style::new().fg(Color::Red),
};

/// NO_COLOR: what colour said, bold, reverse and underline say.
pub const PLAIN: Theme = Theme {
    title: Style::new().add_modifier(Modifier::BOLD),
    header: Style::new(),
    badge_read_only: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
    badge_demo: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
    crumb: Style::new(),
    border: Style::new(),
    border_focused: Style::new().add_modifier(Modifier::BOLD),
    column_header: Style::new().add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED)),
    selected: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
    selected_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
    dim: Style::new(),
    key: Style::new().add_modifier(Modifier::BOLD),
    error: Style::new().add_modifier(Modifier::BOLD),
    info: Style::new(),
    badge: Style::new().add_modifier(Modifier::REVERSED),
    label: Style::new().add_modifier(Modifier::BOLD),
    accent: Style::new(),
    code: Style::new(),
};

thread_local! {
    static CURRENT: Cell<Theme> = const { Cell::new(DARK) };
}

/// The palette for a resolved config theme (`auto` counts as dark) and NO_COLOR.
pub fn palette(name: ThemeName, no_color: bool) -> Theme {
    match (no_color, name) {
        (true, _) => PLAIN,
        (false, ThemeName::Light) => LIGHT,
        (false, _) => DARK,
    }
}

/// Use `t` for what is drawn next on this thread.
pub fn set(t: Theme) {
    CURRENT.with(|c| c.set(t));
}

/// The palette being drawn with.
pub fn theme() -> Theme {
    CURRENT.with(Cell::get)
}

/// A foreground colour readable on a light background: pale ones become a dark counterpart.
pub fn on_light(c: Color) -> Color {
    match c {
        Color::Cyan | Color::LightCyan | Color::LightBlue => Color::Blue,
        Color::Yellow | Color::LightYellow => Color::Magenta,
        Color::LightGreen => Color::Green,
        Color::LightMagenta => Color::Magenta,
        Color::LightRed => Color::Red,
        Color::Gray => Color::DarkGray,
        other => other,
    }
}
