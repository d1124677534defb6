//! `cloudwright audit` and the deploy's exposure check, on top of `cloudwright-audit`.
//!
//! Each stack's template is audited offline: its public surface, the difference from the
//! surface declared for it (`"surface"` in `cloudwright.json`), and the bundled policy rules.
//! `cloudwright deploy` refuses stacks whose surface widens beyond their declaration.

use std::path::PathBuf;

use cloudwright_audit::{Declaration, Report, Severity, SurfaceDiff};
use cloudwright_core::ManifestStack;
use serde::Serialize;
use serde_json::Value;

use crate::app::assembly::{CloudAssembly, Extend};
use crate::config::SurfaceConfig;
use crate::error::{Error, Result};

/// A stack's declared surface and the file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    /// The declaration file.
    pub path: PathBuf,
    /// The declaration.
    pub declaration: Declaration,
}

/// Reads the declaration of stack `id`, if `surface` gives it one.
pub fn declaration(surface: Option<&SurfaceConfig>, id: &str) -> Result<Option<Declared>> {
    let Some(path) = surface.and_then(|s| s.for_stack(id)) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(Error::read(path))?;
    let declaration = Declaration::from_json(&text).map_err(|e| Error::InvalidFile {
        path: path.to_owned(),
        message: format!(
            "{e}; a surface declaration is a JSON object with the optional keys \"routes\", \"publicLoadBalancers\", \"openIngress\", \"publicIps\" and \"allowNatGateways\" (see the cloudwright-audit README)"
        ),
    })?;
    Ok(Some(Declared {
        path: path.to_owned(),
        declaration,
    }))
}

/// One stack's audit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackAudit {
    /// The stack's id in the app.
    pub stack: String,
    /// Its CloudFormation name.
    pub stack_name: String,
    /// The declaration file, if the stack has one.
    pub declaration: Option<PathBuf>,
    /// The surface, the diff against the declaration and the findings.
    pub report: Report,
    /// The actual surface differs from the declared one.
    pub surface_differs: bool,
    /// Findings reach the `--fail-on` severity.
    pub rules_fail: bool,
}

impl StackAudit {
    /// Neither the surface nor the rules fail.
    pub fn passed(&self) -> bool {
        !self.surface_differs && !self.rules_fail
    }
}

/// `cloudwright audit`'s result: what `--json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Audit {
    /// The `--fail-on` threshold.
    pub fail_on: Severity,
    /// Every stack passed.
    pub passed: bool,
    /// Per stack, in deployment order.
    pub stacks: Vec<StackAudit>,
}

fn parse_template(stack: &ManifestStack, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::Audit {
        stack: stack.id.clone(),
        message: format!("{} is not valid JSON: {e}", stack.template_file),
    })
}

/// Audits one stack of the assembly.
pub fn audit_stack(
    assembly: &CloudAssembly,
    stack: &ManifestStack,
    surface: Option<&SurfaceConfig>,
    fail_on: Severity,
) -> Result<StackAudit> {
    let template = parse_template(stack, &assembly.template(stack)?)?;
    let declared = declaration(surface, &stack.id)?;
    let report = cloudwright_audit::audit(&template, declared.as_ref().map(|d| &d.declaration))
        .map_err(|e| Error::Audit {
            stack: stack.id.clone(),
            message: e.to_string(),
        })?;
    let surface_differs = report.diff.as_ref().is_some_and(|d| !d.is_empty());
    let rules_fail = cloudwright_audit::fail_on(&report.findings, fail_on);
    Ok(StackAudit {
        stack: stack.id.clone(),
        stack_name: stack.stack_name.clone(),
        declaration: declared.map(|d| d.path),
        report,
        surface_differs,
        rules_fail,
    })
}

