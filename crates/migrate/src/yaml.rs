//! A reader for the YAML that CloudFormation templates are written in, into the JSON document
//! it stands for: block and flow collections, plain, quoted and block scalars (`|`, `>`, with
//! chomping and indentation indicators), comments, anchors and aliases, and the short-form
//! intrinsic tags (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B`, `!Sub`, `!If [..]`, ...; any
//! other `!Name` → `{"Fn::Name": ..}`, which the template reader then judges).
//!
//! Plain scalars are typed as CloudFormation's YAML reader types them: `true`/`false`,
//! `null`/`~`, decimal integers, decimals with a point; everything else is a string (dates
//! and version numbers such as `2010-09-09` stay strings). Errors name the line and column.

use std::collections::HashMap;

use serde_json::{Map, Number, Value as Json};

use crate::error::Error;

/// Parses a YAML template into the JSON document it stands for.
pub fn parse(file: &str, text: &str) -> Result<Json, Error> {
    let mut p = Parser {
        file,
        s: text.chars().collect(),
        pos: 0,
        anchors: HashMap::new(),
    };
    p.skip_directives()?;
    p.skip_space_lines();
    if p.at_end() || p.at_document_end() {
        return Err(p.error("the document is empty"));
    }
    let col = p.col();
    let v = p.block_node(col, -1)?;
    p.skip_space_lines();
    if p.at_document_end() {
        p.pos += 3;
        p.skip_space_lines();
    }
    if !p.at_end() {
        return Err(
            p.error("unexpected content after the document (is it indented as its parent?)")
        );
    }
    Ok(v)
}

struct Parser<'a> {
    file: &'a str,
    s: Vec<char>,
    pos: usize,
    anchors: HashMap<String, Json>,
}

