//! Making schema text safe for rustdoc.
//!
//! Schema descriptions are markdown-ish text with HTML fragments, indented examples and bare
//! URLs. Emitted as doc comments verbatim they break rustdoc in three ways: an indented line
//! becomes a code block (and so a doctest that fails to compile), `[x]` becomes an intra-doc
//! link that does not resolve, and `<tag>` becomes unclosed HTML. [`sanitize`] defuses all
//! three and keeps the text readable.

/// Doc comment lines (without the `///`) for a free-text description.
///
/// Leading whitespace is stripped from every line (no indented code blocks), runs of blank
/// lines collapse to one, code fences and headings are escaped, `[`, `]`, `<` and `>` are
/// escaped outside code spans, an unpaired backtick is escaped, and bare URLs are wrapped in
/// `<...>` so rustdoc renders them as links.
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
    let mut out = String::new();
    // a line that would open a code block or a heading is taken literally
    let fence = line.starts_with("```");
    if line.starts_with("~~~") || line.starts_with('#') {
        out.push('\\');
    }
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            // a run of n backticks opens a code span closed by the next run of exactly n;
            // without one, the backticks are literal
            let n = rest.len() - rest.trim_start_matches('`').len();
            let close = (!fence).then(|| find_run(&rest[n..], n)).flatten();
            match close {
                Some(at) => {
                    let end = n + at + n;
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
                None => {
                    out.push_str(&"\\`".repeat(n));
                    rest = &rest[n..];
                }
            }
            continue;
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
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
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
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
            sanitize("Use [Key] <b>bold</b> and `a[0] <x>`"),
            vec!["Use \\[Key\\] &lt;b&gt;bold&lt;/b&gt; and `a[0] <x>`"]
        );
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
