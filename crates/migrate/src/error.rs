//! The one error type of the crate.

use std::path::PathBuf;

/// What went wrong migrating a template. Every variant names the place: the line and column
/// of a syntax error, the template path (`Resources.Bucket.Properties.Tags[0]`) of anything
/// else.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not valid JSON or YAML.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The template file (as given).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser found wrong.
        message: String,
    },
    /// The document parses but is not a template of the shape CloudFormation accepts.
    #[error("{file}: {path}: {message}")]
    Invalid {
        /// The template file.
        file: String,
        /// Where in the template.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An object whose single key looks like an intrinsic function CloudFormation does not
    /// have (`Fn::Frobnicate`).
    #[error("{file}: {path}: unknown intrinsic function `{name}`")]
    UnknownIntrinsic {
        /// The template file.
        file: String,
        /// Where in the template.
        path: String,
        /// The function's name.
        name: String,
    },
    /// A `Ref`, `Fn::GetAtt`, `Fn::Sub` placeholder, `DependsOn`, condition or mapping name
    /// that names nothing in the template.
    #[error("{file}: {path}: {kind} `{target}` does not exist in the template")]
    Dangling {
        /// The template file.
        file: String,
        /// Where in the template.
        path: String,
        /// What kind of name (`resource or parameter`, `resource`, `condition`, `mapping`).
        kind: &'static str,
        /// The missing name.
        target: String,
    },
    /// Something of the template cloudwright's stacks cannot express (a template-level
    /// `Transform`, a name a stack cannot keep).
    #[error("{file}: {path}: {message}")]
    Unsupported {
        /// The template file.
        file: String,
        /// Where in the template.
        path: String,
        /// What cannot be expressed, and why.
        message: String,
    },
    /// The embedded type model does not parse (a build defect: regenerate it).
    #[error("the embedded type model is invalid: {0} (run `cargo run -p cloudwright-codegen`)")]
    Model(String),
    /// Reading the template or writing the app failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output directory exists and is not empty.
    #[error("{0}: exists and is not empty; choose a new directory")]
    OutputExists(PathBuf),
}
