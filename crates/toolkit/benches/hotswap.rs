//! A full deploy against a hotswap of the same image change, side by side on moto: wall time of
//! the whole `cloudwright` command (synthesis, building and pushing the image with buildah to
//! a `docker-registry` on 127.0.0.1, then the deploy) and the AWS calls it makes (counted by a
//! recording proxy in front of moto). Also the cost of one round of `watch`'s polling watcher
//! over this repository.
//!
//! ```sh
//! cargo bench -p cloudwright-cli --bench hotswap           # BENCH_ROUNDS=5 by default
//! ```
//!
//! Each kind of deploy has its own lane (moto, proxy, registry, project), so neither sees the
//! other's image; in every round both lanes get the same edit, and the order alternates. Needs
//! buildah, docker-registry and moto (`scripts/test` installs them), and the fixture app
//! example built in the same profile (`cargo build --release -p cloudwright-cli --examples`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool, not product code

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cloudwright_cli::watch::{Filter, Watcher};
use cloudwright_tests::{Moto, TempDir};
use serde_json::json;

#[path = "../tests/common/images.rs"]
#[allow(dead_code)]
mod images;
#[path = "../tests/common/recorder.rs"]
#[allow(dead_code)]
mod recorder;

use images::{Registry, buildah_env, tools_present};
use recorder::Recorder;

const DEPLOY: &[&str] = &[
    "deploy",
    "--yes",
    "--method",
    "direct",
    "--progress",
    "events",
];

/// The fixture app example beside this benchmark's profile directory.
fn fixture_app() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(Path::parent).unwrap();
    let app = profile.join("examples/fixture_app");
    assert!(
        app.exists(),
        "{} is missing: run `cargo build --release -p cloudwright-cli --examples` first",
        app.display()
    );
    app
}

struct Lane {
    _moto: Moto,
    recorder: Recorder,
    _registry: Registry,
    _work: TempDir,
    project: TempDir,
    env: Vec<(&'static str, String)>,
}

impl Lane {
    fn new(name: &str) -> Lane {
        let moto = Moto::start();
        let recorder = Recorder::start(moto.port());
        let work = TempDir::new(&format!("bench-hotswap-work-{name}"));
        let registry = Registry::start(work.path());
        let project = TempDir::new(&format!("bench-hotswap-{name}"));
        let ctx = project.path().join("image");
        std::fs::create_dir_all(&ctx).unwrap();
        std::fs::write(
            ctx.join("Dockerfile"),
            "FROM scratch\nCOPY hello.txt /hello.txt\n",
        )
        .unwrap();
        std::fs::write(ctx.join("hello.txt"), "round 0\n").unwrap();
        let config = json!({
            "app": format!("{} -c fixture=service -c assetDir={}", fixture_app().display(), ctx.display()),
            "context": "cloudwright.context.json",
            "out": "cloudwright.out",
        });
        std::fs::write(project.path().join("cloudwright.json"), config.to_string()).unwrap();
        let mut env: Vec<(&'static str, String)> = moto
            .env()
            .into_iter()
            .filter(|(k, _)| *k != "AWS_ENDPOINT_URL")
            .collect();
        env.push(("AWS_ENDPOINT_URL", recorder.endpoint()));
        env.extend(buildah_env(work.path()));
        env.push(("CLOUDWRIGHT_ASSET_REGISTRY", registry.host()));
        let lane = Lane {
            _moto: moto,
            recorder,
            _registry: registry,
            _work: work,
            project,
            env,
        };
        lane.run(DEPLOY);
        lane.recorder.take();
        lane
    }

    fn edit(&self, text: &str) {
        std::fs::write(self.project.path().join("image/hello.txt"), text).unwrap();
    }

    /// Runs the CLI; its wall time and the calls it made.
    fn run(&self, args: &[&str]) -> (Duration, Vec<String>) {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_cloudwright"))
            .current_dir(self.project.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_CONFIG_FILE", self.project.path().join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.project.path().join("no-aws-credentials"),
            )
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        assert!(
            out.status.success(),
            "cloudwright {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        (elapsed, self.recorder.take())
    }
}

fn stats(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms (min {:.1}, max {:.1})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    )
}

fn calls(list: &[String]) -> String {
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for c in list {
        *counted.entry(c.as_str()).or_default() += 1;
    }
    counted
        .iter()
        .map(|(c, n)| {
            if *n == 1 {
                (*c).to_owned()
            } else {
                format!("{c} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
        .max(1);

    // one watcher round over this repository
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let filter = Filter::from_patterns(&[
        "cloudwright.out".to_owned(),
        "cloudwright.context.json".to_owned(),
    ]);
    let watcher = Watcher::new(vec![root.clone()], filter);
    let files = watcher.scan().len();
    let mut scans: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(watcher.scan());
            t.elapsed()
        })
        .collect();
    println!(
        "watch: one polling round over this repository ({files} files): {}",
        stats(&mut scans)
    );

    if !tools_present() {
        println!("deploys: skipped (buildah and docker-registry are needed)");
        return;
    }
    let full = Lane::new("full");
    let hot = Lane::new("hot");
    let hotswap: Vec<&str> = DEPLOY.iter().copied().chain(["--hotswap"]).collect();
    let assembly = ["--assembly", "cloudwright.out"];
    let full_step: Vec<&str> = DEPLOY.iter().copied().chain(assembly).collect();
    let hot_step: Vec<&str> = hotswap.iter().copied().chain(assembly).collect();
    // (kind, lane, arguments): end to end, and the deploy step alone
    let kinds: [(&str, &Lane, &[&str]); 2] = [("full", &full, DEPLOY), ("hotswap", &hot, &hotswap)];
    let steps: [(&str, &Lane, &[&str]); 2] =
        [("full", &full, &full_step), ("hotswap", &hot, &hot_step)];
    let mut times: BTreeMap<(&str, &str), Vec<Duration>> = BTreeMap::new();
    let mut last_calls: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for round in 1..=rounds {
        let order: Vec<usize> = if round % 2 == 1 {
            vec![0, 1]
        } else {
            vec![1, 0]
        };
        // end to end: edit, then one command (synthesis, build and push, deploy)
        for lane in [&full, &hot] {
            lane.edit(&format!("round {round}\n"));
        }
        for &k in &order {
            let (kind, lane, args) = kinds[k];
            let (t, c) = lane.run(args);
            times.entry(("end to end", kind)).or_default().push(t);
            last_calls.insert(("end to end", kind), c);
        }
        // the deploy step alone: the image already built and pushed, the assembly read as is
        for lane in [&full, &hot] {
            lane.edit(&format!("round {round} again\n"));
            lane.run(&["assets"]);
        }
        for &k in &order {
            let (kind, lane, args) = steps[k];
            let (t, c) = lane.run(args);
            times.entry(("deploy step", kind)).or_default().push(t);
            last_calls.insert(("deploy step", kind), c);
        }
    }
    println!("{rounds} rounds, the same one-file edit of the image's source in both lanes");
    for ((what, kind), list) in &mut times {
        let c = &last_calls[&(*what, *kind)];
        println!(
            "{what}, {kind}: {}; {} calls: {}",
            stats(list),
            c.len(),
            calls(c)
        );
    }
}
