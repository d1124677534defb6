//! The container tool that builds and pushes image assets: docker, podman, buildah or finch,
//! whichever the user has. `CLOUDWRIGHT_CONTAINER_TOOL` names one (by name, or by path to
//! it); otherwise the first of them found on `PATH`, in that order.
//!
//! The command lines are pure functions ([`ContainerTool::build_args`], [`ContainerTool::push_args`],
//! ...) so what each tool is asked to do is unit-tested; [`ContainerTool::run`] runs one,
//! capturing its output for the error when it fails.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use cloudwright_core::asset::DockerImageAsset;

use crate::error::{Error, Result};

/// The environment variable naming the container tool.
pub const TOOL_VARIABLE: &str = "CLOUDWRIGHT_CONTAINER_TOOL";

/// The most lines of a failed command's output an error shows (its end).
const OUTPUT_LINES: usize = 200;

/// The container tools cloudwright can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolKind {
    /// Docker (`docker build`, `docker login`, `docker push`).
    Docker,
    /// Podman (docker's command line; `--tls-verify=false` for a plain-HTTP registry).
    Podman,
    /// Buildah (`buildah bud`, `buildah push IMAGE docker://IMAGE`), no daemon needed.
    Buildah,
    /// Finch (docker's command line).
    Finch,
}

impl ToolKind {
    /// Every tool, in the order they are looked for on `PATH`.
    pub const ALL: [ToolKind; 4] = [
        ToolKind::Docker,
        ToolKind::Podman,
        ToolKind::Buildah,
        ToolKind::Finch,
    ];

    /// The program's name.
    pub fn name(self) -> &'static str {
        match self {
            ToolKind::Docker => "docker",
            ToolKind::Podman => "podman",
            ToolKind::Buildah => "buildah",
            ToolKind::Finch => "finch",
        }
    }

    /// The tool a program name stands for (`buildah`, `docker.exe`).
    pub fn from_name(name: &str) -> Option<ToolKind> {
        let stem = name.strip_suffix(".exe").unwrap_or(name);
        ToolKind::ALL.into_iter().find(|k| k.name() == stem)
    }

    /// Whether it takes `--tls-verify=false` to talk plain HTTP (docker and finch decide
    /// that in their daemon's configuration: `insecure-registries`).
    fn has_tls_verify_flag(self) -> bool {
        matches!(self, ToolKind::Podman | ToolKind::Buildah)
    }
}

/// The names of every tool, for messages.
fn tool_names() -> String {
    ToolKind::ALL.map(ToolKind::name).join(", ")
}

/// A container tool found on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerTool {
    /// Which tool it is.
    pub kind: ToolKind,
    /// The program to run.
    pub program: PathBuf,
}

/// Whether `path` is a file this user may run.
fn executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// `name` in the directories of `path` (a `PATH` value).
fn on_path(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(path)
        .filter(|d| !d.as_os_str().is_empty())
        .flat_map(|d| {
            [
                d.join(name),
                d.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)),
            ]
        })
        .find(|p| executable(p))
}

impl ContainerTool {
    /// The tool `choice` names (the value of [`TOOL_VARIABLE`]: a tool's name, or a path to
    /// it), or else the first of docker, podman, buildah and finch on `path`.
    /// [`Error::ContainerToolMissing`] says what was tried.
    pub fn find(choice: Option<&OsStr>, path: Option<&OsStr>) -> Result<ContainerTool> {
        let Some(choice) = choice.filter(|c| !c.is_empty()) else {
            return ToolKind::ALL
                .into_iter()
                .find_map(|kind| {
                    on_path(kind.name(), path).map(|program| ContainerTool { kind, program })
                })
                .ok_or_else(|| Error::ContainerToolMissing {
                    detail: format!(
                        "none of {} was found on PATH, and {TOOL_VARIABLE} is not set",
                        tool_names()
                    ),
                });
        };
        let shown = choice.to_string_lossy();
        let as_path = Path::new(choice);
        let name = as_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(kind) = ToolKind::from_name(&name) else {
            return Err(Error::ContainerToolMissing {
                detail: format!(
                    "{TOOL_VARIABLE} is `{shown}`, which is none of {} (a name, or a path to one of them)",
                    tool_names()
                ),
            });
        };
        let program = if as_path.components().count() > 1 {
            Some(as_path.to_owned()).filter(|p| executable(p))
        } else {
            on_path(&name, path)
        };
        program
            .map(|program| ContainerTool { kind, program })
            .ok_or_else(|| Error::ContainerToolMissing {
                detail: format!(
                    "{TOOL_VARIABLE} is `{shown}`, but {} is not an executable file{}",
                    if as_path.components().count() > 1 {
                        shown.to_string()
                    } else {
                        format!("`{name}`")
                    },
                    if as_path.components().count() > 1 {
                        ""
                    } else {
                        " on PATH"
                    }
                ),
            })
    }

