//! JSON text as `serde_json::to_string_pretty` writes it (two-space indents, `": "` after a
//! key, an empty object or list as `{}` or `[]`, the same escapes and number forms), written
//! straight from [`Value`]s into one `String`: a template is rendered without a serializer
//! call per token and without an intermediate `serde_json::Value` tree.

use std::fmt::Write;

use crate::value::{Map, Value};

/// A JSON text being written.
pub(crate) struct PrettyJson {
    out: String,
    depth: usize,
    /// Whether the innermost open object or list has no member yet (serde_json's
    /// `has_value`, negated): its closing bracket then follows the opening one directly.
    empty: bool,
}

impl PrettyJson {
    /// An empty text with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        PrettyJson {
            out: String::with_capacity(capacity),
            depth: 0,
            empty: true,
        }
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// Opens an object; its members follow as [`key`](Self::key) and a value each.
    pub(crate) fn open_object(&mut self) {
        self.open('{');
    }

    /// Closes the innermost object.
    pub(crate) fn close_object(&mut self) {
        self.close('}');
    }

    /// Opens a list; each of its items follows [`item`](Self::item).
    pub(crate) fn open_list(&mut self) {
        self.open('[');
    }

    /// Closes the innermost list.
    pub(crate) fn close_list(&mut self) {
        self.close(']');
    }

    /// Starts the next item of the innermost list.
    pub(crate) fn item(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.newline();
        self.empty = false;
    }

    /// Starts the next member of the innermost object: its key, then its value.
    pub(crate) fn key(&mut self, key: &str) {
        self.item();
        self.string(key);
        self.out.push_str(": ");
    }

    /// A string, quoted and escaped as serde_json escapes it: `"`, `\` and the control
    /// characters (`\b`, `\t`, `\n`, `\f`, `\r`, the others as `\u00xx`); nothing else.
    pub(crate) fn string(&mut self, s: &str) {
        self.out.reserve(s.len() + 2);
        self.out.push('"');
        // runs without a character to escape are copied whole; the escaped characters are
        // ASCII, so every split is on a character boundary
        let mut rest = s;
        while let Some(at) = first_escaped(rest.as_bytes()) {
            self.out.push_str(&rest[..at]);
            match rest.as_bytes()[at] {
                b'"' => self.out.push_str("\\\""),
                b'\\' => self.out.push_str("\\\\"),
                0x08 => self.out.push_str("\\b"),
                b'\t' => self.out.push_str("\\t"),
                b'\n' => self.out.push_str("\\n"),
                0x0c => self.out.push_str("\\f"),
                b'\r' => self.out.push_str("\\r"),
                b => {
                    let _ = write!(self.out, "\\u{b:04x}");
                }
            }
            rest = &rest[at + 1..];
        }
        self.out.push_str(rest);
        self.out.push('"');
    }

    /// A list of strings.
    pub(crate) fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) {
        self.open_list();
        for s in items {
            self.item();
            self.string(s);
        }
        self.close_list();
    }

    /// A CloudFormation value: literals as they are, an intrinsic as its one-key object.
    pub(crate) fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::String(s) => self.string(s),
            // `Number`'s `Display` is its serialization (itoa for integers, the shortest
            // round-trip form for floats, which are always finite)
            Value::Number(n) => {
                let _ = write!(self.out, "{n}");
            }
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::List(items) => self.values(items),
            Value::Map(m) => {
                self.open_object();
                for (k, v) in m {
                    self.key(k);
                    self.value(v);
                }
                self.close_object();
            }
            Value::Ref(r) => self.intrinsic("Ref", |w| w.string(&r.logical_id)),
            Value::Pseudo(p) => self.intrinsic("Ref", |w| w.string(p.name())),
            Value::GetAtt(r, a) => self.intrinsic("Fn::GetAtt", |w| {
                w.strings([r.logical_id.as_str(), a.as_str()]);
            }),
            Value::Sub(t, vars) if vars.is_empty() => self.intrinsic("Fn::Sub", |w| w.string(t)),
            Value::Sub(t, vars) => self.intrinsic("Fn::Sub", |w| {
                w.open_list();
                w.item();
                w.string(t);
                w.item();
                w.open_object();
                for (k, v) in vars {
                    w.key(k);
                    w.value(v);
                }
                w.close_object();
                w.close_list();
            }),
            Value::Join(d, items) => self.intrinsic("Fn::Join", |w| {
                w.open_list();
                w.item();
                w.string(d);
                w.item();
                w.values(items);
                w.close_list();
            }),
            Value::Select(i, l) => self.intrinsic("Fn::Select", |w| w.tuple(&[i, l])),
            Value::GetAzs(r) => self.intrinsic("Fn::GetAZs", |w| w.value(r)),
            Value::Split(d, v) => self.intrinsic("Fn::Split", |w| {
                w.open_list();
                w.item();
                w.string(d);
                w.item();
                w.value(v);
                w.close_list();
            }),
            Value::ImportValue(v) => self.intrinsic("Fn::ImportValue", |w| w.value(v)),
            Value::If(c, a, b) => self.intrinsic("Fn::If", |w| {
                w.open_list();
                w.item();
                w.string(c);
                w.item();
                w.value(a);
                w.item();
                w.value(b);
                w.close_list();
            }),
            Value::Base64(v) => self.intrinsic("Fn::Base64", |w| w.value(v)),
            Value::Cidr(a, b, c) => self.intrinsic("Fn::Cidr", |w| w.tuple(&[a, b, c])),
            Value::FindInMap(a, b, c) => self.intrinsic("Fn::FindInMap", |w| w.tuple(&[a, b, c])),
            Value::Equals(a, b) => self.intrinsic("Fn::Equals", |w| w.tuple(&[a, b])),
            Value::And(items) => self.intrinsic("Fn::And", |w| w.values(items)),
            Value::Or(items) => self.intrinsic("Fn::Or", |w| w.values(items)),
            Value::Not(v) => self.intrinsic("Fn::Not", |w| w.tuple(&[v])),
            Value::Condition(c) => self.intrinsic("Condition", |w| w.string(c)),
        }
    }

    /// A map with one member more, `extra`, written in its sorted place (`map` does not hold
    /// its key).
    pub(crate) fn map_with(&mut self, map: &Map, extra: (&str, &Value)) {
        self.open_object();
        let mut extra = Some(extra);
        for (k, v) in map {
            if let Some((key, value)) = extra
                && crate::value::name_cmp(key, k) == std::cmp::Ordering::Less
            {
                self.key(key);
                self.value(value);
                extra = None;
            }
            self.key(k);
            self.value(v);
        }
        if let Some((key, value)) = extra {
            self.key(key);
            self.value(value);
        }
        self.close_object();
    }

    /// A `serde_json` value (the parts of a template kept in that form).
    pub(crate) fn json(&mut self, v: &serde_json::Value) {
        match v {
            serde_json::Value::Null => self.out.push_str("null"),
            serde_json::Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            serde_json::Value::Number(n) => {
                let _ = write!(self.out, "{n}");
            }
            serde_json::Value::String(s) => self.string(s),
            serde_json::Value::Array(items) => {
                self.open_list();
                for v in items {
                    self.item();
                    self.json(v);
                }
                self.close_list();
            }
            serde_json::Value::Object(m) => {
                self.open_object();
                for (k, v) in m {
                    self.key(k);
                    self.json(v);
                }
                self.close_object();
            }
        }
    }

    fn values(&mut self, items: &[Value]) {
        self.open_list();
        for v in items {
            self.item();
            self.value(v);
        }
        self.close_list();
    }

    fn tuple(&mut self, items: &[&Value]) {
        self.open_list();
        for v in items {
            self.item();
            self.value(v);
        }
        self.close_list();
    }

    /// `{"name": ..}`, the argument written by `argument`.
    fn intrinsic(&mut self, name: &str, argument: impl FnOnce(&mut Self)) {
        self.open_object();
        self.key(name);
        argument(self);
        self.close_object();
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if !self.empty {
            self.newline();
        }
        self.out.push(bracket);
        self.empty = false;
    }

    /// A line break and the indentation of the current depth (two spaces a level).
    fn newline(&mut self) {
        const INDENTED: &str = concat!(
            "\n",
            "                                ",
            "                                "
        );
        // up to sixteen levels (all but the deepest templates): a copy of a fixed length, which
        // the compiler writes out in place, then cut to the depth's
        const SHORT: usize = 1 + 2 * 16;
        if self.depth <= 16
            && let Some(line) = INDENTED.get(..SHORT)
        {
            let end = self.out.len() + 1 + 2 * self.depth;
            self.out.push_str(line);
            self.out.truncate(end);
            return;
        }
        match INDENTED.get(..1 + 2 * self.depth) {
            Some(line) => self.out.push_str(line),
            None => {
                self.out.push('\n');
                for _ in 0..self.depth {
                    self.out.push_str("  ");
                }
            }
        }
    }
}

