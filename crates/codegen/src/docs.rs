//! Making schema text safe for rustdoc.
//!
//! Schema descriptions are markdown-ish text with HTML fragments, entities, indented examples,
//! markdown links and bare URLs. Emitted as doc comments verbatim they break rustdoc in three
//! ways: an indented line becomes a code block (and so a doctest that fails to compile), `[x]`
//! becomes an intra-doc link that does not resolve, and `<tag>` becomes unclosed HTML.
//! [`sanitize`] defuses all three and keeps the text readable: links to web pages stay links,
//! entities are decoded (`&gt;` is `>`) and what must be literal is escaped with a backslash.

use std::fmt::Write as _;

/// Doc comment lines (without the `///`) for a free-text description.
///
/// Leading whitespace is stripped from every line (no indented code blocks), runs of blank
/// lines collapse to one, code fences, headings and block quotes are escaped, HTML entities
/// are decoded, markdown links to `http(s)` URLs are kept (`` `[Ref](url)` `` becomes a link
/// with code text), other `[`, `]` and every `<` are escaped outside code spans, an unpaired
/// backtick is escaped, and bare URLs are wrapped in `<...>` so rustdoc renders them as links.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        let line = raw.trim();
        if line.is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        // a line after a list item would continue it lazily (clippy's
        // doc_lazy_continuation): a blank line ends the list first
        if out.last().is_some_and(|l| is_list_item(l)) && !is_list_item(line) {
            out.push(String::new());
        }
        out.push(sanitize_line(line));
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Whether a markdown line starts a list item (`- x`, `+ x`, `* x`, `1. x`, `1) x`).
fn is_list_item(line: &str) -> bool {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &line[digits..];
    if digits > 0 {
        return rest.starts_with(". ") || rest.starts_with(") ");
    }
    ["- ", "+ ", "* "].iter().any(|m| line.starts_with(m))
}

fn sanitize_line(line: &str) -> String {
    let line = decode_entities(line);
    let mut out = String::new();
    // a line that would open a code block, a heading or a block quote is taken literally
    if line.starts_with("~~~") || line.starts_with('#') || line.starts_with('>') {
        out.push('\\');
    }
    let fence = line.starts_with("```");
    inline(&line, fence, false, &mut out);
    out
}

/// Markdown-safe inline text: code spans kept (a code span that is just a link becomes a
/// link with code text), links to `http(s)` URLs kept as links, bare URLs made autolinks
/// (not `in_link`: a link's text holds no link), `[`, `]` and `<` escaped elsewhere, a `&`
/// that would start an entity escaped. `fence`: backticks are all literal.
fn inline(text: &str, fence: bool, in_link: bool, out: &mut String) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            // a run of n backticks opens a code span closed by the next run of exactly n;
            // without one, the backticks are literal
            let n = rest.len() - rest.trim_start_matches('`').len();
            let close = (!fence).then(|| find_run(&rest[n..], n)).flatten();
            match close {
                Some(at) => {
                    let end = n + at + n;
                    match link(&rest[n..n + at]).filter(|_| !in_link) {
                        // `[Ref](url)` in backticks: the link, its text as code
                        Some((text, url, len)) if len == at && !text.contains('`') => {
                            let _ = write!(out, "[`{text}`]({url})");
                        }
                        _ => out.push_str(&rest[..end]),
                    }
                    rest = &rest[end..];
                }
                None => {
                    out.push_str(&"\\`".repeat(n));
                    rest = &rest[n..];
                }
            }
            continue;
        }
        if c == '['
            && !in_link
            && let Some((text, url, len)) = link(rest)
        {
            out.push('[');
            inline(text, fence, true, out);
            let _ = write!(out, "]({url})");
            rest = &rest[len..];
            continue;
        }
        if !in_link && (rest.starts_with("http://") || rest.starts_with("https://")) {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '`' | '"' | '\''))
                .unwrap_or(rest.len());
            let mut url = &rest[..end];
            while url.ends_with(['.', ',', ';', ':', ')', ']', '!', '?']) {
                url = &url[..url.len() - 1];
            }
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("\\<"),
            '&' if starts_entity(&rest[1..]) => out.push_str("\\&"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// A markdown link to an `http(s)` URL at the start of `s`: `(text, url, length in s)`.
/// The text may hold balanced brackets, the URL balanced parentheses and no space.
fn link(s: &str) -> Option<(&str, &str, usize)> {
    let mut depth = 0usize;
    let mut text_end = None;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    text_end = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let text_end = text_end?;
    let text = &s[1..text_end];
    let dest = s[text_end + 1..].strip_prefix('(')?;
    if text.trim().is_empty() || !(dest.starts_with("https://") || dest.starts_with("http://")) {
        return None;
    }
    let mut parens = 0usize;
    for (i, c) in dest.char_indices() {
        match c {
            '(' => parens += 1,
            ')' if parens == 0 => {
                let url = &dest[..i];
                return Some((text, url, text_end + 2 + i + 1));
            }
            ')' => parens -= 1,
            c if c.is_whitespace() || matches!(c, '<' | '>' | '`' | '"') => return None,
            _ => {}
        }
    }
    None
}

/// Whether `s` (after a `&`) reads as the rest of an HTML entity (`amp;`, `#39;`), which
/// markdown would decode.
fn starts_entity(s: &str) -> bool {
    let name = s.len()
        - s.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '#')
            .len();
    name > 0 && s[name..].starts_with(';')
}

