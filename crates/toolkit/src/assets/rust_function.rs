//! Building a Rust function's file asset at publish time: the package is compiled for Lambda's
//! `provided.al2023` runtime with `cargo-zigbuild` against the runtime's glibc (2.34, older
//! than most build machines': a plain `cargo build` on a glibc 2.36 machine links symbols
//! Lambda does not have), and its one binary becomes `bootstrap` in the zip.
//!
//! `cargo-zigbuild` is found through `CLOUDWRIGHT_CARGO_ZIGBUILD`, a `.venv/bin` in the current
//! directory or one above it (where `scripts/test` installs the PyPI packages `cargo-zigbuild`
//! and `ziglang`), or `PATH`. Its directory is put first on the build's `PATH`, so the `zig`
//! it needs is the one installed beside it (`python3 -m ziglang` of that virtualenv).
//!
//! Only the host's standard library may be installed: a target whose standard library is
//! missing (arm64 on an x86-64 machine without `rustup target add aarch64-unknown-linux-gnu`)
//! is refused before anything is built, naming the command that installs it.

use std::path::{Path, PathBuf};

use cloudwright_core::asset::{FileAsset, Packaging};
use serde_json::Value;

use crate::assets::short;
use crate::error::{Error, Result};

/// The variable naming the `cargo-zigbuild` to use.
pub const ZIGBUILD_VARIABLE: &str = "CLOUDWRIGHT_CARGO_ZIGBUILD";
/// How to install it.
pub const ZIGBUILD_INSTALL: &str = "pip install cargo-zigbuild==0.24.0 ziglang==0.15.1";

/// `cargo-zigbuild`: `$CLOUDWRIGHT_CARGO_ZIGBUILD`, `.venv/bin/cargo-zigbuild` in `start` or a
/// directory above it, or on `PATH`.
pub fn find_zigbuild(start: &Path, what: &str) -> Result<PathBuf> {
    find_zigbuild_in(
        start,
        std::env::var_os(ZIGBUILD_VARIABLE),
        std::env::var_os("PATH"),
        what,
    )
}

/// [`find_zigbuild`] with the variable's and `PATH`'s values given.
pub fn find_zigbuild_in(
    start: &Path,
    variable: Option<std::ffi::OsString>,
    path: Option<std::ffi::OsString>,
    what: &str,
) -> Result<PathBuf> {
    if let Some(named) = variable.filter(|p| !p.is_empty()) {
        let named = PathBuf::from(named);
        if named.is_file() {
            return Ok(named);
        }
        return Err(missing(
            what,
            format!(
                "{ZIGBUILD_VARIABLE} names {}, which is not a file",
                named.display()
            ),
        ));
    }
    for dir in start.ancestors() {
        let candidate = dir.join(".venv/bin/cargo-zigbuild");
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    if let Some(paths) = path {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("cargo-zigbuild");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(missing(
        what,
        format!(
            "not in {ZIGBUILD_VARIABLE}, a .venv/bin at or above {}, or PATH",
            start.display()
        ),
    ))
}

fn missing(what: &str, detail: String) -> Error {
    Error::BuildToolMissing {
        tool: "cargo-zigbuild",
        what: what.to_owned(),
        detail,
        install: ZIGBUILD_INSTALL,
        variable: ZIGBUILD_VARIABLE,
    }
}

/// The sysroot of the Rust toolchain (`rustc --print sysroot`, `$RUSTC` when set).
pub fn sysroot() -> Result<PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = std::process::Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| Error::BuildToolMissing {
            tool: "rustc",
            what: "Rust functions".into(),
            detail: e.to_string(),
            install: "curl https://sh.rustup.rs -sSf | sh",
            variable: "RUSTC",
        })?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    ))
}

/// Whether the standard library for `target` is installed in `sysroot`.
pub fn has_std(sysroot: &Path, target: &str) -> bool {
    sysroot
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
}