    /// [`ContainerTool::find`] with this process's [`TOOL_VARIABLE`] and `PATH`.
    pub fn from_env() -> Result<ContainerTool> {
        ContainerTool::find(
            std::env::var_os(TOOL_VARIABLE).as_deref(),
            std::env::var_os("PATH").as_deref(),
        )
    }

    /// Builds `asset` from its context `context` (`<assembly>/asset.<hash>`) as `image`, with
    /// its Dockerfile, platform, target stage and build arguments.
    pub fn build_args(
        &self,
        asset: &DockerImageAsset,
        context: &Path,
        image: &str,
    ) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            match self.kind {
                ToolKind::Buildah => "bud",
                _ => "build",
            }
            .into(),
            "--file".into(),
            context.join(&asset.dockerfile).into(),
            "--tag".into(),
            image.into(),
            "--platform".into(),
            asset.platform.clone().into(),
        ];
        if let Some(target) = &asset.target {
            args.extend(["--target".into(), target.into()]);
        }
        for (k, v) in &asset.build_args {
            args.extend(["--build-arg".into(), format!("{k}={v}").into()]);
        }
        args.push(context.into());
        args
    }

    /// Gives the image `from` the name `to` as well.
    pub fn tag_args(&self, from: &str, to: &str) -> Vec<OsString> {
        vec!["tag".into(), from.into(), to.into()]
    }

    /// Logs in to `registry` (a host, with its port) as `username`, the password on stdin.
    /// `plain_http`: the registry speaks HTTP without TLS.
    pub fn login_args(&self, registry: &str, username: &str, plain_http: bool) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["login".into()];
        if plain_http && self.kind.has_tls_verify_flag() {
            args.push("--tls-verify=false".into());
        }
        args.extend([
            "--username".into(),
            username.into(),
            "--password-stdin".into(),
            registry.into(),
        ]);
        args
    }

    /// Pushes `image` (`registry/repository:tag`) to its registry.
    pub fn push_args(&self, image: &str, plain_http: bool) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["push".into()];
        if plain_http && self.kind.has_tls_verify_flag() {
            args.push("--tls-verify=false".into());
        }
        args.push(image.into());
        if self.kind == ToolKind::Buildah {
            args.push(format!("docker://{image}").into());
        }
        args
    }

    /// The command line `args` would run, for messages.
    pub fn command_line(&self, args: &[OsString]) -> String {
        std::iter::once(self.program.as_os_str())
            .chain(args.iter().map(OsString::as_os_str))
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs the tool with `args` (and `stdin` written to its standard input) for at most
    /// `timeout` (the command's `--timeout`), in a process group of its own that SIGINT and
    /// SIGTERM stop ([`crate::assets::tool_process`]). `step` says what it does (`building
    /// image asset ...`) for the error: [`Error::ContainerTool`] with the tool's output when it
    /// fails, cannot be started, or runs out of time.
    pub async fn run(
        &self,
        step: &str,
        args: &[OsString],
        stdin: Option<&[u8]>,
        timeout: Option<std::time::Duration>,
    ) -> Result<()> {
        let command = self.command_line(args);
        let failed = |status: String, output: String| Error::ContainerTool {
            step: step.to_owned(),
            command: command.clone(),
            status,
            output,
        };
        let mut tool = tokio::process::Command::new(&self.program);
        tool.args(args);
        let out = match crate::assets::tool_process::run(tool, self.kind.name(), stdin, timeout)
            .await
            .map_err(|e| failed("could not be started".into(), e.to_string()))?
        {
            crate::assets::tool_process::Ended::Exited(out) => out,
            crate::assets::tool_process::Ended::TimedOut(limit) => {
                return Err(failed(
                    format!(
                        "a stop after {} s (the command's --timeout), with every process it started",
                        limit.as_secs()
                    ),
                    String::new(),
                ));
            }
        };
        if out.status.success() {
            return Ok(());
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        let lines: Vec<&str> = text.lines().collect();
        let shown = if lines.len() > OUTPUT_LINES {
            format!(
                "[... {} earlier lines]\n{}",
                lines.len() - OUTPUT_LINES,
                lines[lines.len() - OUTPUT_LINES..].join("\n")
            )
        } else {
            lines.join("\n")
        };
        Err(failed(
            out.status
                .code()
                .map_or_else(|| out.status.to_string(), |c| format!("exit status {c}")),
            shown,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    fn asset() -> DockerImageAsset {
        DockerImageAsset {
            hash: "ab".into(),
            dockerfile: "build/Dockerfile".into(),
            build_args: [("B".into(), "2".into()), ("A".into(), "1 x".into())].into(),
            target: Some("runtime".into()),
            platform: "linux/arm64".into(),
            repository_name: "r".into(),
            image_tag: "ab".into(),
            directory: "asset.ab".into(),
            files: vec![],
            source_directory: PathBuf::new(),
        }
    }

    fn tool(kind: ToolKind) -> ContainerTool {
        ContainerTool {
            kind,
            program: PathBuf::from(kind.name()),
        }
    }

    #[test]
    fn command_lines_per_tool() {
        let ctx = Path::new("out/asset.ab");
        let build = strings(&tool(ToolKind::Docker).build_args(&asset(), ctx, "h/r:ab"));
        assert_eq!(
            build,
            [
                "build",
                "--file",
                "out/asset.ab/build/Dockerfile",
                "--tag",
                "h/r:ab",
                "--platform",
                "linux/arm64",
                "--target",
                "runtime",
                "--build-arg",
                "A=1 x",
                "--build-arg",
                "B=2",
                "out/asset.ab"
            ]
        );
        assert_eq!(
            strings(&tool(ToolKind::Buildah).build_args(&asset(), ctx, "h/r:ab"))[0],
            "bud"
        );
        assert_eq!(
            strings(&tool(ToolKind::Buildah).push_args("h:5000/r:ab", true)),
            [
                "push",
                "--tls-verify=false",
                "h:5000/r:ab",
                "docker://h:5000/r:ab"
            ]
        );
        assert_eq!(
            strings(&tool(ToolKind::Podman).push_args("h/r:ab", false)),
            ["push", "h/r:ab"]
        );
        assert_eq!(
            strings(&tool(ToolKind::Docker).push_args("h/r:ab", true)),
            ["push", "h/r:ab"]
        );
        assert_eq!(
            strings(&tool(ToolKind::Podman).login_args("h:5000", "AWS", true)),
            [
                "login",
                "--tls-verify=false",
                "--username",
                "AWS",
                "--password-stdin",
                "h:5000"
            ]
        );
        assert_eq!(
            strings(&tool(ToolKind::Finch).login_args("h", "AWS", true)),
            ["login", "--username", "AWS", "--password-stdin", "h"]
        );
    }

    #[test]
    fn finds_the_chosen_or_the_first_tool() {
        let dir = std::env::temp_dir().join(format!("cw-container-{}", std::process::id()));
        let (a, b) = (dir.join("a"), dir.join("b"));
        for d in [&a, &b] {
            std::fs::create_dir_all(d).unwrap();
        }
        let make = |p: PathBuf| {
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            p
        };
        let buildah = make(a.join("buildah"));
        let podman = make(b.join("podman"));
        std::fs::write(b.join("docker"), "not executable").unwrap();
        let path = std::env::join_paths([&a, &b]).unwrap();

        // podman comes before buildah in the order; the non-executable docker is skipped
        let found = ContainerTool::find(None, Some(&path)).unwrap();
        assert_eq!((found.kind, found.program), (ToolKind::Podman, podman));
        let chosen = ContainerTool::find(Some(OsStr::new("buildah")), Some(&path)).unwrap();
        assert_eq!(chosen.program, buildah);
        let by_path = ContainerTool::find(Some(buildah.as_os_str()), None).unwrap();
        assert_eq!(by_path.kind, ToolKind::Buildah);

        let missing = |choice: Option<&str>, path: Option<&OsStr>| match ContainerTool::find(
            choice.map(OsStr::new),
            path,
        ) {
            Err(e @ Error::ContainerToolMissing { .. }) => e.to_string(),
            other => panic!("expected ContainerToolMissing, got {other:?}"),
        };
        let none = missing(None, Some(OsStr::new("")));
        assert!(
            none.contains("none of docker, podman, buildah, finch"),
            "{none}"
        );
        assert!(none.contains(TOOL_VARIABLE), "{none}");
        let unknown = missing(Some("kaniko"), Some(&path));
        assert!(unknown.contains("`kaniko`, which is none of"), "{unknown}");
        let absent = missing(Some("finch"), Some(&path));
        assert!(
            absent.contains("`finch` is not an executable file on PATH"),
            "{absent}"
        );
        let not_exec = b.join("docker");
        let bad_path = missing(Some(&not_exec.to_string_lossy()), None);
        assert!(bad_path.contains("is not an executable file"), "{bad_path}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
