//! Path templates: a table of bad templates with the error each gets, and a property test that
//! rendering then parsing a valid template gives it back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cloudwright_ingress::Error;
use cloudwright_ingress::routes::{PathTemplate, Route, Segment};
use proptest::prelude::*;

#[test]
fn bad_templates_get_clear_errors() {
    type Check = fn(&Error) -> bool;
    let table: &[(&str, Check, &str)] = &[
        (
            "",
            |e| matches!(e, Error::EmptyPath { .. }),
            "route `GET `: the path is empty; paths start with `/` (the root is `/`)",
        ),
        (
            "people",
            |e| matches!(e, Error::MissingLeadingSlash { .. }),
            "route `GET people`: the path must start with `/` (position 0)",
        ),
        (
            "/a//b",
            |e| matches!(e, Error::EmptySegment { position: 3, .. }),
            "route `GET /a//b`: empty path segment at position 3 (two `/` in a row or a trailing `/`)",
        ),
        (
            "/people/",
            |e| matches!(e, Error::EmptySegment { position: 8, .. }),
            "route `GET /people/`: empty path segment at position 8 (two `/` in a row or a trailing `/`)",
        ),
        (
            "/{person",
            |e| matches!(e, Error::UnclosedBrace { position: 1, .. }),
            "route `GET /{person`: `{` at position 1 is not closed by a `}` in its segment",
        ),
        (
            "/{person/{firstname}",
            |e| matches!(e, Error::UnclosedBrace { position: 1, .. }),
            "route `GET /{person/{firstname}`: `{` at position 1 is not closed by a `}` in its segment",
        ),
        (
            "/{{person}}",
            |e| matches!(e, Error::UnclosedBrace { position: 1, .. }),
            "route `GET /{{person}}`: `{` at position 1 is not closed by a `}` in its segment",
        ),
        (
            "/person}",
            |e| matches!(e, Error::UnopenedBrace { position: 7, .. }),
            "route `GET /person}`: `}` at position 7 has no matching `{`",
        ),
        (
            "/a{b}",
            |e| matches!(e, Error::ParameterNotWholeSegment { position: 1, .. }),
            "route `GET /a{b}`: a parameter must be a whole segment, like `/{name}`, but its segment has other text at position 1",
        ),
        (
            "/{a}{b}",
            |e| matches!(e, Error::ParameterNotWholeSegment { position: 4, .. }),
            "route `GET /{a}{b}`: a parameter must be a whole segment, like `/{name}`, but its segment has other text at position 4",
        ),
        (
            "/{a}.json",
            |e| matches!(e, Error::ParameterNotWholeSegment { position: 4, .. }),
            "route `GET /{a}.json`: a parameter must be a whole segment, like `/{name}`, but its segment has other text at position 4",
        ),
        (
            "/people/{}",
            |e| matches!(e, Error::EmptyParameterName { position: 8, .. }),
            "route `GET /people/{}`: parameter at position 8 has no name; write `{name}`",
        ),
        (
            "/{first-name}",
            |e| matches!(e, Error::InvalidParameterName { position: 2, .. }),
            "route `GET /{first-name}`: invalid parameter name `first-name` at position 2; names start with a letter or `_` and contain only ASCII letters, digits and `_`",
        ),
        (
            "/{1st}",
            |e| matches!(e, Error::InvalidParameterName { .. }),
            "route `GET /{1st}`: invalid parameter name `1st` at position 2; names start with a letter or `_` and contain only ASCII letters, digits and `_`",
        ),
        (
            "/{+}",
            |e| matches!(e, Error::EmptyParameterName { position: 1, .. }),
            "route `GET /{+}`: parameter at position 1 has no name; write `{name}`",
        ),
        (
            "/{id}/x/{id}",
            |e| matches!(e, Error::DuplicateParameter { position: 8, .. }),
            "route `GET /{id}/x/{id}`: parameter `id` at position 8 is already used earlier in the path",
        ),
        (
            "/{proxy+}/x",
            |e| matches!(e, Error::GreedyNotLast { position: 1, .. }),
            "route `GET /{proxy+}/x`: greedy parameter `{proxy+}` at position 1 must be the last segment of the path",
        ),
        (
            "/people list",
            |e| {
                matches!(
                    e,
                    Error::InvalidCharacter {
                        position: 7,
                        character: ' ',
                        ..
                    }
                )
            },
            "route `GET /people list`: character ' ' at position 7 is not allowed; path segments may contain only ASCII letters, digits, `.`, `_` and `-`",
        ),
        (
            "/caf\u{e9}/x",
            |e| {
                matches!(
                    e,
                    Error::InvalidCharacter {
                        position: 4,
                        character: '\u{e9}',
                        ..
                    }
                )
            },
            "route `GET /caf\u{e9}/x`: character '\u{e9}' at position 4 is not allowed; path segments may contain only ASCII letters, digits, `.`, `_` and `-`",
        ),
        (
            "/a?b=1",
            |e| {
                matches!(
                    e,
                    Error::InvalidCharacter {
                        position: 2,
                        character: '?',
                        ..
                    }
                )
            },
            "route `GET /a?b=1`: character '?' at position 2 is not allowed; path segments may contain only ASCII letters, digits, `.`, `_` and `-`",
        ),
        (
            "/${AWS::Region}",
            |e| matches!(e, Error::ParameterNotWholeSegment { position: 1, .. }),
            "route `GET /${AWS::Region}`: a parameter must be a whole segment, like `/{name}`, but its segment has other text at position 1",
        ),
    ];
    for (path, check, message) in table {
        let err = Route::get(*path).validate().unwrap_err();
        assert!(check(&err), "{path:?}: unexpected variant {err:?}");
        assert_eq!(err.to_string(), *message, "{path:?}");
        // parsed on its own, the error names the bare path
        let bare = PathTemplate::parse(path).unwrap_err();
        assert!(check(&bare), "{path:?}: unexpected variant {bare:?}");
        assert!(bare.to_string().starts_with(&format!("route `{path}`")));
    }
}

