//! [`Map`], the map of a [`Value::Map`]: its entries in one vector, sorted by key.
//!
//! The maps of a template are small (a resource's properties, a tag, a policy statement), and a
//! program builds most of them in key order (the generated types write their properties sorted).
//! One vector holds such a map in a single allocation the size of its entries, reads it in order
//! without chasing pointers, and appends a key that sorts last without a search; a B-tree gives
//! every map a node for eleven entries and walks it to drop it. The API is `BTreeMap`'s, so code
//! reads the same: `get`, `insert`, `remove`, `iter`, `collect`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::value::{Value, name_cmp};

/// A map from names to values, iterated in key order ([`name_cmp`]'s, which is `str::cmp`'s),
/// each key once.
///
/// Keys are [`Cow`]s: the names a program spells out (property names, most of all those of the
/// generated types) take no allocation, and the ones it computes are owned (`name.into()` for a
/// `String`). Looked up by `&str` (`map.get("Tags")`, `map.get(&name)` for a `String`).
///
/// Inserting a key that sorts after every key already there (the usual way a map is built) is a
/// push; elsewhere it moves the entries after it, so a map of many thousands of keys is best
/// built with `collect`, which sorts once.
///
/// Where it differs from `BTreeMap`: no `[]` indexing (`get` says when a key is missing instead
/// of panicking), no `range` or `pop_first`, and an entry's `key()` is a `&str`. Given a key twice (`collect`, `Map::from`,
/// [`Value::map`](crate::Value::map)), it keeps the last value, as `BTreeMap` does. A map
/// converts into a [`Value`] and into a free-form [`Json`](crate::Json) property (`.into()`);
/// from `&str` keys and other values, [`Value::map`](crate::Value::map) builds one.
///
/// ```
/// use cloudwright_core::{Map, Value};
/// let mut map = Map::new();
/// map.insert("VpcId".into(), Value::from("vpc-1"));
/// map.insert("GroupName".into(), Value::from("web"));
/// let name = String::from("Description");
/// map.insert(name.clone().into(), Value::from("the web tier"));
/// assert_eq!(map.get("VpcId"), Some(&Value::from("vpc-1")));
/// assert_eq!(map.get(&name), Some(&Value::from("the web tier")));
/// let keys: Vec<&str> = map.keys().map(|k| &**k).collect();
/// assert_eq!(keys, ["Description", "GroupName", "VpcId"]);
/// let tags: cloudwright_core::Json = map.into();
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Map {
    /// Sorted by key, each key once.
    entries: Vec<(Cow<'static, str>, Value)>,
}

/// Up to this many entries, a key is found by reading them in order; beyond, by bisection.
const SCANNED: usize = 8;

impl Map {
    /// An empty map.
    pub const fn new() -> Map {
        Map {
            entries: Vec::new(),
        }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Map {
        Map {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where `key` is (`Ok`), or where it would go (`Err`).
    #[inline]
    fn find(&self, key: &str) -> Result<usize, usize> {
        if self.entries.len() <= SCANNED {
            for (i, (k, _)) in self.entries.iter().enumerate() {
                match name_cmp(k, key) {
                    Ordering::Less => {}
                    Ordering::Equal => return Ok(i),
                    Ordering::Greater => return Err(i),
                }
            }
            return Err(self.entries.len());
        }
        self.entries.binary_search_by(|(k, _)| name_cmp(k, key))
    }

    /// Where `key` is, if there: [`find`](Self::find) for a lookup only. A small map is read
    /// comparing lengths first (most keys differ there) and bytes only where they are equal.
    #[inline]
    fn position(&self, key: &str) -> Option<usize> {
        if self.entries.len() <= SCANNED {
            return self
                .entries
                .iter()
                .position(|(k, _)| k.len() == key.len() && k.as_bytes() == key.as_bytes());
        }
        self.find(key).ok()
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Value> {
        let i = self.position(key)?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// The value of `key`, to change.
    #[inline]
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// The key as stored and the value of `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&Cow<'static, str>, &Value)> {
        let i = self.position(key)?;
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    /// Whether `key` has a value.
    #[inline]
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`, and returns the value it had, if any (the key stored stays the
    /// first one given, as `BTreeMap`'s does).
    #[inline]
    pub fn insert(&mut self, key: Cow<'static, str>, value: Value) -> Option<Value> {
        // the usual case first: a key that sorts after every key there
        match self.entries.last() {
            None => {}
            Some((last, _)) if name_cmp(last, &key) == Ordering::Less => {}
            Some(_) => {
                return match self.find(&key) {
                    Ok(i) => self
                        .entries
                        .get_mut(i)
                        .map(|(_, v)| std::mem::replace(v, value)),
                    Err(i) => {
                        self.entries.insert(i, (key, value));
                        None
                    }
                };
            }
        }
        self.entries.push((key, value));
        None
    }

    /// The entry of `key`, to read, fill or change in place.
    ///
    /// ```
    /// use cloudwright_core::{Map, Value};
    /// let mut map = Map::new();
    /// map.entry("Tags".into()).or_insert_with(|| Value::List(Vec::new()));
    /// if let Value::List(tags) = map.entry("Tags".into()).or_insert(Value::Null) {
    ///     tags.push(Value::from("a"));
    /// }
    /// assert_eq!(map.get("Tags"), Some(&Value::List(vec![Value::from("a")])));
    /// ```
    pub fn entry(&mut self, key: Cow<'static, str>) -> Entry<'_> {
        match self.find(&key) {
            Ok(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            Err(index) => Entry::Vacant(VacantEntry {
                map: self,
                index,
                key,
            }),
        }
    }

    /// Removes `key`, and returns its value, if it had one.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        Some(self.entries.remove(i).1)
    }

    /// Removes `key`, and returns the key as stored and its value, if it had one.
    pub fn remove_entry(&mut self, key: &str) -> Option<(Cow<'static, str>, Value)> {
        let i = self.position(key)?;
        Some(self.entries.remove(i))
    }

    /// Keeps the entries `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Cow<'static, str>, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The entries in key order, values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Cow<'static, str>> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, to change.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The keys in order, the map consumed.
    pub fn into_keys(
        self,
    ) -> impl DoubleEndedIterator<Item = Cow<'static, str>> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    /// The values in key order, the map consumed.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// The entry with the first key.
    pub fn first_key_value(&self) -> Option<(&Cow<'static, str>, &Value)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// The entry with the last key.
    pub fn last_key_value(&self) -> Option<(&Cow<'static, str>, &Value)> {
        self.entries.last().map(|(k, v)| (k, v))
    }
}

/// A key's place in a [`Map`] ([`Map::entry`]).
#[derive(Debug)]
pub enum Entry<'a> {
    /// The key has a value.
    Occupied(OccupiedEntry<'a>),
    /// The key has none.
    Vacant(VacantEntry<'a>),
}

/// A key of a [`Map`] that has a value.
#[derive(Debug)]
pub struct OccupiedEntry<'a> {
    map: &'a mut Map,
    index: usize,
}

/// A key of a [`Map`] that has no value, and where it would go.
#[derive(Debug)]
pub struct VacantEntry<'a> {
    map: &'a mut Map,
    index: usize,
    key: Cow<'static, str>,
}

impl<'a> Entry<'a> {
    /// The value, `value` put there first if there was none.
    pub fn or_insert(self, value: Value) -> &'a mut Value {
        self.or_insert_with(|| value)
    }

    /// The value, `make()` put there first if there was none.
    pub fn or_insert_with(self, make: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(make()),
        }
    }

    /// The entry, its value changed by `change` if it has one.
    pub fn and_modify(mut self, change: impl FnOnce(&mut Value)) -> Entry<'a> {
        if let Entry::Occupied(e) = &mut self {
            change(e.get_mut());
        }
        self
    }

    /// The key.
    pub fn key(&self) -> &str {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => &e.key,
        }
    }
}

impl<'a> OccupiedEntry<'a> {
    /// The key, as stored.
    pub fn key(&self) -> &str {
        self.map.entries.get(self.index).map_or("", |(k, _)| k)
    }

    /// The value.
    pub fn get(&self) -> &Value {
        &self.map.entries[self.index].1
    }

    /// The value, to change.
    pub fn get_mut(&mut self) -> &mut Value {
        &mut self.map.entries[self.index].1
    }

    /// Sets the value to `value`, and returns the one it had.
    pub fn insert(&mut self, value: Value) -> Value {
        std::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, and returns its value.
    pub fn remove(self) -> Value {
        self.map.entries.remove(self.index).1
    }

    /// The value, to change, for as long as the map was lent.
    pub fn into_mut(self) -> &'a mut Value {
        &mut self.map.entries[self.index].1
    }
}

impl<'a> VacantEntry<'a> {
    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key, given back.
    pub fn into_key(self) -> Cow<'static, str> {
        self.key
    }

    /// Puts `value` there, and returns it to change.
    pub fn insert(self, value: Value) -> &'a mut Value {
        self.map.entries.insert(self.index, (self.key, value));
        &mut self.map.entries[self.index].1
    }
}

/// The entries of a [`Map`] in key order ([`Map::iter`]).
#[derive(Clone, Debug)]
pub struct Iter<'a>(std::slice::Iter<'a, (Cow<'static, str>, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Cow<'static, str>, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The entries of a [`Map`] in key order, values to change ([`Map::iter_mut`]).
#[derive(Debug)]
pub struct IterMut<'a>(std::slice::IterMut<'a, (Cow<'static, str>, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a Cow<'static, str>, &'a mut Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl ExactSizeIterator for IterMut<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Cow<'static, str>, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Cow<'static, str>, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

/// The entries of a [`Map`] in key order, the map consumed (`for (k, v) in map`).
#[derive(Debug)]
pub struct IntoIter(std::vec::IntoIter<(Cow<'static, str>, Value)>);

impl Iterator for IntoIter {
    type Item = (Cow<'static, str>, Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back()
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Map {
    type Item = (Cow<'static, str>, Value);
    type IntoIter = IntoIter;

    /// The entries in key order, the map consumed.
    fn into_iter(self) -> IntoIter {
        IntoIter(self.entries.into_iter())
    }
}

impl FromIterator<(Cow<'static, str>, Value)> for Map {
    /// The map of the pairs; of pairs with one key, the last one's value is kept (as a
    /// `BTreeMap` collected from them keeps it).
    fn from_iter<I: IntoIterator<Item = (Cow<'static, str>, Value)>>(pairs: I) -> Map {
        let mut entries: Vec<(Cow<'static, str>, Value)> = pairs.into_iter().collect();
        // most arrive sorted: checked in one pass before a (stable) sort
        sort_keeping_last(&mut entries);
        Map { entries }
    }
}

/// Sorts `entries` by key (stably) and keeps, of a run of one key, its last pair (as
/// `BTreeMap::from_iter` does).
fn sort_keeping_last(entries: &mut Vec<(Cow<'static, str>, Value)>) {
    sort_merging(entries, |kept, later| *kept = later);
}

/// Sorts `entries` by key (stably: pairs of one key stay in the order given) and folds each
/// later pair of a key into the one kept with `merge`; most arrive sorted, which one pass
/// finds first.
fn sort_merging(
    entries: &mut Vec<(Cow<'static, str>, Value)>,
    merge: impl Fn(&mut (Cow<'static, str>, Value), (Cow<'static, str>, Value)),
) {
    if entries
        .windows(2)
        .all(|w| matches!(w, [a, b] if name_cmp(&a.0, &b.0) == Ordering::Less))
    {
        return;
    }
    entries.sort_by(|a, b| name_cmp(&a.0, &b.0));
    let mut merged: Vec<(Cow<'static, str>, Value)> = Vec::with_capacity(entries.len());
    for pair in entries.drain(..) {
        match merged.last_mut() {
            Some(kept) if kept.0 == pair.0 => merge(kept, pair),
            _ => merged.push(pair),
        }
    }
    *entries = merged;
}

impl<const N: usize> From<[(Cow<'static, str>, Value); N]> for Map {
    fn from(pairs: [(Cow<'static, str>, Value); N]) -> Map {
        pairs.into_iter().collect()
    }
}

impl Extend<(Cow<'static, str>, Value)> for Map {
    /// Inserts each pair in turn (a key already there keeps its key and takes the new value).
    /// Many pairs are sorted in once rather than inserted one by one.
    fn extend<I: IntoIterator<Item = (Cow<'static, str>, Value)>>(&mut self, pairs: I) {
        let pairs = pairs.into_iter();
        if pairs.size_hint().0 <= SCANNED {
            for (k, v) in pairs {
                self.insert(k, v);
            }
            return;
        }
        // the map's entries first, then the new pairs in order: the stable sort keeps that
        // order within a key, so the key stored stays the first and the value is the last
        self.entries.extend(pairs);
        sort_merging(&mut self.entries, |kept, later| kept.1 = later.1);
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// What the map is held to: a `BTreeMap` of the same keys.
    type Oracle = BTreeMap<Cow<'static, str>, Value>;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(String, u32),
        Remove(String),
        RemoveEntry(String),
        Retain(u32),
        /// `entry(k)`: 0 `or_insert`, 1 `and_modify` then `or_insert_with`, 2 remove if there,
        /// 3 replace if there
        Entry(String, u32, u8),
        GetMut(String, u32),
        Extend(Vec<(String, u32)>),
    }

    fn key() -> impl Strategy<Value = String> {
        // few letters, so that keys repeat and share prefixes across eight-byte words
        "[ab]{0,10}"
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (key(), any::<u32>()).prop_map(|(k, n)| Op::Insert(k, n)),
            2 => key().prop_map(Op::Remove),
            1 => key().prop_map(Op::RemoveEntry),
            1 => (1..4u32).prop_map(Op::Retain),
            3 => (key(), any::<u32>(), 0..4u8).prop_map(|(k, n, how)| Op::Entry(k, n, how)),
            1 => (key(), any::<u32>()).prop_map(|(k, n)| Op::GetMut(k, n)),
            // few pairs (inserted one by one) and many (sorted in)
            1 => proptest::collection::vec((key(), any::<u32>()), 0..24).prop_map(Op::Extend),
        ]
    }

    fn v(n: u32) -> Value {
        Value::from(n.to_string())
    }

    fn same(map: &Map, oracle: &Oracle) -> Result<(), TestCaseError> {
        prop_assert_eq!(map.len(), oracle.len());
        let ours: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (&**k, v)).collect();
        let theirs: Vec<(&str, &Value)> = oracle.iter().map(|(k, v)| (&**k, v)).collect();
        prop_assert_eq!(ours, theirs);
        Ok(())
    }

    proptest! {
        /// Every operation answers as `BTreeMap`'s does, and leaves the same entries in the same
        /// order, over maps small (read in order) and large (bisected).
        #[test]
        fn behaves_as_a_btree_map(ops in proptest::collection::vec(op(), 0..80)) {
            let mut map = Map::new();
            let mut oracle = Oracle::new();
            for op in ops {
                match op {
                    Op::Insert(k, n) => {
                        prop_assert_eq!(
                            map.insert(k.clone().into(), v(n)),
                            oracle.insert(k.into(), v(n))
                        );
                    }
                    Op::Remove(k) => {
                        prop_assert_eq!(map.remove(&k), oracle.remove(k.as_str()));
                    }
                    Op::RemoveEntry(k) => {
                        prop_assert_eq!(map.remove_entry(&k), oracle.remove_entry(k.as_str()));
                    }
                    Op::Retain(m) => {
                        let keep = |k: &Cow<'static, str>| !k.len().is_multiple_of(m as usize);
                        map.retain(|k, _| keep(k));
                        oracle.retain(|k, _| keep(k));
                    }
                    Op::Entry(k, n, how) => {
                        use std::collections::btree_map::Entry as OracleEntry;
                        let (ours, theirs) = (map.entry(k.clone().into()), oracle.entry(k.clone().into()));
                        prop_assert_eq!(ours.key(), &**theirs.key());
                        match how {
                            0 => prop_assert_eq!(ours.or_insert(v(n)), theirs.or_insert(v(n))),
                            1 => {
                                let double = |x: &mut Value| *x = Value::List(vec![x.clone(), x.clone()]);
                                prop_assert_eq!(
                                    ours.and_modify(double).or_insert_with(|| v(n)),
                                    theirs.and_modify(double).or_insert_with(|| v(n))
                                );
                            }
                            2 => match (ours, theirs) {
                                (Entry::Occupied(o), OracleEntry::Occupied(t)) => {
                                    prop_assert_eq!(o.get(), t.get());
                                    prop_assert_eq!(o.remove(), t.remove());
                                }
                                (Entry::Vacant(o), OracleEntry::Vacant(t)) => {
                                    prop_assert_eq!(o.key(), &**t.key());
                                    prop_assert_eq!(o.into_key(), t.into_key());
                                }
                                _ => prop_assert!(false, "occupied in one, vacant in the other"),
                            },
                            _ => match (ours, theirs) {
                                (Entry::Occupied(mut o), OracleEntry::Occupied(mut t)) => {
                                    prop_assert_eq!(o.insert(v(n)), t.insert(v(n)));
                                }
                                (Entry::Vacant(o), OracleEntry::Vacant(t)) => {
                                    prop_assert_eq!(o.insert(v(n)), t.insert(v(n)));
                                }
                                _ => prop_assert!(false, "occupied in one, vacant in the other"),
                            },
                        }
                    }
                    Op::GetMut(k, n) => {
                        let (ours, theirs) = (map.get_mut(&k), oracle.get_mut(k.as_str()));
                        prop_assert_eq!(ours.is_some(), theirs.is_some());
                        if let (Some(a), Some(b)) = (ours, theirs) {
                            *a = v(n);
                            *b = v(n);
                        }
                    }
                    Op::Extend(pairs) => {
                        let pairs: Vec<(Cow<'static, str>, Value)> =
                            pairs.into_iter().map(|(k, n)| (Cow::Owned(k), v(n))).collect();
                        map.extend(pairs.clone());
                        oracle.extend(pairs);
                    }
                }
                same(&map, &oracle)?;
            }
            for k in ["", "a", "ab", "ba", "abababab", "abababababa", "bbbbbbbbbb"] {
                prop_assert_eq!(map.get(k), oracle.get(k));
                prop_assert_eq!(map.contains_key(k), oracle.contains_key(k));
            }
        }

        /// `collect` keeps, of pairs with one key, the last value, as `BTreeMap`'s does.
        #[test]
        fn collects_as_a_btree_map(pairs in proptest::collection::vec((key(), any::<u8>()), 0..40)) {
            let pairs: Vec<(Cow<'static, str>, Value)> = pairs
                .into_iter()
                .map(|(k, n)| (Cow::Owned(k), Value::from(n.to_string())))
                .collect();
            let map: Map = pairs.iter().cloned().collect();
            let oracle: Oracle = pairs.iter().cloned().collect();
            same(&map, &oracle)?;
            // the pair kept is the last whole pair: its key borrowed or owned as given
            let borrowed: Vec<(Cow<'static, str>, Value)> = pairs
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let k: Cow<'static, str> = match (i % 2, k.as_ref()) {
                        (0, "a") => Cow::Borrowed("a"),
                        _ => Cow::Owned(k.to_string()),
                    };
                    (k, v.clone())
                })
                .collect();
            let map: Map = borrowed.iter().cloned().collect();
            let oracle: Oracle = borrowed.into_iter().collect();
            let kinds = |keys: Vec<&Cow<'static, str>>| -> Vec<bool> {
                keys.into_iter().map(|k| matches!(k, Cow::Borrowed(_))).collect()
            };
            prop_assert_eq!(kinds(map.keys().collect()), kinds(oracle.keys().collect()));
            let array: [(Cow<'static, str>, Value); 3] =
                [("b".into(), v(1)), ("a".into(), v(2)), ("b".into(), v(3))];
            prop_assert_eq!(
                Map::from(array.clone()).into_iter().collect::<Vec<_>>(),
                Oracle::from(array).into_iter().collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn debug_and_json_read_as_a_map() {
        let map = Map::from([
            ("b".into(), Value::from("2")),
            ("a".into(), Value::from("1")),
        ]);
        assert_eq!(
            format!("{map:?}"),
            r#"{"a": String("1"), "b": String("2")}"#
        );
        assert_eq!(
            serde_json::to_string(&map).unwrap_or_default(),
            r#"{"a":"1","b":"2"}"#
        );
    }
}
