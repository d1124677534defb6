//! Routes as data: HTTP methods, path templates (`/{person}/{firstname}`), and the checks
//! API Gateway would otherwise only make at deploy time.
//!
//! A path template is `/` followed by segments separated by `/`. A segment is either literal
//! text (ASCII letters, digits, `.`, `_`, `-`), a parameter `{name}`, or, as the last segment
//! only, a greedy parameter `{name+}` that matches the rest of the path. Parameter names start
//! with a letter or `_`, contain letters, digits and `_`, and are unique within the path.
//!
//! ```
//! use cloudwright_ingress::routes::{PathTemplate, Segment};
//!
//! let path: PathTemplate = "/{person}/{firstname}".parse()?;
//! assert_eq!(path.parameters().collect::<Vec<_>>(), ["person", "firstname"]);
//! assert_eq!(path.to_string(), "/{person}/{firstname}");
//!
//! let err = "/people//{id}".parse::<PathTemplate>().unwrap_err();
//! assert_eq!(err.to_string(), "route `/people//{id}`: empty path segment at position 8 (two `/` in a row or a trailing `/`)");
//! # Ok::<(), cloudwright_ingress::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::authorizer::Authorization;
use crate::error::Error;

/// An HTTP method of a route (`ANY` matches every method).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
    /// `ANY`: every method.
    Any,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Head,
        Method::Options,
        Method::Any,
    ];

    /// The method in upper case, as API Gateway writes it (`GET`, `ANY`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Any => "ANY",
        }
    }

    /// The operation key in an OpenAPI path item (`get`, `x-amazon-apigateway-any-method`).
    pub fn openapi_key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
            Method::Head => "head",
            Method::Options => "options",
            Method::Any => "x-amazon-apigateway-any-method",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = Error;
    /// Parses a method name, in any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnknownMethod {
                route: s.to_owned(),
                method: s.to_owned(),
            })
    }
}

/// One segment of a path template.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// Literal text: `people`.
    Literal(String),
    /// A parameter matching one segment: `{person}`.
    Param(String),
    /// A greedy parameter matching the rest of the path: `{proxy+}` (last segment only).
    Greedy(String),
}

impl Segment {
    /// The parameter name, if this is a parameter.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Segment::Literal(_) => None,
            Segment::Param(n) | Segment::Greedy(n) => Some(n),
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Literal(s) => f.write_str(s),
            Segment::Param(n) => write!(f, "{{{n}}}"),
            Segment::Greedy(n) => write!(f, "{{{n}+}}"),
        }
    }
}

/// A parsed, valid path template.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathTemplate {
    segments: Vec<Segment>,
}

impl PathTemplate {
    /// Parses and validates a path template; errors name the path and the position.
    pub fn parse(path: &str) -> Result<PathTemplate, Error> {
        parse_path(path, path)
    }

    /// A template from segments, validated as if it were parsed.
    pub fn from_segments(segments: Vec<Segment>) -> Result<PathTemplate, Error> {
        let rendered = PathTemplate {
            segments: segments.clone(),
        }
        .to_string();
        let parsed = PathTemplate::parse(&rendered)?;
        if parsed.segments != segments {
            // a literal containing `/` or braces renders into something else
            return Err(Error::InvalidSetting {
                setting: "path segments",
                value: rendered,
                reason: "a literal segment contains `/`, `{` or `}`".into(),
            });
        }
        Ok(parsed)
    }

    /// The root path `/`.
    pub fn root() -> PathTemplate {
        PathTemplate {
            segments: Vec::new(),
        }
    }

    /// The segments (none for `/`).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The parameter names in order (a greedy one without its `+`).
    pub fn parameters(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(Segment::parameter)
    }

    /// The path the integration forwards to: the same template, with a greedy `{proxy+}`
    /// written `{proxy}` as API Gateway's integration URIs expect.
    pub fn integration_path(&self) -> String {
        let mut out = String::new();
        for s in &self.segments {
            out.push('/');
            match s {
                Segment::Greedy(n) => {
                    out.push('{');
                    out.push_str(n);
                    out.push('}');
                }
                other => out.push_str(&other.to_string()),
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for s in &self.segments {
            write!(f, "/{s}")?;
        }
        Ok(())
    }
}

impl FromStr for PathTemplate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        PathTemplate::parse(s)
    }
}

fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn is_valid_name(name: &[char]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == '_')
                && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == '_')
        }
        None => false,
    }
}

