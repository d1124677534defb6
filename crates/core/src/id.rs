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

/// The id (or any name: a property, an IAM action) of `known` closest to a mistyped `id`, for
/// a "did you mean": at most a third of its letters differ (an edit, a swap of neighbours or a
/// change of case counts one); ties go to the smaller one.
///
/// ```
/// use cloudwright_core::id::closest;
/// assert_eq!(closest("Tabel", ["Table", "Queue"]), Some("Table"));
/// assert_eq!(closest("Bucket", ["Table", "Queue"]), None);
/// ```
pub fn closest<'a>(id: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let a: Vec<char> = id.to_lowercase().chars().collect();
    let distance = |b: &str| -> usize {
        let b: Vec<char> = b.to_lowercase().chars().collect();
        // Damerau-Levenshtein (optimal string alignment), two rows back
        let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in rows.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in rows[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (rows[i - 1][j] + 1)
                    .min(rows[i][j - 1] + 1)
                    .min(rows[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(rows[i - 2][j - 2] + 1);
                }
                rows[i][j] = v;
            }
        }
        rows[a.len()][b.len()]
    };
    let most = (a.len() / 3).max(1);
    known
        .into_iter()
        .map(|k| (distance(k), k))
        .filter(|(d, _)| *d <= most)
        .min()
        .map(|(_, k)| k)
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
    fn the_closest_id_is_suggested() {
        let known = ["OrdersTable", "OrdersQueue", "Bucket"];
        assert_eq!(closest("OrdersTabel", known), Some("OrdersTable"));
        assert_eq!(closest("orderstable", known), Some("OrdersTable"));
        assert_eq!(closest("OrdersQeue", known), Some("OrdersQueue"));
        assert_eq!(closest("Function", known), None);
        assert_eq!(closest("X", std::iter::empty()), None);
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
