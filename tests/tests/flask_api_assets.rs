//! The flask-api image is an asset built from `apps/flask-api/service`: the template names it
//! by the hash of what the build context holds. Editing a file of the context changes exactly
//! that tag (and so the task definition); a file the ignore file leaves out changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::path::Path;

use cloudwright_core::{App, Assembly, Context};
use cloudwright_testing::fixtures::TempDir;
use cloudwright_tests::{assert_lint_clean, workspace_root};

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn synth(service: &Path) -> Assembly {
    let mut context =
        Context::from_file(&workspace_root().join("apps/flask-api/cloudwright.context.json"))
            .unwrap();
    context.set(
        "serviceDirectory",
        service.display().to_string().into(),
        "the test",
    );
    let mut app = App::with_context(context);
    app_flask_api::build(&mut app).unwrap();
    app.synth().unwrap()
}

fn tag(assembly: &Assembly) -> String {
    assert_eq!(assembly.assets.len(), 1);
    assembly.assets[0].image_tag.clone()
}

#[test]
fn the_tag_follows_the_context_and_nothing_else() {
    let dir = TempDir::new("flask-asset").unwrap();
    let service = dir.path().join("service");
    copy_tree(&workspace_root().join("apps/flask-api/service"), &service);

    let before = synth(&service);
    let before_tag = tag(&before);
    let before_template = before.stacks[0].template.clone();
    assert!(before_template.contains(&format!("cloudwright-assets:{before_tag}")));
    assert_lint_clean("FlaskApiAsset", &before_template);

    // a file the ignore file leaves out (tests, a README, bytecode): same tag, same template
    std::fs::write(service.join("NOTES.md"), "not part of the image").unwrap();
    std::fs::create_dir_all(service.join("person_api/__pycache__")).unwrap();
    std::fs::write(
        service.join("person_api/__pycache__/x.cpython-312.pyc"),
        b"\0",
    )
    .unwrap();
    std::fs::write(service.join("tests/test_extra.py"), "def test_x(): pass\n").unwrap();
    let ignored = synth(&service);
    assert_eq!(tag(&ignored), before_tag);
    assert_eq!(ignored.stacks[0].template, before_template);

    // one byte of the application: a new tag, and the template differs by exactly that
    let routes = service.join("person_api/routes.py");
    let mut text = std::fs::read_to_string(&routes).unwrap();
    text.push('\n');
    std::fs::write(&routes, text).unwrap();
    let edited = synth(&service);
    let edited_tag = tag(&edited);
    assert_ne!(edited_tag, before_tag);
    assert_eq!(
        edited.stacks[0].template.replace(&edited_tag, &before_tag),
        before_template,
        "only the image tag changes"
    );
    let task = |a: &Assembly| {
        let t: serde_json::Value = serde_json::from_str(&a.stacks[0].template).unwrap();
        t["Resources"]["TaskTaskDefinition"].clone()
    };
    assert_ne!(
        task(&edited),
        task(&before),
        "so the task definition changes"
    );
}

#[test]
fn the_assembly_carries_the_context_and_what_to_build() {
    let dir = TempDir::new("flask-asset-out").unwrap();
    let assembly = synth(&workspace_root().join("apps/flask-api/service"));
    let out = dir.path().join("out");
    assembly.write(&out).unwrap();
    let manifest = Assembly::read_assets(&out).unwrap();
    let asset = manifest.docker_images.values().next().unwrap();
    assert_eq!(asset.repository_name, "cloudwright-assets");
    assert_eq!(asset.platform, "linux/amd64");
    assert!(asset.files.contains(&"Dockerfile".to_string()));
    assert!(asset.files.contains(&"person_api/routes.py".to_string()));
    assert!(!asset.files.iter().any(|f| f.starts_with("tests/")));
    for f in &asset.files {
        assert!(out.join(&asset.directory).join(f).is_file(), "{f}");
    }
    // the assets file names no path of this machine
    let text = std::fs::read_to_string(out.join("assets.json")).unwrap();
    assert!(!text.contains(&workspace_root().display().to_string()));
}

/// Writing the assembly again moves each asset context already there under the same hash
/// instead of copying it again (the main job stays a few milliseconds); a changed context
/// gets its new directory and the old one goes.
#[test]
fn a_context_already_in_the_assembly_is_kept_not_copied_again() {
    use std::os::unix::fs::MetadataExt;
    let dir = TempDir::new("flask-asset-reuse").unwrap();
    let service = dir.path().join("service");
    copy_tree(&workspace_root().join("apps/flask-api/service"), &service);
    let out = dir.path().join("out");
    let first = synth(&service);
    first.write(&out).unwrap();
    let manifest = Assembly::read_assets(&out).unwrap();
    let asset = manifest.docker_images.values().next().unwrap().clone();
    let dockerfile = out.join(&asset.directory).join("Dockerfile");
    let inode = std::fs::metadata(&dockerfile).unwrap().ino();
    synth(&service).write(&out).unwrap();
    // the same file, moved across: a copy would be a new inode
    assert_eq!(std::fs::metadata(&dockerfile).unwrap().ino(), inode);
    for f in &asset.files {
        assert!(out.join(&asset.directory).join(f).is_file(), "{f}");
    }
    // no temporary or old directory left beside the assembly
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(siblings.is_empty(), "{siblings:?}");
    // a changed context: a new directory with the new content, the old one gone
    std::fs::write(service.join("person_api/extra.py"), "X = 1\n").unwrap();
    synth(&service).write(&out).unwrap();
    let changed = Assembly::read_assets(&out).unwrap();
    let new = changed.docker_images.values().next().unwrap();
    assert_ne!(new.directory, asset.directory);
    assert!(
        out.join(&new.directory)
            .join("person_api/extra.py")
            .is_file()
    );
    assert!(!out.join(&asset.directory).exists());
}
