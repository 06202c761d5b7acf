//! The policy's first step when one is in place: edit it, or start over from a template.

use super::base::open_form;
use super::modal::{FormKind, PendingEdit};
use super::state::{App, Fetch, Overlay, PickItem, Picker, PickerKind};
use super::strings;
use crate::forms::policy;

/// With a policy in place: edit it, or start over from a template.
pub(super) fn policy_start_menu(app: &mut App, p: &PendingEdit) {
    let items = vec![
        PickItem {
            label: strings::POLICY_EDIT_CURRENT.into(),
            detail: String::new(),
            value: format!("current\t{}\t{}", p.registry, p.repo),
        },
        PickItem {
            label: strings::POLICY_FROM_TEMPLATE.into(),
            detail: policy::TEMPLATES.map(|t| t.1).join(" · "),
            value: format!("template\t{}\t{}", p.registry, p.repo),
        },
    ];
    app.overlay = Some(Overlay::Picker(Picker {
        kind: PickerKind::PolicyStart,
        items,
        selected: 0,
    }));
}

/// The policy menu's choice (`value` as built by `policy_start_menu`).
pub fn policy_start_chosen(app: &mut App, value: &str) {
    let mut parts = value.splitn(3, '\t');
    let (Some(how), Some(registry), Some(repo)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let Some(Fetch::Ready(current)) = app.remote.policies.get(repo).cloned() else {
        return;
    };
    let (repo, registry): (Box<str>, Box<str>) = (repo.into(), registry.into());
    // The menu replaced the policy view; the form is about it, so it comes back beneath.
    app.overlay = Some(Overlay::Policy {
        repo: repo.clone(),
        scroll: 0,
    });
    if how == "template" {
        let kind = FormKind::PolicyTemplate {
            repo,
            registry,
            current,
        };
        open_form(app, policy::template_form(), kind);
    } else {
        let form = policy::policy_form(&repo, current.as_deref());
        open_form(
            app,
            form,
            FormKind::Policy {
                repo,
                registry,
                current,
            },
        );
    }
}
