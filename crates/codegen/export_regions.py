#!/usr/bin/env python3
"""Export cfn-lint's region-keyed values: the instance types, node types and instance classes
each region offers, as cfn-lint's `CfnLintJsonSchemaRegional` rules check them (E3628 EC2
instance types, E3025 RDS instance classes by engine, ...), compactly.

cfn-lint 1.51.0 keeps one JSON schema per region for each such rule (`{"us-east-1": {"enum":
[...]}, ...}`, 9 MB in all) and validates a property with the schema of each region it is
asked about (`--regions`, us-east-1 by default); a region it has no key for gets `True`, which
accepts everything (`self.schema.get(region, True)` in `CfnLintJsonSchemaRegional.validate`).
The RDS rules' per-region schemas are `allOf` of `if` (an `Engine` const, a `LicenseModel`
const or `false` = absent) / `then` (the instance class property's `enum`).

This writes crates/codegen/schemas/regions.json:

    {"regions": [every region any rule has a key for, sorted; region i is bit i of a mask],
     "types": {"AWS::EC2::Instance": [
        {"rule": "E3628", "paths": ["InstanceType"], "description": "...",
         "when": null,                 # or [{"Engine": "mysql", "LicenseModel": null|"..."}]
         "engine_lowercased": false,   # E3025 lowercases Engine before comparing
         "regions": "ff..ff",          # hex mask: the regions that have data for this entry
         "values": [["a1.2xlarge", "3f..ff"], ...]}]}}   # sorted union, each with the
                                                         # hex mask of regions offering it

Entries of a rule with the same values in the same regions are one entry: `paths` lists where
it applies (`*` is every item of a list), `when` the conditions (any of them) on the other
properties. A condition without "LicenseModel" matches any license model; `"LicenseModel":
null` matches only when it is absent. The `"all"` key some rules have (the union, which cfn-lint never
selects for a real region) and `"description"` are left out. Run with the Python that has
cfn-lint:

    .venv/bin/python crates/codegen/export_regions.py
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import sys
from pathlib import Path

import cfnlint
import cfnlint.rules
from cfnlint.rules.jsonschema.CfnLintJsonSchemaRegional import CfnLintJsonSchemaRegional

HERE = Path(__file__).resolve().parent
OUT = HERE / "schemas" / "regions.json"
PINNED = "1.51.0"
# the rules whose validate() lowercases a string Engine before the regional schema sees it
ENGINE_LOWERCASED = {"E3025"}


def rule_classes():
    seen = set()
    for info in pkgutil.walk_packages(cfnlint.rules.__path__, "cfnlint.rules."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # a module that does not import alone holds no rule we use
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, CfnLintJsonSchemaRegional)
                and cls is not CfnLintJsonSchemaRegional
                and cls.__module__ == module.__name__
                and cls not in seen
            ):
                seen.add(cls)
                yield cls


def region_schemas(schema: dict) -> dict:
    return {k: v for k, v in schema.items() if k not in ("all", "description")}


def fail(message: str) -> None:
    raise SystemExit(f"export_regions.py: {message}")


def conditions(rid: str, per_region: dict) -> dict:
    """(property, when as JSON text) -> {region: [values]}, from the RDS `allOf`s."""
    out: dict = {}
    for region, schema in per_region.items():
        if set(schema) != {"allOf"}:
            fail(f"{rid} {region}: expected only allOf, got {sorted(schema)}")
        for item in schema["allOf"]:
            cond, then = item["if"], item["then"]
            props = cond["properties"]
            (prop,) = then["properties"].keys()
            values = then["properties"][prop]["enum"]
            if props.get(prop) != {"type": "string"}:
                fail(f"{rid} {region}: the condition does not type {prop} as a string")
            when = {"Engine": props["Engine"]["const"]}
            if "LicenseModel" in props:
                license_model = props["LicenseModel"]
                if license_model is False:
                    when["LicenseModel"] = None
                else:
                    when["LicenseModel"] = license_model["const"]
            extra = set(props) - {prop, "Engine", "LicenseModel"}
            if extra:
                fail(f"{rid} {region}: condition on {sorted(extra)} not understood")
            key = (prop, json.dumps(when, sort_keys=True))
            out.setdefault(key, {})[region] = values
    return out


def entry(rid, path, description, when, per_region, regions):
    """One entry: the sorted union of the values with the mask of regions offering each."""
    index = {r: i for i, r in enumerate(regions)}
    has = 0
    offered: dict[str, int] = {}
    for region, values in per_region.items():
        bit = 1 << index[region]
        has |= bit
        for v in values:
            if not isinstance(v, str):
                fail(f"{rid}: a value that is not a string: {v!r}")
            offered[v] = offered.get(v, 0) | bit
    return {
        "rule": rid,
        "path": path,
        "description": description,
        "when": when,
        "engine_lowercased": rid in ENGINE_LOWERCASED,
        "regions": format(has, "x"),
        "values": [[v, format(offered[v], "x")] for v in sorted(offered)],
    }


def merged(entries: list) -> list:
    """Entries of one rule with the same values in the same regions made one: its paths
    (EMR's four instance type places) and its conditions (an engine with and without its
    only license model) listed."""
    groups: dict = {}
    for e in entries:
        key = (e["rule"], e["engine_lowercased"], e["regions"], json.dumps(e["values"]))
        g = groups.get(key)
        if g is None:
            g = groups[key] = dict(e, paths=[], when=[] if e["when"] is not None else None)
            del g["path"]
        if e["path"] not in g["paths"]:
            g["paths"].append(e["path"])
        if e["when"] is not None and e["when"] not in g["when"]:
            g["when"].append(e["when"])
    out = []
    for g in groups.values():
        g["paths"].sort()
        if g["when"] is not None:
            g["when"].sort(key=lambda w: json.dumps(w, sort_keys=True))
        out.append(g)
    out.sort(key=lambda e: (e["rule"], e["paths"], json.dumps(e["when"], sort_keys=True)))
    return out


def main() -> int:
    version = getattr(cfnlint, "__version__", None)
    if version is None:
        from cfnlint.version import __version__ as version
    if version != PINNED:
        print(f"cfn-lint {version} installed; this export is pinned to {PINNED}", file=sys.stderr)
        return 1
    rules = []
    for cls in rule_classes():
        rule = cls()
        per_region = region_schemas(rule._schema)
        if not per_region:
            continue  # E3652 (Elasticsearch): no region has data in 1.51.0
        rules.append((rule, per_region))
    regions = sorted({r for _, per_region in rules for r in per_region})
    if len(regions) > 64:
        fail(f"{len(regions)} regions do not fit a 64-bit mask")
    out: dict[str, list] = {}
    for rule, per_region in rules:
        rid = rule.id
        for keyword in rule.keywords:
            parts = keyword.split("/")
            if len(parts) < 3 or parts[0] != "Resources" or parts[2] != "Properties":
                fail(f"{rid}: keyword {keyword} is not below a resource's Properties")
            type_name, path = parts[1], "/".join(parts[3:])
            entries = out.setdefault(type_name, [])
            if all(set(s) == {"enum"} for s in per_region.values()):
                values = {r: s["enum"] for r, s in per_region.items()}
                entries.append(entry(rid, path, rule.shortdesc, None, values, regions))
            elif path == "":
                for (prop, when), values in sorted(conditions(rid, per_region).items()):
                    when = json.loads(when)
                    entries.append(entry(rid, prop, rule.shortdesc, when, values, regions))
            else:
                fail(f"{rid}: a per-region schema that is neither an enum nor an RDS allOf")
    for type_name, entries in out.items():
        out[type_name] = merged(entries)
    # one line per entry: diffs stay readable, the file small
    lines = ["{", f' "regions": {json.dumps(regions)},', ' "types": {']
    types = sorted(out)
    for ti, type_name in enumerate(types):
        lines.append(f"  {json.dumps(type_name)}: [")
        entries = out[type_name]
        for ei, e in enumerate(entries):
            comma = "," if ei + 1 < len(entries) else ""
            lines.append("   " + json.dumps(e, separators=(",", ":")) + comma)
        lines.append("  ]" + ("," if ti + 1 < len(types) else ""))
    lines += [" }", "}"]
    OUT.write_text("\n".join(lines) + "\n")
    count = sum(len(v) for v in out.values())
    paths = sum(len(e["paths"]) * max(1, len(e["when"] or [])) for v in out.values() for e in v)
    values = sum(len(e["values"]) for v in out.values() for e in v)
    print(
        f"{count} region-keyed entries ({paths} paths and conditions, {values} values) "
        f"of {len(out)} types, "
        f"{len(regions)} regions -> {OUT} ({OUT.stat().st_size} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
