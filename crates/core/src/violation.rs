//! What a resource type's own check reports when a literal property value breaks the schema.
//!
//! Core does not know any schema: a typed resource type (generated in `cloudwright-resources`)
//! implements [`Resource::check`](crate::Resource::check) (and, where values depend on the
//! region, [`Resource::check_region`](crate::Resource::check_region)), the scope keeps those
//! functions with the resource, and synthesis calls them on the final properties (scope tags
//! applied; the region check with the stack's region). A
//! [`Violation`] it returns becomes [`Error::Constraint`](crate::Error::Constraint), which adds
//! the stack, the logical id, the construct path and the type.

use std::fmt;

use crate::value::Value;

/// One literal value that breaks one schema constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where the value is, below `Properties`: `SecurityGroupIngress/0/FromPort`.
    pub property: String,
    /// The value as JSON, shortened to [`Violation::MAX_VALUE_CHARS`] characters.
    pub value: String,
    /// The constraint it breaks, as the schema states it: `maxLength 255`,
    /// `pattern ^vpc-[0-9a-f]+$`, `format AWS::EC2::VPC.Id`, `required property Name`.
    pub constraint: String,
}

impl Violation {
    /// The most characters of the value a violation keeps (with `…` when cut).
    pub const MAX_VALUE_CHARS: usize = 60;

    /// A violation at `property` of `value` against `constraint`.
    pub fn new(property: impl Into<String>, value: &Value, constraint: impl Into<String>) -> Self {
        Violation {
            property: property.into(),
            value: shorten(&serde_json::to_string(value).unwrap_or_default()),
            constraint: constraint.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at `{}`: {} breaks {}",
            self.property, self.value, self.constraint
        )
    }
}

/// A [`Violation`] in a resource of a stack: what [`Error::Constraint`](crate::Error::Constraint)
/// holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceViolation {
    /// The stack.
    pub stack: String,
    /// The resource's logical id.
    pub logical_id: String,
    /// The construct path that added it (`Stack/Construct/Id`).
    pub path: String,
    /// Its CloudFormation type.
    pub type_name: String,
    /// The property path, the shortened value and the constraint.
    pub violation: Violation,
}

impl fmt::Display for ResourceViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.violation;
        write!(
            f,
            "stack `{}`: resource `{}` ({} at construct path `{}`), property `{}`: value {} breaks {}",
            self.stack,
            self.logical_id,
            self.type_name,
            self.path,
            v.property,
            v.value,
            v.constraint
        )
    }
}

/// `text` cut to [`Violation::MAX_VALUE_CHARS`] characters, with the total length noted.
pub fn shorten(text: &str) -> String {
    let count = text.chars().count();
    if count <= Violation::MAX_VALUE_CHARS {
        return text.to_owned();
    }
    let head: String = text.chars().take(Violation::MAX_VALUE_CHARS).collect();
    format!("{head}… ({count} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{App, Error, Resource, ToValue};

    /// A type whose schema says `Name` is at most 3 characters long.
    struct Short(Value);

    impl ToValue for Short {
        fn to_value(&self) -> Value {
            Value::map([("Name", self.0.clone())])
        }
    }

    impl Resource for Short {
        type Attributes = crate::RawAttributes;
        fn type_name(&self) -> &str {
            "AWS::Demo::Short"
        }
        fn check(properties: &Value) -> Result<(), Violation> {
            match properties {
                Value::Map(m) => match m.get("Name") {
                    Some(v @ Value::String(s)) if s.len() > 3 => {
                        Err(Violation::new("Name", v, "maxLength 3"))
                    }
                    _ => Ok(()),
                },
                _ => Ok(()),
            }
        }
    }

    #[test]
    fn synthesis_reports_a_violation_with_stack_logical_id_and_path() {
        let app = App::new();
        let mut stack = app.stack("Demo").unwrap();
        stack.add("Fine", Short(Value::from("abc"))).unwrap();
        stack.add("Long", Short(Value::from("abcd"))).unwrap();
        stack
            .add("Intrinsic", Short(Value::r#ref("AWS::StackName")))
            .unwrap();
        let err = app.synth().unwrap_err();
        let Error::Constraint(v) = &err else {
            panic!("{err}")
        };
        let ResourceViolation {
            stack,
            logical_id,
            path,
            type_name,
            violation:
                Violation {
                    property,
                    value,
                    constraint,
                },
        } = &**v;
        assert_eq!(
            (stack.as_str(), logical_id.as_str(), path.as_str()),
            ("Demo", "Long", "Demo/Long")
        );
        assert_eq!(type_name, "AWS::Demo::Short");
        assert_eq!(
            (property.as_str(), value.as_str(), constraint.as_str()),
            ("Name", "\"abcd\"", "maxLength 3")
        );
        assert_eq!(
            err.to_string(),
            "stack `Demo`: resource `Long` (AWS::Demo::Short at construct path `Demo/Long`), \
             property `Name`: value \"abcd\" breaks maxLength 3"
        );
    }

    /// A type whose `Size` "big" is offered only in us-east-1.
    struct Offered(Value);

    impl ToValue for Offered {
        fn to_value(&self) -> Value {
            Value::map([("Size", self.0.clone())])
        }
    }

    impl Resource for Offered {
        type Attributes = crate::RawAttributes;
        fn type_name(&self) -> &str {
            "AWS::Demo::Sized"
        }
        fn check_region(properties: &Value, region: Option<&str>) -> Result<(), Violation> {
            let Value::Map(m) = properties else {
                return Ok(());
            };
            match (m.get("Size"), region) {
                (Some(v @ Value::String(s)), Some(r)) if s == "big" && r != "us-east-1" => Err(
                    Violation::new("Size", v, format!("offered in us-east-1, not {r}")),
                ),
                _ => Ok(()),
            }
        }
    }

    #[test]
    fn synthesis_runs_the_region_check_with_the_stack_s_region_else_the_app_s() {
        let refused = |app: &App| match app.synth() {
            Err(Error::Constraint(v)) => Some(v.violation.constraint.clone()),
            Err(e) => panic!("{e}"),
            Ok(_) => None,
        };
        let app = App::new();
        let mut stack = app
            .stack_with("Eu", crate::StackProps::new().region("eu-west-1"))
            .unwrap();
        stack.add("Big", Offered(Value::from("big"))).unwrap();
        assert_eq!(
            refused(&app).as_deref(),
            Some("offered in us-east-1, not eu-west-1")
        );

        let app = App::new();
        let mut stack = app
            .stack_with("Us", crate::StackProps::new().region("us-east-1"))
            .unwrap();
        stack.add("Big", Offered(Value::from("big"))).unwrap();
        assert_eq!(refused(&app), None);

        let mut app = App::new();
        let mut stack = app.stack("Default").unwrap();
        stack.add("Big", Offered(Value::from("big"))).unwrap();
        assert_eq!(
            refused(&app),
            None,
            "no region: the type decides (here: accepts)"
        );
        app.set_region("ap-south-1");
        assert_eq!(
            refused(&app).as_deref(),
            Some("offered in us-east-1, not ap-south-1"),
            "the app's region"
        );
    }

    #[test]
    fn long_values_are_shortened_on_a_character_boundary() {
        let long = "é".repeat(5000);
        let v = Violation::new("VpcId", &Value::from(long.as_str()), "maxLength 255");
        assert!(v.value.starts_with("\"é"));
        assert!(v.value.ends_with("… (5002 characters)"), "{}", v.value);
        assert_eq!(
            Violation::new("A", &Value::from("x"), "c").value,
            "\"x\"",
            "short values are kept whole"
        );
    }
}
