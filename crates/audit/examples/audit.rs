//! Audits a template file: `cargo run -p cloudwright-audit --example audit -- TEMPLATE.json
//! [DECLARATION.json] [--json]`. Exits 1 when the surface differs from the declaration or a
//! rule finds an error.

use std::process::ExitCode;

use cloudwright_audit::{Declaration, Severity, audit, fail_on, to_json};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(template) = files.first() else {
        return Err("usage: audit TEMPLATE.json [DECLARATION.json] [--json]".into());
    };
    let template: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(template)?)?;
    let declared = match files.get(1) {
        Some(path) => Some(Declaration::from_json(&std::fs::read_to_string(path)?)?),
        None => None,
    };
    let report = audit(&template, declared.as_ref())?;
    if json {
        println!("{}", to_json(&report)?);
    } else {
        print!("{}", report.render_table());
    }
    let differs = report.diff.as_ref().is_some_and(|d| !d.is_empty());
    Ok(!differs && !fail_on(&report.findings, Severity::Error))
}
