#!/usr/bin/env python3
"""Derive sample values for the required properties of every generated type, and verify them.

For each generated type (every type crates/codegen/export_schemas.py exported), reads its
schema from crates/codegen/schemas/ and builds a `Properties` object holding exactly what the schema requires: the required
properties, recursively the required properties of required objects, one item per list (or
`minItems`), and what the object-level combinators ask for (the first alternative of a
`oneOf`/`anyOf` of required sets, `requiredXor`, `requiredOr`, `dependentRequired`). Values
follow the schema: an `enum` member, a number within `minimum`/`maximum`, a string generated
from its `pattern` (Python's regex parser drives the generator; the `regex` module, which is
what cfn-lint uses, verifies the result) within its length limits, a literal per `format`
cfn-lint checks (ARNs, ids, CIDRs, dates), a minimal JSON document for free-form values.

Where cfn-lint asks for more than the schema states (rules across properties, IAM policy
checks, ...), crates/codegen/samples/overrides.json sets a property path of a type to a
literal, each entry with the reason.

Then it verifies: every type's sample goes into templates of at most 400 resources, and
cfn-lint (informational checks included) must report nothing. Every override must be needed:
taken out on its own, cfn-lint reports the sample (for an ignored rule, that rule). A type whose first sample has
findings is retried with the next alternatives (the second `oneOf` branch, the second enum
member, `true` for booleans, ...), up to a few rounds; the first clean variant is kept. Any
type still with findings makes the script fail, naming it and the findings, and write nothing.

Writes crates/codegen/samples/samples.json (type -> Properties, keys sorted), which the
generator turns into the typed test crates/resources/tests/every_type.rs. Run from anywhere,
with the Python that has cfn-lint (the .venv that scripts/test creates):

    .venv/bin/python crates/codegen/export_samples.py

then regenerate with `cargo run -p cloudwright-codegen`.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import re._parser as sre_parse  # Python 3.11+
    import re._constants as sre_c
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore
    import sre_constants as sre_c  # type: ignore

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
SAMPLES = HERE / "samples"
OUT = SAMPLES / "samples.json"
OVERRIDES = SAMPLES / "overrides.json"
BATCH = 400
ROUNDS = 4

# literals for the formats cfn-lint checks (cfnlint/rules/formats, cfnlint/jsonschema/_format.py)
FORMATS = {
    "AWS::IAM::Role.Arn": "arn:aws:iam::123456789012:role/sample",
    "AWS::KMS::Key.Arn": "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012",
    "AWS::KMS::Key.Id": "12345678-1234-1234-1234-123456789012",
    "AWS::KMS::Alias.AliasName": "alias/sample",
    "AWS::EC2::SecurityGroup.Id": "sg-0123456789abcdef0",
    "AWS::EC2::SecurityGroup.Name": "sample",
    "AWS::EC2::Subnet.Id": "subnet-0123456789abcdef0",
    "AWS::EC2::VPC.Id": "vpc-0123456789abcdef0",
    "AWS::EC2::Image.Id": "ami-0123456789abcdef0",
    "AWS::S3::Bucket.Name": "sample-bucket",
    "AWS::SNS::Topic.Arn": "arn:aws:sns:us-east-1:123456789012:sample",
    "AWS::SQS::Queue.Arn": "arn:aws:sqs:us-east-1:123456789012:sample",
    "AWS::Lambda::Function.Arn": "arn:aws:lambda:us-east-1:123456789012:function:sample",
    "AWS::Lambda::Function.Name": "sample",
    "AWS::Logs::LogGroup.Name": "sample",
    "AWS::ACM::Certificate.Arn": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
    "ipv4-network": "10.0.0.0/16",
    "ipv6-network": "2001:db8::/56",
    "ipv4": "10.0.0.1",
    "ipv6": "2001:db8::1",
    "date-time": "2030-01-01T00:00:00Z",
    "date": "2030-01-01",
    "timestamp": "2030-01-01T00:00:00Z",
    "json": "{}",
    "uri": "https://example.com",
}
# list formats: each item has the singular format
LIST_FORMATS = {
    "AWS::EC2::SecurityGroup.Ids": "AWS::EC2::SecurityGroup.Id",
    "AWS::EC2::SecurityGroup.Names": "AWS::EC2::SecurityGroup.Name",
    "AWS::EC2::Subnet.Ids": "AWS::EC2::Subnet.Id",
}

# characters preferred when a pattern allows a choice, most readable first
PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_. /:@+=,"
# what \p{..} classes become for generation (verification uses the real pattern)
UNICODE_CLASSES = {
    "L": "a-zA-Z", "Lu": "A-Z", "Ll": "a-z", "N": "0-9", "Nd": "0-9", "Z": " ", "Zs": " ",
    "P": ".,:;_\\-", "S": "+=$", "M": "", "IsAlphabetic": "a-zA-Z", "Alpha": "a-zA-Z",
    "Alnum": "a-zA-Z0-9", "Punct": ".,:;_\\-", "Print": "a-zA-Z0-9 ", "Graph": "a-zA-Z0-9",
    "Digit": "0-9", "Upper": "A-Z", "Lower": "a-z", "Space": " ", "Word": "a-zA-Z0-9_",
    "XDigit": "0-9a-f", "ASCII": "a-zA-Z0-9",
}


def read_types() -> list[str]:
    """The generated types: those export_schemas.py exported (the keys of getatts.json)."""
    return sorted(json.loads((SCHEMAS / "getatts.json").read_text()))


def file_name(type_name: str) -> str:
    _, service, resource = type_name.split("::")
    return f"{service.lower()}-{resource.lower()}.json"


def logical_id(type_name: str) -> str:
    """The logical id a type's sample gets in the templates (and in the Rust test)."""
    return "".join(type_name.split("::")[1:])


