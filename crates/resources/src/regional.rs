//! cfn-lint's region-keyed values: the instance types, node types and instance classes each
//! region offers (its `CfnLintJsonSchemaRegional` rules: E3628 EC2 instance types, E3025 RDS
//! instance classes by engine, ...), exported by `crates/codegen/export_regions.py` into
//! `crates/codegen/schemas/regions.json` and generated into each type's `REGIONAL` static.
//! A generated type's [`Resource::check_region`](cloudwright_core::Resource::check_region)
//! runs [`check`] on them with the stack's region at synthesis.
//!
//! What a region means here, as cfn-lint decides it for the region it is asked about:
//!
//! - a region the rule has data for: the value must be one that region offers;
//! - a region the rule has no data for (cfn-lint's `schema.get(region, True)`), including a
//!   region cfn-lint does not know at all: everything is accepted;
//! - no region (a stack the app pins to none; cfn-lint would check us-east-1, its default):
//!   the value must be offered in at least one region that has data, so a value valid
//!   nowhere (a misspelling) is refused and a value valid somewhere is not.
//!
//! Intrinsics pass through, and a condition on other properties (RDS: `Engine`,
//! `LicenseModel`) holds only on literal values, as cfn-lint evaluates those rules without
//! functions.

use cloudwright_core::{Value, Violation};

use crate::generated::REGIONS;

/// The condition on other properties under which an entry applies (cfn-lint's `if` in the
/// RDS rules).
#[derive(Debug)]
pub struct When {
    /// The literal `Engine` (compared lowercased when [`Regional::engine_lowercased`]).
    pub engine: &'static str,
    /// What `LicenseModel` must be.
    pub license_model: LicenseModel,
}

/// The `LicenseModel` part of a [`When`].
#[derive(Debug)]
pub enum LicenseModel {
    /// Any value or none.
    Any,
    /// Not set (cfn-lint's `"LicenseModel": false`).
    Absent,
    /// This literal.
    Is(&'static str),
}

/// One region-keyed rule on one or more places of a type: the values each region offers.
#[derive(Debug)]
pub struct Regional {
    /// cfn-lint's rule id (`E3628`).
    pub rule: &'static str,
    /// The rule's description.
    pub description: &'static str,
    /// Where the value is below `Properties` (`*` is every item of a list).
    pub paths: &'static [&'static str],
    /// Applies when any of these holds (always when empty).
    pub when: &'static [When],
    /// Whether `Engine` is lowercased before [`When::engine`] is compared (E3025 does).
    pub engine_lowercased: bool,
    /// The regions that have data for this entry: bit `i` is `REGIONS[i]`.
    pub regions: u64,
    /// Every value some region offers, sorted, each with the mask of regions offering it.
    pub values: &'static [(&'static str, u64)],
}

/// Checks `properties` against a type's region-keyed values for `region` (`None`: the stack
/// has no region; see the module's documentation). A violation names the rule, the path, the
/// value and the region, and the regions that offer the value or the closest valid ones.
pub fn check(
    entries: &[Regional],
    properties: &Value,
    region: Option<&str>,
) -> Result<(), Violation> {
    let bit = match region {
        None => None,
        Some(r) => match REGIONS.binary_search(&r) {
            Ok(i) => Some(1u64 << i),
            Err(_) => return Ok(()), // no rule has data for it
        },
    };
    // what the conditions read, read once: the literal Engine (and lowercased) and
    // LicenseModel
    let map = match properties {
        Value::Map(map) if entries.iter().any(|e| !e.when.is_empty()) => Some(map),
        _ => None,
    };
    let engine = match map.and_then(|m| m.get("Engine")) {
        Some(Value::String(e)) => Some(e.as_str()),
        _ => None,
    };
    let lowered = engine
        .filter(|_| entries.iter().any(|e| e.engine_lowercased))
        .map(str::to_lowercase);
    let license = map.and_then(|m| m.get("LicenseModel"));
    for entry in entries {
        if bit.is_some_and(|b| entry.regions & b == 0) {
            continue;
        }
        let when = if entry.when.is_empty() {
            None
        } else {
            let engine = if entry.engine_lowercased {
                lowered.as_deref()
            } else {
                engine
            };
            match engine.and_then(|e| applies(entry, e, license)) {
                Some(w) => Some(w),
                None => continue,
            }
        };
        for path in entry.paths {
            let mut at = String::new();
            check_at(entry, when, path, properties, &mut at, region, bit)?;
        }
    }
    Ok(())
}

