//! The parser: a schema pattern (Python `regex` module syntax, version 0) into a [`Node`] tree.

use super::{PatternError, unicode};

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// Matches the empty string.
    Empty,
    /// One character of a set.
    Set(Set),
    /// Each in turn.
    Concat(Vec<Node>),
    /// The first that leads to a match.
    Alt(Vec<Node>),
    /// `min` to `max` (unbounded: `None`) repetitions. Greedy and lazy repetition accept the
    /// same texts, and the engine only answers whether a text matches.
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
    /// A zero-width assertion.
    Assert(Assertion),
    /// A lookaround: `(?=..)`, `(?!..)`, `(?<=..)`, `(?<!..)`.
    Look {
        ahead: bool,
        negate: bool,
        node: Box<Node>,
    },
}

impl Node {
    /// The most characters the node can match, or `None` when unbounded.
    pub(super) fn width(&self) -> Option<usize> {
        match self {
            Node::Empty | Node::Assert(_) | Node::Look { .. } => Some(0),
            Node::Set(_) => Some(1),
            Node::Concat(nodes) => nodes
                .iter()
                .try_fold(0usize, |sum, n| sum.checked_add(n.width()?)),
            Node::Alt(nodes) => nodes
                .iter()
                .try_fold(0usize, |most, n| Some(most.max(n.width()?))),
            Node::Repeat { node, max, .. } => {
                node.width()?.checked_mul(usize::try_from((*max)?).ok()?)
            }
        }
    }
}

/// A zero-width assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Assertion {
    /// `^`: the start (and, multi-line — `true` — after a newline).
    LineStart(bool),
    /// `$`: the end or before a final newline (multi-line — `true` — before any newline).
    LineEnd(bool),
    /// `\A`: the start of the text.
    TextStart,
    /// `\Z`: the end of the text.
    TextEnd,
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

/// A set of characters: a literal, a class `[..]`, an escape like `\d`, or `.`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Set {
    pub(super) items: Vec<Item>,
    pub(super) negated: bool,
    /// The flags in force where the set stands (`i` and `s` change what it matches).
    pub(super) flags: Flags,
}

/// One member of a [`Set`].
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    /// One character, as a code point (a pattern may name a surrogate, which no Rust
    /// string holds).
    Char(u32),
    /// An inclusive range of code points.
    Range(u32, u32),
    /// A named class, possibly negated (`\D`, `\P{C}`).
    Class(Class, bool),
    /// `.`: any character but a newline, or any at all with the `s` flag.
    Dot,
}

/// The named classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Word,
    Digit,
    Space,
    Ascii,
    Table(&'static [(u32, u32)]),
}

impl Class {
    /// The class's code point ranges, sorted (`None` for [`Class::Ascii`]: all of ASCII).
    pub(super) fn table(self) -> Option<&'static [(u32, u32)]> {
        match self {
            Class::Ascii => None,
            Class::Word => Some(unicode::WORD),
            Class::Digit => Some(unicode::DIGIT),
            Class::Space => Some(unicode::SPACE),
            Class::Table(t) => Some(t),
        }
    }

    pub(super) fn contains(self, c: char) -> bool {
        let Some(table) = self.table() else {
            return c.is_ascii();
        };
        let c = c as u32;
        table
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }
}

/// The flags a pattern sets with `(?i)`, `(?s)`, `(?m)`. In the `regex` module (cfn-lint's)
/// an inline flag applies from where it stands to the end of the group around it (across
/// that group's later alternatives), or of the pattern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Flags {
    pub(super) ignore_case: bool,
    pub(super) dot_all: bool,
    pub(super) multi_line: bool,
}

/// Parses `source`.
pub(super) fn parse(source: &str) -> Result<Node, PatternError> {
    let mut p = Parser {
        chars: source.chars().collect(),
        pos: 0,
        flags: Flags::default(),
    };
    let node = p.alternation()?;
    if p.pos < p.chars.len() {
        // only a `)` stops an alternation early
        return Err(p.error("unbalanced parenthesis"));
    }
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
}

impl Parser {
    fn literal(&self, c: u32) -> Node {
        Node::Set(Set {
            items: vec![Item::Char(c)],
            negated: false,
            flags: self.flags,
        })
    }

