//! Logical ids: construct paths in PascalCase, and CloudFormation's rules for them.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// The longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID: usize = 255;

/// The logical id of a construct path: each segment with its first letter upper-cased, joined.
///
/// ```
/// assert_eq!(cloudwright_core::id::logical_id(&["network", "PrivateSubnet1"]), "NetworkPrivateSubnet1");
/// ```
pub fn logical_id(segments: &[&str]) -> String {
    logical_id_of(
        segments.iter().copied(),
        segments.iter().map(|s| s.len()).sum(),
    )
}

/// [`logical_id`] of the segments an iterator yields (`capacity`: their length, about).
pub(crate) fn logical_id_of<'a>(
    segments: impl Iterator<Item = &'a str>,
    capacity: usize,
) -> String {
    let mut out = String::with_capacity(capacity);
    for s in segments {
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            if first.is_ascii() {
                out.push(first.to_ascii_uppercase());
            } else {
                out.extend(first.to_uppercase());
            }
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
    // bytes first (what every valid id is), characters only to name the one that is not
    if !id.bytes().all(|b| b.is_ascii_alphanumeric())
        && let Some(c) = id.chars().find(|c| !c.is_ascii_alphanumeric())
    {
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

/// The hash of the maps a stack keeps by logical id and construct path: FxHash's mix (per
/// 8 bytes a rotation, an exclusive or and a multiplication), finished with MurmurHash3's so
/// that the bucket index depends on every byte. Those maps hold what the app's own code
/// names, never input from outside, so the flooding SipHash resists cannot happen; SipHash
/// was an eighth of adding a resource.
#[derive(Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0; 8];
            word.copy_from_slice(w);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn finish(&self) -> u64 {
        // a multiplication carries each bit only upwards: fold the high half down, twice
        // (MurmurHash3's finalizer), so the bucket index depends on every byte
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// A map keyed by logical ids or construct paths, hashed with [`IdHasher`].
pub(crate) type IdMap<V> = HashMap<String, V, BuildHasherDefault<IdHasher>>;

/// A set of construct paths, hashed with [`IdHasher`] (shared with what they are the paths of).
pub(crate) type IdSet = HashSet<Arc<str>, BuildHasherDefault<IdHasher>>;

/// A stack's resources by logical id: where each is in the stack's list. A key is the logical
/// id its handles hold (and the resource's construct path too when the two are equal), so
/// indexing a resource copies no string.
#[derive(Debug, Default)]
pub(crate) struct IdIndex(HashMap<Arc<str>, usize, BuildHasherDefault<IdHasher>>);

impl IdIndex {
    /// An index with room for `capacity` resources.
    pub fn with_capacity(capacity: usize) -> Self {
        IdIndex(HashMap::with_capacity_and_hasher(
            capacity,
            Default::default(),
        ))
    }

    /// The position of the resource with this logical id.
    pub fn get(&self, logical_id: &str) -> Option<&usize> {
        self.0.get(logical_id)
    }

    /// Whether a resource has this logical id.
    pub fn contains_key(&self, logical_id: &str) -> bool {
        self.0.contains_key(logical_id)
    }

    /// Records `index` as the position of the resource with this logical id, unless one has
    /// it already: then its position.
    pub fn claim(&mut self, logical_id: Arc<str>, index: usize) -> Result<(), usize> {
        match self.0.entry(logical_id) {
            Entry::Occupied(taken) => Err(*taken.get()),
            Entry::Vacant(free) => {
                free.insert(index);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_spread_over_the_buckets() {
        use std::hash::BuildHasher;
        // numbered ids alike but for their last characters, and paths sharing long prefixes,
        // land in as many distinct buckets (of 1,024) as random hashes would (about 395 of
        // 500), with as many distinct 7-bit control tags (about 125 of 128)
        let build = BuildHasherDefault::<IdHasher>::default();
        for ids in [
            (0..500).map(|i| format!("Group{i}")).collect::<Vec<_>>(),
            (0..500)
                .map(|i| format!("Service/Api/Route{i}/Method"))
                .collect(),
            (0..500).map(|i| format!("{i}")).collect(),
        ] {
            let buckets: HashSet<u64> = ids.iter().map(|id| build.hash_one(id) & 1023).collect();
            assert!(
                buckets.len() > 370,
                "{} buckets for {:?}..",
                buckets.len(),
                &ids[..2]
            );
            let tags: HashSet<u64> = ids.iter().map(|id| build.hash_one(id) >> 57).collect();
            assert!(
                tags.len() > 115,
                "{} control tags for {:?}..",
                tags.len(),
                &ids[..2]
            );
        }
    }

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