/// Parses `path`, naming `route` in errors. Positions are character indices into `path`.
fn parse_path(route: &str, path: &str) -> Result<PathTemplate, Error> {
    let route = || route.to_owned();
    let chars: Vec<char> = path.chars().collect();
    match chars.first() {
        None => return Err(Error::EmptyPath { route: route() }),
        Some('/') => {}
        Some(_) => return Err(Error::MissingLeadingSlash { route: route() }),
    }
    if chars.len() == 1 {
        return Ok(PathTemplate::root());
    }
    // split after the leading slash, remembering where each segment starts
    let mut raw: Vec<(usize, &[char])> = Vec::new();
    let mut start = 1;
    for (i, c) in chars.iter().enumerate().skip(1) {
        if *c == '/' {
            raw.push((start, &chars[start..i]));
            start = i + 1;
        }
    }
    raw.push((start, &chars[start..]));

    let last = raw.len() - 1;
    let mut segments = Vec::with_capacity(raw.len());
    let mut names = BTreeSet::new();
    for (index, (start, seg)) in raw.into_iter().enumerate() {
        if seg.is_empty() {
            return Err(Error::EmptySegment {
                route: route(),
                position: start,
            });
        }
        if !seg.contains(&'{') && !seg.contains(&'}') {
            if let Some(j) = seg.iter().position(|c| !is_literal_char(*c)) {
                return Err(Error::InvalidCharacter {
                    route: route(),
                    position: start + j,
                    character: seg[j],
                });
            }
            segments.push(Segment::Literal(seg.iter().collect()));
            continue;
        }
        // braces must balance within the segment
        let mut open: Option<usize> = None;
        let mut pairs = 0;
        for (j, c) in seg.iter().enumerate() {
            match c {
                '{' => {
                    if let Some(o) = open {
                        return Err(Error::UnclosedBrace {
                            route: route(),
                            position: start + o,
                        });
                    }
                    open = Some(j);
                }
                '}' => {
                    if open.take().is_none() {
                        return Err(Error::UnopenedBrace {
                            route: route(),
                            position: start + j,
                        });
                    }
                    pairs += 1;
                }
                _ => {}
            }
        }
        if let Some(o) = open {
            return Err(Error::UnclosedBrace {
                route: route(),
                position: start + o,
            });
        }
        // a parameter is the whole segment: `{` first, `}` last, one pair
        if seg[0] != '{' || seg[seg.len() - 1] != '}' || pairs != 1 {
            let position = if seg[0] != '{' {
                0
            } else {
                seg.iter().position(|c| *c == '}').map_or(0, |p| p + 1)
            };
            return Err(Error::ParameterNotWholeSegment {
                route: route(),
                position: start + position,
            });
        }
        let inner = &seg[1..seg.len() - 1];
        let (name, greedy) = match inner.split_last() {
            Some(('+', rest)) => (rest, true),
            _ => (inner, false),
        };
        let name_str: String = name.iter().collect();
        if name.is_empty() {
            return Err(Error::EmptyParameterName {
                route: route(),
                position: start,
            });
        }
        if !is_valid_name(name) {
            return Err(Error::InvalidParameterName {
                route: route(),
                position: start + 1,
                name: inner.iter().collect(),
            });
        }
        if !names.insert(name_str.clone()) {
            return Err(Error::DuplicateParameter {
                route: route(),
                position: start,
                name: name_str,
            });
        }
        if greedy && index != last {
            return Err(Error::GreedyNotLast {
                route: route(),
                position: start,
                name: name_str,
            });
        }
        segments.push(if greedy {
            Segment::Greedy(name_str)
        } else {
            Segment::Param(name_str)
        });
    }
    Ok(PathTemplate { segments })
}

/// A route the API exposes: a method and a path template, optionally with query string
/// parameters and headers a request must carry, and who may call it.
///
/// The path is kept as written and validated when the API is built (or with
/// [`Route::validate`]), so routes can be declared as plain data.
///
/// Every route an API builds says who may call it: [`Route::public`] (anyone) or
/// [`Route::authorized`] (IAM, a Cognito user pool, a Lambda authorizer). There is no
/// default: building an API with a route that says neither fails with
/// [`Error::MissingAuthorization`], naming the route.
///
/// ```
/// use cloudwright_ingress::routes::{Method, Route};
/// use cloudwright_ingress::Authorization;
///
/// let route = Route::get("/people/{id}").require_query("fields").require_header("X-Tenant");
/// assert_eq!(route.to_string(), "GET /people/{id}");
/// assert_eq!(route.authorization(), None);
/// let route = route.authorized(Authorization::Iam);
/// assert_eq!(route.authorization(), Some(&Authorization::Iam));
/// assert_eq!(Route::parse("post /people")?, Route::new(Method::Post, "/people"));
/// # Ok::<(), cloudwright_ingress::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    method: Method,
    path: String,
    query: BTreeSet<String>,
    headers: BTreeSet<String>,
    authorization: Option<Authorization>,
}

