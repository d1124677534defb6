//! Where the app, its context file and its assembly are: `cloudwright.json` in the current
//! directory, overridden by command-line flags.
//!
//! ```json
//! {"app": "cargo run -q -p app-flask-api --", "context": "apps/flask-api/cloudwright.context.json", "out": "cloudwright.out",
//!  "surface": "apps/flask-api/surface.json"}
//! ```
//!
//! `production` (optional) lists the stacks (ids or stack names) `deploy --hotswap` and `watch`
//! refuse to hotswap: `{"production": ["Api"]}`. `watch` (optional) says what `cloudwright watch`
//! leaves out besides its defaults and which directories outside the project it also watches:
//! `{"watch": {"exclude": ["docs/**", "*.md"], "include": ["../service"]}}` (patterns in
//! `.dockerignore` syntax, relative to the project directory).
//!
//! `surface` (optional) is the declared public surface that `cloudwright audit` compares with and
//! `cloudwright deploy` enforces: one declaration file for every stack, or a map from stack id to
//! a declaration file (`{"Api": "api.surface.json"}`); stacks not in the map have none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The project file's name.
pub const CONFIG_FILE: &str = "cloudwright.json";

/// The default context file, relative to the project directory.
pub const DEFAULT_CONTEXT_FILE: &str = "cloudwright.context.json";

/// The default assembly directory, relative to the project directory.
pub const DEFAULT_OUT: &str = "cloudwright.out";

/// `cloudwright.json` as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The command that runs the app.
    pub app: Option<String>,
    /// The app's context file.
    pub context: Option<PathBuf>,
    /// The assembly directory the app writes.
    pub out: Option<PathBuf>,
    /// The declared surface: one declaration file, or one per stack id.
    pub surface: Option<SurfaceConfig>,
    /// Stacks (ids or names) `--hotswap` must never touch.
    #[serde(default)]
    pub production: Vec<String>,
    /// What `cloudwright watch` watches.
    #[serde(default)]
    pub watch: WatchConfig,
    /// How long one run of the app may take, in seconds (default 600).
    #[serde(default, rename = "appTimeout")]
    pub app_timeout: Option<u64>,
}

/// `"watch"` in `cloudwright.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    /// Patterns (`.dockerignore` syntax, relative to the project directory) of files whose
    /// changes are ignored, besides the defaults (`.git`, `target`, the assembly, the context
    /// file).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Directories watched besides the project directory (an asset's context elsewhere).
    #[serde(default)]
    pub include: Vec<PathBuf>,
}

/// `"surface"` in `cloudwright.json`: where the declared public surface of the stacks is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SurfaceConfig {
    /// One declaration file for every stack.
    All(PathBuf),
    /// A declaration file per stack id; stacks not named have no declaration.
    PerStack(BTreeMap<String, PathBuf>),
}

impl SurfaceConfig {
    /// The declaration file of stack `id`, if it has one.
    pub fn for_stack(&self, id: &str) -> Option<&Path> {
        match self {
            SurfaceConfig::All(p) => Some(p),
            SurfaceConfig::PerStack(m) => m.get(id).map(PathBuf::as_path),
        }
    }

    fn in_dir(self, dir: &Path) -> Self {
        let join = |p: PathBuf| if p.is_absolute() { p } else { dir.join(p) };
        match self {
            SurfaceConfig::All(p) => SurfaceConfig::All(join(p)),
            SurfaceConfig::PerStack(m) => {
                SurfaceConfig::PerStack(m.into_iter().map(|(k, p)| (k, join(p))).collect())
            }
        }
    }
}

impl ConfigFile {
    /// Reads `cloudwright.json` from `dir`; a missing file is an empty configuration.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(Error::read(&path)(e)),
        };
        serde_json::from_str(&text).map_err(|e| Error::InvalidFile {
            path,
            message: format!(
                "{e}; it must be a JSON object with the keys \"app\" (the command that runs the app), \"context\" (its context file), \"out\" (its assembly directory) and \"surface\" (the declared surface: a declaration file, or an object from stack id to declaration file), \"production\" (stacks --hotswap refuses) and \"watch\" ({{\"exclude\": [patterns], \"include\": [directories]}}), \"appTimeout\" (seconds one run of the app may take), all optional"
            ),
        })
    }
}