def _regex():
    try:
        import warnings

        warnings.filterwarnings("ignore", category=FutureWarning)
        import regex  # what cfn-lint matches patterns with
    except ImportError:
        sys.exit(f"the `regex` module is not installed for {sys.executable} (cfn-lint needs it)")
    return regex


# ---------------------------------------------------------------------------------------
# strings from patterns


def _for_parsing(pattern: str) -> str:
    """The pattern in a dialect Python's `re` parses: `\\p{..}` classes replaced."""
    # an inline flag group is legal anywhere for `regex`, only at the start for `re`
    pattern = pattern.replace("(?i)", "")
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            m = re.match(r"\\([pP])\{\^?([A-Za-z_=]+)\}", pattern[i:])
            if m:
                chars = UNICODE_CLASSES.get(m.group(2).split("=")[-1], "a-zA-Z")
                neg = m.group(1) == "P" or "{^" in m.group(0)
                if neg:
                    chars = "0-9" if "a-z" in chars else "a-z"
                out.append(chars if in_class else f"[{chars}]")
                i += len(m.group(0))
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            # a `]` or `^]` right after `[` is literal
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":
                out.append("\\]")
                i += 1
        elif c == "[" and in_class:
            out.append("\\[")
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _class_chars(items) -> tuple[bool, set[str]]:
    neg, chars = False, set()
    for op, av in items:
        if op == sre_c.NEGATE:
            neg = True
        elif op == sre_c.LITERAL:
            chars.add(chr(av))
        elif op == sre_c.RANGE:
            lo, hi = av
            for cp in range(lo, min(hi, lo + 400) + 1):
                chars.add(chr(cp))
        elif op == sre_c.CATEGORY:
            chars |= _category_chars(av)
    return neg, chars


