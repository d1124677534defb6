//! Benchmarks of the main job: in-process synthesis of the flask-api stack (context parsed,
//! constructs built, template rendered), and the whole `app-flask-api` process from start to
//! written assembly.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use cloudwright_core::{App, Context};
use criterion::{Criterion, criterion_group, criterion_main};

fn context_file() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/cloudwright.context.json"
    ))
}

fn benches(c: &mut Criterion) {
    c.bench_function("flask-api/in-process synthesis", |b| {
        b.iter(|| {
            let mut app = App::with_context(Context::from_file(context_file()).unwrap());
            app_flask_api::build(&mut app).unwrap();
            black_box(app.synth().unwrap())
        })
    });
    let out = std::env::temp_dir().join(format!("flask-api-bench-{}", std::process::id()));
    // another build of the binary (e.g. a copy of the one before a change), to compare the
    // two back to back with the same bench
    let binary = std::env::var_os("FLASK_API_BENCH_BINARY")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_app-flask-api").into());
    c.bench_function("flask-api/whole process, start to written assembly", |b| {
        b.iter(|| {
            let status = Command::new(&binary)
                .args(["--quiet", "--out"])
                .arg(&out)
                .status()
                .unwrap();
            assert!(status.success());
        })
    });
    // the budget is relative to an empty process: spawning and waiting for one, measured here
    c.bench_function(
        "flask-api/an empty process (/bin/true), for comparison",
        |b| {
            b.iter(|| {
                let status = Command::new("/bin/true").status().unwrap();
                assert!(status.success());
            })
        },
    );
    let _ = std::fs::remove_dir_all(&out);
}

criterion_group!(synth, benches);
criterion_main!(synth);