/// Builds a Rust function asset and returns its binary's bytes: checks the target's standard
/// library, runs `cargo-zigbuild build --release --locked` for `<target>.<glibc>` and reads
/// the one executable the package produces. `start` is where `.venv` is looked for.
/// `cargo zigbuild` is stopped (with what it started) after `timeout` (the command's
/// `--timeout`) and by SIGINT/SIGTERM ([`crate::assets::tool_process`]).
pub async fn build(
    asset: &FileAsset,
    start: &Path,
    timeout: Option<std::time::Duration>,
) -> Result<Vec<u8>> {
    let Packaging::RustFunction {
        package,
        manifest_path,
        target,
        glibc,
    } = &asset.packaging
    else {
        return Err(Error::Internal(format!(
            "asset {} is not a Rust function",
            asset.hash
        )));
    };
    let hash = short(&asset.hash).to_owned();
    let sysroot = sysroot()?;
    if !has_std(&sysroot, target) {
        return Err(Error::RustTargetMissing {
            hash,
            package: package.clone(),
            target: target.clone(),
            sysroot: sysroot.display().to_string(),
        });
    }
    let what = format!("the Rust function asset {hash} (package {package})");
    let zigbuild = find_zigbuild(start, &what)?;
    let mut command = tokio::process::Command::new(&zigbuild);
    command.args([
        "zigbuild",
        "--release",
        "--locked",
        "--manifest-path",
        manifest_path,
        "-p",
        package,
        "--target",
        &format!("{target}.{glibc}"),
        "--message-format=json-render-diagnostics",
    ]);
    if let Some(dir) = zigbuild.parent() {
        let mut paths = vec![dir.to_owned()];
        if let Some(path) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&path));
        }
        if let Ok(joined) = std::env::join_paths(paths) {
            command.env("PATH", joined);
        }
    }
    let out = match crate::assets::tool_process::run(command, "cargo zigbuild", None, timeout)
        .await
        .map_err(|e| Error::FileAsset {
            hash: hash.clone(),
            message: format!("cannot start {}: {e}", zigbuild.display()),
        })? {
        crate::assets::tool_process::Ended::Exited(out) => out,
        crate::assets::tool_process::Ended::TimedOut(limit) => {
            return Err(Error::FileAsset {
                hash,
                message: format!(
                    "building package {package} with `{} zigbuild` did not finish within {} s (--timeout) and was stopped with what it started",
                    zigbuild.display(),
                    limit.as_secs()
                ),
            });
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(60).collect();
        return Err(Error::FileAsset {
            hash,
            message: format!(
                "building package {package} for {target} (glibc {glibc}) with `{} zigbuild` failed ({}):\n{}",
                zigbuild.display(),
                out.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ),
        });
    }
    let executables = executables(&stdout, package);
    let binary = match executables.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Error::FileAsset {
                hash,
                message: format!(
                    "package {package} built no binary: a Rust function needs a `src/main.rs` (or one [[bin]]) that runs the Lambda runtime loop"
                ),
            });
        }
        many => {
            return Err(Error::FileAsset {
                hash,
                message: format!(
                    "package {package} builds {} binaries ({}); a function's zip holds one `bootstrap`: keep one binary in the package",
                    many.len(),
                    many.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    };
    std::fs::read(&binary).map_err(|source| Error::Io {
        action: "cannot read the built function",
        path: binary,
        source,
    })
}

/// The executables of `package` in cargo's JSON messages.
pub fn executables(messages: &str, package: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let name = message["package_id"].as_str().unwrap_or_default();
        // `path+file:///dir#name@0.1.0` (cargo ≥ 1.77) or `name 0.1.0 (path+file://...)`
        let matches = name.starts_with(&format!("{package} "))
            || name.contains(&format!("#{package}@"))
            || name.contains(&format!("/{package}#"));
        if let (true, Some(exe)) = (matches, message["executable"].as_str()) {
            out.push(PathBuf::from(exe));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_package_executable_in_cargo_messages() {
        let lines = [
            r#"{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0","executable":null}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/apps/x/reader#0.1.0","executable":"/t/release/reader"}"#,
            r#"{"reason":"compiler-artifact","package_id":"path+file:///w/apps/other#other@0.1.0","executable":"/t/release/other"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            executables(&lines, "reader"),
            vec![PathBuf::from("/t/release/reader")]
        );
        assert!(executables(&lines, "nothing").is_empty());
    }

    #[test]
    fn cargo_zigbuild_is_found_in_the_variable_a_venv_or_path_and_named_when_missing() {
        let dir = std::env::temp_dir().join(format!("cw-zigbuild-{}", std::process::id()));
        let project = dir.join("project/app");
        std::fs::create_dir_all(&project).unwrap();
        let err = find_zigbuild_in(&project, None, Some("".into()), "the asset")
            .unwrap_err()
            .to_string();
        assert!(err.contains(ZIGBUILD_INSTALL), "{err}");
        assert!(
            err.contains(ZIGBUILD_VARIABLE) && err.contains("the asset"),
            "{err}"
        );
        let err = find_zigbuild_in(&project, Some(dir.join("nope").into()), None, "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("which is not a file"), "{err}");
        // on PATH
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("cargo-zigbuild"), "").unwrap();
        assert_eq!(
            find_zigbuild_in(&project, None, Some(bin.clone().into()), "x").unwrap(),
            bin.join("cargo-zigbuild")
        );
        // a .venv above the start wins over PATH
        let venv = dir.join("project/.venv/bin");
        std::fs::create_dir_all(&venv).unwrap();
        std::fs::write(venv.join("cargo-zigbuild"), "").unwrap();
        assert_eq!(
            find_zigbuild_in(&project, None, Some(bin.into()), "x").unwrap(),
            venv.join("cargo-zigbuild")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_target_std_is_detected() {
        let dir = std::env::temp_dir().join(format!("cw-sysroot-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lib/rustlib/x86_64-unknown-linux-gnu/lib")).unwrap();
        assert!(has_std(&dir, "x86_64-unknown-linux-gnu"));
        assert!(!has_std(&dir, "aarch64-unknown-linux-gnu"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