fn literal() -> impl Strategy<Value = Segment> {
    "[A-Za-z0-9._-]{1,10}".prop_map(Segment::Literal)
}

/// Valid templates: literals and uniquely named parameters, optionally a greedy one last.
fn path_segments() -> impl Strategy<Value = Vec<Segment>> {
    let seg = prop_oneof![
        literal(),
        "[A-Za-z_][A-Za-z0-9_]{0,8}".prop_map(Segment::Param)
    ];
    (
        prop::collection::vec(seg, 0..8),
        prop::option::of("[A-Za-z_][A-Za-z0-9_]{0,8}"),
    )
        .prop_map(|(segments, greedy)| {
            let mut seen = std::collections::BTreeSet::new();
            let mut out: Vec<Segment> = segments
                .into_iter()
                .map(|s| match s {
                    Segment::Param(n) if !seen.insert(n.clone()) => Segment::Literal(n),
                    other => other,
                })
                .collect();
            if let Some(g) = greedy
                && seen.insert(g.clone())
            {
                out.push(Segment::Greedy(g));
            }
            out
        })
}

proptest! {
    #[test]
    fn rendered_templates_parse_back(segments in path_segments()) {
        let rendered = PathTemplate::from_segments(segments.clone()).unwrap().to_string();
        let parsed = PathTemplate::parse(&rendered).unwrap();
        prop_assert_eq!(parsed.segments(), &segments[..]);
        prop_assert_eq!(parsed.to_string(), rendered);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
        let _ = PathTemplate::parse(&text);
        let _ = Route::parse(&text);
    }

    #[test]
    fn bracey_text_never_panics(text in "[/{}+a_.-]{0,24}") {
        if let Ok(p) = PathTemplate::parse(&text) {
            prop_assert_eq!(p.to_string(), text);
        }
    }
}
