//! A small deterministic YAML emitter for templates: block style, two-space indentation,
//! long-form intrinsic keys (`Ref:`, `Fn::GetAtt:` as ordinary keys, no `!Ref` tags), maps in
//! the order of the JSON value (sorted), strings plain only where no YAML 1.1 reader can take
//! them for anything else, double-quoted with escapes otherwise.
//!
//! Written here rather than taken from a YAML crate: serde_yaml is deprecated, serde_yml is
//! unsound (RUSTSEC-2025-0068), and emitting the JSON data model needs about a hundred lines,
//! which keeps the core crate free of another dependency.
//!
//! ```
//! let template = serde_json::json!({
//!     "AWSTemplateFormatVersion": "2010-09-09",
//!     "Resources": {"Queue": {"Type": "AWS::SQS::Queue",
//!         "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-q"}, "DelaySeconds": 5}}},
//! });
//! assert_eq!(
//!     cloudwright_core::yaml::to_yaml(&template),
//!     "AWSTemplateFormatVersion: \"2010-09-09\"\n\
//!      Resources:\n  Queue:\n    Properties:\n      DelaySeconds: 5\n      QueueName:\n        \
//!      Fn::Sub: \"${AWS::StackName}-q\"\n    Type: AWS::SQS::Queue\n"
//! );
//! ```

use std::fmt::Write;

use serde_json::{Map, Value};

/// The YAML text of `value`, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(m, 0, false, &mut out),
        Value::Array(a) if !a.is_empty() => write_seq(a, 0, false, &mut out),
        scalar => {
            write_scalar(scalar, &mut out);
            out.push('\n');
        }
    }
    out
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Map entries at column `at`; with `inline`, the first entry continues the current line
/// (after `- `).
fn write_map(map: &Map<String, Value>, at: usize, inline: bool, out: &mut String) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            indent(at, out);
        }
        write_string(key, out);
        out.push(':');
        match value {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                write_map(m, at + 2, false, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                write_seq(a, at + 2, false, out);
            }
            scalar => {
                out.push(' ');
                write_scalar(scalar, out);
                out.push('\n');
            }
        }
    }
}

/// Sequence items at column `at`; with `inline`, the first item continues the current line.
fn write_seq(items: &[Value], at: usize, inline: bool, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            indent(at, out);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => write_map(m, at + 2, true, out),
            Value::Array(a) if !a.is_empty() => write_seq(a, at + 2, true, out),
            scalar => {
                write_scalar(scalar, out);
                out.push('\n');
            }
        }
    }
}

/// A scalar, or an empty collection in flow style.
fn write_scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                let _ = write!(out, "{i}");
            }
            (None, Some(u), _) => {
                let _ = write!(out, "{u}");
            }
            // Rust's `Display` never writes an exponent, which YAML 1.1 readers would only
            // take for a float with a signed exponent and a dot; a dot keeps it a float
            (_, _, Some(f)) => {
                let text = f.to_string();
                let dotted = text.contains('.');
                out.push_str(&text);
                if !dotted {
                    out.push_str(".0");
                }
            }
            _ => write_string(&n.to_string(), out),
        },
        Value::String(s) => write_string(s, out),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Words a YAML 1.1 or 1.2 reader resolves to a boolean or null when plain.
const RESERVED: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// Whether `s` can be written plain and read back as the same string by any YAML reader:
/// it starts with a letter, `_` or `/`, holds only letters, digits and `_ . / -` and `:` not
/// at the end (`Fn::GetAtt`, `AWS::SQS::Queue`), and is not a reserved word.
fn plain(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ':'))
        && !s.ends_with(':')
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

fn write_string(s: &str, out: &mut String) {
    if plain(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // YAML's printable set, less the characters it reads as line breaks and the BOM
            ' '..='~' | '\u{A0}'..='\u{2027}' | '\u{202A}'..='\u{D7FF}' => out.push(c),
            '\u{E000}'..='\u{FEFE}' | '\u{FF00}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_nested_blocks_and_sequences() {
        let v = json!({
            "A": [1, "x", {"k": "v", "l": [true, null]}, [2, 3], [], {}],
            "B": {},
            "C": {"Fn::GetAtt": ["Queue", "Arn"]},
        });
        assert_eq!(
            to_yaml(&v),
            "A:\n  - 1\n  - x\n  - k: v\n    l:\n      - true\n      - null\n  - - 2\n    - 3\n  - []\n  - {}\nB: {}\nC:\n  Fn::GetAtt:\n    - Queue\n    - Arn\n"
        );
        assert_eq!(to_yaml(&json!("x")), "x\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
    }

    #[test]
    fn quotes_what_a_reader_would_take_for_something_else() {
        let cases = [
            ("plain/path-1.2_x", "plain/path-1.2_x"),
            ("AWS::SQS::Queue", "AWS::SQS::Queue"),
            ("2010-09-09", "\"2010-09-09\""),
            ("10.0.0.0/16", "\"10.0.0.0/16\""),
            ("yes", "\"yes\""),
            ("Off", "\"Off\""),
            ("NULL", "\"NULL\""),
            ("", "\"\""),
            ("a: b", "\"a: b\""),
            ("trailing:", "\"trailing:\""),
            ("arn:aws:s3:::b/*", "\"arn:aws:s3:::b/*\""),
            ("${AWS::Region}", "\"${AWS::Region}\""),
            ("#comment", "\"#comment\""),
            ("-1", "\"-1\""),
            ("say \"hi\"\\", "\"say \\\"hi\\\"\\\\\""),
            ("l1\nl2\tt\r", "\"l1\\nl2\\tt\\r\""),
            (
                "\u{7}\u{85}\u{2028}\u{FEFF}é€",
                "\"\\u0007\\u0085\\u2028\\uFEFFé€\"",
            ),
        ];
        for (input, want) in cases {
            let mut out = String::new();
            write_string(input, &mut out);
            assert_eq!(out, want, "{input:?}");
        }
    }

    #[test]
    fn numbers_keep_their_kind_without_exponents() {
        let v = json!([0, -7, 18446744073709551615u64, 1.5, 1e100, 2.0, 1e-7]);
        let text = to_yaml(&v);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            &lines[..4],
            ["- 0", "- -7", "- 18446744073709551615", "- 1.5"]
        );
        assert_eq!(lines[4], format!("- 1{}.0", "0".repeat(100)));
        assert_eq!(&lines[5..], ["- 2.0", "- 0.0000001"]);
    }
}
