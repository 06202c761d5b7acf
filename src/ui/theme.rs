//! Colours and styles in one place. Meaning never rests on colour alone: the selection carries a
//! `▶` (focused) or `▸` symbol, flags are words or `✓`, errors are prefixed with their code.

use ratatui::style::{Color, Modifier, Style};

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

pub const THEME: Theme = Theme {
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
