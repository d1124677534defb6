//! Hashing a directory file asset at synthesis (what `Code::from_directory` costs an app's
//! synth): a function's code of 200 files of 4 KiB (800 KiB, a typical Python function with
//! a few dependencies), and of 2,000 files of 4 KiB plus an ignore pattern (8 MiB).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use cloudwright_core::asset::{FileAsset, FileAssetSource};
use criterion::{Criterion, criterion_group, criterion_main};

fn tree(name: &str, files: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cw-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for i in 0..files {
        let path = dir.join(format!("pkg{}/mod{}/file{i}.py", i % 10, i % 7));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![b'a' + (i % 26) as u8; 4096]).unwrap();
    }
    dir
}

fn hash(dir: &Path, ignore: &[&str]) -> String {
    FileAsset::from_source(&FileAssetSource::Directory {
        directory: dir.to_owned(),
        ignore: ignore.iter().map(|s| s.to_string()).collect(),
    })
    .unwrap()
    .hash
}

fn file_asset(c: &mut Criterion) {
    let small = tree("small", 200);
    let large = tree("large", 2000);
    c.bench_function("file_asset_200_files_800k", |b| {
        b.iter(|| black_box(hash(&small, &[])))
    });
    c.bench_function("file_asset_2000_files_8m_ignoring_one_package", |b| {
        b.iter(|| black_box(hash(&large, &["pkg9"])))
    });
    let _ = std::fs::remove_dir_all(&small);
    let _ = std::fs::remove_dir_all(&large);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = file_asset
}
criterion_main!(benches);