impl Route {
    /// A route for `method` on the path template `path`.
    pub fn new(method: Method, path: impl Into<String>) -> Route {
        Route {
            method,
            path: path.into(),
            query: BTreeSet::new(),
            headers: BTreeSet::new(),
            authorization: None,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Route {
        Route::new(Method::Get, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Route {
        Route::new(Method::Post, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Route {
        Route::new(Method::Put, path)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>) -> Route {
        Route::new(Method::Patch, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Route {
        Route::new(Method::Delete, path)
    }

    /// `ANY path`: every method.
    pub fn any(path: impl Into<String>) -> Route {
        Route::new(Method::Any, path)
    }

    /// Parses `METHOD /path` (the method in any case) and validates the path.
    pub fn parse(text: &str) -> Result<Route, Error> {
        let mut parts = text.split_whitespace();
        let (Some(method), Some(path), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::MalformedRoute {
                route: text.to_owned(),
            });
        };
        let method = method.parse::<Method>().map_err(|_| Error::UnknownMethod {
            route: text.to_owned(),
            method: method.to_owned(),
        })?;
        let route = Route::new(method, path);
        route.validate()?;
        Ok(route)
    }

    /// Requires a query string parameter: API Gateway rejects requests without it (400).
    pub fn require_query(mut self, name: impl Into<String>) -> Route {
        self.query.insert(name.into());
        self
    }

    /// Requires a header: API Gateway rejects requests without it (400).
    pub fn require_header(mut self, name: impl Into<String>) -> Route {
        self.headers.insert(name.into());
        self
    }

    /// Anyone on the internet may call the route (authorization `NONE`): the explicit choice
    /// a public route makes.
    pub fn public(self) -> Route {
        self.authorized(Authorization::None)
    }

    /// Callers are authorized by `authorization`: [`Authorization::Iam`], a
    /// [`CognitoAuthorizer`](crate::CognitoAuthorizer) or a
    /// [`LambdaAuthorizer`](crate::LambdaAuthorizer) (or [`Authorization::None`], as
    /// [`Route::public`]).
    pub fn authorized(mut self, authorization: impl Into<Authorization>) -> Route {
        self.authorization = Some(authorization.into());
        self
    }

    /// Who may call the route, once chosen.
    pub fn authorization(&self) -> Option<&Authorization> {
        self.authorization.as_ref()
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path template as written.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The required query string parameters.
    pub fn required_query(&self) -> impl Iterator<Item = &str> {
        self.query.iter().map(String::as_str)
    }

    /// The required headers.
    pub fn required_headers(&self) -> impl Iterator<Item = &str> {
        self.headers.iter().map(String::as_str)
    }

    /// Validates the path and the names of required parameters; errors name this route.
    pub fn validate(&self) -> Result<ValidRoute, Error> {
        let label = self.to_string();
        let path = parse_path(&label, &self.path)?;
        for (kind, names) in [
            ("query string parameter", &self.query),
            ("header", &self.headers),
        ] {
            for name in names {
                let ok = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if !ok {
                    return Err(Error::InvalidRequestParameter {
                        route: label,
                        kind,
                        name: name.clone(),
                    });
                }
            }
        }
        Ok(ValidRoute {
            method: self.method,
            path,
            query: self.query.iter().cloned().collect(),
            headers: self.headers.iter().cloned().collect(),
        })
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl FromStr for Route {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Route::parse(s)
    }
}

/// A validated route: what the OpenAPI body is generated from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValidRoute {
    /// The method.
    pub method: Method,
    /// The parsed path.
    pub path: PathTemplate,
    /// Required query string parameters, sorted.
    pub query: Vec<String>,
    /// Required headers, sorted.
    pub headers: Vec<String>,
}

impl fmt::Display for ValidRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Validates a set of routes together: each one, no route twice, and no two routes with
/// different variable segments at the same level (API Gateway builds a resource tree in which
/// a resource has at most one variable child: `/{person}` and `/{id}/x` cannot coexist).
pub fn validate_routes(routes: &[Route]) -> Result<Vec<ValidRoute>, Error> {
    let valid = routes
        .iter()
        .map(Route::validate)
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = BTreeSet::new();
    for r in &valid {
        if !seen.insert((r.method, r.path.clone())) {
            return Err(Error::DuplicateRoute {
                route: r.to_string(),
            });
        }
    }
    // parent path -> (variable segment text, route that put it there)
    let mut variables: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in &valid {
        let mut parent = String::new();
        for seg in r.path.segments() {
            let text = seg.to_string();
            if seg.parameter().is_some() {
                let key = if parent.is_empty() {
                    "/".to_owned()
                } else {
                    parent.clone()
                };
                match variables.get(&key) {
                    Some((existing, first)) if *existing != text => {
                        return Err(Error::ConflictingParameters {
                            first: first.clone(),
                            second: r.to_string(),
                            parent: key,
                            first_segment: existing.clone(),
                            second_segment: text,
                        });
                    }
                    Some(_) => {}
                    None => {
                        variables.insert(key, (text.clone(), r.to_string()));
                    }
                }
            }
            parent.push('/');
            parent.push_str(&text);
        }
    }
    Ok(valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_templates_parse() {
        let p = PathTemplate::parse("/{person}/{firstname}").unwrap();
        assert_eq!(
            p.segments(),
            [
                Segment::Param("person".into()),
                Segment::Param("firstname".into())
            ]
        );
        assert_eq!(PathTemplate::parse("/").unwrap(), PathTemplate::root());
        let p = PathTemplate::parse("/api/v1.2/{proxy+}").unwrap();
        assert_eq!(p.to_string(), "/api/v1.2/{proxy+}");
        assert_eq!(p.integration_path(), "/api/v1.2/{proxy}");
        assert_eq!(PathTemplate::root().integration_path(), "/");
    }

    #[test]
    fn methods_parse_in_any_case() {
        assert_eq!("get".parse::<Method>().unwrap(), Method::Get);
        assert_eq!("ANY".parse::<Method>().unwrap(), Method::Any);
        assert!(matches!(
            "FETCH".parse::<Method>(),
            Err(Error::UnknownMethod { .. })
        ));
    }

    #[test]
    fn route_text_is_parsed() {
        let r = Route::parse("GET /{person}/{firstname}").unwrap();
        assert_eq!(r.method(), Method::Get);
        assert_eq!(r.path(), "/{person}/{firstname}");
        assert_eq!(
            Route::parse("GET"),
            Err(Error::MalformedRoute {
                route: "GET".into()
            })
        );
        assert_eq!(
            Route::parse("FETCH /x"),
            Err(Error::UnknownMethod {
                route: "FETCH /x".into(),
                method: "FETCH".into()
            })
        );
        assert_eq!(
            Route::parse("GET /a//b"),
            Err(Error::EmptySegment {
                route: "GET /a//b".into(),
                position: 3
            })
        );
    }

    #[test]
    fn sibling_variables_must_agree() {
        let ok = validate_routes(&[Route::get("/{person}"), Route::post("/{person}/x")]);
        assert!(ok.is_ok());
        let err = validate_routes(&[Route::get("/{person}/{firstname}"), Route::any("/{proxy+}")])
            .unwrap_err();
        assert!(matches!(err, Error::ConflictingParameters { ref parent, .. } if parent == "/"));
        let err = validate_routes(&[Route::get("/a/{x}"), Route::get("/a/{y}/z")]).unwrap_err();
        assert!(matches!(err, Error::ConflictingParameters { ref parent, .. } if parent == "/a"));
        let err = validate_routes(&[Route::get("/a"), Route::get("/a")]).unwrap_err();
        assert_eq!(
            err,
            Error::DuplicateRoute {
                route: "GET /a".into()
            }
        );
        // different methods on one path are fine
        assert!(validate_routes(&[Route::get("/a"), Route::any("/a")]).is_ok());
    }

    #[test]
    fn bad_request_parameter_names_are_rejected() {
        let err = Route::get("/a")
            .require_header("X Bad")
            .validate()
            .unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidRequestParameter { kind: "header", .. }
        ));
    }
}
