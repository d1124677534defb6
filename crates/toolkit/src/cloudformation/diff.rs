//! Template diff: the synthesized template against the deployed one, per resource and per
//! property, with which changes replace a resource (create-only properties, a changed type)
//! and which touch security (security groups and their rules, IAM).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::cloudformation::facts::ReplacementRules;

/// How a resource or section entry changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Only in the new template.
    Added,
    /// Only in the deployed template.
    Removed,
    /// In both, different.
    Modified,
}

impl Change {
    fn mark(self) -> &'static str {
        match self {
            Change::Added => "[+]",
            Change::Removed => "[-]",
            Change::Modified => "[~]",
        }
    }
}

/// One changed property (or resource attribute such as `DependsOn`).
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyChange {
    /// `Properties.X` is shown as `X`; resource attributes by their name (`DependsOn`, ...).
    pub name: String,
    /// Added, removed or modified.
    pub change: Change,
    /// The deployed value.
    pub old: Option<Value>,
    /// The new value.
    pub new: Option<Value>,
    /// Whether changing it replaces the resource.
    pub replaces: bool,
    /// Whether changing it replaces the resource in some cases.
    pub may_replace: bool,
}

/// One changed resource.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceDiff {
    /// The logical id.
    pub logical_id: String,
    /// Added, removed or modified.
    pub change: Change,
    /// The resource type (the new one when it changed).
    pub type_name: String,
    /// The deployed type when it differs.
    pub old_type: Option<String>,
    /// Property-level changes (for modified resources).
    pub properties: Vec<PropertyChange>,
    /// Whether the update replaces the resource.
    pub replaces: bool,
    /// Whether the update may replace the resource.
    pub may_replace: bool,
    /// Whether it is a security group, a security group rule, or an IAM resource.
    pub security: bool,
}

/// A changed entry of another section (`Outputs`, `Parameters`, `Conditions`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct EntryDiff {
    /// The section.
    pub section: String,
    /// The entry's name (empty for scalar sections such as `Description`).
    pub name: String,
    /// Added, removed or modified.
    pub change: Change,
    /// The deployed value.
    pub old: Option<Value>,
    /// The new value.
    pub new: Option<Value>,
}

/// The differences between two templates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateDiff {
    /// Changed resources, by logical id.
    pub resources: Vec<ResourceDiff>,
    /// Changed entries of the other sections.
    pub other: Vec<EntryDiff>,
}

/// Whether a resource type is security-relevant: security groups and their rules, IAM.
pub fn is_security_type(type_name: &str) -> bool {
    type_name.starts_with("AWS::EC2::SecurityGroup") || type_name.starts_with("AWS::IAM::")
}

const SECTIONS: &[&str] = &[
    "Description",
    "Transform",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Rules",
    "Outputs",
];

const RESOURCE_ATTRIBUTES: &[&str] = &[
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
    "Metadata",
];

fn object(v: &Value) -> Option<&serde_json::Map<String, Value>> {
    v.as_object()
}

fn get<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

fn change(old: Option<&Value>, new: Option<&Value>) -> Option<Change> {
    match (old, new) {
        (None, Some(_)) => Some(Change::Added),
        (Some(_), None) => Some(Change::Removed),
        (Some(a), Some(b)) if a != b => Some(Change::Modified),
        _ => None,
    }
}

fn keys<'a>(a: Option<&'a Value>, b: Option<&'a Value>) -> BTreeSet<&'a str> {
    let mut k = BTreeSet::new();
    for v in [a, b].into_iter().flatten() {
        if let Some(m) = object(v) {
            k.extend(m.keys().map(String::as_str));
        }
    }
    k
}