/// The short-form tags whose function is not `Fn::<tag>`.
fn tag_key(tag: &str) -> String {
    match tag {
        "Ref" | "Condition" => tag.to_owned(),
        other => format!("Fn::{other}"),
    }
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> Error {
        let before = &self.s[..pos.min(self.s.len())];
        let line = before.iter().filter(|&&c| c == '\n').count() + 1;
        let column = before.iter().rev().take_while(|&&c| c != '\n').count() + 1;
        Error::Syntax {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.s.get(self.pos + n).copied()
    }

    /// The column (0-based) of the current position.
    fn col(&self) -> usize {
        self.s[..self.pos]
            .iter()
            .rev()
            .take_while(|&&c| c != '\n')
            .count()
    }

    fn at_line_start(&self) -> bool {
        self.pos == 0 || self.s.get(self.pos - 1) == Some(&'\n')
    }

    fn at_document_end(&self) -> bool {
        self.at_line_start()
            && self.s[self.pos..].starts_with(&['.', '.', '.'])
            && matches!(self.peek_at(3), None | Some(' ' | '\t' | '\r' | '\n'))
    }

    fn at_document_start(&self) -> bool {
        self.at_line_start()
            && self.s[self.pos..].starts_with(&['-', '-', '-'])
            && matches!(self.peek_at(3), None | Some(' ' | '\t' | '\r' | '\n'))
    }

    /// `%` directives and the first `---`.
    fn skip_directives(&mut self) -> Result<(), Error> {
        if self.peek() == Some('\u{feff}') {
            self.pos += 1;
        }
        loop {
            self.skip_space_lines();
            if self.at_line_start() && self.peek() == Some('%') {
                self.skip_to_eol();
            } else if self.at_document_start() {
                self.pos += 3;
                self.skip_inline_space();
                // content may follow `---` on its line
                return Ok(());
            } else {
                return Ok(());
            }
        }
    }

    fn skip_to_eol(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.pos += 1;
        }
    }

    fn skip_inline_space(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r')) {
            self.pos += 1;
        }
    }

    /// Spaces, comments and line breaks, up to the next content.
    fn skip_space_lines(&mut self) {
        loop {
            self.skip_inline_space();
            match self.peek() {
                Some('#') => self.skip_to_eol(),
                Some('\n') => self.pos += 1,
                _ => return,
            }
        }
    }

    /// After a value on a line: spaces and a comment, then the line break (or the end).
    fn end_of_line(&mut self) -> Result<(), Error> {
        self.skip_inline_space();
        if self.peek() == Some('#') {
            self.skip_to_eol();
        }
        match self.peek() {
            None | Some('\n') => Ok(()),
            Some(c) => Err(self.error(format!("unexpected `{c}` after a value"))),
        }
    }

    /// Whether the content at the position is a `- ` sequence entry.
    fn at_seq_entry(&self) -> bool {
        self.peek() == Some('-') && matches!(self.peek_at(1), None | Some(' ' | '\t' | '\r' | '\n'))
    }

    /// A block node whose first token is at the position, in column `col`; `parent` is the
    /// indentation of the collection holding it (`-1` at the top).
    fn block_node(&mut self, col: usize, parent: i64) -> Result<Json, Error> {
        if self.at_seq_entry() {
            return self.block_seq(col);
        }
        let (anchor, tag) = self.properties()?;
        let start = self.pos;
        let v = if tag.is_some() || anchor.is_some() {
            // the node after the properties: on this line, or a block on the next lines
            self.skip_inline_space();
            if matches!(self.peek(), None | Some('\n' | '#')) {
                self.skip_space_lines();
                let c = self.col() as i64;
                if self.at_end() || self.at_document_end() || c <= parent {
                    Json::Null
                } else {
                    let c = self.col();
                    self.block_node(c, parent)?
                }
            } else {
                let c = self.col();
                self.block_node(c, parent)?
            }
        } else if self.at_key() {
            self.block_map(col)?
        } else {
            self.inline_value(parent)?
        };
        let v = self.apply(tag, v, start)?;
        if let Some(a) = anchor {
            self.anchors.insert(a, v.clone());
        }
        Ok(v)
    }

    /// `&anchor` and `!tag` before a node.
    fn properties(&mut self) -> Result<(Option<String>, Option<String>), Error> {
        let mut anchor = None;
        let mut tag = None;
        loop {
            match self.peek() {
                Some('&') if anchor.is_none() => {
                    self.pos += 1;
                    anchor = Some(self.name("an anchor")?);
                }
                Some('!') if tag.is_none() => {
                    self.pos += 1;
                    let bang = self.peek() == Some('!');
                    if bang {
                        self.pos += 1;
                    }
                    let name = self.name("a tag")?;
                    tag = Some(if bang { format!("!!{name}") } else { name });
                }
                _ => return Ok((anchor, tag)),
            }
            self.skip_inline_space();
        }
    }

    fn name(&mut self, what: &str) -> Result<String, Error> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || ",[]{}".contains(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error(format!("{what} needs a name")));
        }
        Ok(self.s[start..self.pos].iter().collect())
    }

    /// `v` under `tag`: an intrinsic function, or a core tag.
    fn apply(&self, tag: Option<String>, v: Json, at: usize) -> Result<Json, Error> {
        let Some(tag) = tag else {
            return Ok(v);
        };
        match tag.as_str() {
            "!!str" => Ok(match v {
                Json::String(s) => Json::String(s),
                Json::Null => Json::String(String::new()),
                other => Json::String(other.to_string()),
            }),
            "!!map" | "!!seq" => Ok(v),
            t if t.starts_with("!!") => {
                Err(self.error_at(at, format!("the tag `{t}` is not supported in a template")))
            }
            t => {
                let mut m = Map::new();
                // `!GetAZs` with nothing after it is `Fn::GetAZs: ""`
                let v = if v.is_null() {
                    Json::String(String::new())
                } else {
                    v
                };
                m.insert(tag_key(t), v);
                Ok(Json::Object(m))
            }
        }
    }

    /// Whether a `key:` starts at the position (on this line).
    fn at_key(&self) -> bool {
        let mut i = self.pos;
        match self.s.get(i) {
            Some('"' | '\'') => {
                let q = self.s[i];
                i += 1;
                while let Some(&c) = self.s.get(i) {
                    if c == '\n' {
                        return false;
                    }
                    if c == '\\' && q == '"' {
                        i += 2;
                        continue;
                    }
                    if c == q {
                        if q == '\'' && self.s.get(i + 1) == Some(&'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                while matches!(self.s.get(i), Some(' ' | '\t')) {
                    i += 1;
                }
                self.s.get(i) == Some(&':')
                    && matches!(self.s.get(i + 1), None | Some(' ' | '\t' | '\r' | '\n'))
            }
            Some('[' | '{' | '|' | '>' | '#' | '&' | '*' | '!' | '%' | '@' | '`') | None => false,
            _ => {
                while let Some(&c) = self.s.get(i) {
                    if c == '\n' {
                        return false;
                    }
                    if c == '#' && matches!(self.s.get(i.wrapping_sub(1)), Some(' ' | '\t')) {
                        return false;
                    }
                    if c == ':'
                        && matches!(self.s.get(i + 1), None | Some(' ' | '\t' | '\r' | '\n'))
                    {
                        return true;
                    }
                    i += 1;
                }
                false
            }
        }
    }

    fn block_map(&mut self, col: usize) -> Result<Json, Error> {
        let mut m = Map::new();
        loop {
            let key_at = self.pos;
            let key = match self.peek() {
                Some('"') => self.double_quoted()?,
                Some('\'') => self.single_quoted()?,
                _ => {
                    let start = self.pos;
                    while !(self.peek() == Some(':')
                        && matches!(self.peek_at(1), None | Some(' ' | '\t' | '\r' | '\n')))
                    {
                        self.pos += 1;
                    }
                    self.s[start..self.pos]
                        .iter()
                        .collect::<String>()
                        .trim_end()
                        .to_owned()
                }
            };
            self.skip_inline_space();
            if self.peek() != Some(':') {
                return Err(self.error("expected `:` after a mapping key"));
            }
            self.pos += 1;
            if m.contains_key(&key) {
                return Err(self.error_at(
                    key_at,
                    format!("the key `{key}` appears twice in this mapping"),
                ));
            }
            let value = self.map_value(col)?;
            m.insert(key, value);
            self.skip_space_lines();
            if self.at_end() || self.at_document_end() {
                break;
            }
            let c = self.col();
            if c < col {
                break;
            }
            if c > col {
                return Err(self.error("this line is indented more than the mapping it is in"));
            }
            if !self.at_key() {
                return Err(self.error(if self.at_seq_entry() {
                    "a sequence entry where a mapping key belongs"
                } else {
                    "expected a `key: value` line"
                }));
            }
        }
        Ok(Json::Object(m))
    }

    /// The value after `key:` of a mapping at column `col`.
    fn map_value(&mut self, col: usize) -> Result<Json, Error> {
        self.skip_inline_space();
        if matches!(self.peek(), None | Some('\n' | '#')) {
            // on the next lines: deeper, or a sequence at the key's own column
            let save = self.pos;
            self.skip_space_lines();
            if self.at_end() || self.at_document_end() {
                return Ok(Json::Null);
            }
            let c = self.col();
            if c > col || (c == col && self.at_seq_entry()) {
                return self.block_node(c, col as i64);
            }
            self.pos = save;
            return Ok(Json::Null);
        }
        if self.at_key() {
            return Err(
                self.error("a mapping cannot start on the line of its key (quote the value)")
            );
        }
        let c = self.col();
        self.block_node(c, col as i64)
    }

    fn block_seq(&mut self, col: usize) -> Result<Json, Error> {
        let mut items = Vec::new();
        loop {
            // at `-`
            self.pos += 1;
            self.skip_inline_space();
            let item = if matches!(self.peek(), None | Some('\n' | '#')) {
                self.skip_space_lines();
                let c = self.col();
                if self.at_end() || self.at_document_end() || c <= col {
                    Json::Null
                } else {
                    self.block_node(c, col as i64)?
                }
            } else {
                let c = self.col();
                self.block_node(c, col as i64)?
            };
            items.push(item);
            self.skip_space_lines();
            if self.at_end() || self.at_document_end() {
                break;
            }
            let c = self.col();
            if c < col || (c == col && !self.at_seq_entry()) {
                break;
            }
            if c > col || !self.at_seq_entry() {
                return Err(self.error("expected a `- ` sequence entry at this indentation"));
            }
        }
        Ok(Json::Array(items))
    }

    /// A value that starts on this line: flow collection, quoted, block or plain scalar, or
    /// an alias. `parent` is the indentation of the enclosing block.
    fn inline_value(&mut self, parent: i64) -> Result<Json, Error> {
        let v = match self.peek() {
            Some('[' | '{') => {
                let v = self.flow_node()?;
                self.end_of_line()?;
                v
            }
            Some('"') => {
                let v = Json::String(self.double_quoted()?);
                self.end_of_line()?;
                v
            }
            Some('\'') => {
                let v = Json::String(self.single_quoted()?);
                self.end_of_line()?;
                v
            }
            Some('|' | '>') => Json::String(self.block_scalar(parent)?),
            Some('*') => {
                self.pos += 1;
                let at = self.pos;
                let name = self.name("an alias")?;
                let v = self.anchors.get(&name).cloned().ok_or_else(|| {
                    self.error_at(at, format!("the alias `*{name}` names no anchor before it"))
                })?;
                self.end_of_line()?;
                v
            }
            Some(c @ ('@' | '`')) => {
                return Err(self.error(format!("a plain value cannot start with `{c}`")));
            }
            _ => {
                let text = self.plain_block(parent)?;
                typed_plain(&text)
            }
        };
        Ok(v)
    }

    /// A plain scalar in block context, folded over more-indented continuation lines.
    fn plain_block(&mut self, parent: i64) -> Result<String, Error> {
        let mut text = self.plain_line();
        loop {
            let save = self.pos;
            // continuation: the next non-empty line is deeper than the parent and is not a
            // comment
            let mut blank_lines = 0;
            self.skip_inline_space();
            if self.peek() != Some('\n') {
                self.pos = save;
                break;
            }
            self.pos += 1;
            loop {
                self.skip_inline_space();
                if self.peek() == Some('\n') {
                    blank_lines += 1;
                    self.pos += 1;
                } else {
                    break;
                }
            }
            let c = self.col() as i64;
            if self.at_end()
                || c <= parent
                || matches!(self.peek(), Some('#'))
                || self.at_document_end()
                || self.at_document_start()
            {
                self.pos = save;
                break;
            }
            if self.at_key() || self.at_seq_entry() {
                return Err(self.error("this line is indented more than the mapping it is in"));
            }
            let line = self.plain_line();
            if line.is_empty() {
                self.pos = save;
                break;
            }
            if blank_lines > 0 {
                text.push_str(&"\n".repeat(blank_lines));
            } else {
                text.push(' ');
            }
            text.push_str(&line);
        }
        Ok(text)
    }

    /// The rest of a plain scalar on this line (up to ` #` or the line's end), trimmed.
    fn plain_line(&mut self) -> String {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == '\n'
                || (c == '#' && matches!(self.s.get(self.pos.wrapping_sub(1)), Some(' ' | '\t')))
            {
                break;
            }
            self.pos += 1;
        }
        let text: String = self.s[start..self.pos].iter().collect();
        if self.peek() == Some('#') {
            self.skip_to_eol();
        }
        text.trim().to_owned()
    }

    fn double_quoted(&mut self) -> Result<String, Error> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error_at(open, "a double-quoted string is not closed"));
            };
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.error_at(open, "a double-quoted string is not closed"));
                    };
                    self.pos += 1;
                    let simple = match e {
                        '0' => Some('\0'),
                        'a' => Some('\u{7}'),
                        'b' => Some('\u{8}'),
                        't' | '\t' => Some('\t'),
                        'n' => Some('\n'),
                        'v' => Some('\u{b}'),
                        'f' => Some('\u{c}'),
                        'r' => Some('\r'),
                        'e' => Some('\u{1b}'),
                        ' ' => Some(' '),
                        '"' => Some('"'),
                        '/' => Some('/'),
                        '\\' => Some('\\'),
                        'N' => Some('\u{85}'),
                        '_' => Some('\u{a0}'),
                        'L' => Some('\u{2028}'),
                        'P' => Some('\u{2029}'),
                        _ => None,
                    };
                    if let Some(ch) = simple {
                        out.push(ch);
                        continue;
                    }
                    let digits = match e {
                        'x' => 2,
                        'u' => 4,
                        'U' => 8,
                        '\n' => {
                            // an escaped line break: the break and the next line's
                            // indentation vanish
                            self.skip_inline_space();
                            continue;
                        }
                        _ => {
                            return Err(
                                self.error_at(self.pos - 2, format!("`\\{e}` is not an escape"))
                            );
                        }
                    };
                    let hex: String = self.s[self.pos..(self.pos + digits).min(self.s.len())]
                        .iter()
                        .collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == digits)
                        .and_then(char::from_u32)
                        .ok_or_else(|| {
                            self.error_at(self.pos - 2, format!("`\\{e}{hex}` is not a character"))
                        })?;
                    self.pos += digits;
                    out.push(ch);
                }
                '\n' => self.fold_break(&mut out),
                c => out.push(c),
            }
        }
    }

    fn single_quoted(&mut self) -> Result<String, Error> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error_at(open, "a single-quoted string is not closed"));
            };
            self.pos += 1;
            match c {
                '\'' if self.peek() == Some('\'') => {
                    self.pos += 1;
                    out.push('\'');
                }
                '\'' => return Ok(out),
                '\n' => self.fold_break(&mut out),
                c => out.push(c),
            }
        }
    }

    /// A line break inside a quoted scalar: trailing spaces dropped, the break folded into a
    /// space (or kept, once per empty line), the next line's indentation dropped.
    fn fold_break(&mut self, out: &mut String) {
        while out.ends_with([' ', '\t']) {
            out.pop();
        }
        let mut empty = 0;
        loop {
            self.skip_inline_space();
            if self.peek() == Some('\n') {
                empty += 1;
                self.pos += 1;
            } else {
                break;
            }
        }
        if empty == 0 {
            out.push(' ');
        } else {
            out.push_str(&"\n".repeat(empty));
        }
    }

    /// `|` or `>` with its indicators, and the indented lines after it.
    fn block_scalar(&mut self, parent: i64) -> Result<String, Error> {
        let literal = self.peek() == Some('|');
        self.pos += 1;
        let mut chomp = 'c';
        let mut indent: Option<usize> = None;
        for _ in 0..2 {
            match self.peek() {
                Some(c @ ('-' | '+')) => {
                    chomp = c;
                    self.pos += 1;
                }
                Some(c @ '1'..='9') => {
                    indent = Some(c as usize - '0' as usize);
                    self.pos += 1;
                }
                _ => {}
            }
        }
        self.end_of_line()?;
        if self.peek() == Some('\n') {
            self.pos += 1;
        }
        let base = (parent + 1).max(0) as usize;
        // the lines, up to the first non-empty line indented at most `parent`
        let mut lines: Vec<String> = Vec::new();
        let mut content_indent = indent.map(|i| (parent.max(0) as usize) + i);
        loop {
            if self.at_end() {
                break;
            }
            let line_start = self.pos;
            let mut spaces = 0;
            while self.peek() == Some(' ') {
                spaces += 1;
                self.pos += 1;
            }
            let rest_empty = matches!(self.peek(), None | Some('\n'))
                || (self.peek() == Some('\r') && self.peek_at(1) == Some('\n'));
            if rest_empty {
                lines.push(String::new());
                self.skip_to_eol();
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
                continue;
            }
            let ci = *content_indent.get_or_insert(spaces.max(base));
            if spaces < ci || spaces < base || self.at_document_end_from(line_start) {
                self.pos = line_start;
                break;
            }
            self.pos = line_start + ci;
            let start = self.pos;
            self.skip_to_eol();
            let mut text: String = self.s[start..self.pos].iter().collect();
            if text.ends_with('\r') {
                text.pop();
            }
            lines.push(text);
            if self.peek() == Some('\n') {
                self.pos += 1;
            }
        }
        // trailing empty lines belong to the chomping
        let mut trailing = 0;
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
            trailing += 1;
        }
        // leave the position at the start of the line that ended the scalar
        if self.pos > 0 && self.s.get(self.pos - 1) == Some(&'\n') {
            self.pos -= 1;
        }
        let mut out = String::new();
        if literal {
            out = lines.join("\n");
        } else {
            let mut prev_more = false;
            for (i, l) in lines.iter().enumerate() {
                let more = l.starts_with([' ', '\t']);
                if i > 0 {
                    let prev_empty = lines[i - 1].is_empty();
                    if l.is_empty() || more || prev_more {
                        out.push('\n');
                    } else if !prev_empty {
                        out.push(' ');
                    }
                }
                out.push_str(l);
                prev_more = more;
            }
        }
        if lines.is_empty() {
            return Ok(if chomp == '+' {
                "\n".repeat(trailing)
            } else {
                String::new()
            });
        }
        match chomp {
            '-' => {}
            '+' => {
                out.push('\n');
                out.push_str(&"\n".repeat(trailing));
            }
            _ => out.push('\n'),
        }
        Ok(out)
    }

    fn at_document_end_from(&self, line_start: usize) -> bool {
        let s = &self.s[line_start..];
        (s.starts_with(&['.', '.', '.']) || s.starts_with(&['-', '-', '-']))
            && matches!(s.get(3), None | Some(' ' | '\t' | '\r' | '\n'))
    }

    /// A flow collection or scalar (inside `[..]` / `{..}`, or starting one).
    fn flow_node(&mut self) -> Result<Json, Error> {
        self.skip_space_lines();
        let (anchor, tag) = self.properties()?;
        self.skip_space_lines();
        let start = self.pos;
        let v = match self.peek() {
            Some('[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space_lines();
                    if self.peek() == Some(']') {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.flow_node()?);
                    self.skip_space_lines();
                    match self.peek() {
                        Some(',') => self.pos += 1,
                        Some(']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            return Err(self.error_at(
                                start,
                                "a flow sequence `[` is not closed (expected `,` or `]`)",
                            ));
                        }
                    }
                }
                Json::Array(items)
            }
            Some('{') => {
                self.pos += 1;
                let mut m = Map::new();
                loop {
                    self.skip_space_lines();
                    if self.peek() == Some('}') {
                        self.pos += 1;
                        break;
                    }
                    let key_at = self.pos;
                    let key = match self.flow_node()? {
                        Json::String(s) => s,
                        Json::Null => String::new(),
                        other => other.to_string(),
                    };
                    self.skip_space_lines();
                    let value = if self.peek() == Some(':') {
                        self.pos += 1;
                        self.skip_space_lines();
                        if matches!(self.peek(), Some(',' | '}')) {
                            Json::Null
                        } else {
                            self.flow_node()?
                        }
                    } else {
                        Json::Null
                    };
                    if m.insert(key.clone(), value).is_some() {
                        return Err(self.error_at(
                            key_at,
                            format!("the key `{key}` appears twice in this mapping"),
                        ));
                    }
                    self.skip_space_lines();
                    match self.peek() {
                        Some(',') => self.pos += 1,
                        Some('}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            return Err(self.error_at(
                                start,
                                "a flow mapping `{` is not closed (expected `,` or `}`)",
                            ));
                        }
                    }
                }
                Json::Object(m)
            }
            Some('"') => Json::String(self.double_quoted()?),
            Some('\'') => Json::String(self.single_quoted()?),
            Some('*') => {
                self.pos += 1;
                let at = self.pos;
                let name = self.name("an alias")?;
                self.anchors.get(&name).cloned().ok_or_else(|| {
                    self.error_at(at, format!("the alias `*{name}` names no anchor before it"))
                })?
            }
            Some(',' | ']' | '}') | None => Json::Null,
            _ => {
                let begin = self.pos;
                while let Some(c) = self.peek() {
                    if ",[]{}".contains(c)
                        || (c == ':'
                            && matches!(
                                self.peek_at(1),
                                None | Some(' ' | '\t' | '\r' | '\n' | ',' | ']' | '}')
                            ))
                        || (c == '#'
                            && matches!(
                                self.s.get(self.pos.wrapping_sub(1)),
                                Some(' ' | '\t' | '\n')
                            ))
                    {
                        break;
                    }
                    self.pos += 1;
                }
                let raw: String = self.s[begin..self.pos].iter().collect();
                let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                typed_plain(&text)
            }
        };
        let v = self.apply(tag, v, start)?;
        if let Some(a) = anchor {
            self.anchors.insert(a, v.clone());
        }
        Ok(v)
    }
}

