//! Who may call a route: [`Authorization`] (none, IAM, a Cognito user pool, a Lambda
//! authorizer), chosen for every route explicitly.
//!
//! A route without a choice does not build ([`Error::MissingAuthorization`]): a public route
//! says so with [`Route::public`](crate::Route::public).

use std::time::Duration;

use cloudwright_core::Value;

use crate::error::Error;
use crate::function::{FunctionRef, LambdaTarget};

/// How API Gateway authorizes the calls of a route.
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_ingress::{Authorization, CognitoAuthorizer, Route};
///
/// let public = Route::get("/{person}/{firstname}").public();
/// let signed = Route::post("/orders").authorized(Authorization::Iam);
/// let users = Route::get("/orders/{id}").authorized(CognitoAuthorizer::new(
///     "users",
///     Value::get_att("Pool", "Arn"),
/// ));
/// assert_eq!(public.authorization(), Some(&Authorization::None));
/// assert_eq!(signed.authorization().map(Authorization::kind), Some("AWS_IAM"));
/// assert_eq!(users.authorization().map(Authorization::kind), Some("COGNITO_USER_POOLS"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Authorization {
    /// Anyone on the internet may call the route (`NONE`).
    None,
    /// Callers sign requests with AWS credentials (SigV4) whose policy allows
    /// `execute-api:Invoke` on the route (`AWS_IAM`).
    Iam,
    /// Callers send a token of a Cognito user pool (`COGNITO_USER_POOLS`).
    Cognito(CognitoAuthorizer),
    /// A Lambda function decides (`CUSTOM`).
    Lambda(LambdaAuthorizer),
}

impl Authorization {
    /// API Gateway's name of the authorization type: `NONE`, `AWS_IAM`, `COGNITO_USER_POOLS`
    /// or `CUSTOM`.
    pub fn kind(&self) -> &'static str {
        match self {
            Authorization::None => "NONE",
            Authorization::Iam => "AWS_IAM",
            Authorization::Cognito(_) => "COGNITO_USER_POOLS",
            Authorization::Lambda(_) => "CUSTOM",
        }
    }

    /// The name of the authorizer (its OpenAPI security scheme), if the type has one.
    pub fn authorizer_name(&self) -> Option<&str> {
        match self {
            Authorization::None => None,
            Authorization::Iam => Some(IAM_SCHEME),
            Authorization::Cognito(c) => Some(&c.name),
            Authorization::Lambda(l) => Some(&l.name),
        }
    }

    /// `NONE`, `AWS_IAM`, `COGNITO_USER_POOLS (users)`, `CUSTOM (tokens)`: as reports show it.
    pub fn describe(&self) -> String {
        match self {
            Authorization::None | Authorization::Iam => self.kind().to_owned(),
            Authorization::Cognito(c) => format!("{} ({})", self.kind(), c.name),
            Authorization::Lambda(l) => format!("{} ({})", self.kind(), l.name),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self {
            Authorization::None | Authorization::Iam => Ok(()),
            Authorization::Cognito(c) => c.validate(),
            Authorization::Lambda(l) => l.validate(),
        }
    }
}

impl From<CognitoAuthorizer> for Authorization {
    fn from(c: CognitoAuthorizer) -> Self {
        Authorization::Cognito(c)
    }
}

impl From<LambdaAuthorizer> for Authorization {
    fn from(l: LambdaAuthorizer) -> Self {
        Authorization::Lambda(l)
    }
}

/// The OpenAPI security scheme name of IAM authorization.
pub const IAM_SCHEME: &str = "sigv4";

fn validate_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        && name != IAM_SCHEME;
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidAuthorizer {
            name: name.to_owned(),
            reason: format!(
                "an authorizer name is 1 to 128 ASCII letters, digits, `-` and `_`, and not \
                 `{IAM_SCHEME}` (IAM authorization's)"
            ),
        })
    }
}