/// Where the first byte JSON escapes is (a control character, `"` or `\`), if any.
pub(crate) fn first_escaped(bytes: &[u8]) -> Option<usize> {
    // most strings of a template are short names: a table look-up a byte
    if bytes.len() < 16 {
        return bytes.iter().position(|b| ESCAPED[usize::from(*b)]);
    }
    first_escaped_long(bytes)
}

/// Whether JSON escapes each byte.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// [`first_escaped`] of a string of sixteen bytes or more.
fn first_escaped_long(bytes: &[u8]) -> Option<usize> {
    let escaped = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
    // eight bytes at a time past those that need no escape; when fewer than eight are left,
    // a string of eight bytes or more has its last eight tested at once (overlapping bytes
    // tested already)
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8)
        && let Ok(word) = <[u8; 8]>::try_from(chunk)
        && !any_escaped(u64::from_le_bytes(word))
    {
        i += 8;
    }
    if i < bytes.len()
        && bytes.len() < i + 8
        && let Some(last) = bytes.len().checked_sub(8).and_then(|at| bytes.get(at..))
        && let Ok(word) = <[u8; 8]>::try_from(last)
        && !any_escaped(u64::from_le_bytes(word))
    {
        return None;
    }
    bytes.get(i..)?.iter().position(escaped).map(|at| i + at)
}