def _category_chars(cat) -> set[str]:
    name = str(cat)
    digits, word, space = set("0123456789"), set(PREFERRED[:62] + "_"), {" "}
    every = set(PREFERRED)
    if "NOT_DIGIT" in name:
        return every - digits
    if "NOT_WORD" in name:
        return every - word
    if "NOT_SPACE" in name:
        return every - space
    if "DIGIT" in name:
        return digits
    if "WORD" in name:
        return word
    if "SPACE" in name:
        return space
    return every


def _pick(chars: set[str], neg: bool, shift: int) -> str:
    pool = [c for c in PREFERRED if (c in chars) != neg]
    if not pool:
        if neg:
            pool = [c for c in "~%^" if c not in chars] or ["~"]
        else:
            pool = sorted(chars) or ["a"]
    return pool[shift % len(pool)]


class _TooLong(Exception):
    pass


class _Gen:
    def __init__(self, target: int, shift: int, branch: int):
        self.target, self.shift, self.branch = target, shift, branch
        self.groups: dict[int, str] = {}

    def count(self, lo: int, hi: int) -> int:
        hi = min(hi, 4096)
        return max(lo, min(hi, self.target))

    def seq(self, items) -> str:
        out = "".join(self.one(op, av) for op, av in items)
        if len(out) > 8192:
            raise _TooLong
        return out

    def one(self, op, av) -> str:
        if op == sre_c.LITERAL:
            return chr(av)
        if op == sre_c.NOT_LITERAL:
            return _pick({chr(av)}, True, self.shift)
        if op == sre_c.ANY:
            return _pick(set(), True, self.shift)
        if op == sre_c.IN:
            neg, chars = _class_chars(av)
            return _pick(chars, neg, self.shift)
        if op == sre_c.CATEGORY:
            return _pick(_category_chars(av), False, self.shift)
        if op == sre_c.BRANCH:
            alts = av[1]
            return self.seq(alts[self.branch % len(alts)])
        if op == sre_c.SUBPATTERN:
            group, _, _, p = av
            s = self.seq(p)
            if group is not None:
                self.groups[group] = s
            return s
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) or str(op) == "POSSESSIVE_REPEAT":
            lo, hi, p = av
            n = self.count(lo, hi)
            return "".join(self.seq(p) for _ in range(n))
        if str(op) == "ATOMIC_GROUP":
            return self.seq(av)
        if op == sre_c.GROUPREF:
            return self.groups.get(av, "")
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            return ""
        if op == sre_c.GROUPREF_EXISTS:
            _, yes, no = av
            return self.seq(yes)
        return ""


def pattern_matches(pattern: str, s: str) -> bool:
    try:
        return _regex().search(pattern, s) is not None
    except Exception:
        return False


def string_for(schema: dict, variant: int, seed: str = "sample") -> str:
    """A string meeting a string schema's format, pattern and length limits."""
    lo = schema.get("minLength", 0)
    hi = schema.get("maxLength", 1 << 30)
    pattern = schema.get("pattern")
    fmt = schema.get("format")

    def ok(s: str) -> bool:
        return lo <= len(s) <= hi and (pattern is None or pattern_matches(pattern, s))

    def candidates():
        if fmt in FORMATS:
            yield FORMATS[fmt]
        if pattern is None:
            base = seed if variant == 0 else f"{seed}{variant}"
            s = base[:hi]
            if len(s) < lo:
                s = (s + "x" * lo)[:lo] if lo <= 4096 else s
            yield s
            return
        try:
            parsed = sre_parse.parse(_for_parsing(pattern))
        except Exception:
            parsed = None
        if parsed is not None:
            targets = [1, 2, 3, 0, 4, 6, 8, 12, 16, 24, 32, 48, 64]
            targets += [t for t in (lo - 2, lo - 1, lo, hi - 1, hi) if 0 <= t < 4096]
            for branch in range(4):
                for target in targets:
                    g = _Gen(target, variant, branch + variant)
                    try:
                        yield g.seq(parsed)
                    except _TooLong:
                        pass
        yield from [seed, "a", "A", "1", "a1", "sample-1", "Sample"]
        if lo <= 4096:
            yield (seed + "x" * lo)[: max(lo, len(seed))]

    for c in candidates():
        if ok(c):
            return c
    raise ValueError(f"no string for {schema!r}")