/// Audits the named stacks (all when `names` is empty).
pub fn audit_stacks(
    assembly: &CloudAssembly,
    names: &[String],
    surface: Option<&SurfaceConfig>,
    fail_on: Severity,
) -> Result<Audit> {
    let stacks = assembly
        .select(names, Extend::None)?
        .into_iter()
        .map(|s| audit_stack(assembly, s, surface, fail_on))
        .collect::<Result<Vec<_>>>()?;
    Ok(Audit {
        fail_on,
        passed: stacks.iter().all(StackAudit::passed),
        stacks,
    })
}

/// The human rendering of an audit: per stack, the surface table, the diff against the
/// declaration (or a note that there is none) and the findings; then the verdict.
pub fn render(audit: &Audit) -> String {
    let mut out = String::new();
    for s in &audit.stacks {
        out.push_str(&format!("=== Stack {}", s.stack));
        if s.stack_name != s.stack {
            out.push_str(&format!(" (CloudFormation stack {})", s.stack_name));
        }
        out.push_str(" ===\n");
        match &s.declaration {
            Some(p) => out.push_str(&format!("Declared surface: {}\n", p.display())),
            None => out.push_str(
                "No declared surface for this stack (set \"surface\" in cloudwright.json): the surface is reported but not checked, and only policy rule findings set the exit status.\n",
            ),
        }
        out.push_str(&s.report.render_table());
        out.push('\n');
    }
    let failed: Vec<String> = audit
        .stacks
        .iter()
        .filter(|s| !s.passed())
        .map(|s| {
            let mut why = Vec::new();
            if s.surface_differs {
                why.push("surface differs from the declaration".to_owned());
            }
            if s.rules_fail {
                why.push(format!("policy findings at or above {}", audit.fail_on));
            }
            format!("{} ({})", s.stack, why.join("; "))
        })
        .collect();
    if failed.is_empty() {
        out.push_str(&format!(
            "Audit passed: {} stack{} (--fail-on {}).\n",
            audit.stacks.len(),
            if audit.stacks.len() == 1 { "" } else { "s" },
            audit.fail_on
        ));
    } else {
        out.push_str(&format!("Audit failed: {}.\n", failed.join(", ")));
    }
    out
}

/// The deploy's exposure check on the stacks about to be deployed. Returns the lines to show
/// (notes for stacks without a declaration, warnings when `allow` lets an exposure through);
/// fails with [`Error::Exposure`] when a stack's surface widens beyond its declaration and
/// `allow` is false. Calls no AWS API.
pub fn check_exposure(
    assembly: &CloudAssembly,
    stacks: &[&ManifestStack],
    surface: Option<&SurfaceConfig>,
    allow: bool,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let mut exposed = Vec::new();
    for stack in stacks {
        let Some(declared) = declaration(surface, &stack.id)? else {
            notes.push(format!(
                "note: stack `{}` has no declared surface (\"surface\" in cloudwright.json): its exposure is not checked; `cloudwright audit` shows it",
                stack.id
            ));
            continue;
        };
        let widened = match widened(assembly, stack, &declared) {
            Ok(d) => d,
            Err(e) if allow => {
                notes.push(format!(
                    "warning: --allow-exposure: stack `{}` was not checked: {e}",
                    stack.id
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        for w in widened.widens() {
            exposed.push(format!(
                "  stack `{}` (declared in {}): + {}",
                stack.id,
                declared.path.display(),
                w.summary
            ));
        }
    }
    if exposed.is_empty() {
        return Ok(notes);
    }
    if allow {
        notes.push(format!(
            "warning: --allow-exposure: deploying what the declared surface does not list:\n{}",
            exposed.join("\n")
        ));
        Ok(notes)
    } else {
        Err(Error::Exposure {
            exposed: exposed.join("\n"),
        })
    }
}

fn widened(
    assembly: &CloudAssembly,
    stack: &ManifestStack,
    declared: &Declared,
) -> Result<SurfaceDiff> {
    let template = parse_template(stack, &assembly.template(stack)?)?;
    let surface = cloudwright_audit::audit_template(&template).map_err(|e| Error::Audit {
        stack: stack.id.clone(),
        message: e.to_string(),
    })?;
    Ok(cloudwright_audit::diff(&surface, &declared.declaration))
}
