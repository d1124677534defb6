#!/usr/bin/env python3
"""Export the CloudFormation documentation prose of the exported types.

cfn-lint strips every `description` from the schemas it ships. The npm package
`@aws-cdk/aws-service-spec` (its `db.json.gz`) carries the CloudFormation documentation of
every resource type, property, attribute and property type. This script writes, under
crates/codegen/schemas/:

- docs.json: for each type export_schemas.py exported (the keys of schemas/getatts.json), its documentation, its properties' and attributes',
  and those of its property types (by definition name), keys sorted;
- DOCS_SOURCE: the package and the pinned version it came from.

    python3 crates/codegen/export_docs.py            # fetches the pinned version with `npm pack`
    python3 crates/codegen/export_docs.py db.json.gz # or reads a db.json.gz you have

then regenerate with `cargo run -p cloudwright-codegen`. Uses only the standard library.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@aws-cdk/aws-service-spec"
VERSION = "0.1.216"  # pinned: changing it changes the generated docs; review the diff
HERE = Path(__file__).resolve().parent
OUT = HERE / "schemas"


def exported_types() -> list[str]:
    """The types export_schemas.py exported: the keys of schemas/getatts.json."""
    return sorted(json.loads((OUT / "getatts.json").read_text()))


def load_db(path: Path | None) -> dict:
    if path is not None:
        return json.load(gzip.open(path))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"],
            cwd=tmp, check=True, stdout=subprocess.DEVNULL,
        )
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/db.json.gz")
            if member is None:
                sys.exit(f"{tgz}: no package/db.json.gz")
            return json.loads(gzip.decompress(member.read()))


def docs_of(props: dict) -> dict:
    return {name: p["documentation"] for name, p in sorted(props.items()) if p.get("documentation")}


def main() -> None:
    db = load_db(Path(sys.argv[1]) if len(sys.argv) > 1 else None)["schema"]
    resources = {e["cloudFormationType"]: e for e in db["resource"]["entities"]}
    type_defs = {e["$id"]: e for e in db["typeDefinition"]["entities"]}
    uses = db["usesType"]["forward"]
    out = {}
    missing = []
    for type_name in exported_types():
        r = resources.get(type_name)
        if r is None:
            missing.append(type_name)
            continue
        types = {}
        for ref in uses.get(r["$id"], []):
            t = type_defs[ref["$id"]]
            entry = {"properties": docs_of(t.get("properties", {}))}
            if t.get("documentation"):
                entry["doc"] = t["documentation"]
            types[t["name"]] = entry
        out[type_name] = {
            "doc": r.get("documentation", ""),
            "properties": docs_of(r.get("properties", {})),
            "attributes": docs_of(r.get("attributes", {})),
            "types": dict(sorted(types.items())),
        }
    (OUT / "docs.json").write_text(
        json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )
    (OUT / "DOCS_SOURCE").write_text(
        f"{PACKAGE} {VERSION}\n"
        "db.json.gz, exported by crates/codegen/export_docs.py into docs.json; do not edit by hand\n"
        + "".join(f"no documentation for {t}\n" for t in missing)
    )
    print(f"exported the documentation of {len(out)} types from {PACKAGE} {VERSION} into {OUT}")


if __name__ == "__main__":
    main()