/// A Cognito user pool authorizer: callers send an identity or access token of one of the
/// pools in the `Authorization` header.
#[derive(Clone, Debug, PartialEq)]
pub struct CognitoAuthorizer {
    pub(crate) name: String,
    pub(crate) user_pool_arns: Vec<Value>,
    pub(crate) scopes: Vec<String>,
}

impl CognitoAuthorizer {
    /// An authorizer named `name` accepting tokens of the user pool `user_pool_arn` (its
    /// `Arn` attribute, an import or a literal).
    pub fn new(name: impl Into<String>, user_pool_arn: impl Into<Value>) -> Self {
        CognitoAuthorizer {
            name: name.into(),
            user_pool_arns: vec![user_pool_arn.into()],
            scopes: Vec::new(),
        }
    }

    /// Accepts tokens of another user pool too.
    pub fn user_pool(mut self, user_pool_arn: impl Into<Value>) -> Self {
        self.user_pool_arns.push(user_pool_arn.into());
        self
    }

    /// Requires an access token with this OAuth scope (`orders/read`); without scopes an
    /// identity token is enough.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    fn validate(&self) -> Result<(), Error> {
        validate_name(&self.name)?;
        if let Some(s) = self
            .scopes
            .iter()
            .find(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace()))
        {
            return Err(Error::InvalidAuthorizer {
                name: self.name.clone(),
                reason: format!("the scope `{s}` is empty or contains whitespace"),
            });
        }
        Ok(())
    }
}

/// Where a Lambda REQUEST authorizer reads the caller's identity from: API Gateway calls the
/// function only when every source is present (401 otherwise), and caches its answer by
/// their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentitySource {
    /// A request header.
    Header(String),
    /// A query string parameter.
    Query(String),
    /// A stage variable.
    StageVariable(String),
    /// A `$context` variable (`identity.sourceIp`).
    Context(String),
}

impl IdentitySource {
    /// As API Gateway writes it: `method.request.header.Authorization`.
    pub fn expression(&self) -> String {
        match self {
            IdentitySource::Header(n) => format!("method.request.header.{n}"),
            IdentitySource::Query(n) => format!("method.request.querystring.{n}"),
            IdentitySource::StageVariable(n) => format!("stageVariables.{n}"),
            IdentitySource::Context(n) => format!("context.{n}"),
        }
    }

    fn name(&self) -> &str {
        match self {
            IdentitySource::Header(n)
            | IdentitySource::Query(n)
            | IdentitySource::StageVariable(n)
            | IdentitySource::Context(n) => n,
        }
    }
}

/// What a Lambda authorizer is given.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum LambdaAuthorizerKind {
    /// A bearer token from one header.
    Token { header: String },
    /// The whole request's identity sources.
    Request { sources: Vec<IdentitySource> },
}

/// A Lambda authorizer: a function that answers with an IAM policy for the caller, TOKEN (one
/// header) or REQUEST (headers, query strings, stage and context variables), its answer cached
/// for a time (300 s by default).
///
/// The API adds an `AWS::Lambda::Permission` letting API Gateway invoke the function from this
/// API's authorizers (`arn:…:execute-api:<region>:<account>:<api>/authorizers/*`; the
/// authorizer's own id is assigned when API Gateway imports the OpenAPI body, so the
/// permission cannot name it).
///
/// ```
/// use std::time::Duration;
/// use cloudwright_core::Value;
/// use cloudwright_ingress::{IdentitySource, LambdaAuthorizer, LambdaTarget};
///
/// struct Checker;
/// impl LambdaTarget for Checker {
///     fn function_arn(&self) -> Value { Value::get_att("Checker", "Arn") }
///     fn function_id(&self) -> String { "Checker".into() }
/// }
/// let tokens = LambdaAuthorizer::token("tokens", &Checker, "Authorization")
///     .validation_expression("^Bearer [-0-9a-zA-Z._]+$");
/// let tenants = LambdaAuthorizer::request(
///     "tenants",
///     &Checker,
///     [IdentitySource::Header("X-Tenant".into()), IdentitySource::Query("key".into())],
/// )
/// .result_ttl(Duration::from_secs(60));
/// # let _ = (tokens, tenants);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaAuthorizer {
    pub(crate) name: String,
    pub(crate) function: FunctionRef,
    pub(crate) kind: LambdaAuthorizerKind,
    pub(crate) ttl: Duration,
    pub(crate) validation: Option<String>,
}