    fn error(&self, message: &str) -> PatternError {
        PatternError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn unsupported(&self, what: &str) -> PatternError {
        PatternError {
            offset: self.pos,
            message: format!("{what} is not supported"),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> Result<char, PatternError> {
        let c = self
            .peek()
            .ok_or_else(|| self.error("unexpected end of pattern"))?;
        self.pos += 1;
        Ok(c)
    }

    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concatenation()?];
        while self.eat('|') {
            branches.push(self.concatenation()?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn concatenation(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let Some(atom) = self.atom()? else {
                continue; // a comment or a flag group
            };
            let atom = self.quantified(atom)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    /// A quantifier after `atom`, if any.
    fn quantified(&mut self, atom: Node) -> Result<Node, PatternError> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.pos += 1;
                (0, None)
            }
            Some('+') => {
                self.pos += 1;
                (1, None)
            }
            Some('?') => {
                self.pos += 1;
                (0, Some(1))
            }
            Some('{') => match self.counted()? {
                Some(bounds) => bounds,
                None => return Ok(atom), // a literal `{`, read as the next atom
            },
            _ => return Ok(atom),
        };
        if self.eat('+') {
            return Err(self.unsupported("a possessive quantifier"));
        }
        self.eat('?'); // lazy: accepts the same texts
        if matches!(self.peek(), Some('*' | '+' | '?')) || self.counted_follows() {
            return Err(self.error("multiple repeat"));
        }
        if let Some(max) = max
            && max < min
        {
            return Err(self.error("min repeat greater than max repeat"));
        }
        if matches!(atom, Node::Assert(_) | Node::Look { .. }) {
            // repeating a zero-width assertion (`regex` allows `${1,128}`): once is as good as
            // many, and none always succeeds
            return Ok(if min == 0 { Node::Empty } else { atom });
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn counted_follows(&mut self) -> bool {
        let save = self.pos;
        let found = matches!(self.counted(), Ok(Some(_)));
        self.pos = save;
        found
    }

    /// `{n}`, `{n,}`, `{,m}`, `{n,m}`; `None` (and nothing consumed) when the `{` is a
    /// literal.
    fn counted(&mut self) -> Result<Option<(u32, Option<u32>)>, PatternError> {
        let save = self.pos;
        self.pos += 1; // `{`
        let min = self.number()?;
        let bounds = if self.eat(',') {
            let max = self.number()?;
            Some((min.unwrap_or(0), max))
        } else {
            min.map(|n| (n, Some(n)))
        };
        match bounds {
            Some(b) if self.eat('}') => Ok(Some(b)),
            _ => {
                self.pos = save;
                Ok(None)
            }
        }
    }

    fn number(&mut self) -> Result<Option<u32>, PatternError> {
        let mut value: Option<u32> = None;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.pos += 1;
            let v = value
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .filter(|v| *v <= 1_000_000)
                .ok_or_else(|| self.error("repeat count too large"))?;
            value = Some(v);
        }
        Ok(value)
    }

    /// One atom, or `None` for something that matches nothing in place (a flag group or a
    /// comment).
    fn atom(&mut self) -> Result<Option<Node>, PatternError> {
        let c = self.next()?;
        let node = match c {
            '(' => return self.group(),
            '[' => Node::Set(self.class()?),
            '.' => Node::Set(Set {
                items: vec![Item::Dot],
                negated: false,
                flags: self.flags,
            }),
            '^' => Node::Assert(Assertion::LineStart(self.flags.multi_line)),
            '$' => Node::Assert(Assertion::LineEnd(self.flags.multi_line)),
            '\\' => self.escape()?,
            '*' | '+' | '?' => {
                self.pos -= 1;
                return Err(self.error("nothing to repeat"));
            }
            '{' => {
                self.pos -= 1;
                if self.counted_follows() {
                    return Err(self.error("nothing to repeat"));
                }
                self.pos += 1;
                self.literal('{' as u32)
            }
            c => self.literal(c as u32),
        };
        Ok(Some(node))
    }

    fn group(&mut self) -> Result<Option<Node>, PatternError> {
        if !self.eat('?') {
            return self.group_body().map(Some);
        }
        let c = self.next()?;
        match c {
            ':' => self.group_body().map(Some),
            '=' | '!' => {
                let node = self.group_body()?;
                Ok(Some(Node::Look {
                    ahead: true,
                    negate: c == '!',
                    node: Box::new(node),
                }))
            }
            '<' if matches!(self.peek(), Some('=' | '!')) => {
                let negate = self.next()? == '!';
                let node = self.group_body()?;
                Ok(Some(Node::Look {
                    ahead: false,
                    negate,
                    node: Box::new(node),
                }))
            }
            '<' => {
                self.group_name('>')?;
                self.group_body().map(Some)
            }
            'P' if self.eat('<') => {
                self.group_name('>')?;
                self.group_body().map(Some)
            }
            'P' => Err(self.unsupported("a named backreference")),
            '#' => {
                while self.next()? != ')' {}
                Ok(None)
            }
            '>' => Err(self.unsupported("an atomic group")),
            c if c.is_ascii_alphabetic() || c == '-' => {
                self.pos -= 1;
                self.flag_group()
            }
            _ => Err(self.error("unknown extension")),
        }
    }

    fn group_name(&mut self, end: char) -> Result<(), PatternError> {
        let mut any = false;
        loop {
            let c = self.next()?;
            if c == end && any {
                return Ok(());
            }
            if !(c.is_alphanumeric() || c == '_') {
                return Err(self.error("bad group name"));
            }
            any = true;
        }
    }

    /// `(?flags)`: in force up to the end of the enclosing group (see [`Flags`]).
    fn flag_group(&mut self) -> Result<Option<Node>, PatternError> {
        loop {
            match self.next()? {
                'i' => self.flags.ignore_case = true,
                's' => self.flags.dot_all = true,
                'm' => self.flags.multi_line = true,
                ')' => return Ok(None),
                ':' | '-' => return Err(self.unsupported("a scoped flag group")),
                _ => return Err(self.unsupported("this inline flag")),
            }
        }
    }

    /// The inside of a group up to its `)`.
    fn group_body(&mut self) -> Result<Node, PatternError> {
        let outer = self.flags;
        let node = self.alternation()?;
        self.flags = outer;
        if !self.eat(')') {
            return Err(self.error("missing ), unterminated subpattern"));
        }
        Ok(node)
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Result<Node, PatternError> {
        let c = self.next()?;
        let flags = self.flags;
        let class = |class, negated| {
            Node::Set(Set {
                items: vec![Item::Class(class, negated)],
                negated: false,
                flags,
            })
        };
        Ok(match c {
            'A' => Node::Assert(Assertion::TextStart),
            'Z' => Node::Assert(Assertion::TextEnd),
            'b' => Node::Assert(Assertion::WordBoundary),
            'B' => Node::Assert(Assertion::NotWordBoundary),
            'd' => class(Class::Digit, false),
            'D' => class(Class::Digit, true),
            'w' => class(Class::Word, false),
            'W' => class(Class::Word, true),
            's' => class(Class::Space, false),
            'S' => class(Class::Space, true),
            'p' | 'P' => {
                let (cls, negated) = self.property(c == 'P')?;
                class(cls, negated)
            }
            '1'..='9' => return Err(self.unsupported("a backreference")),
            'g' if self.peek() == Some('<') => return Err(self.unsupported("a backreference")),
            '0' => {
                let c = self.octal('0')?;
                self.literal(c)
            }
            c => {
                let c = self.char_escape(c)?;
                self.literal(c)
            }
        })
    }

    /// The character an escape stands for (shared by classes and the rest).
    fn char_escape(&mut self, c: char) -> Result<u32, PatternError> {
        Ok(match c {
            'n' => 0x0A,
            't' => 0x09,
            'r' => 0x0D,
            'f' => 0x0C,
            'v' => 0x0B,
            'a' => 0x07,
            'x' => self.hex(2)?,
            'u' => self.hex(4)?,
            'U' => self.hex(8)?,
            // letters the `regex` module gives a meaning this engine does not implement
            'G' | 'K' | 'L' | 'M' | 'N' | 'R' | 'X' | 'm' | 'z' => {
                return Err(self.unsupported(&format!("the escape \\{c}")));
            }
            // any other escaped character stands for itself (`\g` included, as in `regex`)
            c => c as u32,
        })
    }

    fn octal(&mut self, first: char) -> Result<u32, PatternError> {
        let mut value = first.to_digit(8).unwrap_or(0);
        for _ in 0..2 {
            match self.peek().and_then(|c| c.to_digit(8)) {
                Some(d) => {
                    self.pos += 1;
                    value = value * 8 + d;
                }
                None => break,
            }
        }
        Ok(value)
    }

    fn hex(&mut self, digits: usize) -> Result<u32, PatternError> {
        let mut value = 0u32;
        for _ in 0..digits {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error("incomplete escape"))?;
            self.pos += 1;
            value = value * 16 + d;
        }
        if value > 0x10_FFFF {
            return Err(self.error("bad escape: beyond Unicode"));
        }
        Ok(value)
    }

    /// `\p{..}` / `\P{..}` after the letter.
    fn property(&mut self, negated: bool) -> Result<(Class, bool), PatternError> {
        if !self.eat('{') {
            return Err(self.unsupported("a one-letter \\p property"));
        }
        let mut name = String::new();
        loop {
            match self.next()? {
                '}' => break,
                c => name.push(c),
            }
        }
        let class = match name.as_str() {
            "L" => Class::Table(unicode::LETTER),
            "M" => Class::Table(unicode::MARK),
            "N" => Class::Table(unicode::NUMBER),
            "P" => Class::Table(unicode::PUNCTUATION),
            "S" => Class::Table(unicode::SYMBOL),
            "Z" => Class::Table(unicode::SEPARATOR),
            "Zs" => Class::Table(unicode::SPACE_SEPARATOR),
            "C" => Class::Table(unicode::OTHER),
            "Graph" => Class::Table(unicode::GRAPH),
            "Print" => Class::Table(unicode::PRINT),
            "ASCII" => Class::Ascii,
            _ => return Err(self.unsupported(&format!("the property \\p{{{name}}}"))),
        };
        Ok((class, negated))
    }

    /// A class after its `[`.
    fn class(&mut self) -> Result<Set, PatternError> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self
                .next()
                .map_err(|_| self.error("unterminated character set"))?;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                let rest: String = self.chars[self.pos..].iter().take(12).collect();
                if rest.find(":]").is_some_and(|end| {
                    end > 1 && rest[1..end].chars().all(|c| c.is_ascii_alphabetic())
                }) {
                    return Err(self.unsupported("a POSIX class"));
                }
            }
            let item = if c == '\\' {
                self.class_escape()?
            } else {
                Item::Char(c as u32)
            };
            // a range `a-z`, unless the `-` ends the class or an end is a class escape
            if let Item::Char(lo) = item
                && self.peek() == Some('-')
                && self.peek_at(1).is_some_and(|c| c != ']')
            {
                let save = self.pos;
                self.pos += 1;
                let c = self.next()?;
                let hi = if c == '\\' {
                    self.class_escape()?
                } else {
                    Item::Char(c as u32)
                };
                if let Item::Char(hi) = hi {
                    if hi < lo {
                        self.pos = save;
                        return Err(self.error("bad character range"));
                    }
                    items.push(Item::Range(lo, hi));
                    continue;
                }
                // `a-\d`: the `-` is a literal
                items.push(Item::Char(lo));
                items.push(Item::Char('-' as u32));
                items.push(hi);
                continue;
            }
            items.push(item);
        }
        Ok(Set {
            items,
            negated,
            flags: self.flags,
        })
    }

    fn class_escape(&mut self) -> Result<Item, PatternError> {
        let c = self.next()?;
        Ok(match c {
            'd' => Item::Class(Class::Digit, false),
            'D' => Item::Class(Class::Digit, true),
            'w' => Item::Class(Class::Word, false),
            'W' => Item::Class(Class::Word, true),
            's' => Item::Class(Class::Space, false),
            'S' => Item::Class(Class::Space, true),
            'p' | 'P' => {
                let (cls, negated) = self.property(c == 'P')?;
                Item::Class(cls, negated)
            }
            'b' => Item::Char(0x08),
            '0'..='7' => Item::Char(self.octal(c)?),
            'A' | 'Z' | 'B' => return Err(self.error("bad escape in a character set")),
            c => Item::Char(self.char_escape(c)?),
        })
    }
}
