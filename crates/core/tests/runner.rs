//! The app runner: flags, summary, atomic output, and errors that write nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::{Path, PathBuf};

use cloudwright_core::runner::run_with;
use cloudwright_core::{App, ContextQuery, Error, RawResource, Value};

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("cw-runner-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(
    args: &[&str],
    ctx: &Path,
    build: impl FnOnce(&mut App) -> Result<(), Error>,
) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run_with(
        args.iter().map(|s| s.to_string()),
        ctx,
        build,
        &mut out,
        &mut err,
    );
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn good(app: &mut App) -> Result<(), Error> {
    app.stack("Demo")?
        .add("Topic", RawResource::new("AWS::SNS::Topic"))?;
    Ok(())
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn writes_an_assembly_and_prints_a_summary() {
    let d = Dir::new("ok");
    let out = d.0.join("out");
    let (code, stdout, stderr) = run(
        &["--out", out.to_str().unwrap()],
        &d.0.join("ctx.json"),
        good,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Demo") && stdout.contains("synthesized 1 stack"),
        "{stdout}"
    );
    assert_eq!(
        listing(&out),
        ["Demo.graph.dot", "Demo.template.json", "manifest.json"]
    );
    let manifest = cloudwright_core::Assembly::read_manifest(&out).unwrap();
    assert_eq!(manifest.stacks[0].template_file, "Demo.template.json");
    // a second run replaces the directory with byte-identical content
    let first = std::fs::read(out.join("Demo.template.json")).unwrap();
    // the manifest records the written file's hash
    assert_eq!(
        manifest.stacks[0].hash,
        cloudwright_core::assembly::template_hash(&first)
    );
    assert!(manifest.stacks[0].hash.starts_with("blake3:"));
    let (code, ..) = run(
        &["--out", out.to_str().unwrap(), "--quiet"],
        &d.0.join("ctx.json"),
        good,
    );
    assert_eq!(code, 0);
    assert_eq!(
        first,
        std::fs::read(out.join("Demo.template.json")).unwrap()
    );
    // no temporary directories are left beside it
    assert_eq!(listing(&d.0), ["out"]);
}

fn assert_failure_leaves_output_untouched(
    name: &str,
    build: impl FnOnce(&mut App) -> Result<(), Error>,
    expect: &str,
) {
    let d = Dir::new(name);
    let out = d.0.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("previous.txt"), "kept").unwrap();
    let (code, stdout, stderr) = run(
        &["--out", out.to_str().unwrap()],
        &d.0.join("ctx.json"),
        build,
    );
    assert_ne!(code, 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains(expect), "{name}: {stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(listing(&out), ["previous.txt"]);
    assert_eq!(listing(&d.0), ["out"]);
}

#[test]
fn a_cycle_writes_nothing() {
    assert_failure_leaves_output_untouched(
        "cycle",
        |app| {
            let mut s = app.stack("S")?;
            s.add(
                "A",
                RawResource::new("AWS::SNS::Topic").property("DisplayName", Value::r#ref("B")),
            )?;
            s.add(
                "B",
                RawResource::new("AWS::SNS::Topic").property("DisplayName", Value::r#ref("A")),
            )?;
            Ok(())
        },
        "dependency cycle in stack `S`: A -> B -> A",
    );
}

#[test]
fn a_dangling_ref_writes_nothing() {
    assert_failure_leaves_output_untouched(
        "dangling",
        |app| {
            app.stack("S")?.add(
                "A",
                RawResource::new("AWS::SNS::Topic").property("DisplayName", Value::r#ref("Ghost")),
            )?;
            Ok(())
        },
        "refers to `Ghost`, which does not exist",
    );
}

#[test]
fn a_duplicate_id_writes_nothing() {
    assert_failure_leaves_output_untouched(
        "duplicate",
        |app| {
            let mut s = app.stack("S")?;
            s.add("A", RawResource::new("AWS::SNS::Topic"))?;
            s.add("A", RawResource::new("AWS::SNS::Topic"))?;
            Ok(())
        },
        "duplicate logical id `A`",
    );
}

#[test]
fn an_invalid_id_writes_nothing() {
    assert_failure_leaves_output_untouched(
        "invalid",
        |app| {
            app.stack("S")?
                .add("my-topic", RawResource::new("AWS::SNS::Topic"))?;
            Ok(())
        },
        "invalid id `my-topic`",
    );
}

#[test]
fn the_501st_resource_writes_nothing() {
    assert_failure_leaves_output_untouched(
        "limit",
        |app| {
            let mut s = app.stack("S")?;
            for i in 0..501 {
                s.add(&format!("T{i}"), RawResource::new("AWS::SNS::Topic"))?;
            }
            Ok(())
        },
        "stack `S` has 501 resources; CloudFormation allows at most 500",
    );
}

#[test]
fn missing_context_writes_nothing_but_the_report_asked_for() {
    let build = |app: &mut App| {
        app.stack("S")?
            .lookup(&ContextQuery::new("vpc-provider").prop("vpcId", "vpc-1"))?;
        Ok(())
    };
    assert_failure_leaves_output_untouched(
        "missing",
        build,
        "missing context key `vpc-provider:vpcId=vpc-1`",
    );

    let d = Dir::new("report");
    let report = d.0.join("missing.json");
    let (code, ..) = run(
        &[
            "--out",
            d.0.join("out").to_str().unwrap(),
            "--missing-report",
            report.to_str().unwrap(),
        ],
        &d.0.join("ctx.json"),
        build,
    );
    assert_eq!(code, 1);
    let missing: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(missing[0]["key"], "vpc-provider:vpcId=vpc-1");
    assert_eq!(missing[0]["query"]["provider"], "vpc-provider");
    assert!(!d.0.join("out").exists());
}

#[test]
fn context_comes_from_the_file_and_overrides() {
    let d = Dir::new("ctx");
    let ctx = d.0.join("ctx.json");
    std::fs::write(&ctx, r#"{"name": "from-file", "other": 1}"#).unwrap();
    let seen = std::cell::RefCell::new(Vec::new());
    let (code, _, err) = run(
        &[
            "-c",
            "name=from-flag",
            "--out",
            d.0.join("o").to_str().unwrap(),
        ],
        &ctx,
        |app| {
            let s = app.stack("S")?;
            seen.borrow_mut().push(s.context("name").cloned());
            seen.borrow_mut().push(s.context("other").cloned());
            Ok(())
        },
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        *seen.borrow(),
        vec![
            Some(serde_json::json!("from-flag")),
            Some(serde_json::json!(1))
        ]
    );
    // a broken context file names itself
    std::fs::write(&ctx, "{").unwrap();
    let (code, _, err) = run(&["--out", d.0.join("o2").to_str().unwrap()], &ctx, good);
    assert_eq!(code, 1);
    assert!(
        err.contains("ctx.json") && err.contains("not valid JSON"),
        "{err}"
    );
    assert!(!d.0.join("o2").exists());
}

#[test]
fn bad_flags_are_usage_errors() {
    let d = Dir::new("flags");
    let (code, _, err) = run(&["--bogus"], &d.0.join("c.json"), good);
    assert_eq!(code, 2);
    assert!(err.contains("unknown argument `--bogus`"), "{err}");
    let (code, _, err) = run(&["--out"], &d.0.join("c.json"), good);
    assert_eq!(code, 2);
    assert!(err.contains("--out needs a value"), "{err}");
    let (code, _, err) = run(&["-c", "novalue"], &d.0.join("c.json"), good);
    assert_eq!(code, 1);
    assert!(err.contains("key=value"), "{err}");
}

#[test]
fn yaml_templates_are_written_beside_the_json_ones_on_request() {
    let d = Dir::new("yaml");
    let out = d.0.join("out");
    let ctx = d.0.join("ctx.json");
    let (code, _, err) = run(
        &["--out", out.to_str().unwrap(), "--yaml", "-q"],
        &ctx,
        good,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        listing(&out),
        [
            "Demo.graph.dot",
            "Demo.template.json",
            "Demo.template.yaml",
            "manifest.json"
        ]
    );
    let yaml = std::fs::read_to_string(out.join("Demo.template.yaml")).unwrap();
    assert_eq!(
        yaml,
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"templateYamlFile\": \"Demo.template.yaml\""),
        "{manifest}"
    );
}

/// Synthesizing again without a change writes nothing: the assembly there already is this one
/// (the same files, byte for byte, and nothing else). Any difference — a file edited, a stray
/// file, a format added or dropped, another template — replaces the whole directory.
#[test]
fn an_unchanged_assembly_is_left_as_it_is_and_any_difference_replaces_it() {
    use std::os::unix::fs::MetadataExt;
    let d = Dir::new("unchanged");
    let out = d.0.join("out");
    let ctx = d.0.join("ctx.json");
    let args = ["--out", out.to_str().unwrap(), "-q"];
    let inode = |name: &str| std::fs::metadata(out.join(name)).unwrap().ino();
    assert_eq!(run(&args, &ctx, good).0, 0);
    let (dir, template) = (
        std::fs::metadata(&out).unwrap().ino(),
        inode("Demo.template.json"),
    );
    // the same again: the same directory and files, not replacements
    assert_eq!(run(&args, &ctx, good).0, 0);
    assert_eq!(std::fs::metadata(&out).unwrap().ino(), dir);
    assert_eq!(inode("Demo.template.json"), template);
    assert_eq!(listing(&d.0), ["out"]);
    // an edited template is written again
    std::fs::write(out.join("Demo.template.json"), "{}").unwrap();
    assert_eq!(run(&args, &ctx, good).0, 0);
    assert_ne!(
        std::fs::read_to_string(out.join("Demo.template.json")).unwrap(),
        "{}"
    );
    assert_ne!(std::fs::metadata(&out).unwrap().ino(), dir);
    // a stray file goes with the replaced directory
    std::fs::write(out.join("stray.txt"), "x").unwrap();
    assert_eq!(run(&args, &ctx, good).0, 0);
    assert_eq!(
        listing(&out),
        ["Demo.graph.dot", "Demo.template.json", "manifest.json"]
    );
    // YAML asked for, then not: added, then removed
    let yaml = ["--out", out.to_str().unwrap(), "-q", "--yaml"];
    assert_eq!(run(&yaml, &ctx, good).0, 0);
    assert!(out.join("Demo.template.yaml").is_file());
    assert_eq!(run(&args, &ctx, good).0, 0);
    assert!(!out.join("Demo.template.yaml").exists());
    // another template
    let other = |app: &mut App| -> Result<(), Error> {
        app.stack("Demo")?
            .add("Queue", RawResource::new("AWS::SQS::Queue"))?;
        Ok(())
    };
    assert_eq!(run(&args, &ctx, other).0, 0);
    let text = std::fs::read_to_string(out.join("Demo.template.json")).unwrap();
    assert!(text.contains("AWS::SQS::Queue"), "{text}");
    assert_eq!(listing(&d.0), ["out"]);
}