/// The condition of `entry` that the literal `engine` and `license` (`LicenseModel`, if set)
/// meet, if any.
fn applies<'a>(entry: &'a Regional, engine: &str, license: Option<&Value>) -> Option<&'a When> {
    entry.when.iter().find(|w| {
        w.engine == engine
            && match (&w.license_model, license) {
                (LicenseModel::Any, _) | (LicenseModel::Absent, None) => true,
                (LicenseModel::Is(l), Some(Value::String(s))) => l == s,
                _ => false,
            }
    })
}

fn check_at(
    entry: &Regional,
    when: Option<&When>,
    rest: &str,
    value: &Value,
    at: &mut String,
    region: Option<&str>,
    bit: Option<u64>,
) -> Result<(), Violation> {
    if rest.is_empty() {
        return check_value(entry, when, value, at, region, bit);
    }
    let (segment, rest) = crate::constraint::first_segment(rest);
    let len = at.len();
    match (segment, value) {
        ("*", Value::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                push(at, &i.to_string());
                check_at(entry, when, rest, item, at, region, bit)?;
                at.truncate(len);
            }
        }
        (name, Value::Map(map)) => {
            if let Some(v) = map.get(name) {
                push(at, name);
                check_at(entry, when, rest, v, at, region, bit)?;
                at.truncate(len);
            }
        }
        _ => {} // an intrinsic where an object or a list belongs
    }
    Ok(())
}

fn push(at: &mut String, segment: &str) {
    if !at.is_empty() {
        at.push('/');
    }
    at.push_str(segment);
}

fn check_value(
    entry: &Regional,
    when: Option<&When>,
    value: &Value,
    at: &str,
    region: Option<&str>,
    bit: Option<u64>,
) -> Result<(), Violation> {
    // cfn-lint compares Python's str() of a number with the enum; a boolean matches none
    let number;
    let text = match value {
        Value::String(s) => s.as_str(),
        Value::Number(_) => {
            number = crate::constraint::python_number(value);
            number.as_str()
        }
        Value::Bool(true) => "true",
        Value::Bool(false) => "false",
        _ => return Ok(()), // an intrinsic (or null, which the schema check refuses)
    };
    let offered = entry
        .values
        .binary_search_by(|(v, _)| (*v).cmp(text))
        .map_or(0, |i| entry.values[i].1);
    let wanted = bit.unwrap_or(entry.regions);
    if offered & wanted != 0 {
        return Ok(());
    }
    Err(Violation::new(
        at,
        value,
        refusal(entry, when, text, offered, region, bit),
    ))
}

