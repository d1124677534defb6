//! The one error type of `cloudwright-ingress`.

impl From<Error> for cloudwright_core::Error {
    /// Lets `?` turn an ingress error into the core error; the scope that built the construct
    /// adds its path.
    fn from(e: Error) -> Self {
        cloudwright_core::Error::construct(e)
    }
}

/// Whole seconds of `d`, or [`Error::FractionalDuration`].
pub(crate) fn whole_seconds(setting: &'static str, d: std::time::Duration) -> Result<u32, Error> {
    if d.subsec_nanos() != 0 {
        return Err(Error::FractionalDuration {
            setting,
            value: d,
            unit: "seconds",
        });
    }
    Ok(secs(d))
}

/// Whole seconds of a duration (saturating), once `whole_seconds` has checked it.
pub(crate) fn secs(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

/// Everything the ingress constructs reject, before any AWS call.
///
/// Path template errors name the route (`GET /a//b`, or the bare path when a template is parsed
/// on its own) and a `position`: the 0-based index of the offending character in the path.
/// `?` turns them into the core error, which names the construct path; match on the variant
/// with [`cloudwright_core::Error::downcast_ref`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A duration that is not a whole number of the unit the setting takes.
    #[error("{setting}: {value:?} is not a whole number of {unit}")]
    FractionalDuration {
        /// The setting.
        setting: &'static str,
        /// The duration given.
        value: std::time::Duration,
        /// `seconds` or `milliseconds`.
        unit: &'static str,
    },
    /// A route that says nothing about who may call it.
    #[error(
        "route `{route}` does not say who may call it: add `.public()` for anyone, or \
         `.authorized(...)` with Authorization::Iam, a CognitoAuthorizer or a LambdaAuthorizer"
    )]
    MissingAuthorization {
        /// The route.
        route: String,
    },
    /// An authorizer's setting API Gateway would refuse.
    #[error("authorizer `{name}`: {reason}")]
    InvalidAuthorizer {
        /// The authorizer's name.
        name: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// Two different authorizers with one name in one API.
    #[error(
        "two different authorizers are named `{name}` in this API (routes `{first}` and \
         `{second}`); give each its own name, or share one authorizer value"
    )]
    ConflictingAuthorizers {
        /// The name.
        name: String,
        /// A route using the first.
        first: String,
        /// A route using the second.
        second: String,
    },
    /// A route to a service in an API made without a load balancer.
    #[error(
        "route `{route}` goes to a service, but the API was made without a load balancer \
         (PublicApi::for_functions); make it with PublicApi::new(title, &nlb)"
    )]
    NoLoadBalancer {
        /// The route.
        route: String,
    },
    /// The path is the empty string.
    #[error("route `{route}`: the path is empty; paths start with `/` (the root is `/`)")]
    EmptyPath {
        /// The route.
        route: String,
    },
    /// The path does not start with `/`.
    #[error("route `{route}`: the path must start with `/` (position 0)")]
    MissingLeadingSlash {
        /// The route.
        route: String,
    },
    /// Two slashes in a row, or a trailing slash.
    #[error(
        "route `{route}`: empty path segment at position {position} (two `/` in a row or a trailing `/`)"
    )]
    EmptySegment {
        /// The route.
        route: String,
        /// Where the empty segment is.
        position: usize,
    },
    /// A `{` that is not closed within its segment.
    #[error("route `{route}`: `{{` at position {position} is not closed by a `}}` in its segment")]
    UnclosedBrace {
        /// The route.
        route: String,
        /// The position of the `{`.
        position: usize,
    },
    /// A `}` without a `{` before it.
    #[error("route `{route}`: `}}` at position {position} has no matching `{{`")]
    UnopenedBrace {
        /// The route.
        route: String,
        /// The position of the `}`.
        position: usize,
    },
    /// A parameter that shares its segment with other text (`/a{b}`, `/{a}{b}`).
    #[error(
        "route `{route}`: a parameter must be a whole segment, like `/{{name}}`, but its segment has other text at position {position}"
    )]
    ParameterNotWholeSegment {
        /// The route.
        route: String,
        /// The position of the text beside the parameter.
        position: usize,
    },
    /// A character API Gateway does not accept in a resource path.
    #[error(
        "route `{route}`: character {character:?} at position {position} is not allowed; path segments may contain only ASCII letters, digits, `.`, `_` and `-`"
    )]
    InvalidCharacter {
        /// The route.
        route: String,
        /// The position of the character.
        position: usize,
        /// The character.
        character: char,
    },
    /// A parameter without a name: `{}` or `{+}`.
    #[error("route `{route}`: parameter at position {position} has no name; write `{{name}}`")]
    EmptyParameterName {
        /// The route.
        route: String,
        /// The position of its `{`.
        position: usize,
    },
    /// A parameter name with characters other than letters, digits and `_` (or a leading digit).
    #[error(
        "route `{route}`: invalid parameter name `{name}` at position {position}; names start with a letter or `_` and contain only ASCII letters, digits and `_`"
    )]
    InvalidParameterName {
        /// The route.
        route: String,
        /// The position of the name (after the `{`).
        position: usize,
        /// The name as written.
        name: String,
    },
    /// The same parameter name twice in one path.
    #[error(
        "route `{route}`: parameter `{name}` at position {position} is already used earlier in the path"
    )]
    DuplicateParameter {
        /// The route.
        route: String,
        /// The position of the second occurrence's `{`.
        position: usize,
        /// The name.
        name: String,
    },
    /// A greedy parameter (`{proxy+}`) that is not the last segment.
    #[error(
        "route `{route}`: greedy parameter `{{{name}+}}` at position {position} must be the last segment of the path"
    )]
    GreedyNotLast {
        /// The route.
        route: String,
        /// The position of its `{`.
        position: usize,
        /// The parameter name.
        name: String,
    },
    /// A route string that is not `METHOD /path`.
    #[error("route `{route}`: expected `METHOD /path`, like `GET /{{person}}/{{firstname}}`")]
    MalformedRoute {
        /// The text given.
        route: String,
    },
    /// An HTTP method API Gateway does not know.
    #[error(
        "route `{route}`: unknown method `{method}`; expected GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY"
    )]
    UnknownMethod {
        /// The route.
        route: String,
        /// The method as written.
        method: String,
    },
    /// A required query string parameter or header with an unusable name.
    #[error(
        "route `{route}`: invalid {kind} name `{name}`; use ASCII letters, digits, `-`, `_` and `.`"
    )]
    InvalidRequestParameter {
        /// The route.
        route: String,
        /// `query string parameter` or `header`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// The same method and path declared twice.
    #[error("route `{route}` is declared twice")]
    DuplicateRoute {
        /// The route.
        route: String,
    },
    /// Two routes with different variable segments at the same level, which API Gateway
    /// cannot represent (a resource has at most one variable child).
    #[error(
        "routes `{first}` and `{second}` have different variable segments (`{first_segment}` and `{second_segment}`) under `{parent}`; API Gateway allows one variable segment per level, so give them the same name"
    )]
    ConflictingParameters {
        /// The route declared first.
        first: String,
        /// The route declared second.
        second: String,
        /// The path both share before the conflict.
        parent: String,
        /// The first route's segment there.
        first_segment: String,
        /// The second route's segment there.
        second_segment: String,
    },
    /// A route requires a header that the API sets as a constant integration header.
    #[error(
        "route `{route}` requires header `{header}`, which the API sets itself as a constant integration header; a caller must not control it"
    )]
    HeaderConflict {
        /// The route.
        route: String,
        /// The header.
        header: String,
    },
    /// An API with no routes at all.
    #[error(
        "the API `{api}` declares no routes; add one with `.route(..)` (or opt in to `.proxy_all()`)"
    )]
    NoRoutes {
        /// The API's title.
        api: String,
    },
    /// A constant integration header with an unusable name or value.
    #[error("integration header `{name}`: {reason}")]
    InvalidIntegrationHeader {
        /// The header name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A setting out of the range AWS accepts.
    #[error("{setting} is {value}, but must be {allowed}")]
    OutOfRange {
        /// The setting, e.g. `health check interval (seconds)`.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What is accepted, e.g. `between 5 and 300`.
        allowed: String,
    },
    /// A text setting AWS would reject.
    #[error("{setting} `{value}` is invalid: {reason}")]
    InvalidSetting {
        /// The setting, e.g. `stage name`.
        setting: &'static str,
        /// The value given.
        value: String,
        /// Why, and what is accepted.
        reason: String,
    },
    /// A route sent to a load balancer port the API's load balancer does not listen on.
    #[error(
        "route `{route}` is sent to load balancer port {port}, but the API's load balancer listens on {listening:?} only; add the listener to the load balancer (`additional_port`) or build the API from the load balancer's output so it knows every listener"
    )]
    UnknownListenerPort {
        /// The route.
        route: String,
        /// The port asked for.
        port: u16,
        /// The listener ports the API knows of.
        listening: Vec<u16>,
    },
    /// A route sent to a listener whose target port is not the one the API's load balancer
    /// forwards to there: the listener belongs to another load balancer.
    #[error(
        "route `{route}` is sent to a listener on port {port} forwarding to {target_port}, but the API's load balancer forwards port {port} to {actual_target_port}; the listener belongs to another load balancer (an API reaches one load balancer, through its one VPC link)"
    )]
    ListenerTargetMismatch {
        /// The route.
        route: String,
        /// The listener port.
        port: u16,
        /// The target port of the listener given.
        target_port: u16,
        /// The target port of the API's load balancer's listener on that port.
        actual_target_port: u16,
    },
    /// A load balancer without subnets.
    #[error("an internal load balancer needs at least one subnet; give the private subnets' ids")]
    NoSubnets,
    /// Two listeners on the same load balancer port.
    #[error("listener port {port} is used twice on the same load balancer")]
    DuplicateListenerPort {
        /// The port.
        port: u16,
    },
    /// A new ACM certificate for an edge-optimized domain in a region other than us-east-1.
    #[error(
        "an EDGE custom domain needs its certificate in us-east-1, but this stack is for {region}; pass an existing us-east-1 certificate ARN or use a REGIONAL endpoint"
    )]
    EdgeCertificateRegion {
        /// The stack's region.
        region: String,
    },
}
