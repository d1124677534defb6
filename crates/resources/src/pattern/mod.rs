//! The regular expressions of the schemas, matched as cfn-lint matches them.
//!
//! The provider schemas' `pattern`s are written for Python's `regex` module (cfn-lint calls
//! `regex.search(pattern, value)`), in its version 0 dialect: `[` is a literal inside a
//! class, `\Z` is the end of the text, `$` also matches before a final newline, an inline
//! flag such as `(?i)` applies to the whole pattern wherever it stands, and `\w`, `\d`, `\s`,
//! `\b` and `\p{..}` follow that module's Unicode tables. This small engine implements that
//! dialect — lookahead and lookbehind included — with the module's own tables
//! ([`unicode`], exported from it), so a value is accepted here exactly when cfn-lint accepts
//! it. A test runs every schema pattern against the `regex` module on generated texts.
//!
//! Matching is a bounded backtracker: each (instruction, position) pair is explored at most
//! once per search, so the time is at most proportional to the pattern's size times the
//! text's length, whatever the pattern (no catastrophic backtracking). That is sound
//! because the engine answers only *whether* a text matches: nothing here depends on what
//! a group captured. Backreferences would break that, so they (one schema pattern) are
//! refused at compile time with a [`PatternError`], as are the few other constructs the
//! schemas do not use (possessive quantifiers, atomic groups, scoped flags, POSIX classes).
//!
//! ```
//! use cloudwright_resources::pattern::Regex;
//! let subnet = Regex::new(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$").unwrap();
//! assert!(subnet.is_match("subnet-0000000a"));
//! assert!(!subnet.is_match("subnet-x"));
//! // lookarounds, as the schemas write them
//! let no_trailing_dot = Regex::new(r"^[0-9A-Za-z\.\-_]*(?<!\.)$").unwrap();
//! assert!(no_trailing_dot.is_match("a.b"));
//! assert!(!no_trailing_dot.is_match("a.b."));
//! assert!(Regex::new(r"^(\d)\1$").is_err(), "backreferences are refused");
//! ```

mod example;
mod parse;
mod unicode;

use std::collections::HashSet;
use std::fmt;

use parse::{Assertion, Class, Item, Node, Set};

/// Why a pattern cannot be compiled: a syntax error, or a construct this engine does not
/// implement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The offset (in characters) in the pattern where the problem was found.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {}", self.message, self.offset)
    }
}

impl std::error::Error for PatternError {}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    /// `programs[0]` is the pattern; the others are its lookarounds' bodies.
    programs: Vec<Program>,
    sets: Vec<Set>,
    node: Node,
}

#[derive(Debug, Clone, Default)]
struct Program {
    insts: Vec<Inst>,
    /// The most characters it can match, when bounded (a lookbehind starts no further back).
    width: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
enum Inst {
    /// Consume one character of `sets[i]`.
    Set(usize),
    /// Consume `min..=max` characters of `sets[set]`.
    RepeatSet {
        set: usize,
        min: u32,
        max: u32,
    },
    /// Go on at both (the first tried first).
    Split(usize, usize),
    Jmp(usize),
    Assert(Assertion),
    /// A lookaround whose body is `programs[program]`.
    Look {
        program: usize,
        ahead: bool,
        negate: bool,
    },
    Match,
}

/// The most instructions one pattern may compile to (counted repetitions are unrolled).
const MAX_INSTS: usize = 100_000;

impl Regex {
    /// Compiles a pattern written for Python's `regex` module.
    pub fn new(source: &str) -> Result<Regex, PatternError> {
        let node = parse::parse(source)?;
        let mut regex = Regex {
            programs: vec![Program::default()],
            sets: Vec::new(),
            node: Node::Empty,
        };
        let mut insts = Vec::new();
        regex.emit(&node, &mut insts)?;
        regex.node = node;
        insts.push(Inst::Match);
        regex.programs[0].insts = insts;
        Ok(regex)
    }