/// The constraint text: the rule, the condition, the region, and where the value is offered
/// or what was probably meant.
fn refusal(
    entry: &Regional,
    when: Option<&When>,
    text: &str,
    offered: u64,
    region: Option<&str>,
    bit: Option<u64>,
) -> String {
    let mut out = format!("cfn-lint {} ({})", entry.rule, entry.description);
    if let Some(w) = when {
        out.push_str(&format!(" for Engine {:?}", w.engine));
        match w.license_model {
            LicenseModel::Any => {}
            LicenseModel::Absent => out.push_str(" without LicenseModel"),
            LicenseModel::Is(l) => out.push_str(&format!(" and LicenseModel {l:?}")),
        }
    }
    let with_data = entry.regions.count_ones();
    match region {
        Some(r) => out.push_str(&format!(": not offered in {r}")),
        None => out.push_str(": the stack has no region, and the value is not offered"),
    }
    if offered != 0 {
        let names = names(offered);
        let shown = names.iter().take(8).copied().collect::<Vec<_>>().join(", ");
        let more = names.len().saturating_sub(8);
        out.push_str(&format!(
            "; offered in {} of the {with_data} regions with data: {shown}{}",
            names.len(),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
        return out;
    }
    out.push_str(if region.is_some() {
        " nor in any other region"
    } else {
        " in any region"
    });
    let wanted = bit.unwrap_or(entry.regions);
    let candidates = entry
        .values
        .iter()
        .filter(|(_, m)| m & wanted != 0)
        .map(|(v, _)| *v);
    if let Some(near) = cloudwright_core::id::closest(text, candidates) {
        out.push_str(&format!("; did you mean {near:?}?"));
    }
    out
}

/// The regions of a mask, in `REGIONS` order.
fn names(mask: u64) -> Vec<&'static str> {
    REGIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1u64 << i) != 0)
        .map(|(_, r)| *r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bit(region: &str) -> u64 {
        1u64 << REGIONS.binary_search(&region).unwrap_or(0)
    }

    /// An entry on `Size` and `Groups/*/Size` with no data; each test sets its own.
    fn sizes() -> Regional {
        Regional {
            rule: "E0000",
            description: "sizes",
            paths: &["Size", "Groups/*/Size"],
            when: &[],
            engine_lowercased: false,
            regions: 0,
            values: &[],
        }
    }

    fn props(size: &str) -> Value {
        Value::map([("Size", Value::from(size))])
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_region_with_data_offers_its_values_one_without_accepts_all_none_takes_the_union() {
        // `big` only in us-east-1, `small` there and in eu-west-1; only those two have data
        let big = bit("us-east-1");
        let small = bit("us-east-1") | bit("eu-west-1");
        let values: &'static [(&'static str, u64)] =
            Box::leak(vec![("big", big), ("small", small)].into_boxed_slice());
        let entries = [Regional {
            regions: small,
            values,
            ..sizes()
        }];
        let ok = |p: &Value, r: Option<&str>| check(&entries, p, r).is_ok();
        assert!(ok(&props("big"), Some("us-east-1")));
        assert!(!ok(&props("big"), Some("eu-west-1")));
        assert!(ok(&props("small"), Some("eu-west-1")));
        assert!(ok(&props("huge"), Some("ap-south-1")), "no data there");
        assert!(
            ok(&props("huge"), Some("xx-nowhere-9")),
            "a region cfn-lint does not know"
        );
        assert!(ok(&props("big"), None), "offered somewhere");
        assert!(!ok(&props("bgi"), None), "offered nowhere");
        assert!(ok(
            &Value::map([("Size", Value::r#ref("P"))]),
            Some("eu-west-1")
        ));

        let e = check(&entries, &props("big"), Some("eu-west-1")).unwrap_err();
        assert_eq!((e.property.as_str(), e.value.as_str()), ("Size", "\"big\""));
        assert_eq!(
            e.constraint,
            "cfn-lint E0000 (sizes): not offered in eu-west-1; offered in 1 of the 2 regions \
             with data: us-east-1"
        );
        let e = check(&entries, &props("smal"), None).unwrap_err();
        assert_eq!(
            e.constraint,
            "cfn-lint E0000 (sizes): the stack has no region, and the value is not offered in \
             any region; did you mean \"small\"?"
        );
        let listed = Value::map([(
            "Groups",
            Value::list([
                Value::map([("Size", Value::from("small"))]),
                Value::map([("Size", Value::from("big"))]),
            ]),
        )]);
        let e = check(&entries, &listed, Some("eu-west-1")).unwrap_err();
        assert_eq!(e.property, "Groups/1/Size");
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_condition_holds_on_literal_engines_and_license_models() {
        let everywhere = bit("us-east-1") | bit("eu-west-1");
        let entries = [Regional {
            when: &[When {
                engine: "mysql",
                license_model: LicenseModel::Absent,
            }],
            engine_lowercased: true,
            regions: everywhere,
            values: &[],
            ..sizes()
        }];
        let refused = |p: Value| check(&entries, &p, Some("eu-west-1")).is_err();
        let with = |engine: Value, license: Option<&str>| {
            let mut m = vec![("Engine", engine), ("Size", Value::from("big"))];
            if let Some(l) = license {
                m.push(("LicenseModel", Value::from(l)));
            }
            Value::map(m)
        };
        assert!(refused(with(Value::from("MySQL"), None)), "lowercased");
        assert!(!refused(with(Value::from("postgres"), None)));
        assert!(!refused(with(
            Value::from("mysql"),
            Some("general-public-license")
        )));
        assert!(!refused(with(Value::r#ref("Engine"), None)), "an intrinsic");
        let e = check(
            &entries,
            &with(Value::from("mysql"), None),
            Some("eu-west-1"),
        )
        .unwrap_err();
        assert!(
            e.constraint
                .starts_with("cfn-lint E0000 (sizes) for Engine \"mysql\" without LicenseModel: not offered in eu-west-1 nor in any other region"),
            "{}",
            e.constraint
        );
    }
}
