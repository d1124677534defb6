//! [`LambdaTarget`]: what a Lambda function offers the constructs that send it requests (API
//! routes, authorizers), so that ingress needs no dependency on the crate that builds
//! functions.

use cloudwright_core::{Handle, Value};
use cloudwright_resources::lambda;

/// A Lambda function that API Gateway may invoke: a route's proxy integration
/// ([`PublicApi::route_to_function`](crate::PublicApi::route_to_function)) or a Lambda
/// authorizer ([`LambdaAuthorizer`](crate::LambdaAuthorizer)).
///
/// Implemented by function constructs' outputs and by a raw `AWS::Lambda::Function`
/// [`Handle`]; implement it for your own function type with the function's ARN and an id that
/// stays the same from one synthesis to the next (its logical id is a good one).
///
/// ```
/// use cloudwright_core::Value;
/// use cloudwright_ingress::LambdaTarget;
///
/// /// A function made in another stack, known by its exported ARN.
/// struct Imported;
///
/// impl LambdaTarget for Imported {
///     fn function_arn(&self) -> Value {
///         Value::import_value("Orders-HandlerArn")
///     }
///     fn function_id(&self) -> String {
///         "OrdersHandler".into()
///     }
/// }
/// assert_eq!(Imported.function_id(), "OrdersHandler");
/// ```
pub trait LambdaTarget {
    /// The function's ARN (`Fn::GetAtt <Function>.Arn`, an import, or a literal). Routes and
    /// authorizers invoke it and the `AWS::Lambda::Permission` that lets API Gateway do so
    /// names it.
    fn function_arn(&self) -> Value;

    /// An id of the function that is stable across syntheses, ASCII letters and digits
    /// (others are dropped): the permission's logical id starts with it.
    fn function_id(&self) -> String;
}

impl LambdaTarget for Handle<lambda::Function> {
    fn function_arn(&self) -> Value {
        self.arn().into()
    }

    fn function_id(&self) -> String {
        self.logical_id().to_owned()
    }
}

impl<T: LambdaTarget + ?Sized> LambdaTarget for &T {
    fn function_arn(&self) -> Value {
        (**self).function_arn()
    }

    fn function_id(&self) -> String {
        (**self).function_id()
    }
}

/// A function as routes and authorizers keep it: its ARN and its stable id (letters and digits
/// only).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FunctionRef {
    pub(crate) arn: Value,
    pub(crate) id: String,
}

impl FunctionRef {
    pub(crate) fn of(function: &impl LambdaTarget) -> FunctionRef {
        let id: String = function
            .function_id()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        FunctionRef {
            arn: function.function_arn(),
            id: if id.is_empty() { "Function".into() } else { id },
        }
    }

    /// API Gateway's invocation URI of the function:
    /// `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations`.
    pub(crate) fn invocation_uri(&self) -> Value {
        Value::sub_with(
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
            [("Function", self.arn.clone())],
        )
    }
}