/// A plain scalar typed: null, boolean, integer, decimal with a point, else a string.
fn typed_plain(text: &str) -> Json {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Json::Null,
        "true" | "True" | "TRUE" => return Json::Bool(true),
        "false" | "False" | "FALSE" => return Json::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let is_int = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if is_int {
        if let Ok(n) = text.trim_start_matches('+').parse::<i64>() {
            return Json::Number(n.into());
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Json::Number(n.into());
        }
    }
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (digits, None),
    };
    let float = mantissa.contains('.')
        && mantissa.chars().filter(|&c| c == '.').count() == 1
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        });
    if float
        && let Some(n) = text
            .trim_start_matches('+')
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
    {
        return Json::Number(n);
    }
    Json::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(text: &str) -> Json {
        parse("t.yaml", text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_template_with_short_form_tags() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: >-
  A queue
  and a topic
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue   # a comment
    Properties:
      QueueName: !Sub '${Env}-orders'
      DelaySeconds: 5
      Tags:
        - Key: team
          Value: !If
            - IsProd
            - core
            - !Ref AWS::NoValue
      Policy: |
        line one
          indented
        line three
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: [Queue]
    Properties:
      DisplayName: !GetAtt Queue.QueueName
      Subnets: !Split [",", !ImportValue shared-subnets]
      Zone: !Select [0, !GetAZs ""]
Outputs:
  Arn:
    Value: !GetAtt [Queue, Arn]
    Export:
      Name: !Join
        - '-'
        - - !Ref "AWS::StackName"
          - arn
"#;
        let want = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "A queue and a topic",
            "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
            "Resources": {
                "Queue": {"Type": "AWS::SQS::Queue", "Properties": {
                    "QueueName": {"Fn::Sub": "${Env}-orders"},
                    "DelaySeconds": 5,
                    "Tags": [{"Key": "team", "Value": {"Fn::If": ["IsProd", "core", {"Ref": "AWS::NoValue"}]}}],
                    "Policy": "line one\n  indented\nline three\n"
                }},
                "Topic": {"Type": "AWS::SNS::Topic", "DependsOn": ["Queue"], "Properties": {
                    "DisplayName": {"Fn::GetAtt": "Queue.QueueName"},
                    "Subnets": {"Fn::Split": [",", {"Fn::ImportValue": "shared-subnets"}]},
                    "Zone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
                }}
            },
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]},
                "Export": {"Name": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "arn"]]}}}}
        });
        assert_eq!(yaml(text), want);
    }

    #[test]
    fn scalars_are_typed_as_cloudformation_reads_them() {
        let v = yaml(
            "a: 1\nb: -2\nc: 1.5\nd: 2010-09-09\ne: 010\nf: true\ng: ~\nh: '5'\ni: 1e3\nj: yes\n",
        );
        assert_eq!(
            v,
            json!({"a": 1, "b": -2, "c": 1.5, "d": "2010-09-09", "e": "010", "f": true, "g": null, "h": "5", "i": "1e3", "j": "yes"})
        );
    }

    #[test]
    fn quoted_and_block_scalars() {
        let v = yaml(
            "a: \"x\\ty\\u00e9\"\nb: 'it''s'\nc: |-\n  one\n\n  two\nd: >\n  folded\n  text\n\n  next\ne: |+\n  kept\n\nf: plain\n  continued\n",
        );
        assert_eq!(
            v,
            json!({"a": "x\tyé", "b": "it's", "c": "one\n\ntwo", "d": "folded text\nnext\n", "e": "kept\n\n", "f": "plain continued"})
        );
    }

    #[test]
    fn sequences_at_the_keys_indentation_and_nested() {
        let v = yaml("a:\n- 1\n- - 2\n  - 3\n- k: v\n  l: w\nb: [x, {y: z}, [ ]]\n");
        assert_eq!(
            v,
            json!({"a": [1, [2, 3], {"k": "v", "l": "w"}], "b": ["x", {"y": "z"}, []]})
        );
    }

    #[test]
    fn anchors_and_aliases() {
        let v = yaml("a: &x {k: v}\nb: *x\n");
        assert_eq!(v, json!({"a": {"k": "v"}, "b": {"k": "v"}}));
    }

    #[test]
    fn errors_name_the_line_and_column() {
        for (text, line, want) in [
            ("a: [1, 2\n", 1, "not closed"),
            ("a: 1\n  b: 2\n", 2, "indented more"),
            ("a: 1\na: 2\n", 2, "appears twice"),
            ("a: \"open\n", 1, "not closed"),
            ("a: *nope\n", 1, "names no anchor"),
            ("a:\n  - 1\n  b: 2\n", 3, "indented more"),
            ("a: b: c\n", 1, "line of its key"),
        ] {
            match parse("t.yaml", text) {
                Err(Error::Syntax {
                    line: l, message, ..
                }) => {
                    assert_eq!(l, line, "{text:?}: {message}");
                    assert!(message.contains(want), "{text:?}: {message}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
