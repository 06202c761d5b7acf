//! Validation of policy documents: messages name the rule and the field.

use super::*;

fn errors(text: &str) -> Vec<String> {
    parse(text)
        .expect_err("the policy must be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn rule(p: i64, selection: &str) -> String {
    format!(r#"{{"rulePriority":{p},"selection":{selection},"action":{{"type":"expire"}}}}"#)
}

fn policy(rules: &[String]) -> String {
    format!(r#"{{"rules":[{}]}}"#, rules.join(","))
}

#[test]
fn a_valid_policy_is_sorted_by_priority() {
    let p = parse(&policy(&[
        rule(
            5,
            r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3}"#,
        ),
        rule(
            2,
            r#"{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":14}"#,
        ),
    ]))
    .unwrap();
    assert_eq!(
        p.rules.iter().map(|r| r.priority).collect::<Vec<_>>(),
        [2, 5]
    );
    assert_eq!(p.rules[0].count, Count::SincePushedDays(14));
    assert_eq!(p.rules[1].count, Count::MoreThan(3));
    assert_eq!(p.rules[0].selection_text(), "tagged [v*]");
}

#[test]
fn errors_name_the_rule_and_the_field() {
    let e = errors(&policy(&[rule(
        3,
        r#"{"tagStatus":"untagged","tagPrefixList":["x"],"countType":"imageCountMoreThan","countNumber":1}"#,
    )]));
    assert_eq!(
        e,
        [
            "rule with rulePriority 3: selection.tagPrefixList: must be omitted when tagStatus is untagged"
        ]
    );
    let e = errors(&policy(&[rule(
        1,
        r#"{"tagStatus":"tagged","countType":"sinceImagePushed","countNumber":0}"#,
    )]));
    assert!(
        e.iter()
            .any(|m| m.contains("rulePriority 1: selection.tagPrefixList: required")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("selection.countNumber: must be a whole number from 1")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("selection.countUnit: required")),
        "{e:?}"
    );
}

#[test]
fn cross_rule_checks() {
    let any = r#"{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}"#;
    let untagged = r#"{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1}"#;
    let e = errors(&policy(&[rule(1, any), rule(2, untagged)]));
    assert_eq!(
        e,
        [
            "rule with rulePriority 1: selection.tagStatus: a rule with tagStatus \"any\" must have the highest rulePriority (it is evaluated last)"
        ]
    );
    let e = errors(&policy(&[rule(2, untagged), rule(2, any)]));
    assert!(
        e.iter()
            .any(|m| m.contains("rulePriority 2: rulePriority: 2 rules share")),
        "{e:?}"
    );
    let e = errors(&policy(&[rule(1, untagged), rule(2, untagged)]));
    assert!(
        e[0].contains("only one rule may select untagged images"),
        "{e:?}"
    );
}

#[test]
fn shapes_and_unsupported_features_are_refused() {
    assert!(errors("[]")[0].contains("must be a JSON object"));
    assert!(errors(r#"{"rules":[]}"#)[0].contains("at least one rule"));
    assert!(errors("{")[0].starts_with("policy: not valid JSON"));
    let e = errors(&policy(&[rule(
        1,
        r#"{"tagStatus":"tagged","tagPatternList":["a*b*c*d*e*"],"tagPrefixList":["a"],"countType":"imageCountMoreThan","countNumber":1}"#,
    )]));
    assert!(e[0].contains("not both"), "{e:?}");
    let e = errors(&policy(&[rule(
        1,
        r#"{"tagStatus":"tagged","tagPatternList":["a*b*c*d*e*"],"countType":"imageCountMoreThan","countNumber":1}"#,
    )]));
    assert_eq!(
        e,
        [
            "rule with rulePriority 1: selection.tagPatternList[0]: \"a*b*c*d*e*\" has more than 4 wildcards (*); at most 4 per pattern"
        ]
    );
    let e = errors(
        r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImagePulled","countUnit":"days","countNumber":1},"action":{"type":"transition"}}]}"#,
    );
    assert!(
        e.iter()
            .any(|m| m.contains("selection.storageClass: storage classes")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("action.type: \"transition\" is not supported")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("selection.countType: \"sinceImagePulled\" is not available")),
        "{e:?}"
    );
    let e = errors(r#"{"rules":[{"selection":{},"action":{"type":"expire"}}]}"#);
    assert!(
        e[0].starts_with("rules[0]: rulePriority: required"),
        "{e:?}"
    );
}

#[test]
fn two_rules_over_the_same_tags_are_refused() {
    let sel = |list: &str| {
        format!(
            r#"{{"tagStatus":"tagged","tagPrefixList":{list},"countType":"imageCountMoreThan","countNumber":1}}"#
        )
    };
    let e = errors(&policy(&[
        rule(1, &sel(r#"["a","b"]"#)),
        rule(2, &sel(r#"["b","a"]"#)),
    ]));
    assert_eq!(
        e,
        [
            "rule with rulePriority 2: selection: selects the same tags as rulePriority 1; each rule needs its own set"
        ]
    );
    assert!(
        parse(&policy(&[
            rule(1, &sel(r#"["a"]"#)),
            rule(2, &sel(r#"["a","b"]"#))
        ]))
        .is_ok()
    );
}