    /// Whether the pattern matches anywhere in `text` (Python's `regex.search`).
    pub fn is_match(&self, text: &str) -> bool {
        let input: Vec<char> = text.chars().collect();
        let mut search = Search {
            regex: self,
            input: &input,
            looks: vec![Vec::new(); self.programs.len()],
        };
        search.run(0, 0..=input.len(), None)
    }

    /// A text built from the pattern's structure with the pseudo-random choices of `seed`
    /// (a branch of each alternation, a count for each repetition, a character of each set):
    /// a candidate value for the pattern, e.g. to find sample values in tests. It matches
    /// unless a lookaround or an anchor in the middle forbids it; check with
    /// [`is_match`](Regex::is_match).
    ///
    /// ```
    /// use cloudwright_resources::pattern::Regex;
    /// let id = Regex::new(r"^vpc-[0-9a-f]{8}$").unwrap();
    /// let text = id.example(7);
    /// assert!(text.starts_with("vpc-") && text.len() == 12 && id.is_match(&text));
    /// ```
    pub fn example(&self, seed: u64) -> String {
        let mut rng = example::Rng::new(seed);
        let mut out = String::new();
        let matches = |set: &Set, c: char| self.set_contains(set, c);
        example::generate(&self.node, &mut rng, &mut out, &matches);
        out
    }

    fn emit(&mut self, node: &Node, out: &mut Vec<Inst>) -> Result<(), PatternError> {
        if out.len() > MAX_INSTS {
            return Err(PatternError {
                offset: 0,
                message: format!("the pattern compiles to more than {MAX_INSTS} instructions"),
            });
        }
        match node {
            Node::Empty => {}
            Node::Set(set) => {
                let i = self.set(set);
                out.push(Inst::Set(i));
            }
            Node::Concat(nodes) => {
                for n in nodes {
                    self.emit(n, out)?;
                }
            }
            Node::Alt(branches) => {
                // Split(b1, next) b1 Jmp(end) Split(b2, next) b2 Jmp(end) ... bn
                let mut jumps = Vec::new();
                for (i, branch) in branches.iter().enumerate() {
                    if i + 1 < branches.len() {
                        let split = out.len();
                        out.push(Inst::Split(split + 1, 0));
                        self.emit(branch, out)?;
                        jumps.push(out.len());
                        out.push(Inst::Jmp(0));
                        let next = out.len();
                        out[split] = Inst::Split(split + 1, next);
                    } else {
                        self.emit(branch, out)?;
                    }
                }
                let end = out.len();
                for j in jumps {
                    out[j] = Inst::Jmp(end);
                }
            }
            Node::Repeat { node, min, max } => {
                if let Node::Set(set) = node.as_ref() {
                    let set = self.set(set);
                    out.push(Inst::RepeatSet {
                        set,
                        min: *min,
                        max: max.unwrap_or(u32::MAX),
                    });
                    return Ok(());
                }
                for _ in 0..*min {
                    self.emit(node, out)?;
                }
                match max {
                    None => {
                        // loop: Split(body, end) body Jmp(loop)
                        let split = out.len();
                        out.push(Inst::Split(split + 1, 0));
                        self.emit(node, out)?;
                        out.push(Inst::Jmp(split));
                        let end = out.len();
                        out[split] = Inst::Split(split + 1, end);
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(out.len());
                            out.push(Inst::Split(out.len() + 1, 0));
                            self.emit(node, out)?;
                        }
                        let end = out.len();
                        for s in splits {
                            out[s] = Inst::Split(s + 1, end);
                        }
                    }
                }
            }
            Node::Assert(a) => out.push(Inst::Assert(*a)),
            Node::Look {
                ahead,
                negate,
                node,
            } => {
                let program = self.programs.len();
                self.programs.push(Program {
                    insts: Vec::new(),
                    width: node.width(),
                });
                let mut body = Vec::new();
                self.emit(node, &mut body)?;
                body.push(Inst::Match);
                self.programs[program].insts = body;
                out.push(Inst::Look {
                    program,
                    ahead: *ahead,
                    negate: *negate,
                });
            }
        }
        Ok(())
    }

    fn set(&mut self, set: &Set) -> usize {
        if let Some(i) = self.sets.iter().position(|s| s == set) {
            return i;
        }
        self.sets.push(set.clone());
        self.sets.len() - 1
    }