/// Command-line flags that override `cloudwright.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--app CMD`.
    pub app: Option<String>,
    /// `--assembly DIR`: read this assembly instead of running the app.
    pub assembly: Option<PathBuf>,
    /// `--context-file FILE`.
    pub context_file: Option<PathBuf>,
    /// `--out DIR`.
    pub out: Option<PathBuf>,
    /// `-c key=value` passed on to the app.
    pub context: Vec<String>,
    /// `--app-timeout SECONDS`.
    pub app_timeout: Option<u64>,
}

/// The app to run: its command line, split into words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppCommand {
    /// The command as written.
    pub display: String,
    /// The program and its arguments.
    pub words: Vec<String>,
}

/// The resolved settings of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The app, if there is one.
    pub app: Option<AppCommand>,
    /// An existing assembly to read instead of running the app.
    pub assembly: Option<PathBuf>,
    /// The context file lookups are written to and the app reads.
    pub context_file: PathBuf,
    /// The assembly directory the app writes.
    pub out: PathBuf,
    /// `key=value` context overrides passed on to the app.
    pub context: Vec<String>,
    /// The declared surface (paths resolved against the project directory).
    pub surface: Option<SurfaceConfig>,
    /// Ask the app for YAML templates beside the JSON ones (`synth --yaml`).
    pub yaml: bool,
    /// Stacks (ids or names) marked as production: `--hotswap` refuses them.
    pub production: Vec<String>,
    /// What `cloudwright watch` watches (include directories resolved against the project
    /// directory).
    pub watch: WatchConfig,
    /// How long one run of the app may take before it is stopped (`--app-timeout`,
    /// `"appTimeout"`, default [`crate::app_runner::DEFAULT_APP_TIMEOUT`]).
    pub app_timeout: std::time::Duration,
}

impl Settings {
    /// Whether the stack with this id or name is marked as production.
    pub fn is_production(&self, id: &str, name: &str) -> bool {
        self.production.iter().any(|p| p == id || p == name)
    }
}

impl Settings {
    /// Resolves settings from `cloudwright.json` in `dir` and the flags. Relative paths in the
    /// file are relative to `dir`.
    pub fn resolve(dir: &Path, overrides: Overrides) -> Result<Self> {
        let file = ConfigFile::load(dir)?;
        let in_dir = |p: PathBuf| if p.is_absolute() { p } else { dir.join(p) };
        let app = match overrides.app.or(file.app) {
            Some(cmd) => {
                let words = split_command(&cmd).map_err(|message| {
                    Error::Usage(format!(
                        "the app command `{cmd}` cannot be split into words: {message}; quote arguments with '...' or \"...\""
                    ))
                })?;
                if words.is_empty() {
                    return Err(Error::Usage(
                        "the app command is empty: set \"app\" in cloudwright.json or pass --app CMD"
                            .into(),
                    ));
                }
                Some(AppCommand {
                    display: cmd,
                    words,
                })
            }
            None => None,
        };
        Ok(Settings {
            app,
            assembly: overrides.assembly,
            context_file: overrides
                .context_file
                .unwrap_or_else(|| in_dir(file.context.unwrap_or(DEFAULT_CONTEXT_FILE.into()))),
            out: overrides
                .out
                .unwrap_or_else(|| in_dir(file.out.unwrap_or(DEFAULT_OUT.into()))),
            context: overrides.context,
            surface: file.surface.map(|s| s.in_dir(dir)),
            yaml: false,
            production: file.production,
            watch: WatchConfig {
                exclude: file.watch.exclude,
                include: file.watch.include.into_iter().map(in_dir).collect(),
            },
            app_timeout: overrides
                .app_timeout
                .or(file.app_timeout)
                .map_or(crate::app_runner::DEFAULT_APP_TIMEOUT, |s| {
                    std::time::Duration::from_secs(s.max(1))
                }),
        })
    }
}