/// `text` with the HTML entities the schemas' prose uses decoded (`&gt;` is `>`), named and
/// numeric; anything else that looks like one is left as it is.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| !c.is_control())?
                }
            };
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The offset in `s` of the first run of exactly `n` backticks.
fn find_run(s: &str, n: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let len = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if len == n {
                return Some(i);
            }
            i += len;
        } else {
            i += 1;
        }
    }
    None
}

/// `text` as an inline code span, with a fence long enough for backticks inside.
pub fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if longest == 0 {
        format!("`{text}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {text} {fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_lines_do_not_become_code_blocks() {
        let lines = sanitize("Example:\n\n    {\n        \"a\": 1\n    }\n\n\n\nEnd.");
        assert_eq!(
            lines,
            vec!["Example:", "", "{", "\"a\": 1", "}", "", "End."]
        );
    }

    #[test]
    fn a_line_after_a_list_item_does_not_continue_it() {
        assert_eq!(
            sanitize("Know this:\n+  one\nmore on one\n+  two\n1. three\nafter"),
            vec![
                "Know this:",
                "+  one",
                "",
                "more on one",
                "+  two",
                "1. three",
                "",
                "after"
            ]
        );
    }

    #[test]
    fn brackets_and_html_are_escaped_outside_code() {
        assert_eq!(
            sanitize("Use [Key] <b>bold</b> and `a[0] <x>`, a > b"),
            vec!["Use \\[Key\\] \\<b>bold\\</b> and `a[0] <x>`, a > b"]
        );
    }

    #[test]
    fn markdown_links_stay_links() {
        assert_eq!(
            sanitize("See [Using policies](https://docs.aws.amazon.com/a.html#b) in the guide."),
            vec!["See [Using policies](https://docs.aws.amazon.com/a.html#b) in the guide."]
        );
        // the text is escaped like any text; a URL in it is not made a second link
        assert_eq!(
            sanitize("[a [b] <c> https://x.y](http://e.f/(g)) and [y](z)"),
            vec!["[a \\[b\\] \\<c> https://x.y](http://e.f/(g)) and \\[y\\](z)"]
        );
        // a link in backticks is a link with code text
        assert_eq!(
            sanitize("use the `[Ref](https://docs.aws.amazon.com/ref.html)` function"),
            vec!["use the [`Ref`](https://docs.aws.amazon.com/ref.html) function"]
        );
        // a pattern that looks like a link is not one
        assert_eq!(sanitize("match [a-z](x|y)"), vec!["match \\[a-z\\](x|y)"]);
        assert_eq!(
            sanitize("[no](https://a b)"),
            vec!["\\[no\\](<https://a> b)"]
        );
    }

    #[test]
    fn html_entities_are_decoded() {
        assert_eq!(
            sanitize("a &gt; b &amp;&amp; c &lt;d&gt; &quot;e&quot; &#39;f&#x27; &ExampleId;"),
            vec!["a > b && c \\<d> \"e\" 'f' \\&ExampleId;"]
        );
        // decoded text that would read as an entity again stays literal
        assert_eq!(sanitize("&amp;lt;"), vec!["\\&lt;"]);
        // a line that would be a block quote is not one
        assert_eq!(sanitize("&gt; quoted"), vec!["\\> quoted"]);
        assert_eq!(decode_entities("&#0; &#xZZ; &amp"), "&#0; &#xZZ; &amp");
    }

    #[test]
    fn fences_headings_and_unpaired_backticks_are_literal() {
        assert_eq!(sanitize("```json"), vec!["\\`\\`\\`json"]);
        assert_eq!(sanitize("# Title"), vec!["\\# Title"]);
        assert_eq!(sanitize("a ` b `c` d"), vec!["a ` b `c\\` d"]);
        assert_eq!(sanitize("x ``a`b`` [y]"), vec!["x ``a`b`` \\[y\\]"]);
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            sanitize("See https://docs.aws.amazon.com/x.html. Or (http://a.b/c)"),
            vec!["See <https://docs.aws.amazon.com/x.html>. Or (<http://a.b/c>)"]
        );
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("^[a-z]+$"), "`^[a-z]+$`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