# ---------------------------------------------------------------------------------------
# values from schemas


class Sampler:
    def __init__(self, root: dict, variant: int):
        self.root = root
        self.defs = root.get("definitions", {})
        self.variant = variant

    def resolve(self, schema: dict) -> dict:
        seen = 0
        while "$ref" in schema and seen < 16:
            key = schema["$ref"].split("/")[-1]
            target = self.defs.get(key, {})
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest}
            seen += 1
        return schema

    def choice(self, n: int) -> int:
        return self.variant % n if n else 0

    def value(self, schema: dict, name: str, depth: int = 0):
        schema = self.resolve(schema)
        if depth > 12:
            raise ValueError("too deep")
        if "const" in schema:
            return schema["const"]
        if "enum" in schema and schema["enum"]:
            return schema["enum"][self.choice(len(schema["enum"]))]
        ty = schema.get("type")
        if isinstance(ty, list):
            ty = ty[0] if ty else None
        if ty is None:
            if "properties" in schema:
                ty = "object"
            elif "items" in schema:
                ty = "array"
            elif "oneOf" in schema or "anyOf" in schema:
                alts = schema.get("oneOf") or schema.get("anyOf")
                alt = {**{k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")},
                       **self.resolve(alts[self.choice(len(alts))])}
                if "type" in alt or "properties" in alt or "enum" in alt or "$ref" in alt:
                    return self.value(alt, name, depth + 1)
                ty = "object"
            else:
                ty = "object"
        if ty == "string":
            return string_for(schema, self.variant, seed="sample")
        if ty in ("integer", "number"):
            return self.number(schema, ty)
        if ty == "boolean":
            return self.variant % 2 == 1
        if ty == "array":
            return self.array(schema, name, depth)
        if ty == "object":
            return self.object(schema, name, depth)
        if ty == "null":
            return None
        raise ValueError(f"unknown type {ty!r}")

    def number(self, schema: dict, ty: str):
        lo = schema.get("minimum")
        if lo is None and "exclusiveMinimum" in schema:
            lo = schema["exclusiveMinimum"] + 1
        hi = schema.get("maximum")
        if hi is None and "exclusiveMaximum" in schema:
            hi = schema["exclusiveMaximum"] - 1
        v = 1 if lo is None else lo
        if hi is not None and v > hi:
            v = hi
        step = schema.get("multipleOf")
        if step:
            v = step * max(1, -(-v // step))
        if ty == "integer" or float(v).is_integer():
            return int(v)
        return v

    def array(self, schema: dict, name: str, depth: int):
        fmt = schema.get("format")
        n = max(schema.get("minItems", 1), 1)
        items = self.resolve(schema.get("items", {"type": "string"}))
        if fmt in LIST_FORMATS:
            items = {**items, "format": LIST_FORMATS[fmt]}
        out = []
        for i in range(n):
            sub = Sampler(self.root, self.variant + i) if schema.get("uniqueItems") else self
            v = sub.value(items, name, depth + 1)
            # items that come out equal stay so: cfn-lint reports them, and an override
            # gives distinct ones
            out.append(v)
        return out

    def gather(self, schema: dict, acc: dict) -> None:
        """Merges what an object schema states, through `allOf`, into `acc`: its
        properties, required names, combinators (lists of alternatives) and dependencies."""
        schema = self.resolve(schema)
        for p, sub in (schema.get("properties") or {}).items():
            acc["props"].setdefault(p, sub)
        for r in schema.get("required", []):
            if r not in acc["required"]:
                acc["required"].append(r)
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                acc["combos"].append((key, schema[key]))
        for key in ("requiredXor", "requiredOr"):
            if schema.get(key):
                kind = "oneOf" if key == "requiredXor" else "anyOf"
                acc["combos"].append((kind, [{"required": [p]} for p in schema[key]]))
        for part in schema.get("allOf", []):
            self.gather(part, acc)
        deps = schema.get("dependentRequired") or {}
        deps = {**deps, **{k: v for k, v in (schema.get("dependencies") or {}).items()
                           if isinstance(v, list)}}
        acc["deps"].update(deps)
        if schema.get("minProperties"):
            acc["min"] = max(acc["min"], schema["minProperties"])

    def object(self, schema: dict, name: str, depth: int):
        acc = {"props": {}, "required": [], "combos": [], "deps": {}, "min": 0}
        self.gather(schema, acc)
        props = acc["props"]
        if not props and not acc["combos"]:
            out = {}
            pats = list((schema.get("patternProperties") or {}).items())
            for i in range(acc["min"]):
                key = f"key{i}"
                sub = {"type": "string"}
                if pats:
                    key = string_for({"pattern": pats[0][0]}, i, seed=f"key{i}")
                    sub = pats[0][1]
                out[key] = self.value(sub, key, depth + 1)
            return out
        wanted = acc["required"]
        done = 0
        while done < len(acc["combos"]):
            kind, alts = acc["combos"][done]
            done += 1
            alts = [self.resolve(a) for a in alts]
            satisfied = [a for a in alts if a.get("required") and all(r in wanted for r in a["required"])]
            if satisfied:
                continue
            alt = alts[self.choice(len(alts))]
            before = len(wanted)
            self.gather(alt, acc)
            # an alternative told apart only by its properties: set the first of them
            alt_props = list((alt.get("properties") or {}))
            if len(wanted) == before and alt_props and not alt.get("required") and \
                    not any(p in wanted for p in alt_props):
                wanted.append(alt_props[0])
        changed = True
        while changed:
            changed = False
            for p, needs in acc["deps"].items():
                if p in wanted:
                    for q in needs:
                        if q not in wanted:
                            wanted.append(q)
                            changed = True
        # minProperties: the first optional properties that have a sample
        for p in sorted(props):
            if len([w for w in wanted if w in props]) >= acc["min"]:
                break
            if p not in wanted:
                wanted.append(p)
        out = {}
        for p in wanted:
            if p in props:
                out[p] = self.value(props[p], p, depth + 1)
        return dict(sorted(out.items()))


def read_only(schema: dict) -> set[str]:
    return {p.split("/")[2] for p in schema.get("readOnlyProperties", [])
            if p.count("/") == 2}


def sample(schema: dict, variant: int) -> dict:
    """The Properties of a type: its settable required properties and what they need."""
    top = dict(schema)
    ro = read_only(schema)
    top["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in ro}
    top["required"] = [r for r in schema.get("required", []) if r not in ro]
    props = Sampler(schema, variant).object(top, schema["typeName"], 0)
    return {k: v for k, v in props.items() if k not in ro}


# ---------------------------------------------------------------------------------------
# overrides


def set_path(props: dict, path: str, value) -> None:
    """Sets `A/B/0/C` in a Properties object; a `null` value removes the property."""
    parts = path.split("/")
    cur = props
    for part in parts[:-1]:
        key = int(part) if isinstance(cur, list) else part
        if isinstance(cur, dict) and key not in cur:
            cur[key] = {}
        cur = cur[key]
    last = int(parts[-1]) if isinstance(cur, list) else parts[-1]
    if value is None:
        cur.pop(last, None)
    else:
        cur[last] = copy.deepcopy(value)


def load_overrides() -> tuple[dict[str, list[dict]], dict[str, list[str]]]:
    """`(property overrides by type, cfn-lint rules ignored by type)` from overrides.json."""
    data = json.loads(OVERRIDES.read_text()) if OVERRIDES.exists() else {}
    props: dict[str, list[dict]] = {}
    for i, e in enumerate(data.get("properties", [])):
        missing = {"type", "path", "value", "reason"} - set(e)
        if missing:
            sys.exit(f"{OVERRIDES}: properties[{i}] lacks {sorted(missing)}")
        props.setdefault(e["type"], []).append(e)
    ignores: dict[str, list[str]] = {}
    for i, e in enumerate(data.get("ignore", [])):
        missing = {"types", "rule", "reason"} - set(e)
        if missing:
            sys.exit(f"{OVERRIDES}: ignore[{i}] lacks {sorted(missing)}")
        for t in e["types"]:
            ignores.setdefault(t, []).append(e["rule"])
    return props, ignores


def with_overrides(type_name: str, props: dict, overrides: dict) -> dict:
    props = copy.deepcopy(props)
    for e in overrides.get(type_name, []):
        set_path(props, e["path"], e["value"])
    return props


# ---------------------------------------------------------------------------------------
# verification with cfn-lint


def cfn_lint_command() -> list[str]:
    exe = os.environ.get("CFN_LINT")
    if exe:
        return [exe]
    beside = Path(sys.executable).parent / "cfn-lint"
    return [str(beside)] if beside.exists() else ["cfn-lint"]


def resource(type_name: str, props: dict, ignores: dict) -> dict:
    """A sample as the Rust test adds it: explicit deletion policies (cfn-lint's I3011 asks
    stateful resources for them), and the rules ignored for its type in its Metadata."""
    r = {"Type": type_name, "Properties": props,
         "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
    if ignores.get(type_name):
        r["Metadata"] = {"cfn-lint": {"config": {"ignore_checks": sorted(ignores[type_name])}}}
    return r


def lint_cases(cases: dict[str, tuple[str, dict, list[str]]]) -> dict[str, list[str]]:
    """cfn-lint findings (informational included) per case, a case being `(type, Properties,
    rules ignored)`, batched into templates of at most BATCH resources."""
    findings: dict[str, list[str]] = {}
    keys = sorted(cases)
    ids = {}
    for i, k in enumerate(keys):
        base = logical_id(cases[k][0])
        ids[k] = base if base not in ids.values() else f"{base}{i}"
    by_id = {v: k for k, v in ids.items()}
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for b in range(0, len(keys), BATCH):
            resources = {}
            for k in keys[b:b + BATCH]:
                t, props, ignored = cases[k]
                resources[ids[k]] = resource(t, props, {t: ignored})
            template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
            f = Path(tmp) / f"batch{b // BATCH:02}.json"
            f.write_text(json.dumps(template, indent=2))
            files.append(str(f))
        out = subprocess.run(
            cfn_lint_command() + ["--format", "json", "--include-checks", "I", "--", *files],
            capture_output=True, text=True)
        if out.returncode == 1 or (out.returncode != 0 and not out.stdout.strip()):
            sys.exit(f"cfn-lint failed to run ({out.returncode}):\n{out.stderr}{out.stdout}")
        for m in json.loads(out.stdout or "[]"):
            path = m.get("Location", {}).get("Path") or []
            k = by_id.get(path[1]) if len(path) > 1 and path[0] == "Resources" else None
            line = f"{m['Rule']['Id']} {'/'.join(map(str, path[2:]))}: {m['Message']}"
            findings.setdefault(k or "(template)", []).append(line)
    return findings


def lint(samples: dict[str, dict], ignores: dict) -> dict[str, list[str]]:
    """cfn-lint findings per type, for one sample per type."""
    return lint_cases({t: (t, p, ignores.get(t, [])) for t, p in samples.items()})


def stale_overrides(schemas: dict, variants: dict[str, int], overrides: dict,
                    ignores: dict) -> list[str]:
    """The overrides cfn-lint does not need: each property override is taken out of its
    type's sample, and each ignored rule out of its type's list, in turn; one that leaves the
    sample clean (for an ignored rule: without that rule's finding) is stale."""
    cases = {}
    for t, entries in overrides.items():
        for i, e in enumerate(entries):
            rest = {t: [x for j, x in enumerate(entries) if j != i]}
            props = with_overrides(t, sample(schemas[t], variants[t]), rest)
            cases[f"{t}#property {e['path']}"] = (t, props, ignores.get(t, []))
    for t, rules in ignores.items():
        props = with_overrides(t, sample(schemas[t], variants[t]), overrides)
        for r in rules:
            cases[f"{t}#ignore {r}"] = (t, props, [x for x in rules if x != r])
    found = lint_cases(cases)
    stale = []
    for k in sorted(cases):
        what = k.split("#", 1)[1]
        rule = what.split(" ", 1)[1] if what.startswith("ignore ") else None
        needed = [f for f in found.get(k, []) if rule is None or f.split()[0] == rule]
        if not needed:
            stale.append(f"{k.split('#')[0]}: {what}")
    return stale


def derive(schemas: dict[str, dict], overrides: dict, ignores: dict):
    """The first clean variant of every type's sample: `(chosen, failures)` where failures
    maps each type without one to what went wrong."""
    chosen: dict[str, dict] = {}
    variants: dict[str, int] = {}
    pending = sorted(schemas)
    first: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for variant in range(ROUNDS):
        candidates = {}
        for t in pending:
            try:
                candidates[t] = with_overrides(t, sample(schemas[t], variant), overrides)
            except (ValueError, KeyError, IndexError, TypeError) as e:
                errors.setdefault(t, f"no sample: {e}")
        if not candidates:
            break
        found = lint(candidates, ignores)
        if "(template)" in found:
            sys.exit("cfn-lint findings outside any resource:\n  " + "\n  ".join(found["(template)"]))
        for t, props in candidates.items():
            if t in found:
                first.setdefault(t, found[t])
            else:
                chosen[t] = props
                variants[t] = variant
        pending = [t for t in pending if t not in chosen]
        print(f"round {variant}: {len(candidates)} linted, {len(chosen)} clean, "
              f"{len(pending)} left", file=sys.stderr)
        if not pending:
            break
    failures = {t: first.get(t) or [errors.get(t, "?")] for t in pending}
    return chosen, variants, failures


def main() -> None:
    types = read_types()
    schemas = {t: json.loads((SCHEMAS / file_name(t)).read_text()) for t in types}
    # the enums of the AWS API models the generator checks beside the schemas'
    # (export_api_enums.py): a sample takes one of their values, as it does of an `enum`
    api_enums = json.loads((SCHEMAS / "api_enums.json").read_text()).get("types", {})
    for t, pointers in api_enums.items():
        for pointer, values in pointers.items():
            node = schemas.get(t)
            for part in pointer.lstrip("/").split("/"):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict) and "enum" not in node:
                node["enum"] = values
    overrides, ignores = load_overrides()
    for t in list(overrides) + list(ignores):
        if t not in schemas:
            sys.exit(f"{OVERRIDES}: {t} is not a generated type")
    chosen, variants, failures = derive(schemas, overrides, ignores)
    if failures:
        lines = [f"{t}: " + "; ".join(f) for t, f in sorted(failures.items())]
        sys.exit(f"{len(failures)} types have no clean sample (add an override with its reason "
                 f"to {OVERRIDES.relative_to(HERE.parent.parent)}):\n  " + "\n  ".join(lines))
    stale = stale_overrides(schemas, variants, overrides, ignores)
    if stale:
        sys.exit(f"{len(stale)} overrides in {OVERRIDES.relative_to(HERE.parent.parent)} are not "
                 "needed (the sample is clean without them); remove them:\n  " + "\n  ".join(stale))
    SAMPLES.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(dict(sorted(chosen.items())), indent=1, sort_keys=True,
                              ensure_ascii=False) + "\n")
    print(f"wrote samples of {len(chosen)} types into {OUT}")


if __name__ == "__main__":
    main()
