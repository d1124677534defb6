//! Logical ids: construct paths in PascalCase, and CloudFormation's rules for them.

/// The longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID: usize = 255;

/// The logical id of a construct path: each segment with its first letter upper-cased, joined.
///
/// ```
/// assert_eq!(cloudwright_core::id::logical_id(&["network", "PrivateSubnet1"]), "NetworkPrivateSubnet1");
/// ```
pub fn logical_id(segments: &[&str]) -> String {
    let mut out = String::with_capacity(segments.iter().map(|s| s.len()).sum());
    for s in segments {
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Checks one construct id: non-empty, ASCII letters and digits only, at most 255 characters.
pub fn validate_segment(id: &str) -> Result<(), String> {
    validate_logical_id(id)
}

/// Checks a logical id against CloudFormation's rules.
pub fn validate_logical_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("ids must not be empty".into());
    }
    if let Some(c) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!(
            "ids may contain only ASCII letters and digits, found {c:?}"
        ));
    }
    if id.len() > MAX_LOGICAL_ID {
        return Err(format!(
            "ids may be at most {MAX_LOGICAL_ID} characters, this one has {}",
            id.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_pascal_case() {
        assert_eq!(logical_id(&["vpc", "subnet1"]), "VpcSubnet1");
        assert_eq!(logical_id(&["Vpc"]), "Vpc");
        assert_eq!(logical_id(&[]), "");
    }

    #[test]
    fn invalid_ids_are_rejected_with_reasons() {
        assert!(validate_logical_id("Good1").is_ok());
        assert!(validate_logical_id("").unwrap_err().contains("empty"));
        assert!(validate_logical_id("a-b").unwrap_err().contains("'-'"));
        assert!(
            validate_logical_id(&"a".repeat(256))
                .unwrap_err()
                .contains("255")
        );
    }
}