/// Whether any of the eight bytes of `word` is one JSON escapes: a control character
/// (below 0x20), `"` or `\`. The usual word-at-a-time tests: `x - 0x01` in a byte borrows
/// into its high bit only when the byte is zero (or, if another byte below it was zero,
/// when that one already answered yes); masking with `!x` leaves out bytes whose high bit
/// was set to start with.
fn any_escaped(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
    below_space
        || zero_byte(word ^ (ONES * u64::from(b'"')))
        || zero_byte(word ^ (ONES * u64::from(b'\\')))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::value::Pseudo;

    fn written(v: &Value) -> String {
        let mut w = PrettyJson::with_capacity(0);
        w.value(v);
        w.finish()
    }

    #[test]
    fn writes_what_serde_json_writes() -> Result<(), serde_json::Error> {
        let mut vars = BTreeMap::new();
        vars.insert("Name".into(), Value::r#ref("Queue"));
        vars.insert("Empty".into(), Value::Map(Map::new()));
        let mut map = Map::new();
        map.insert(
            "Escapes \"quoted\" \\ /".into(),
            Value::from("tab\t nl\n cr\r bs\u{8} ff\u{c} nul\u{0} us\u{1f} del\u{7f} é ✓ 😀"),
        );
        map.insert("Empty list".into(), Value::List(Vec::new()));
        map.insert("Empty map".into(), Value::Map(Map::new()));
        map.insert("Null".into(), Value::Null);
        map.insert(
            "Numbers".into(),
            Value::List(vec![
                Value::from(0),
                Value::from(-17),
                Value::from(u64::MAX),
                Value::from(i64::MIN),
                Value::from(1.0),
                Value::from(0.1),
                Value::from(-2.5e-8),
                Value::from(1e21),
                Value::from(123456789.125),
            ]),
        );
        map.insert("Bools".into(), Value::List(vec![true.into(), false.into()]));
        let v = Value::List(vec![
            Value::Map(map),
            Value::r#ref("A"),
            Value::Pseudo(Pseudo::Region),
            Value::get_att("A", "Arn"),
            Value::sub("${A}-x"),
            Value::Sub("${Name}".into(), vars),
            Value::Join(",".into(), vec!["a".into(), Value::r#ref("B")]),
            Value::Join("".into(), Vec::new()),
            Value::Select(
                Box::new(0.into()),
                Box::new(Value::GetAzs(Box::new("".into()))),
            ),
            Value::Split(",".into(), Box::new("a,b".into())),
            Value::ImportValue(Box::new("Export".into())),
            Value::If(
                "IsProd".into(),
                Box::new(1.into()),
                Box::new(Value::Pseudo(Pseudo::NoValue)),
            ),
            Value::Base64(Box::new("x".into())),
            Value::Cidr(
                Box::new("10.0.0.0/16".into()),
                Box::new(4.into()),
                Box::new(8.into()),
            ),
            Value::FindInMap(
                Box::new("M".into()),
                Box::new(Value::Pseudo(Pseudo::Region)),
                Box::new("Ami".into()),
            ),
            Value::And(vec![
                Value::Equals(Box::new("a".into()), Box::new("b".into())),
                Value::Or(vec![Value::Condition("C".into())]),
                Value::Not(Box::new(Value::Condition("D".into()))),
            ]),
            Value::List(vec![Value::List(Vec::new()), Value::Map(Map::new())]),
        ]);
        assert_eq!(written(&v), serde_json::to_string_pretty(&v)?);
        for scalar in [
            Value::Null,
            Value::from(""),
            Value::from(7),
            Value::from(true),
        ] {
            assert_eq!(written(&scalar), serde_json::to_string_pretty(&scalar)?);
        }
        let json = serde_json::to_value(&v)?;
        let mut w = PrettyJson::with_capacity(0);
        w.json(&json);
        assert_eq!(w.finish(), serde_json::to_string_pretty(&json)?);
        Ok(())
    }

    #[test]
    fn escapes_at_every_position_of_a_word() -> Result<(), serde_json::Error> {
        for len in 0..40 {
            for at in 0..len {
                for special in [
                    '"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '!', '#', '[', ']', '\u{7f}', 'é',
                    '😀',
                ] {
                    let s: String = (0..len)
                        .map(|i| if i == at { special } else { 'a' })
                        .collect();
                    let mut w = PrettyJson::with_capacity(0);
                    w.string(&s);
                    assert_eq!(w.finish(), serde_json::to_string(&s)?, "{s:?}");
                }
            }
        }
        Ok(())
    }

    #[test]
    fn deep_nesting_indents_past_the_prepared_spaces() -> Result<(), serde_json::Error> {
        let mut v = Value::from("leaf");
        for _ in 0..40 {
            v = Value::List(vec![v]);
        }
        assert_eq!(written(&v), serde_json::to_string_pretty(&v)?);
        Ok(())
    }

    #[test]
    fn every_control_character_escapes_as_serde_json_escapes_it() -> Result<(), serde_json::Error> {
        let all: String = (0u8..=0x7f).map(char::from).collect();
        let mut w = PrettyJson::with_capacity(0);
        w.string(&all);
        assert_eq!(w.finish(), serde_json::to_string(&all)?);
        Ok(())
    }

    #[test]
    fn first_escaped_finds_what_a_byte_by_byte_search_finds() {
        let oracle = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|b| *b < 0x20 || *b == b'"' || *b == b'\\')
        };
        // every length up to three words, every position of one byte of each kind (and none),
        // over a text of plain ASCII and of multi-byte UTF-8 (high bytes never match)
        for filler in [b'a', 0xc3] {
            for len in 0..=24 {
                for special in [
                    None,
                    Some(b'"'),
                    Some(b'\\'),
                    Some(0),
                    Some(0x1f),
                    Some(b'\n'),
                ] {
                    for at in 0..len.max(1) {
                        let mut bytes = vec![filler; len];
                        if let (Some(b), Some(slot)) = (special, bytes.get_mut(at)) {
                            *slot = b;
                        }
                        assert_eq!(first_escaped(&bytes), oracle(&bytes), "{bytes:?}");
                        // a second one further on does not move the first
                        if let Some(slot) = bytes.get_mut(at + 5) {
                            *slot = b'"';
                        }
                        assert_eq!(first_escaped(&bytes), oracle(&bytes), "{bytes:?}");
                    }
                }
            }
        }
        // the bytes next to the ones escaped are not
        for b in [b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xff] {
            assert_eq!(first_escaped(&[b; 11]), None, "{b:#x}");
        }
    }

    #[test]
    fn every_depth_is_indented_as_serde_json_indents_it() -> Result<(), serde_json::Error> {
        // past the fixed-length copy (sixteen levels) and past the indentation kept whole
        // (thirty-two), lists and maps alternating
        let mut v = Value::from("leaf");
        let mut j = serde_json::json!("leaf");
        for level in 0..40 {
            if level % 2 == 0 {
                v = Value::List(vec![v, Value::from(level)]);
                j = serde_json::json!([j, level]);
            } else {
                v = Value::map([("k", v)]);
                j = serde_json::json!({ "k": j });
            }
        }
        assert_eq!(written(&v), serde_json::to_string_pretty(&j)?);
        Ok(())
    }
}