/// `template` with the forms CloudFormation reads alike written one way, so a template
/// deployed by another tool (or taken over with `cloudwright migrate`) shows no change where
/// only the writing differs: `Fn::GetAtt: "A.B"` as `[A, B]`, `Fn::Sub: [t, {}]` as `t`,
/// `DependsOn: X` as `[X]` (sorted), and a parameter's numeric limits and `NoEcho` as
/// numbers and booleans.
pub fn written_forms(template: &Value) -> Value {
    fn forms(v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(forms).collect()),
            Value::Object(m) => {
                if m.len() == 1 {
                    if let Some(Value::String(s)) = m.get("Fn::GetAtt")
                        && let Some((a, b)) = s.split_once('.')
                    {
                        return serde_json::json!({"Fn::GetAtt": [a, b]});
                    }
                    if let Some(Value::Array(a)) = m.get("Fn::Sub")
                        && a.len() == 2
                        && a[1].as_object().is_some_and(serde_json::Map::is_empty)
                    {
                        return serde_json::json!({"Fn::Sub": forms(&a[0])});
                    }
                }
                Value::Object(m.iter().map(|(k, v)| (k.clone(), forms(v))).collect())
            }
            other => other.clone(),
        }
    }
    let mut t = forms(template);
    if let Some(Value::Object(resources)) = t.get_mut("Resources") {
        for r in resources.values_mut() {
            let Some(r) = r.as_object_mut() else { continue };
            let deps: Option<Vec<String>> = match r.get("DependsOn") {
                Some(Value::String(s)) => Some(vec![s.clone()]),
                Some(Value::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_owned)).collect(),
                _ => None,
            };
            if let Some(mut deps) = deps {
                deps.sort();
                deps.dedup();
                r.insert("DependsOn".into(), serde_json::json!(deps));
            }
        }
    }
    if let Some(Value::Object(params)) = t.get_mut("Parameters") {
        for p in params.values_mut().filter_map(Value::as_object_mut) {
            for (k, v) in p.iter_mut() {
                let number = match v {
                    Value::String(s) => s.trim().parse::<f64>().ok(),
                    Value::Number(n) => n.as_f64(),
                    _ => None,
                };
                match (k.as_str(), number) {
                    ("MinLength" | "MaxLength" | "MinValue" | "MaxValue", Some(n)) => {
                        if let Some(n) = serde_json::Number::from_f64(n) {
                            *v = Value::Number(n);
                        }
                    }
                    ("NoEcho", _) => {
                        if let Some(s) = v.as_str() {
                            *v = Value::Bool(s.eq_ignore_ascii_case("true"));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    t
}

/// Diffs the deployed template `old` (`None` when the stack does not exist: everything is
/// added) against `new`. `create_only` gives a type's create-only properties.
pub fn diff_templates(
    old: Option<&Value>,
    new: &Value,
    rules: &dyn ReplacementRules,
) -> TemplateDiff {
    let empty = Value::Object(serde_json::Map::new());
    let old = written_forms(old.unwrap_or(&empty));
    let new = &written_forms(new);
    let old = &old;
    let mut diff = TemplateDiff::default();

    let old_resources = old.get("Resources");
    let new_resources = new.get("Resources");
    for id in keys(old_resources, new_resources) {
        let before = get(old_resources, id);
        let after = get(new_resources, id);
        let Some(c) = change(before, after) else {
            continue;
        };
        let type_of = |r: Option<&Value>| {
            get(r, "Type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let old_type = type_of(before);
        let new_type = type_of(after);
        let type_name = if after.is_some() {
            new_type.clone()
        } else {
            old_type.clone()
        };
        let mut r = ResourceDiff {
            logical_id: id.to_owned(),
            change: c,
            security: is_security_type(&old_type) || is_security_type(&new_type),
            type_name: type_name.clone(),
            old_type: None,
            properties: Vec::new(),
            replaces: false,
            may_replace: false,
        };
        if c == Change::Modified {
            if old_type != new_type {
                r.old_type = Some(old_type);
                r.replaces = true;
            }
            let create_only = rules.create_only(&type_name);
            let conditional = rules.conditional_create_only(&type_name);
            let (op, np) = (get(before, "Properties"), get(after, "Properties"));
            for name in keys(op, np) {
                let (a, b) = (get(op, name), get(np, name));
                if let Some(pc) = change(a, b) {
                    let mut paths = Vec::new();
                    changed_paths(a, b, name.to_owned(), &mut paths);
                    let hits =
                        |rule: &[&str]| paths.iter().any(|p| rule.iter().any(|c| overlaps(p, c)));
                    let replaces = hits(create_only);
                    let may_replace = !replaces && hits(conditional);
                    r.replaces |= replaces;
                    r.may_replace |= may_replace;
                    r.properties.push(PropertyChange {
                        name: name.to_owned(),
                        change: pc,
                        old: a.cloned(),
                        new: b.cloned(),
                        replaces,
                        may_replace,
                    });
                }
            }
            r.may_replace &= !r.replaces;
            for attr in RESOURCE_ATTRIBUTES {
                let (a, b) = (get(before, attr), get(after, attr));
                if let Some(pc) = change(a, b) {
                    r.properties.push(PropertyChange {
                        name: (*attr).to_owned(),
                        change: pc,
                        old: a.cloned(),
                        new: b.cloned(),
                        replaces: false,
                        may_replace: false,
                    });
                }
            }
        }
        diff.resources.push(r);
    }

    for section in SECTIONS {
        let (a, b) = (old.get(*section), new.get(*section));
        let is_map = a.or(b).is_some_and(Value::is_object)
            && a.is_none_or(Value::is_object)
            && b.is_none_or(Value::is_object)
            && *section != "Metadata"
            && *section != "Transform";
        if is_map {
            for name in keys(a, b) {
                let (x, y) = (get(a, name), get(b, name));
                if let Some(c) = change(x, y) {
                    diff.other.push(EntryDiff {
                        section: (*section).to_owned(),
                        name: name.to_owned(),
                        change: c,
                        old: x.cloned(),
                        new: y.cloned(),
                    });
                }
            }
        } else if let Some(c) = change(a, b) {
            diff.other.push(EntryDiff {
                section: (*section).to_owned(),
                name: String::new(),
                change: c,
                old: a.cloned(),
                new: b.cloned(),
            });
        }
    }
    diff
}

impl TemplateDiff {
    /// Whether the templates are the same.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.other.is_empty()
    }

    /// The security-relevant resource changes.
    pub fn security_changes(&self) -> impl Iterator<Item = &ResourceDiff> {
        self.resources.iter().filter(|r| r.security)
    }

    /// The resources that will be replaced.
    pub fn replacements(&self) -> impl Iterator<Item = &ResourceDiff> {
        self.resources.iter().filter(|r| r.replaces)
    }

    /// The diff as text for a terminal.
    pub fn render(&self, stack: &str) -> String {
        let mut out = format!("Stack {stack}\n");
        if self.is_empty() {
            out.push_str("There were no differences\n");
            return out;
        }
        if !self.resources.is_empty() {
            out.push_str("Resources\n");
            for r in &self.resources {
                out.push_str(&format!(
                    "{} {} {}",
                    r.change.mark(),
                    r.type_name,
                    r.logical_id
                ));
                if let Some(old) = &r.old_type {
                    out.push_str(&format!(
                        " (type changes from {old}: replaces the resource)"
                    ));
                } else if r.replaces {
                    out.push_str(" (replaces the resource)");
                } else if r.may_replace {
                    out.push_str(" (may replace the resource)");
                }
                if r.security {
                    out.push_str(" [security]");
                }
                out.push('\n');
                for p in &r.properties {
                    out.push_str(&format!("    {} {}", p.change.mark(), p.name));
                    if p.replaces {
                        out.push_str(" (requires replacement)");
                    } else if p.may_replace {
                        out.push_str(" (may require replacement)");
                    }
                    out.push_str(&format!(
                        ": {}\n",
                        old_to_new(p.old.as_ref(), p.new.as_ref())
                    ));
                }
            }
        }
        let mut section = "";
        for e in &self.other {
            if e.section != section {
                section = &e.section;
                out.push_str(&format!("{section}\n"));
            }
            if e.name.is_empty() {
                out.push_str(&format!(
                    "{}: {}\n",
                    e.change.mark(),
                    old_to_new(e.old.as_ref(), e.new.as_ref())
                ));
            } else {
                out.push_str(&format!(
                    "{} {}: {}\n",
                    e.change.mark(),
                    e.name,
                    old_to_new(e.old.as_ref(), e.new.as_ref())
                ));
            }
        }
        let replaced: Vec<&str> = self.replacements().map(|r| r.logical_id.as_str()).collect();
        if !replaced.is_empty() {
            out.push_str(&format!(
                "Replaced (deleted and created anew, with new physical ids): {}\n",
                replaced.join(", ")
            ));
        }
        let security: Vec<String> = self
            .security_changes()
            .map(|r| format!("{} ({})", r.logical_id, r.type_name))
            .collect();
        if !security.is_empty() {
            out.push_str(&format!(
                "Security-relevant changes (security groups, their rules, IAM): {}; review them before deploying\n",
                security.join(", ")
            ));
        }
        out
    }
}

/// The paths (below `Properties`, `/`-separated, list items by index) where two values differ.
fn changed_paths(a: Option<&Value>, b: Option<&Value>, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                if x.get(k) != y.get(k) {
                    changed_paths(x.get(k), y.get(k), format!("{path}/{k}"), out);
                }
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p != q {
                    changed_paths(Some(p), Some(q), format!("{path}/{i}"), out);
                }
            }
        }
        (a, b) if a != b => out.push(path),
        _ => {}
    }
}

/// Whether one path lies within the other, segment by segment (`*` matches any segment):
/// a change at `Tags` touches `Tags/*/Key`, and a change at `Ports/0/To` lies in `Ports`.
fn overlaps(a: &str, b: &str) -> bool {
    a.split('/')
        .zip(b.split('/'))
        .all(|(x, y)| x == y || x == "*" || y == "*")
}

/// A value for display: compact JSON, long values shortened.
pub fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    const MAX: usize = 160;
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn old_to_new(old: Option<&Value>, new: Option<&Value>) -> String {
    match (old, new) {
        (Some(a), Some(b)) => format!("{} → {}", short(a), short(b)),
        (None, Some(b)) => short(b),
        (Some(a), None) => format!("{} (removed)", short(a)),
        (None, None) => String::new(),
    }
}

/// `cloudwright diff`: each selected stack's synthesized template against the deployed one,
/// read in the stack's account (with its role from `accounts`, checked with STS), printed to
/// stdout. Returns whether any stack differs.
pub async fn diff_stacks(
    accounts: &crate::aws::accounts::Accounts,
    assembly: &crate::app::assembly::CloudAssembly,
    names: &[String],
) -> crate::error::Result<bool> {
    let mut differs = false;
    let selected = assembly.select(names, crate::app::assembly::Extend::None)?;
    // a template built from another account's lookup values is not what would deploy
    crate::cloudformation::environment::check(accounts, assembly, &selected).await?;
    for s in selected {
        let aws = accounts
            .access(
                s.account.as_deref(),
                s.region.as_deref(),
                &format!("stack `{}`", s.id),
            )
            .await?;
        let cfn = aws.cloudformation(s.region.as_deref(), &format!("stack {}", s.stack_name))?;
        let text = assembly.template(s)?;
        let new: Value =
            serde_json::from_str(&text).map_err(|e| crate::error::Error::Assembly {
                dir: assembly.dir.clone(),
                message: format!("the template of stack `{}` is not JSON: {e}", s.id),
            })?;
        let deployed =
            crate::cloudformation::stacks::deployed_template(&cfn, &s.stack_name).await?;
        let old = match &deployed {
            Some(t) => Some(deployed_json(t).map_err(|e| crate::error::Error::Aws {
                operation: "GetTemplate",
                code: "unsupported template".into(),
                message: format!(
                    "the deployed template of `{}` is neither JSON nor YAML cloudwright reads: {e}",
                    s.stack_name
                ),
            })?),
            None => None,
        };
        let d = diff_templates(
            old.as_ref(),
            &new,
            &crate::cloudformation::facts::SchemaRules,
        );
        let mut text = d.render(&s.stack_name);
        if deployed.is_none() {
            text = text.replacen('\n', " (not deployed yet)\n", 1);
        }
        println!("{text}");
        differs |= !d.is_empty();
    }
    Ok(differs)
}

/// A deployed template's text as JSON: JSON, or YAML (a stack deployed by another tool),
/// read as `cloudwright migrate` reads it.
pub fn deployed_json(text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        cloudwright_migrate::yaml::parse("the deployed template", text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_cloudformation_reads_alike_are_no_change() {
        let deployed = json!({
            "Parameters": {"N": {"Type": "Number", "MinValue": "1", "NoEcho": "true"}},
            "Resources": {
                "A": {"Type": "AWS::SNS::Topic", "DependsOn": "B", "Properties": {
                    "DisplayName": {"Fn::GetAtt": "B.Arn"},
                    "TopicName": {"Fn::Sub": ["x-${AWS::Region}", {}]}
                }},
                "B": {"Type": "AWS::SNS::Topic", "DependsOn": ["C", "C"]},
                "C": {"Type": "AWS::SNS::Topic"}
            }
        });
        let synthesized = json!({
            "Parameters": {"N": {"Type": "Number", "MinValue": 1.0, "NoEcho": true}},
            "Resources": {
                "A": {"Type": "AWS::SNS::Topic", "DependsOn": ["B"], "Properties": {
                    "DisplayName": {"Fn::GetAtt": ["B", "Arn"]},
                    "TopicName": {"Fn::Sub": "x-${AWS::Region}"}
                }},
                "B": {"Type": "AWS::SNS::Topic", "DependsOn": ["C"]},
                "C": {"Type": "AWS::SNS::Topic"}
            }
        });
        let d = diff_templates(Some(&deployed), &synthesized, &Rules);
        assert!(d.is_empty(), "{}", d.render("S"));
        // a real change still shows
        let mut changed = synthesized.clone();
        changed["Resources"]["B"]["DependsOn"] = json!(["A"]);
        assert!(!diff_templates(Some(&deployed), &changed, &Rules).is_empty());
    }

    #[test]
    fn a_yaml_deployed_template_reads_as_json() {
        let t = deployed_json("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Ref AWS::Region\n").unwrap();
        assert_eq!(
            t["Resources"]["A"]["Properties"]["DisplayName"],
            json!({"Ref": "AWS::Region"})
        );
        assert!(deployed_json("{not json").is_err());
    }

    struct Rules;

    impl ReplacementRules for Rules {
        fn create_only(&self, t: &str) -> &[&str] {
            match t {
                "AWS::EC2::Subnet" => &["CidrBlock", "VpcId"],
                "AWS::Demo::Thing" => &["Config/Name", "Rules/*/Port"],
                _ => &[],
            }
        }
        fn conditional_create_only(&self, t: &str) -> &[&str] {
            match t {
                "AWS::Demo::Thing" => &["Mode"],
                _ => &[],
            }
        }
    }

    const FACTS: &Rules = &Rules;

    fn deployed() -> Value {
        json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
                "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.1.0/24", "VpcId": {"Ref": "Vpc"}, "MapPublicIpOnLaunch": false}},
                "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web", "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/16"}]}},
                "Old": {"Type": "AWS::SQS::Queue"}
            },
            "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}}
        })
    }

    #[test]
    fn identical_templates_have_no_differences() {
        let d = diff_templates(Some(&deployed()), &deployed(), FACTS);
        assert!(d.is_empty());
        assert!(d.render("S").contains("There were no differences"));
    }

    #[test]
    fn a_missing_stack_shows_everything_added() {
        let d = diff_templates(None, &deployed(), FACTS);
        assert_eq!(d.resources.len(), 4);
        assert!(d.resources.iter().all(|r| r.change == Change::Added));
        assert!(
            d.other
                .iter()
                .any(|e| e.section == "Outputs" && e.name == "VpcId")
        );
        assert!(d.render("S").contains("[+] AWS::EC2::VPC Vpc"));
    }

    #[test]
    fn property_changes_show_old_and_new_and_replacement() {
        let mut new = deployed();
        new["Resources"]["Subnet"]["Properties"]["CidrBlock"] = json!("10.0.2.0/24");
        new["Resources"]["Subnet"]["Properties"]["MapPublicIpOnLaunch"] = json!(true);
        new["Resources"]["Sg"]["Properties"]["SecurityGroupIngress"][0]["CidrIp"] =
            json!("0.0.0.0/0");
        new["Resources"]["Role"] =
            json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}});
        new["Resources"].as_object_mut().unwrap().remove("Old");
        new["Resources"]["Vpc"]["DependsOn"] = json!(["Old"]);
        new["Outputs"]["VpcId"]["Export"] = json!({"Name": "x"});
        let d = diff_templates(Some(&deployed()), &new, FACTS);

        let subnet = d
            .resources
            .iter()
            .find(|r| r.logical_id == "Subnet")
            .unwrap();
        assert_eq!(subnet.change, Change::Modified);
        assert!(subnet.replaces);
        let cidr = subnet
            .properties
            .iter()
            .find(|p| p.name == "CidrBlock")
            .unwrap();
        assert!(cidr.replaces);
        assert_eq!(cidr.old, Some(json!("10.0.1.0/24")));
        let map = subnet
            .properties
            .iter()
            .find(|p| p.name == "MapPublicIpOnLaunch")
            .unwrap();
        assert!(!map.replaces);

        let sg = d.resources.iter().find(|r| r.logical_id == "Sg").unwrap();
        assert!(sg.security && !sg.replaces);
        let role = d.resources.iter().find(|r| r.logical_id == "Role").unwrap();
        assert!(role.security && role.change == Change::Added);
        let old = d.resources.iter().find(|r| r.logical_id == "Old").unwrap();
        assert_eq!(old.change, Change::Removed);
        let vpc = d.resources.iter().find(|r| r.logical_id == "Vpc").unwrap();
        assert_eq!(vpc.properties[0].name, "DependsOn");

        let text = d.render("App");
        assert!(
            text.contains(
                "[~] AWS::EC2::Subnet Subnet (replaces the resource)\n    [~] CidrBlock (requires replacement): \"10.0.1.0/24\" → \"10.0.2.0/24\""
            ),
            "{text}"
        );
        assert!(
            text.contains("    [~] MapPublicIpOnLaunch: false → true"),
            "{text}"
        );
        assert!(
            text.contains("[~] AWS::EC2::SecurityGroup Sg [security]"),
            "{text}"
        );
        assert!(text.contains("[-] AWS::SQS::Queue Old"), "{text}");
        assert!(text.contains("Outputs\n[~] VpcId: "), "{text}");
        assert!(
            text.contains("Security-relevant changes (security groups, their rules, IAM): Role (AWS::IAM::Role), Sg (AWS::EC2::SecurityGroup)"),
            "{text}"
        );
        assert!(
            text.contains("Replaced (deleted and created anew, with new physical ids): Subnet"),
            "{text}"
        );
    }

    #[test]
    fn a_changed_type_replaces() {
        let mut new = deployed();
        new["Resources"]["Old"]["Type"] = json!("AWS::SNS::Topic");
        let d = diff_templates(Some(&deployed()), &new, FACTS);
        assert_eq!(d.resources.len(), 1);
        assert!(d.resources[0].replaces);
        assert_eq!(d.resources[0].old_type.as_deref(), Some("AWS::SQS::Queue"));
    }

    #[test]
    fn nested_create_only_paths_replace() {
        let thing = |config: Value, rules: Value, mode: &str| {
            json!({"Resources": {"T": {"Type": "AWS::Demo::Thing", "Properties": {
                "Config": config, "Rules": rules, "Mode": mode}}}})
        };
        let base = thing(
            json!({"Name": "a", "Size": 1}),
            json!([{"Port": 80, "Note": "x"}]),
            "m",
        );
        let changed = |new: Value| diff_templates(Some(&base), &new, FACTS).resources[0].clone();
        let r = changed(thing(
            json!({"Name": "a", "Size": 2}),
            json!([{"Port": 80, "Note": "x"}]),
            "m",
        ));
        assert!(!r.replaces && !r.may_replace);
        let r = changed(thing(
            json!({"Name": "b", "Size": 1}),
            json!([{"Port": 80, "Note": "x"}]),
            "m",
        ));
        assert!(r.replaces);
        let r = changed(thing(
            json!({"Name": "a", "Size": 1}),
            json!([{"Port": 81, "Note": "x"}]),
            "m",
        ));
        assert!(r.replaces);
        let r = changed(thing(
            json!({"Name": "a", "Size": 1}),
            json!([{"Port": 80, "Note": "y"}]),
            "m",
        ));
        assert!(!r.replaces);
        let r = changed(thing(json!({"Name": "a", "Size": 1}), json!([]), "m"));
        assert!(
            r.replaces,
            "a list that changes length may drop a create-only item"
        );
        let r = changed(thing(
            json!({"Name": "a", "Size": 1}),
            json!([{"Port": 80, "Note": "x"}]),
            "n",
        ));
        assert!(!r.replaces && r.may_replace);
        assert!(
            diff_templates(Some(&base), &thing(json!({}), json!([]), "n"), FACTS)
                .render("S")
                .contains("    [~] Mode (may require replacement): \"m\" → \"n\"")
        );
    }

    #[test]
    fn long_values_are_shortened() {
        let s = short(&json!("x".repeat(500)));
        assert!(s.len() < 200 && s.ends_with("..."));
    }
}
