//! Texts built from a pattern's structure: candidates for values that match it.

use super::parse::{Class, Item, Node, Set};
use super::unicode;

/// A small deterministic generator (xorshift64*), so examples are reproducible from a seed.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Characters tried for negated sets and `.`: printable ASCII, white space and a few
/// letters, digits and marks from beyond ASCII.
const POOL: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\t\néßЖ中٣\u{301}\u{a0}";

pub(super) fn generate(
    node: &Node,
    rng: &mut Rng,
    out: &mut String,
    matches: &dyn Fn(&Set, char) -> bool,
) {
    match node {
        Node::Empty | Node::Assert(_) | Node::Look { .. } => {}
        Node::Set(set) => {
            if let Some(c) = pick(set, rng, matches) {
                out.push(c);
            }
        }
        Node::Concat(nodes) => {
            for n in nodes {
                generate(n, rng, out, matches);
            }
        }
        Node::Alt(nodes) => {
            let i = rng.below(nodes.len() as u64) as usize;
            generate(&nodes[i], rng, out, matches);
        }
        Node::Repeat { node, min, max } => {
            let extra = u64::from(max.unwrap_or(min.saturating_add(4)).saturating_sub(*min)).min(4);
            let count = u64::from(*min).min(4_096) + rng.below(extra + 1);
            for _ in 0..count {
                generate(node, rng, out, matches);
            }
        }
    }
}

/// A character of the set, found by trying its members first, then the pool.
fn pick(set: &Set, rng: &mut Rng, matches: &dyn Fn(&Set, char) -> bool) -> Option<char> {
    if !set.negated && !set.items.is_empty() {
        for _ in 0..8 {
            let item = &set.items[rng.below(set.items.len() as u64) as usize];
            let candidate = match *item {
                Item::Char(c) => char::from_u32(c),
                Item::Range(lo, hi) => {
                    char::from_u32(lo + rng.below(u64::from(hi - lo) + 1) as u32)
                }
                Item::Class(class, false) => from_class(class, rng),
                Item::Class(_, true) | Item::Dot => None,
            };
            if let Some(c) = candidate.filter(|&c| matches(set, c)) {
                return Some(c);
            }
        }
    }
    let pool: Vec<char> = POOL.chars().collect();
    let start = rng.below(pool.len() as u64) as usize;
    (0..pool.len())
        .map(|i| pool[(start + i) % pool.len()])
        .find(|&c| matches(set, c))
}

fn from_class(class: Class, rng: &mut Rng) -> Option<char> {
    let table = match class {
        Class::Ascii => return char::from_u32(rng.below(128) as u32),
        Class::Word => unicode::WORD,
        Class::Digit => unicode::DIGIT,
        Class::Space => unicode::SPACE,
        Class::Table(t) => t,
    };
    // mostly the first ranges (ASCII and Latin), sometimes anywhere
    let n = if rng.below(4) == 0 {
        table.len()
    } else {
        table.len().min(4)
    };
    let (lo, hi) = table[rng.below(n as u64) as usize];
    char::from_u32(lo + rng.below(u64::from(hi - lo) + 1) as u32)
}