    fn set_matches(&self, set: usize, c: char) -> bool {
        self.set_contains(&self.sets[set], c)
    }

    fn set_contains(&self, set: &Set, c: char) -> bool {
        let contains = |c: char| {
            set.items.iter().any(|item| match *item {
                Item::Char(x) => x == c as u32,
                Item::Range(lo, hi) => lo <= c as u32 && c as u32 <= hi,
                Item::Class(class, negated) => class.contains(c) != negated,
                Item::Dot => set.flags.dot_all || c != '\n',
            })
        };
        let mut found = contains(c);
        if !found && set.flags.ignore_case {
            found = other_cases(c).any(contains);
        }
        found != set.negated
    }
}

/// The characters that `c` equals ignoring case (simple, one-character mappings).
fn other_cases(c: char) -> impl Iterator<Item = char> {
    fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }
    let lower = single(c.to_lowercase());
    let upper = single(c.to_uppercase());
    lower.into_iter().chain(upper).filter(move |&x| x != c)
}

fn is_word(c: char) -> bool {
    Class::Word.contains(c)
}

/// One search: the text, and the lookarounds' answers per position, computed on demand.
struct Search<'a> {
    regex: &'a Regex,
    input: &'a [char],
    /// Per program, per position: 0 unknown, 1 no, 2 yes (lookbehinds and lookaheads are
    /// different programs, so one table each).
    looks: Vec<Vec<u8>>,
}

/// Which (instruction, position) pairs a run has explored.
enum Visited {
    Dense { bits: Vec<u64>, width: usize },
    Sparse(HashSet<(usize, usize)>),
}

impl Visited {
    fn new(insts: usize, positions: usize) -> Visited {
        let cells = insts.saturating_mul(positions);
        if cells <= 1 << 26 {
            Visited::Dense {
                bits: vec![0; cells.div_ceil(64)],
                width: positions,
            }
        } else {
            Visited::Sparse(HashSet::new())
        }
    }

    /// Marks the pair; `false` when it was already marked.
    fn insert(&mut self, pc: usize, pos: usize) -> bool {
        match self {
            Visited::Dense { bits, width } => {
                let i = pc * *width + pos;
                let (word, bit) = (i / 64, 1u64 << (i % 64));
                let fresh = bits[word] & bit == 0;
                bits[word] |= bit;
                fresh
            }
            Visited::Sparse(set) => set.insert((pc, pos)),
        }
    }
}