/// Splits a command line into words the way a POSIX shell would for simple cases, without
/// running a shell: whitespace separates words, `'...'` quotes literally, `"..."` quotes with
/// `\"` and `\\` escapes, and a backslash outside quotes escapes the next character.
///
/// ```
/// use cloudwright_cli::config::split_command;
/// assert_eq!(
///     split_command(r#"cargo run -q -p "my app" -- --name 'a b' c\ d"#).unwrap(),
///     ["cargo", "run", "-q", "-p", "my app", "--", "--name", "a b", "c d"]
/// );
/// ```
pub fn split_command(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a single quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a double quote is not closed".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a double quote is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("the line ends with a lone backslash".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(split_command("  a  b\tc ").unwrap(), ["a", "b", "c"]);
        assert_eq!(split_command(r#"x "" ''"#).unwrap(), ["x", "", ""]);
        assert_eq!(split_command(r#"a"b c"d"#).unwrap(), ["ab cd"]);
        assert_eq!(split_command(r#""a \"q\" \n""#).unwrap(), [r#"a "q" \n"#]);
        assert!(split_command("'open").is_err());
        assert!(split_command("\"open").is_err());
        assert!(split_command("end\\").is_err());
        assert!(split_command("").unwrap().is_empty());
    }

    #[test]
    fn resolves_the_project_file_and_flags() {
        let dir = std::env::temp_dir().join(format!("cw-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(CONFIG_FILE),
            r#"{"app": "cargo run -q -p app --", "context": "apps/app/ctx.json", "out": "out"}"#,
        )
        .unwrap();
        let s = Settings::resolve(&dir, Overrides::default()).unwrap();
        assert_eq!(
            s.app.as_ref().unwrap().words,
            ["cargo", "run", "-q", "-p", "app", "--"]
        );
        assert_eq!(s.context_file, dir.join("apps/app/ctx.json"));
        assert_eq!(s.out, dir.join("out"));

        let s = Settings::resolve(
            &dir,
            Overrides {
                app: Some("./my-app --flag".into()),
                out: Some("elsewhere".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(s.app.unwrap().words, ["./my-app", "--flag"]);
        assert_eq!(s.out, PathBuf::from("elsewhere"));

        assert_eq!(s.surface, None);
        assert!(s.production.is_empty());

        std::fs::write(
            dir.join(CONFIG_FILE),
            r#"{"production": ["Api", "prod-db"], "watch": {"exclude": ["docs/**"], "include": ["../svc"]}}"#,
        )
        .unwrap();
        let s = Settings::resolve(&dir, Overrides::default()).unwrap();
        assert!(s.is_production("Api", "api-stack") && s.is_production("Db", "prod-db"));
        assert!(!s.is_production("Web", "Web"));
        assert_eq!(s.watch.exclude, ["docs/**"]);
        assert_eq!(s.watch.include, [dir.join("../svc")]);
        std::fs::write(dir.join(CONFIG_FILE), r#"{"watch": {"exlude": []}}"#).unwrap();
        assert!(Settings::resolve(&dir, Overrides::default()).is_err());

        std::fs::write(dir.join(CONFIG_FILE), r#"{"surface": "s.json"}"#).unwrap();
        let s = Settings::resolve(&dir, Overrides::default()).unwrap();
        let surface = s.surface.unwrap();
        assert_eq!(surface.for_stack("Any"), Some(dir.join("s.json").as_path()));
        std::fs::write(
            dir.join(CONFIG_FILE),
            r#"{"surface": {"Api": "api.json", "Db": "/abs/db.json"}}"#,
        )
        .unwrap();
        let surface = Settings::resolve(&dir, Overrides::default())
            .unwrap()
            .surface
            .unwrap();
        assert_eq!(
            surface.for_stack("Api"),
            Some(dir.join("api.json").as_path())
        );
        assert_eq!(surface.for_stack("Db"), Some(Path::new("/abs/db.json")));
        assert_eq!(surface.for_stack("Other"), None);

        std::fs::write(dir.join(CONFIG_FILE), r#"{"ap": "x"}"#).unwrap();
        let e = Settings::resolve(&dir, Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cloudwright.json") && e.contains("unknown field"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();

        let empty = std::env::temp_dir().join(format!("cw-config-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let s = Settings::resolve(&empty, Overrides::default()).unwrap();
        assert!(s.app.is_none());
        assert_eq!(s.context_file, empty.join(DEFAULT_CONTEXT_FILE));
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
