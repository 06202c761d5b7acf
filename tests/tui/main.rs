//! The TUI: `update` and `view` driven in-process through the real dispatcher (screens, paging,
//! edits, deletes, forms, insta snapshots in tests/tui/snapshots/, the README's screenshots), and
//! the real binary in tmux (crash safety, the end-to-end flows).

#[path = "../support/mod.rs"]
mod support;

mod forms_drafts;
mod forms_editor;
mod forms_flows;
mod forms_snapshots;
mod retag;
mod tui_cache;
mod tui_cache_marks;
mod tui_cache_start;
mod tui_cache_tmux;
mod tui_comfort;
mod tui_crash;
mod tui_delete;
mod tui_delete_repo;
mod tui_e2e;
mod tui_e2e_edit;
mod tui_e2e_inspector;
mod tui_edit;
mod tui_edit_policy;
mod tui_edit_safety;
mod tui_editors;
mod tui_faults;
mod tui_inspector;
mod tui_lifecycle;
mod tui_lifecycle_tmux;
mod tui_multiarch;
mod tui_open;
mod tui_open_session;
mod tui_open_update;
mod tui_paging;
mod tui_prefetch;
mod tui_screens;
mod tui_screenshots;
mod tui_update;
mod tui_wide_text;