impl Search<'_> {
    /// Whether `program` matches starting at one of `starts` (ending anywhere, or exactly at
    /// `end` when given).
    fn run(
        &mut self,
        program: usize,
        starts: impl Iterator<Item = usize>,
        end: Option<usize>,
    ) -> bool {
        let regex = self.regex;
        let insts = &regex.programs[program].insts;
        let n = self.input.len();
        let mut visited = Visited::new(insts.len(), n + 1);
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for start in starts {
            stack.push((0, start));
            while let Some((mut pc, mut pos)) = stack.pop() {
                loop {
                    if !visited.insert(pc, pos) {
                        break;
                    }
                    match insts[pc] {
                        Inst::Set(set) => {
                            if pos < n && regex.set_matches(set, self.input[pos]) {
                                pc += 1;
                                pos += 1;
                            } else {
                                break;
                            }
                        }
                        Inst::RepeatSet { set, min, max } => {
                            let mut count = 0usize;
                            let limit = max as usize;
                            while count < limit
                                && pos + count < n
                                && regex.set_matches(set, self.input[pos + count])
                            {
                                count += 1;
                            }
                            if count < min as usize {
                                break;
                            }
                            for taken in min as usize..count {
                                stack.push((pc + 1, pos + taken));
                            }
                            pc += 1;
                            pos += count;
                        }
                        Inst::Split(a, b) => {
                            stack.push((b, pos));
                            pc = a;
                        }
                        Inst::Jmp(a) => pc = a,
                        Inst::Assert(a) => {
                            if self.holds(a, pos) {
                                pc += 1;
                            } else {
                                break;
                            }
                        }
                        Inst::Look {
                            program,
                            ahead,
                            negate,
                        } => {
                            if self.look(program, ahead, pos) != negate {
                                pc += 1;
                            } else {
                                break;
                            }
                        }
                        Inst::Match => {
                            if end.is_none_or(|e| e == pos) {
                                return true;
                            }
                            break;
                        }
                    }
                }
            }
        }
        false
    }

    fn look(&mut self, program: usize, ahead: bool, pos: usize) -> bool {
        let n = self.input.len();
        if self.looks[program].is_empty() {
            self.looks[program] = vec![0; n + 1];
        }
        match self.looks[program][pos] {
            1 => return false,
            2 => return true,
            _ => {}
        }
        let found = if ahead {
            self.run(program, pos..=pos, None)
        } else {
            let earliest = match self.regex.programs[program].width {
                Some(width) => pos.saturating_sub(width),
                None => 0,
            };
            self.run(program, (earliest..=pos).rev(), Some(pos))
        };
        self.looks[program][pos] = if found { 2 } else { 1 };
        found
    }

    fn holds(&self, assertion: Assertion, pos: usize) -> bool {
        let input = self.input;
        let n = input.len();
        match assertion {
            Assertion::LineStart(multi) => pos == 0 || (multi && input[pos - 1] == '\n'),
            Assertion::LineEnd(multi) => {
                pos == n || (multi && input[pos] == '\n') || (pos + 1 == n && input[pos] == '\n')
            }
            Assertion::TextStart => pos == 0,
            Assertion::TextEnd => pos == n,
            Assertion::WordBoundary | Assertion::NotWordBoundary => {
                let before = pos > 0 && is_word(input[pos - 1]);
                let after = pos < n && is_word(input[pos]);
                (before != after) == (assertion == Assertion::WordBoundary)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .is_match(t)
    }

    #[test]
    fn python_regex_dialect() {
        assert!(m(r"^[a-z[]+$", "a[b"), "`[` is a literal inside a class");
        assert!(m(r"^a$", "a\n"), "`$` before a final newline");
        assert!(!m(r"^a\Z", "a\n"), "`\\Z` is the very end");
        assert!(m(r"^(?!(?i)aws)x", "x"));
        assert!(
            !m(r"^(?!(?i)aws)", "AWS"),
            "an inline flag anywhere applies everywhere"
        );
        assert!(m(r"[\w-x]", "-"), "`-` after a class escape is a literal");
        assert!(m(r"^a{,2}$", "aa") && !m(r"^a{,2}$", "aaa"));
        assert!(
            m(r"^a{x}$", "a{x}"),
            "a `{{` that is not a count is a literal"
        );
        assert!(m(r"^\p{L}+$", "Grüße") && !m(r"^\p{L}+$", "a1"));
        assert!(m(r"^\d+$", "١٢٣"), "`\\d` is Unicode decimal digits");
        assert!(m(r"(?s)^.+$", "a\nb") && !m(r"^.+$", "a\nb"));
        assert!(m(r"\bfoo\b", "a foo b") && !m(r"\bfoo\b", "afoob"));
        assert!(m(r"^(?<!-)a", "a"));
        assert!(m(r"^ab(?<=a\w)$", "ab") && !m(r"^ab(?<!b)$", "ab"));
        assert!(
            !m(r"^x(?<=\wx)$", "x"),
            "a lookbehind does not look before the text"
        );
    }

    #[test]
    fn refused_constructs_are_errors() {
        for p in [
            r"(a)\1",
            r"a++",
            r"(?>a)",
            r"(?i:a)",
            r"[[:alpha:]]",
            r"a**",
            r"*a",
            r"(a",
        ] {
            assert!(Regex::new(p).is_err(), "{p}");
        }
    }

    #[test]
    fn no_catastrophic_backtracking() {
        let text = "a".repeat(5_000) + "!";
        assert!(!m(r"^(a+)+$", &text));
        assert!(!m(r"^(a|aa)*$", &text));
        assert!(!m(r"^(?:a*)*b", &text));
    }
}