/// How long API Gateway caches a Lambda authorizer's answer unless told otherwise.
pub const DEFAULT_AUTHORIZER_TTL: Duration = Duration::from_secs(300);

impl LambdaAuthorizer {
    /// A TOKEN authorizer named `name`: `function` is given the value of `header`.
    pub fn token(
        name: impl Into<String>,
        function: &impl LambdaTarget,
        header: impl Into<String>,
    ) -> Self {
        LambdaAuthorizer {
            name: name.into(),
            function: FunctionRef::of(function),
            kind: LambdaAuthorizerKind::Token {
                header: header.into(),
            },
            validation: None,
            ttl: DEFAULT_AUTHORIZER_TTL,
        }
    }

    /// A REQUEST authorizer named `name`: `function` is given the request, called only when
    /// every one of `sources` is present.
    pub fn request(
        name: impl Into<String>,
        function: &impl LambdaTarget,
        sources: impl IntoIterator<Item = IdentitySource>,
    ) -> Self {
        LambdaAuthorizer {
            name: name.into(),
            function: FunctionRef::of(function),
            kind: LambdaAuthorizerKind::Request {
                sources: sources.into_iter().collect(),
            },
            validation: None,
            ttl: DEFAULT_AUTHORIZER_TTL,
        }
    }

    /// A TOKEN authorizer's check of the token before the function is called (a regular
    /// expression; a token that does not match is refused with 401). Building the API fails
    /// for a REQUEST authorizer.
    pub fn validation_expression(mut self, regex: impl Into<String>) -> Self {
        self.validation = Some(regex.into());
        self
    }

    /// How long API Gateway caches the function's answer, in whole seconds, 0 (no caching)
    /// to 3600 (default 300).
    pub fn result_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// `TOKEN` or `REQUEST`.
    pub fn kind(&self) -> &'static str {
        match self.kind {
            LambdaAuthorizerKind::Token { .. } => "TOKEN",
            LambdaAuthorizerKind::Request { .. } => "REQUEST",
        }
    }

    /// The identity source as API Gateway writes it, sources separated by `, `.
    pub fn identity_source(&self) -> String {
        match &self.kind {
            LambdaAuthorizerKind::Token { header, .. } => {
                IdentitySource::Header(header.clone()).expression()
            }
            LambdaAuthorizerKind::Request { sources } => sources
                .iter()
                .map(IdentitySource::expression)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn validate(&self) -> Result<(), Error> {
        validate_name(&self.name)?;
        let bad = |reason: String| {
            Err(Error::InvalidAuthorizer {
                name: self.name.clone(),
                reason,
            })
        };
        if self.ttl.subsec_nanos() != 0 || self.ttl.as_secs() > 3600 {
            return bad(format!(
                "the result TTL {:?} is not a whole number of seconds from 0 to 3600",
                self.ttl
            ));
        }
        let source_ok = |n: &str| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        match &self.kind {
            LambdaAuthorizerKind::Token { header, .. } => {
                if !source_ok(header) {
                    return bad(format!("the token header `{header}` is not a header name"));
                }
            }
            LambdaAuthorizerKind::Request { sources } => {
                if let Some(v) = &self.validation {
                    return bad(format!(
                        "the validation expression `{v}` is for TOKEN authorizers only; a \
                         REQUEST authorizer's function checks the request itself"
                    ));
                }
                if sources.is_empty() && !self.ttl.is_zero() {
                    return bad(
                        "a REQUEST authorizer that caches its answers needs at least one \
                         identity source (the cache key); add one or set result_ttl to zero"
                            .into(),
                    );
                }
                if let Some(s) = sources.iter().find(|s| !source_ok(s.name())) {
                    return bad(format!(
                        "the identity source `{}` is not a valid name",
                        s.expression()
                    ));
                }
            }
        }
        Ok(())
    }
}
