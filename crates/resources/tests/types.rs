//! The generated types against cfn-lint's own list: with `--features full`, every `AWS::`
//! resource type cfn-lint knows for us-east-1 is generated, except the ones
//! `crates/codegen/excluded.txt` names with a reason. With fewer features, every compiled-in
//! type is one cfn-lint knows.
//!
//! cfn-lint's list is read live from its Python package: the interpreter next to `$CFN_LINT`,
//! else the workspace's `.venv/bin/python` (which `scripts/test` creates).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python that has cfn-lint installed.
fn python() -> PathBuf {
    if let Some(bin) = std::env::var_os("CFN_LINT")
        && let Some(dir) = Path::new(&bin).parent()
        && dir.join("python").exists()
    {
        return dir.join("python");
    }
    workspace_root().join(".venv/bin/python")
}

/// `(version, every AWS:: type cfn-lint knows for us-east-1)`.
fn cfn_lint_types() -> (String, Vec<String>) {
    let py = python();
    let out = Command::new(&py)
        .args([
            "-c",
            "from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m\n\
             from cfnlint.version import __version__\n\
             print(__version__)\n\
             print('\\n'.join(sorted(t for t in m.get_resource_types('us-east-1') \
             if t.startswith('AWS::'))))",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); run scripts/test, which installs cfn-lint into .venv",
                py.display()
            )
        });
    assert!(
        out.status.success(),
        "{} could not list cfn-lint's types:\n{}",
        py.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines().map(str::to_owned);
    let version = lines.next().unwrap_or_default();
    (version, lines.collect())
}

/// `crates/codegen/excluded.txt`: `(type, reason)` per line.
fn excluded() -> Vec<(String, String)> {
    let path = workspace_root().join("crates/codegen/excluded.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (t, reason) = l.split_once('#').unwrap_or((l, ""));
            (t.trim().to_owned(), reason.trim().to_owned())
        })
        .collect()
}

#[test]
fn types_are_sorted_distinct_and_have_facts() {
    let types = cloudwright_resources::TYPES;
    assert!(types.windows(2).all(|w| w[0] < w[1]), "TYPES is not sorted");
    let facts: Vec<&str> = cloudwright_resources::all_facts()
        .iter()
        .map(|f| f.type_name)
        .collect();
    // the facts cover every type whichever features are on; the types compiled in are some
    // (with `full`, all) of them
    let missing: Vec<&&str> = types
        .iter()
        .filter(|t| facts.binary_search(t).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "compiled types without facts: {missing:?}"
    );
    #[cfg(feature = "full")]
    assert_eq!(types, facts.as_slice());
}

#[test]
fn every_cfn_lint_type_is_generated_or_excluded_with_a_reason() {
    let (version, cfn) = cfn_lint_types();
    let recorded = std::fs::read_to_string(workspace_root().join("crates/codegen/schemas/SOURCE"))
        .unwrap_or_default();
    assert!(
        recorded.starts_with(&format!("cfn-lint {version}\n")),
        "cfn-lint {version} is installed but the schemas came from {:?}",
        recorded.lines().next()
    );
    let generated = cloudwright_resources::TYPES;
    let unknown: Vec<&&str> = generated
        .iter()
        .filter(|t| cfn.binary_search_by(|c| c.as_str().cmp(t)).is_err())
        .collect();
    assert!(
        unknown.is_empty(),
        "generated types cfn-lint {version} does not know: {unknown:?}"
    );
    let excluded = excluded();
    for (t, reason) in &excluded {
        assert!(!reason.is_empty(), "excluded.txt: {t} has no reason");
        assert!(
            !generated.contains(&t.as_str()),
            "{t} is both generated and excluded"
        );
        assert!(cfn.contains(t), "excluded.txt: cfn-lint does not know {t}");
    }
    if cfg!(feature = "full") {
        let missing: Vec<&String> = cfn
            .iter()
            .filter(|t| !generated.contains(&t.as_str()) && !excluded.iter().any(|(e, _)| e == *t))
            .collect();
        assert!(
            missing.is_empty(),
            "cfn-lint {version} types neither generated nor excluded: {missing:?}"
        );
        assert_eq!(
            generated.len() + excluded.len(),
            cfn.len(),
            "cfn-lint {version} has {} AWS:: types for us-east-1; {} are generated and {} \
             excluded: {excluded:?}",
            cfn.len(),
            generated.len(),
            excluded.len()
        );
    }
}

/// The default feature, `constructs`, compiles every type `crates/codegen/constructs.txt`
/// names (the ones the construct crates use).
#[cfg(feature = "constructs")]
#[test]
fn the_construct_crates_types_are_compiled_in_by_default() {
    let path = workspace_root().join("crates/codegen/constructs.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let listed: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        listed.len() > 30,
        "{} lists only {} types",
        path.display(),
        listed.len()
    );
    for t in listed {
        assert!(
            cloudwright_resources::TYPES.contains(&t),
            "{t} is in constructs.txt but not compiled in"
        );
    }
}
