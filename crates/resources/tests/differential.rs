//! Differential test of the schema checks against cfn-lint over the whole catalogue.
//!
//! Independent of the code generator: the test reads the provider schemas itself
//! (`crates/codegen/schemas/*.json`, the files the generator reads) and, seeded and
//! deterministic, draws cases: a random type of the catalogue (every tenth case one of the
//! types the construct crates use, `crates/codegen/constructs.txt`), its cfn-lint-verified
//! sample of required properties (`crates/codegen/samples/samples.json`, which `every_type`
//! checks to pass cfn-lint with no finding at all), and one top-level property replaced or
//! added with a value built from the schema: a valid one (an enum member, a text made from
//! the pattern by the small generator below, a value of the format, a number within the
//! bounds), a boundary one (exactly at, or one past, a length, item or number bound) or a
//! plausible mistake (wrong types, integers written as strings like `"28e0"`, boolean
//! spellings like `"fAlse"`, `null`, duplicate list items, unknown keys, typos of property
//! names, near-miss and case-flipped enum members, over-long strings, out-of-range numbers,
//! objects where strings belong and strings where objects belong, map keys against their
//! pattern, a required property left out), at any depth. One resource per case; all
//! templates (100 resources each) go through cfn-lint in one run per core (at most four).
//!
//! Since the sample alone passes cfn-lint, every cfn-lint finding on the case's resource is
//! about the varied property. Only the *schema* rules count: the rules cfn-lint runs for the
//! JSON-schema keywords of the provider schemas (the `rule_set` of
//! `cfnlint/rules/resources/properties/Properties.py`: E3002 `properties`/
//! `additionalProperties`, E3003 `required`, E3008 `prefixItems`, E3012 `type`, E3014
//! `requiredXor`, E3017 `anyOf`, E3018 `oneOf`, E3020 `dependentExcluded`, E3021
//! `dependentRequired`, E3024 `tagging`, E3030 `enum`/`enumCaseInsensitive`, E3031
//! `pattern`, E3032 `minItems`/`maxItems`, E3033 `minLength`/`maxLength`, E3034
//! `minimum`/`maximum`, E3037 `uniqueItems`, E3058 `requiredOr`) and the `format` keyword's
//! (E1103 and its children E1150-E1164). Everything else is not counted as a rejection:
//! warnings (W) and informational findings (I); E1101 and the rules it dispatches to
//! (cfn-lint's extension schemas and its rules beyond the schema: E3045, E3510, E3039, the
//! region's instance types, ...); E3710 (a shut-down service; those types are skipped);
//! rules across resources (E3019 unique primary identifiers, E3060 overlapping subnets).
//! A case only those reject is neither a rejection nor an acceptance: such cases are counted
//! apart, as "beyond the provider schema", with the share synthesis accepts, so what is left
//! to do there is visible too. A rejection cfn-lint makes wrongly ([`WRONG_REJECTIONS`]) is
//! not counted as one.
//!
//! Two rates are printed: of the cases cfn-lint rejects, the share synthesis
//! (`cloudwright_resources::check_properties`) accepts; of those cfn-lint accepts, the share
//! synthesis refuses. `synthesis_agrees_with_cfn_lint_over_the_catalogue` holds the issue's
//! bar: the first at most 1 %, and no refusal of a case cfn-lint accepts that is not a
//! [`KNOWN`] cfn-lint error (each listed with the cfn-lint source line that makes it wrong,
//! and a focused test below), whatever the seed and budget. At CI's seed and budget the first
//! rate was 2.9 % when the test was written and is 0.27 % since synthesis checks unions of
//! objects and typed strings, case-insensitive enums, map keys and `multipleOf`.
//!
//! `CLOUDWRIGHT_DIFF_SEED` (decimal or `0x` hex) and `CLOUDWRIGHT_DIFF_CASES` override the
//! seed and the case budget; `CLOUDWRIGHT_DIFF_VERBOSE=1` prints every disagreement. cfn-lint
//! is found through `$CFN_LINT`, the workspace's `.venv`, or `PATH`. Run with
//! `cargo test -p cloudwright-resources --features full --test differential`.

#![cfg(feature = "full")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cloudwright_core::{Value, Violation};
use serde_json::{Map, Value as Json, json};

mod common;
use common::lint_files;

/// The seed of the run CI makes (another seed: `CLOUDWRIGHT_DIFF_SEED`).
const SEED: u64 = 0xd1ff_e4e7_1a15_2026;
/// The case budget of the run CI makes (about 20 s of cfn-lint here).
const CASES: usize = 3000;
/// Resources per template given to cfn-lint.
const BATCH: usize = 100;

// ---------------------------------------------------------------------------------------
// cfn-lint's rules

/// The rules of cfn-lint's provider-schema keywords and formats: a finding of one of these
/// is a rejection of the case (see the module documentation).
const SCHEMA_RULES: &[&str] = &[
    "E3002", "E3003", "E3008", "E3012", "E3014", "E3017", "E3018", "E3020", "E3021", "E3024",
    "E3030", "E3031", "E3032", "E3033", "E3034", "E3037", "E3058", "E1103", "E1150", "E1151",
    "E1152", "E1153", "E1154", "E1155", "E1156", "E1157", "E1158", "E1159", "E1160", "E1161",
    "E1162", "E1163", "E1164",
];

/// Rules about several resources at once (the cases share templates) or about the type
/// itself: never about the varied property.
const UNRELATED_RULES: &[&str] = &["E3019", "E3060", "E3710"];

// ---------------------------------------------------------------------------------------
// Known cfn-lint errors: synthesis refuses, cfn-lint accepts, cfn-lint is wrong

/// A refusal by synthesis of a case cfn-lint accepts, where cfn-lint is wrong.
struct Known {
    /// The type (`*`: any).
    type_name: &'static str,
    /// The property (`*`: any).
    property: &'static str,
    /// The form of the value.
    form: &'static str,
    /// Why cfn-lint is wrong, with its source file and line.
    why: &'static str,
    /// Whether a refusal is this one.
    applies: fn(&Case, &Violation) -> bool,
}

/// The known cfn-lint errors (focused tests at the end of the file).
static KNOWN: &[Known] = &[
    Known {
        type_name: "*",
        property: "* (the 549 of crates/codegen/schemas/api_enums.json)",
        form: "a string outside the enum the AWS API model states (`BillingMode: ON_DEMAND`)",
        why: "cfn-lint checks the provider schema, which leaves these strings free; the API \
              model (botocore) lists the values the service takes, and CloudFormation fails \
              the deploy on any other. cfn-lint has no check of its own: \
              cfnlint/rules/resources/properties/Enum.py line 27 (`enum` runs only where the \
              schema has one)",
        applies: refused_by_api_enum,
    },
    Known {
        type_name: "*",
        property: "*",
        form: "`null`, at any depth",
        why: "CloudFormation refuses the template (\"'null' values are not allowed in \
              templates\"). cfn-lint's type check computes the error and drops it: \
              cfnlint/rules/resources/properties/Type.py lines 67-73 yield a type error only \
              when the instance is an object, array, boolean, integer, number or string, \
              never for None",
        applies: refused_as_null,
    },
    Known {
        type_name: "*",
        property: "*",
        form: "a number with a fraction for an `integer` (`2.5`)",
        why: "cfn-lint tests an integer with Python's int(), which truncates a float: \
              cfnlint/jsonschema/_keywords_cfn.py line 297 (`int(instance)`, int(2.5) == 2), \
              so `type: integer` accepts 2.5; CloudFormation's schema validation does not",
        applies: refused_as_fraction,
    },
    Known {
        type_name: "*",
        property: "* (format AWS::Logs::LogGroup.Name: AWS::CloudFormation::Macro \
                   LogGroupName, AWS::Lambda::Function LoggingConfig/LogGroup, ...)",
        form: "a log group name with a character outside `[.-_/#A-Za-z0-9]` (`/app!web`)",
        why: "cfn-lint registers the log group name pattern under the wrong format name: \
              cfnlint/rules/formats/LogGroupName.py line 20 \
              (`format=\"AWS::EC2::Subnet.Id\"`), so `AWS::Logs::LogGroup.Name` is never \
              checked; CloudWatch Logs refuses such a name",
        applies: refused_as_log_group_name,
    },
    Known {
        type_name: "*",
        property: "* (a string enum without `false`: AWS::EC2::VPC InstanceTenancy, ...)",
        form: "the word `false` in any case (`\"FALSE\"`) against a string enum",
        why: "cfn-lint compares a boolean word with each enum member by bool_compare, which \
              reads every string but `true` as False: cfnlint/jsonschema/_utils.py lines \
              101-109 call cfnlint/helpers.py bool_compare (lines 560-566), so `\"FALSE\"` \
              equals `\"default\"`; CloudFormation passes the string on and the service \
              refuses it",
        applies: refused_as_false_word,
    },
    Known {
        type_name: "*",
        property: "* (a definition with `properties` but no `type`: AWS::MPA::ApprovalTeam \
                   Policies/*, ...)",
        form: "a list or a scalar where the definition describes an object (`[[{...}]]`)",
        why: "cfn-lint applies JSON Schema's rule that `properties` and `required` constrain \
              objects only (cfnlint/jsonschema/_keywords.py lines 677 and 722: `if not \
              validator.is_type(instance, \"object\"): return`), so where a schema leaves out \
              `type: object` any non-object passes; the resource's handler reads the property \
              as the object the definition names and refuses the deploy",
        applies: refused_as_untyped_object,
    },
];

fn refused_as_untyped_object(_: &Case, v: &Violation) -> bool {
    v.constraint == "type object"
        && serde_json::from_str::<Json>(&v.value).is_ok_and(|j| !j.is_object())
}

fn refused_as_false_word(_: &Case, v: &Violation) -> bool {
    v.constraint.starts_with("enum [")
        && serde_json::from_str::<Json>(&v.value)
            .ok()
            .and_then(|j| j.as_str().map(str::to_ascii_lowercase))
            .is_some_and(|w| w == "false")
}

fn refused_as_log_group_name(_: &Case, v: &Violation) -> bool {
    v.constraint == "format AWS::Logs::LogGroup.Name"
}

/// A rejection by cfn-lint of a case that is right: not counted as a rejection (the slip
/// rate is of cfn-lint's right rejections), printed apart.
struct WrongRejection {
    /// What the value is.
    form: &'static str,
    /// Why cfn-lint is wrong, with its source file and line.
    why: &'static str,
    /// Whether the case's schema-rule findings are all this one.
    applies: fn(&Case, &[&Finding]) -> bool,
}

/// The rejections cfn-lint makes wrongly (focused tests at the end of the file).
static WRONG_REJECTIONS: &[WrongRejection] = &[WrongRejection {
    form: "tags whose keys differ, one of them a boolean (`[{\"Key\": \"K\"}, {\"Key\": false}]`)",
    why: "cfn-lint compares tag keys with bool_compare when one is a boolean, which reads \
          every string but `true` as False: cfnlint/helpers.py lines 560-566 (called from \
          cfnlint/jsonschema/_utils.py line 109), so `\"K\"` equals `false`; CloudFormation \
          passes the keys on as the distinct strings `K` and `false`",
    applies: tag_keys_distinct,
}];

/// Every schema finding is E3024's "not unique for keys", and the tag keys, in the string
/// forms CloudFormation gives them, are distinct.
fn tag_keys_distinct(case: &Case, findings: &[&Finding]) -> bool {
    let Some(Json::Array(tags)) = case.properties.get("Tags") else {
        return false;
    };
    let keys: Vec<String> = tags
        .iter()
        .filter_map(|t| match t.get("Key")? {
            Json::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
        .collect();
    let distinct: BTreeSet<&String> = keys.iter().collect();
    !findings.is_empty()
        && findings
            .iter()
            .all(|f| f.rule == "E3024" && f.message.contains("not unique for keys"))
        && distinct.len() == keys.len()
}

fn refused_as_null(_: &Case, v: &Violation) -> bool {
    v.constraint.starts_with("no null values")
}

fn refused_as_fraction(_: &Case, v: &Violation) -> bool {
    v.constraint == "type integer"
        && serde_json::from_str::<Json>(&v.value)
            .ok()
            .and_then(|n| n.as_f64())
            .is_some_and(|n| n.fract() != 0.0)
}

/// A refusal with the enum of `api_enums.json` for the case's type.
fn refused_by_api_enum(case: &Case, v: &Violation) -> bool {
    api_enums()
        .get(case.type_name.as_str())
        .is_some_and(|lists| lists.contains(&v.constraint))
}

/// Per type, the constraint text of each API-model enum (`enum ["A", "B"]`).
fn api_enums() -> &'static BTreeMap<String, Vec<String>> {
    static CELL: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    CELL.get_or_init(|| {
        let doc = read_json(&codegen_dir().join("schemas/api_enums.json"));
        let mut out = BTreeMap::new();
        for (t, props) in doc["types"].as_object().into_iter().flatten() {
            let lists: Vec<String> = props
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, l)| {
                    let items: Vec<String> = l
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|s| format!("{:?}", s.as_str().unwrap_or_default()))
                        .collect();
                    format!("enum [{}]", items.join(", "))
                })
                .collect();
            out.insert(t.clone(), lists);
        }
        out
    })
}

// ---------------------------------------------------------------------------------------
// A small deterministic generator

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------
// Texts from patterns: a generator of our own for the regular expressions of the schemas

#[derive(Debug, Clone)]
enum Re {
    Lit(char),
    /// A class: ranges, negated.
    Class(Vec<(char, char)>, bool),
    Dot,
    Group(Vec<Vec<Re>>),
    /// A lookaround or an anchor: matches nothing.
    Empty,
    Repeat(Box<Re>, usize, usize),
}

struct ReParser<'a> {
    s: Vec<char>,
    i: usize,
    _src: &'a str,
}

impl ReParser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn alternation(&mut self) -> Option<Vec<Vec<Re>>> {
        let mut alts = vec![self.sequence()?];
        while self.eat('|') {
            alts.push(self.sequence()?);
        }
        Some(alts)
    }
    fn sequence(&mut self) -> Option<Vec<Re>> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quantified(atom)?;
            seq.push(atom);
        }
        Some(seq)
    }
    fn number(&mut self) -> Option<usize> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i {
            return None;
        }
        self.s[start..self.i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
    fn quantified(&mut self, atom: Re) -> Option<Re> {
        let (lo, hi) = match self.peek() {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            Some('{') => {
                let save = self.i;
                self.i += 1;
                let lo = self.number();
                let hi = if self.eat(',') {
                    self.number().unwrap_or(usize::MAX)
                } else {
                    lo.unwrap_or(0)
                };
                if (lo.is_none() && hi == 0) || !self.eat('}') {
                    // a literal `{`
                    self.i = save;
                    return Some(atom);
                }
                self.i -= 1;
                (lo.unwrap_or(0), hi)
            }
            _ => return Some(atom),
        };
        self.i += 1;
        // lazy or possessive
        let _ = self.eat('?') || self.eat('+');
        Some(Re::Repeat(Box::new(atom), lo, hi))
    }
    fn escape_class(c: char) -> Option<Re> {
        let r = |ranges: &[(char, char)], neg: bool| Some(Re::Class(ranges.to_vec(), neg));
        match c {
            'd' => r(&[('0', '9')], false),
            'D' => r(&[('0', '9')], true),
            'w' => r(&[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
            'W' => r(&[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], true),
            's' => r(&[(' ', ' ')], false),
            'S' => r(&[(' ', ' ')], true),
            _ => None,
        }
    }
    fn escaped_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0c',
            'v' => '\x0b',
            'x' => {
                let h: String = self.s.get(self.i..self.i + 2)?.iter().collect();
                self.i += 2;
                char::from_u32(u32::from_str_radix(&h, 16).ok()?)?
            }
            'u' => {
                let h: String = self.s.get(self.i..self.i + 4)?.iter().collect();
                self.i += 4;
                char::from_u32(u32::from_str_radix(&h, 16).ok()?)?
            }
            other => other,
        })
    }
    /// `\p{..}`/`\P{..}` after the backslash and the letter: letters (or not).
    fn property(&mut self, negated: bool) -> Option<Re> {
        if self.eat('{') {
            while self.peek().is_some_and(|c| c != '}') {
                self.i += 1;
            }
            self.eat('}');
        } else {
            self.i += 1;
        }
        Some(Re::Class(vec![('a', 'z'), ('A', 'Z')], negated))
    }
    fn atom(&mut self) -> Option<Re> {
        let c = self.peek()?;
        self.i += 1;
        match c {
            '^' | '$' => Some(Re::Empty),
            '.' => Some(Re::Dot),
            '(' => {
                if self.eat('?') {
                    match self.peek()? {
                        ':' => {
                            self.i += 1;
                        }
                        '=' | '!' => {
                            self.i += 1;
                            self.alternation()?;
                            self.eat(')').then_some(())?;
                            return Some(Re::Empty);
                        }
                        '<' if matches!(self.s.get(self.i + 1).copied(), Some('=' | '!')) => {
                            self.i += 2;
                            self.alternation()?;
                            self.eat(')').then_some(())?;
                            return Some(Re::Empty);
                        }
                        'P' | '<' => {
                            while self.peek().is_some_and(|c| c != '>') {
                                self.i += 1;
                            }
                            self.eat('>');
                        }
                        _ => {
                            // inline flags `(?i)` or `(?i:...)`
                            while self
                                .peek()
                                .is_some_and(|c| c.is_ascii_alphabetic() || c == '-')
                            {
                                self.i += 1;
                            }
                            if self.eat(')') {
                                return Some(Re::Empty);
                            }
                            self.eat(':').then_some(())?;
                        }
                    }
                }
                let alts = self.alternation()?;
                self.eat(')').then_some(())?;
                Some(Re::Group(alts))
            }
            '[' => self.class(),
            '\\' => {
                let e = self.peek()?;
                match e {
                    'A' | 'Z' | 'z' | 'b' | 'B' | 'G' => {
                        self.i += 1;
                        Some(Re::Empty)
                    }
                    'p' | 'P' => {
                        self.i += 1;
                        self.property(e == 'P')
                    }
                    _ => {
                        if let Some(class) = Self::escape_class(e) {
                            self.i += 1;
                            return Some(class);
                        }
                        if e.is_ascii_digit() {
                            return None; // a backreference
                        }
                        self.escaped_char().map(Re::Lit)
                    }
                }
            }
            other => Some(Re::Lit(other)),
        }
    }
    fn class(&mut self) -> Option<Re> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            self.i += 1;
            let lo = if c == '\\' {
                let e = self.peek()?;
                if let Some(Re::Class(r, neg)) = Self::escape_class(e) {
                    self.i += 1;
                    if !neg {
                        ranges.extend(r);
                    }
                    continue;
                }
                if e == 'p' || e == 'P' {
                    self.i += 1;
                    self.property(false)?;
                    ranges.extend([('a', 'z'), ('A', 'Z')]);
                    continue;
                }
                self.escaped_char()?
            } else if c == '[' && self.peek() == Some(':') {
                // a POSIX class: letters and digits
                while self.peek().is_some_and(|c| c != ']') {
                    self.i += 1;
                }
                self.i += 1;
                ranges.extend([('a', 'z'), ('0', '9')]);
                continue;
            } else {
                c
            };
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&c| c != ']') {
                self.i += 1;
                let hi_c = self.peek()?;
                self.i += 1;
                let hi = if hi_c == '\\' {
                    self.escaped_char()?
                } else {
                    hi_c
                };
                ranges.push((lo, hi.max(lo)));
            } else {
                ranges.push((lo, lo));
            }
        }
        Some(Re::Class(ranges, negated))
    }
}

fn parse_re(src: &str) -> Option<Vec<Vec<Re>>> {
    let mut p = ReParser {
        s: src.chars().collect(),
        i: 0,
        _src: src,
    };
    let alts = p.alternation()?;
    (p.i == p.s.len()).then_some(alts)
}

/// Characters a negated class or a dot draws from.
const OTHER_CHARS: &[char] = &['a', 'Z', '0', '7', '_', '-', '.', ' ', '~', 'é', ':', '/'];

fn emit(rng: &mut Rng, re: &Re, out: &mut String) {
    match re {
        Re::Lit(c) => out.push(*c),
        Re::Dot => out.push(*rng.pick(&['a', 'b', 'x', '1', '-'])),
        Re::Empty => {}
        Re::Class(ranges, negated) => {
            if *negated || ranges.is_empty() {
                let inside = |c: char| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                let ok: Vec<char> = OTHER_CHARS
                    .iter()
                    .copied()
                    .filter(|&c| inside(c) != *negated)
                    .collect();
                if !ok.is_empty() {
                    out.push(*rng.pick(&ok));
                }
            } else {
                let (lo, hi) = *rng.pick(ranges);
                let span = (hi as u32).saturating_sub(lo as u32).min(200);
                let c =
                    char::from_u32(lo as u32 + rng.below(span as usize + 1) as u32).unwrap_or(lo);
                // no C1 controls (U+007F-U+009F) or non-characters: raw in the JSON, they
                // make cfn-lint's (YAML) template parser give up on the whole file
                let bad = |c: char| matches!(c as u32, 0x7f..=0x9f | 0xfffe | 0xffff);
                out.push([c, lo, hi].into_iter().find(|&c| !bad(c)).unwrap_or(' '));
            }
        }
        Re::Group(alts) => {
            for r in rng.pick(alts) {
                emit(rng, r, out);
            }
        }
        Re::Repeat(inner, lo, hi) => {
            let extra = hi.saturating_sub(*lo).min(3);
            let n = (*lo).min(64) + rng.below(extra + 1);
            for _ in 0..n {
                emit(rng, inner, out);
            }
        }
    }
}

/// A text the pattern may match (best effort: cfn-lint is the judge).
fn example(rng: &mut Rng, pattern: &str) -> Option<String> {
    let alts = parse_re(pattern)?;
    let mut out = String::new();
    for r in rng.pick(&alts) {
        emit(rng, r, &mut out);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// The catalogue

/// One type of the catalogue.
struct TypeSchema {
    name: String,
    doc: Json,
    sample: Map<String, Json>,
    /// Its properties that are not read-only, sorted.
    settable: Vec<String>,
}

fn codegen_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen")
}

fn read_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every type with a provider schema, sorted by name, but those cfn-lint reports whatever
/// their properties (an `E` rule in `samples/overrides.json`'s `ignore`: shut-down services).
fn catalogue() -> Vec<TypeSchema> {
    let samples = read_json(&codegen_dir().join("samples/samples.json"));
    let overrides = read_json(&codegen_dir().join("samples/overrides.json"));
    let skipped: BTreeSet<&str> = overrides["ignore"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["rule"].as_str().is_some_and(|r| r.starts_with('E')))
        .flat_map(|e| e["types"].as_array().into_iter().flatten())
        .filter_map(Json::as_str)
        .collect();
    let dir = codegen_dir().join("schemas");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let doc = read_json(&file);
        let Some(name) = doc["typeName"].as_str().map(str::to_owned) else {
            continue;
        };
        if !name.starts_with("AWS::") || skipped.contains(name.as_str()) {
            continue;
        }
        let sample = samples[&name]
            .as_object()
            .cloned()
            .unwrap_or_else(|| panic!("{name}: no sample in samples.json"));
        let read_only: BTreeSet<&str> = doc["readOnlyProperties"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str()?.strip_prefix("/properties/"))
            .collect();
        let settable: Vec<String> = doc["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .filter(|k| !read_only.contains(k.as_str()))
            .collect();
        out.push(TypeSchema {
            name,
            doc: doc.clone(),
            sample,
            settable,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

// ---------------------------------------------------------------------------------------
// Values from the schema

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Valid,
    Boundary,
    Mistake,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Str,
    Int,
    Num,
    Bool,
    Arr,
    Obj,
    Any,
}

/// The node a `$ref` points to (`#/definitions/X`), followed until none is left.
fn resolve<'d>(doc: &'d Json, mut node: &'d Json) -> &'d Json {
    for _ in 0..16 {
        match node
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => match doc.pointer(pointer) {
                Some(n) => node = n,
                None => return node,
            },
            None => break,
        }
    }
    node
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "string" => Kind::Str,
        "integer" => Kind::Int,
        "number" => Kind::Num,
        "boolean" => Kind::Bool,
        "array" => Kind::Arr,
        "object" => Kind::Obj,
        _ => return None,
    })
}

fn kinds(node: &Json) -> Vec<Kind> {
    match &node["type"] {
        Json::String(t) => return kind_of(t).into_iter().collect(),
        Json::Array(ts) => return ts.iter().filter_map(|t| kind_of(t.as_str()?)).collect(),
        _ => {}
    }
    if node.get("properties").is_some() || node.get("patternProperties").is_some() {
        return vec![Kind::Obj];
    }
    if node.get("items").is_some() {
        return vec![Kind::Arr];
    }
    if let Some(first) = node["enum"].as_array().and_then(|e| e.first()) {
        return vec![match first {
            Json::Number(n) if n.is_f64() => Kind::Num,
            Json::Number(_) => Kind::Int,
            Json::Bool(_) => Kind::Bool,
            _ => Kind::Str,
        }];
    }
    vec![Kind::Any]
}

/// The schema node with one of its `oneOf`/`anyOf` alternatives merged in (properties and
/// `required` joined, other keywords of the alternative taking over).
fn with_alternative(rng: &mut Rng, doc: &Json, node: &Json) -> Json {
    let mut merged = node.clone();
    for key in ["oneOf", "anyOf"] {
        let Some(alts) = node[key].as_array().filter(|a| !a.is_empty()) else {
            continue;
        };
        let alt = resolve(doc, rng.pick(alts)).clone();
        let alt = with_alternative(rng, doc, &alt);
        if let Json::Object(m) = &mut merged {
            m.remove(key);
            for (k, v) in alt.as_object().into_iter().flatten() {
                match (k.as_str(), m.get_mut(k)) {
                    ("properties", Some(Json::Object(p))) => {
                        for (pk, pv) in v.as_object().into_iter().flatten() {
                            p.insert(pk.clone(), pv.clone());
                        }
                    }
                    ("required", Some(Json::Array(r))) => {
                        r.extend(v.as_array().into_iter().flatten().cloned());
                    }
                    _ => {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
        }
    }
    merged
}

fn u(node: &Json, key: &str) -> Option<usize> {
    node[key].as_u64().map(|n| n.min(100_000) as usize)
}

fn f(node: &Json, key: &str) -> Option<f64> {
    node[key].as_f64()
}

/// Examples of the formats cfn-lint checks, and of the others.
fn format_example(rng: &mut Rng, format: &str) -> Option<String> {
    let s = match format {
        "AWS::EC2::VPC.Id" => *rng.pick(&["vpc-0123abcd", "vpc-0123456789abcdef0"]),
        "AWS::EC2::Subnet.Id" | "AWS::EC2::Subnet.Ids" => "subnet-0123abcd",
        "AWS::EC2::SecurityGroup.Id" | "AWS::EC2::SecurityGroup.Ids" => "sg-0123abcd",
        "AWS::EC2::SecurityGroup.Name" | "AWS::EC2::SecurityGroup.Names" => "web servers",
        "AWS::EC2::Image.Id" => "ami-0123abcd",
        "AWS::Logs::LogGroup.Name" => "/app/web",
        "AWS::IAM::Role.Arn" => "arn:aws:iam::123456789012:role/app",
        "AWS::KMS::Key.Arn" => {
            "arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab"
        }
        "AWS::KMS::Key.Id" => "0123abcd-0123-4567-89ab-0123456789ab",
        "AWS::KMS::Alias.AliasName" => "alias/app",
        "AWS::Lambda::Function.Arn" => "arn:aws:lambda:us-east-1:123456789012:function:app",
        "AWS::Lambda::Function.Name" => "app-handler",
        "AWS::ACM::Certificate.Arn" => {
            "arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-4567-89ab-0123456789ab"
        }
        "AWS::SNS::Topic.Arn" => "arn:aws:sns:us-east-1:123456789012:alerts",
        "AWS::SQS::Queue.Arn" => "arn:aws:sqs:us-east-1:123456789012:jobs",
        "AWS::S3::Bucket.Name" => "my-bucket-01",
        "ipv4-network" => *rng.pick(&["10.0.0.0/16", "192.168.1.0/24", "0.0.0.0/0"]),
        "ipv6-network" => *rng.pick(&["2001:db8::/56", "::/0"]),
        "ipv4" => "10.0.0.1",
        "ipv6" => "2001:db8::1",
        "date-time" => "2024-01-02T03:04:05Z",
        "date" => "2024-01-02",
        "timestamp" => "2024-01-02T03:04:05Z",
        "int64" => "42",
        "double" => "4.5",
        "json" => "{}",
        "uri" => "https://example.com/a",
        _ => return None,
    };
    Some(s.to_owned())
}

/// What the generator did, for the report.
struct Gen<'a> {
    rng: &'a mut Rng,
    doc: &'a Json,
    what: Vec<String>,
}

const LETTERS: &[char] = &[
    'a', 'b', 'c', 'x', 'y', 'z', 'A', 'M', 'Z', '0', '1', '5', '9', '-', '_',
];

fn fit(text: &str, n: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let fill = chars.last().copied().unwrap_or('a');
    chars.truncate(n);
    while chars.len() < n {
        chars.push(fill);
    }
    chars.into_iter().collect()
}

fn flip_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c.to_uppercase().next().unwrap_or(c)
            }
        })
        .collect()
}

impl Gen<'_> {
    fn note(&mut self, what: impl Into<String>) {
        self.what.push(what.into());
    }

    /// A value for `node` in `mode`.
    fn value(&mut self, node: &Json, mode: Mode, depth: usize) -> Json {
        let node = resolve(self.doc, node);
        let node = with_alternative(self.rng, self.doc, node);
        let kinds = kinds(&node);
        let kind = *self.rng.pick(&kinds);
        // deep structures: keep to what is required, no more mistakes
        let mode = if depth > 6 && mode != Mode::Valid {
            Mode::Valid
        } else {
            mode
        };
        match (kind, mode) {
            (_, Mode::Mistake) if depth > 0 && self.rng.chance(4) => {
                self.note("null");
                Json::Null
            }
            (Kind::Str, m) => self.string(&node, m),
            (Kind::Int, m) => self.number(&node, m, true),
            (Kind::Num, m) => self.number(&node, m, false),
            (Kind::Bool, m) => self.boolean(m),
            (Kind::Arr, m) => self.array(&node, m, depth),
            (Kind::Obj, m) => self.object(&node, m, depth),
            (Kind::Any, Mode::Mistake) => {
                self.note("free-form with null inside");
                json!({"a": null})
            }
            (Kind::Any, _) => {
                self.note("free-form");
                match self.rng.below(3) {
                    0 => json!({"Key": "Value"}),
                    1 => json!("text"),
                    _ => json!(["a"]),
                }
            }
        }
    }

    fn valid_string(&mut self, node: &Json) -> String {
        if let Some(items) = node["enum"].as_array().filter(|e| !e.is_empty()) {
            return match self.rng.pick(items) {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
        }
        if let Some(f) = node["format"].as_str()
            && let Some(s) = format_example(self.rng, f)
        {
            return s;
        }
        let min = u(node, "minLength").unwrap_or(0);
        let max = u(node, "maxLength").unwrap_or(min + 16).max(min);
        if let Some(p) = node["pattern"].as_str() {
            let mut best = None;
            for _ in 0..6 {
                let Some(s) = example(self.rng, p) else { break };
                let n = s.chars().count();
                let fits = n >= min && n <= max;
                best = Some(s);
                if fits {
                    break;
                }
            }
            if let Some(s) = best {
                return s;
            }
        }
        let n = min + self.rng.below((max - min).min(12) + 1);
        (0..n).map(|_| *self.rng.pick(LETTERS)).collect()
    }

    fn mutate(&mut self, s: &str) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        match self.rng.below(4) {
            0 if !chars.is_empty() => {
                let i = self.rng.below(chars.len());
                chars.remove(i);
            }
            1 if !chars.is_empty() => {
                let i = self.rng.below(chars.len());
                chars[i] = *self.rng.pick(&['x', 'Q', '9', '-', ' ', '.', '!', 'é']);
            }
            2 => {
                let i = self.rng.below(chars.len() + 1);
                chars.insert(
                    i,
                    *self.rng.pick(&['x', 'Q', '9', '-', ' ', '/', '*', '\n']),
                );
            }
            _ => chars.push('s'),
        }
        chars.into_iter().collect()
    }

    fn string(&mut self, node: &Json, mode: Mode) -> Json {
        let valid = self.valid_string(node);
        let min = u(node, "minLength");
        let max = u(node, "maxLength");
        match mode {
            Mode::Valid => {
                self.note("string");
                Json::String(valid)
            }
            Mode::Boundary => {
                let mut options = Vec::new();
                if let Some(m) = min {
                    options.push(("minLength", m));
                    if m > 0 {
                        options.push(("minLength - 1", m - 1));
                    }
                }
                if let Some(m) = max.filter(|&m| m <= 5000) {
                    options.push(("maxLength", m));
                    options.push(("maxLength + 1", m + 1));
                }
                if options.is_empty() {
                    self.note("string (no bounds)");
                    return Json::String(valid);
                }
                let (what, n) = *self.rng.pick(&options);
                self.note(format!("string of {what}"));
                Json::String(fit(&valid, n))
            }
            Mode::Mistake => {
                let has_enum = node["enum"].as_array().is_some_and(|e| !e.is_empty());
                match self.rng.below(12) {
                    0..=2 => {
                        self.note(if has_enum {
                            "near-miss enum"
                        } else {
                            "mutated string"
                        });
                        Json::String(self.mutate(&valid))
                    }
                    3 => {
                        self.note("case-flipped string");
                        Json::String(flip_case(&valid))
                    }
                    4 => {
                        let n = max.map_or(300, |m| m.min(5000) + 1 + self.rng.below(3));
                        self.note("over-long string");
                        Json::String(fit(&format!("{valid}x"), n))
                    }
                    5 => {
                        self.note("number for a string");
                        self.rng
                            .pick(&[json!(1), json!(3.25), json!(0), json!(-7), json!(1.0)])
                            .clone()
                    }
                    6 => {
                        self.note("boolean for a string");
                        json!(self.rng.chance(50))
                    }
                    7 => {
                        self.note("object for a string");
                        json!({ "Value": valid })
                    }
                    8 => {
                        self.note("list for a string");
                        json!([valid])
                    }
                    9 => {
                        self.note("null");
                        Json::Null
                    }
                    10 => {
                        self.note("empty string");
                        json!("")
                    }
                    _ => {
                        self.note("string with whitespace around");
                        Json::String(format!(" {valid}\n"))
                    }
                }
            }
        }
    }

    fn number(&mut self, node: &Json, mode: Mode, integer: bool) -> Json {
        let min = f(node, "minimum");
        let max = f(node, "maximum");
        let num = |x: f64| -> Json {
            if integer || x.fract() == 0.0 && x.abs() < 1e15 {
                json!(x as i64)
            } else {
                json!(x)
            }
        };
        let enumerated = node["enum"].as_array().filter(|e| !e.is_empty()).cloned();
        let valid = || -> f64 {
            let lo = min.unwrap_or(0.0).max(-1e12);
            let hi = max.unwrap_or(lo + 1000.0).min(1e12);
            lo + (hi - lo) * 0.37
        };
        let valid_value = |rng: &mut Rng| -> Json {
            if let Some(e) = &enumerated {
                return rng.pick(e).clone();
            }
            let v = valid();
            if integer {
                json!(v.round() as i64)
            } else {
                num(v)
            }
        };
        match mode {
            Mode::Valid => {
                let v = valid_value(self.rng);
                if self.rng.chance(20) {
                    self.note("number as a string");
                    Json::String(match &v {
                        Json::Number(n) => n.to_string(),
                        other => other.to_string(),
                    })
                } else {
                    self.note("number");
                    v
                }
            }
            Mode::Boundary => {
                let mut options = Vec::new();
                if let Some(m) = min {
                    options.push(("minimum", m));
                    options.push(("minimum - 1", m - 1.0));
                    if !integer {
                        options.push(("minimum - 0.5", m - 0.5));
                    }
                }
                if let Some(m) = max {
                    options.push(("maximum", m));
                    options.push(("maximum + 1", m + 1.0));
                }
                if options.is_empty() {
                    self.note("number (no bounds)");
                    return valid_value(self.rng);
                }
                let (what, v) = *self.rng.pick(&options);
                self.note(format!("number at {what}"));
                if self.rng.chance(15) {
                    Json::String(num(v).to_string())
                } else {
                    num(v)
                }
            }
            Mode::Mistake => {
                let options: &[(&str, Json)] = &[
                    ("integer in exponent form", json!("28e0")),
                    ("integer in exponent form", json!("0e0")),
                    ("integer with a fraction", json!("1.0")),
                    ("number with whitespace", json!(" 12 ")),
                    ("number with underscores", json!("1_000")),
                    ("hex number", json!("0x10")),
                    ("words for a number", json!("twelve")),
                    ("empty string for a number", json!("")),
                    ("fraction", json!(2.5)),
                    ("integral float", json!(3.0)),
                    ("boolean for a number", json!(true)),
                    ("boolean word for a number", json!("true")),
                    ("huge number", json!(10_000_000_000_000_000_000u64)),
                    ("negative number", json!(-1)),
                    ("null", Json::Null),
                    ("object for a number", json!({})),
                    ("list for a number", json!([1])),
                    ("infinity", json!("inf")),
                    ("not a number", json!("nan")),
                ];
                if (min.is_some() || max.is_some()) && self.rng.chance(30) {
                    let v = match (min, max, self.rng.chance(50)) {
                        (Some(m), _, true) | (Some(m), None, _) => m - 1000.0,
                        (_, Some(m), _) => m + 1000.0,
                        _ => -1000.0,
                    };
                    self.note("number far out of range");
                    return num(v);
                }
                let (what, v) = self.rng.pick(options).clone();
                self.note(what);
                v
            }
        }
    }

    fn boolean(&mut self, mode: Mode) -> Json {
        match mode {
            Mode::Valid | Mode::Boundary => {
                let (what, v) = self
                    .rng
                    .pick(&[
                        ("boolean", json!(true)),
                        ("boolean", json!(false)),
                        ("boolean word", json!("true")),
                        ("boolean word", json!("False")),
                        ("boolean word", json!("TRUE")),
                    ])
                    .clone();
                self.note(what);
                v
            }
            Mode::Mistake => {
                let (what, v) = self
                    .rng
                    .pick(&[
                        ("boolean in mixed case", json!("fAlse")),
                        ("boolean in mixed case", json!("tRUE")),
                        ("yes for a boolean", json!("yes")),
                        ("1 for a boolean", json!("1")),
                        ("number for a boolean", json!(1)),
                        ("number for a boolean", json!(0)),
                        ("empty string for a boolean", json!("")),
                        ("null", Json::Null),
                        ("list for a boolean", json!(["true"])),
                    ])
                    .clone();
                self.note(what);
                v
            }
        }
    }

    fn items(&mut self, node: &Json, n: usize, depth: usize) -> Vec<Json> {
        let item = node.get("items").cloned().unwrap_or(json!({}));
        let unique = node["uniqueItems"] == true;
        let mut out: Vec<Json> = Vec::new();
        let mut tries = 0;
        while out.len() < n && tries < n * 4 + 4 {
            tries += 1;
            let v = self.value(&item, Mode::Valid, depth + 1);
            if unique && out.contains(&v) {
                continue;
            }
            out.push(v);
        }
        out
    }

    fn array(&mut self, node: &Json, mode: Mode, depth: usize) -> Json {
        let min = u(node, "minItems").unwrap_or(0);
        let max = u(node, "maxItems");
        let typical = min.max(1) + self.rng.below(2);
        let typical = max.map_or(typical, |m| typical.min(m));
        match mode {
            Mode::Valid => {
                self.note("list");
                Json::Array(self.items(node, typical, depth))
            }
            Mode::Boundary => {
                let mut options = vec![("minItems", min)];
                if min > 0 {
                    options.push(("minItems - 1", min - 1));
                }
                if let Some(m) = max.filter(|&m| m <= 60) {
                    options.push(("maxItems", m));
                    options.push(("maxItems + 1", m + 1));
                }
                let (what, n) = *self.rng.pick(&options);
                self.note(format!("list of {what}"));
                if n > 0 && self.rng.chance(30) {
                    // the item at its own boundary
                    let item = node.get("items").cloned().unwrap_or(json!({}));
                    let mut items = self.items(node, n - 1, depth);
                    items.push(self.value(&item, Mode::Boundary, depth + 1));
                    return Json::Array(items);
                }
                Json::Array(self.items(node, n, depth))
            }
            Mode::Mistake => match self.rng.below(8) {
                0..=3 => {
                    let item = node.get("items").cloned().unwrap_or(json!({}));
                    let mut items = self.items(node, typical.max(1) - 1, depth);
                    let i = self.rng.below(items.len() + 1);
                    items.insert(i, self.value(&item, Mode::Mistake, depth + 1));
                    Json::Array(items)
                }
                4 => {
                    let mut items = self.items(node, typical.max(1), depth);
                    items.push(items[0].clone());
                    self.note(if node["uniqueItems"] == true {
                        "duplicate list items (uniqueItems)"
                    } else {
                        "duplicate list items (allowed)"
                    });
                    Json::Array(items)
                }
                5 => {
                    self.note("empty list");
                    json!([])
                }
                6 => {
                    self.note("an item for a list");
                    let items = self.items(node, 1, depth);
                    items.into_iter().next().unwrap_or(json!("x"))
                }
                _ => {
                    self.note("list of lists");
                    json!([self.items(node, 1, depth)])
                }
            },
        }
    }

    /// A key for a map of `patternProperties`, matching (or not) the key pattern.
    fn map_key(&mut self, pattern: &str, valid: bool) -> String {
        if valid {
            return example(self.rng, pattern)
                .filter(|k| !k.is_empty() && !k.starts_with("Fn::") && k != "Ref")
                .unwrap_or_else(|| "Key1".into());
        }
        self.rng
            .pick(&["", "bad key !", "ключ", "a/b:c", "k\n"])
            .to_string()
    }

    fn object(&mut self, node: &Json, mode: Mode, depth: usize) -> Json {
        let props = node["properties"].as_object().cloned().unwrap_or_default();
        let patterns = node["patternProperties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let required: Vec<String> = node["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();
        // a map: keys of a pattern
        if props.is_empty() && !patterns.is_empty() {
            let (key_pattern, value_schema) = patterns
                .iter()
                .nth(self.rng.below(patterns.len()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default();
            let mut m = Map::new();
            let mistake = mode == Mode::Mistake;
            let bad_key = mistake && self.rng.chance(40);
            let key = self.map_key(&key_pattern, !bad_key);
            let v = if mistake && !bad_key {
                self.value(&value_schema, Mode::Mistake, depth + 1)
            } else {
                self.value(&value_schema, Mode::Valid, depth + 1)
            };
            if bad_key {
                self.note("map key against its pattern");
            } else {
                self.note("map");
            }
            m.insert(key, v);
            return Json::Object(m);
        }
        // free-form
        if props.is_empty() {
            return match mode {
                Mode::Mistake => {
                    let (what, v) = self
                        .rng
                        .pick(&[
                            ("list for an object", json!(["a"])),
                            ("string for an object", json!("{}")),
                            ("null inside an object", json!({"a": null})),
                            ("number for an object", json!(3)),
                        ])
                        .clone();
                    self.note(what);
                    v
                }
                _ => {
                    self.note("free-form object");
                    json!({"Key": "Value", "Count": 2})
                }
            };
        }
        let names: Vec<String> = props.keys().cloned().collect();
        let optional: Vec<String> = names
            .iter()
            .filter(|n| !required.contains(n))
            .cloned()
            .collect();
        let mut chosen: Vec<String> = required
            .iter()
            .filter(|r| props.contains_key(*r))
            .cloned()
            .collect();
        if depth < 4 {
            for _ in 0..self.rng.below(3) {
                if optional.is_empty() {
                    break;
                }
                let o = self.rng.pick(&optional).clone();
                if !chosen.contains(&o) {
                    chosen.push(o);
                }
            }
        }
        let build = |g: &mut Self, chosen: &[String], special: Option<(&str, Mode)>| {
            let mut m = Map::new();
            for name in chosen {
                let mode = match special {
                    Some((s, mode)) if s == name => mode,
                    _ => Mode::Valid,
                };
                let v = g.value(&props[name], mode, depth + 1);
                m.insert(name.clone(), v);
            }
            m
        };
        match mode {
            Mode::Valid => Json::Object(build(self, &chosen, None)),
            Mode::Boundary => {
                let target = self.rng.pick(&names).clone();
                if !chosen.contains(&target) {
                    chosen.push(target.clone());
                }
                Json::Object(build(self, &chosen, Some((&target, Mode::Boundary))))
            }
            Mode::Mistake => {
                let choice = if depth >= 5 {
                    1 + self.rng.below(7)
                } else {
                    self.rng.below(14)
                };
                match choice {
                    1 => {
                        self.note("unknown key");
                        let mut m = build(self, &chosen, None);
                        m.insert("Xyzzy".into(), json!("x"));
                        Json::Object(m)
                    }
                    2 => {
                        let name = self.rng.pick(&names).clone();
                        let typo = self.typo(&name);
                        self.note(format!("typo {typo} of {name}"));
                        let mut m = build(self, &chosen, None);
                        let v = m
                            .remove(&name)
                            .unwrap_or_else(|| self.value(&props[&name], Mode::Valid, depth + 1));
                        m.insert(typo, v);
                        Json::Object(m)
                    }
                    3 => {
                        self.note("string for an object");
                        json!(self.valid_string(&json!({})))
                    }
                    4 => {
                        self.note("list of the object");
                        json!([build(self, &chosen, None)])
                    }
                    5 if !required.is_empty() => {
                        let gone = self.rng.pick(&required).clone();
                        self.note(format!("required {gone} left out"));
                        let mut m = build(self, &chosen, None);
                        m.remove(&gone);
                        Json::Object(m)
                    }
                    6 => {
                        self.note("empty object");
                        json!({})
                    }
                    7 => {
                        self.note("number for an object");
                        json!(7)
                    }
                    _ => {
                        let target = self.rng.pick(&names).clone();
                        if !chosen.contains(&target) {
                            chosen.push(target.clone());
                        }
                        self.note(format!("in {target}:"));
                        Json::Object(build(self, &chosen, Some((&target, Mode::Mistake))))
                    }
                }
            }
        }
    }

    /// A plausible typo of a property name.
    fn typo(&mut self, name: &str) -> String {
        let mut chars: Vec<char> = name.chars().collect();
        match self.rng.below(4) {
            0 if chars.len() > 2 => {
                let i = self.rng.below(chars.len() - 1);
                chars.swap(i, i + 1);
            }
            1 if chars.len() > 1 => {
                let i = self.rng.below(chars.len());
                chars.remove(i);
            }
            2 => {
                if let Some(c) = chars.first_mut() {
                    *c = if c.is_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                }
            }
            _ => chars.push('s'),
        }
        let t: String = chars.into_iter().collect();
        if t == name { format!("{name}x") } else { t }
    }
}

// ---------------------------------------------------------------------------------------
// Cases

/// One case: a type's sample with one top-level property varied.
struct Case {
    type_name: String,
    /// The top-level property varied (a typo or unknown key included).
    property: String,
    mode: Mode,
    /// What the generator made, in words.
    what: String,
    properties: Map<String, Json>,
}

impl Case {
    fn value(&self) -> String {
        let v = self
            .properties
            .get(&self.property)
            .cloned()
            .unwrap_or(Json::Null);
        let text = if self.properties.contains_key(&self.property) {
            v.to_string()
        } else {
            "(left out)".into()
        };
        if text.chars().count() > 160 {
            format!("{}...", text.chars().take(160).collect::<String>())
        } else {
            text
        }
    }
}

fn make_case(rng: &mut Rng, t: &TypeSchema) -> Case {
    let mode = match rng.below(10) {
        0..=2 => Mode::Valid,
        3..=4 => Mode::Boundary,
        _ => Mode::Mistake,
    };
    let mut properties = t.sample.clone();
    let mut g = Gen {
        rng,
        doc: &t.doc,
        what: Vec::new(),
    };
    let required: Vec<String> = t.doc["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    // top-level mistakes of the properties object itself
    if mode == Mode::Mistake && (t.settable.is_empty() || g.rng.chance(12)) {
        let choice = g.rng.below(3);
        if choice == 0 && !required.is_empty() {
            let gone = g.rng.pick(&required).clone();
            properties.remove(&gone);
            return Case {
                type_name: t.name.clone(),
                property: gone.clone(),
                mode,
                what: format!("required {gone} left out"),
                properties,
            };
        }
        let (key, what) = if choice == 1 && !t.settable.is_empty() {
            let name = g.rng.pick(&t.settable).clone();
            let typo = g.typo(&name);
            (typo.clone(), format!("typo {typo} of {name}"))
        } else {
            ("Xyzzy".to_owned(), "unknown key".to_owned())
        };
        properties.insert(key.clone(), json!("x"));
        return Case {
            type_name: t.name.clone(),
            property: key,
            mode,
            what,
            properties,
        };
    }
    if t.settable.is_empty() {
        return Case {
            type_name: t.name.clone(),
            property: String::new(),
            mode: Mode::Valid,
            what: "the sample".into(),
            properties,
        };
    }
    let property = g.rng.pick(&t.settable).clone();
    let node = t.doc["properties"][&property].clone();
    let value = g.value(&node, mode, 0);
    properties.insert(property.clone(), value);
    let what = g.what.join(" ");
    Case {
        type_name: t.name.clone(),
        property,
        mode,
        what,
        properties,
    }
}

// ---------------------------------------------------------------------------------------
// cfn-lint

/// One cfn-lint finding on a case's resource.
#[derive(Clone, Debug)]
struct Finding {
    rule: String,
    /// The path under the resource's `Properties`.
    path: String,
    message: String,
}

/// Lints the cases (resource `C<i>` is case `i`), in templates of `BATCH` resources, in one
/// cfn-lint run per core: the findings per case.
fn lint(cases: &[Case]) -> Vec<Vec<Finding>> {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cloudwright-differential-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files = Vec::new();
    for (b, chunk) in cases.chunks(BATCH).enumerate() {
        let mut resources = Map::new();
        for (j, case) in chunk.iter().enumerate() {
            resources.insert(
                format!("C{}", b * BATCH + j),
                json!({"Type": case.type_name, "Properties": case.properties}),
            );
        }
        let template = json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources});
        let file = dir.join(format!("batch{b:03}.json"));
        std::fs::write(&file, template.to_string())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        files.push(file);
    }
    // one cfn-lint run per core (at most 4), each over its share of the templates
    let runs = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(files.len().max(1));
    let shares: Vec<Vec<PathBuf>> = (0..runs)
        .map(|k| files.iter().skip(k).step_by(runs).cloned().collect())
        .collect();
    let outputs: Vec<Vec<Json>> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|share| scope.spawn(move || lint_files(&["--regions", "us-east-1"], share)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a cfn-lint run panicked"))
            })
            .collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    let findings = Json::Array(outputs.into_iter().flatten().collect());
    let mut per_case = vec![Vec::new(); cases.len()];
    for f in findings.as_array().into_iter().flatten() {
        let path = f["Location"]["Path"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let rule = f["Rule"]["Id"].as_str().unwrap_or("?").to_owned();
        let case = match path.as_slice() {
            [res, id, ..] if res == "Resources" => id
                .as_str()
                .and_then(|id| id.strip_prefix('C'))
                .and_then(|i| i.parse::<usize>().ok()),
            _ => None,
        };
        let Some(i) = case.filter(|&i| i < cases.len()) else {
            // cfn-lint's own crash in a rule (E0002, no path: "Unknown exception while
            // processing rule E3022"): that rule's findings for the batch are missing, which
            // can only make synthesis look worse (a missing rejection is never counted as one)
            if rule == "E0002" && path.is_empty() {
                eprintln!(
                    "differential test: cfn-lint failed inside a rule, its findings for one batch are missing: {}",
                    f["Message"].as_str().unwrap_or("?")
                );
                continue;
            }
            panic!("a cfn-lint finding outside any case: {f}");
        };
        let at: Vec<String> = path
            .iter()
            .skip(3)
            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
            .collect();
        per_case[i].push(Finding {
            rule,
            path: at.join("/"),
            message: f["Message"].as_str().unwrap_or("?").to_owned(),
        });
    }
    per_case
}

// ---------------------------------------------------------------------------------------
// The comparison

/// What one run found.
struct Report {
    seed: u64,
    cases: usize,
    /// Cases cfn-lint rejects by a schema rule.
    rejected: usize,
    /// Of those, the ones synthesis accepts.
    slipped: Vec<usize>,
    /// Cases cfn-lint rejects wrongly (a [`WRONG_REJECTIONS`] entry), not counted in
    /// `rejected`.
    wrongly_rejected: Vec<(usize, usize)>,
    /// Cases cfn-lint accepts (no error finding but of the [`UNRELATED_RULES`]).
    accepted: usize,
    /// Of those, the ones synthesis refuses, not a known cfn-lint error.
    refused: Vec<(usize, Violation)>,
    /// Of those, the ones a known cfn-lint error explains.
    known: Vec<(usize, usize)>,
    /// Cases only rules beyond the provider schema reject (neither counted as rejected nor
    /// as accepted), and of those the ones synthesis accepts.
    beyond: usize,
    beyond_slipped: Vec<usize>,
    /// Samples synthesis refuses by themselves (cfn-lint accepts every one).
    samples_refused: Vec<String>,
    cases_list: Vec<Case>,
    findings: Vec<Vec<Finding>>,
    /// Where the time went.
    timing: String,
    text: String,
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

/// JSON as a value, an intrinsic function (`{"Fn::Select": ..}` in a sample) as a `Ref`: its
/// value is known at deploy time only, and synthesis passes every intrinsic through.
fn to_value(json: &Json) -> Value {
    match json {
        Json::Object(m) => {
            if m.len() == 1 && m.keys().any(|k| k == "Ref" || k.starts_with("Fn::")) {
                return Value::r#ref("Intrinsic");
            }
            Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone().into(), to_value(v)))
                    .collect(),
            )
        }
        Json::Array(items) => Value::List(items.iter().map(to_value).collect()),
        other => Value::from_json(other),
    }
}

fn synth(case: &Case) -> Result<(), Violation> {
    let value = to_value(&Json::Object(case.properties.clone()));
    cloudwright_resources::check_properties(&case.type_name, &value)
        .unwrap_or_else(|| panic!("{}: not compiled in", case.type_name))
}

fn run(seed: u64, budget: usize) -> Report {
    let started = Instant::now();
    let types = catalogue();
    let constructs: BTreeSet<String> =
        std::fs::read_to_string(codegen_dir().join("constructs.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("AWS::"))
            .map(str::to_owned)
            .collect();
    let used: Vec<&TypeSchema> = types
        .iter()
        .filter(|t| constructs.contains(&t.name))
        .collect();

    // every sample alone passes synthesis (cfn-lint passes each: every_type), those of the
    // types left out of the cases included
    let mut samples_refused = Vec::new();
    let samples = read_json(&codegen_dir().join("samples/samples.json"));
    for (name, sample) in samples.as_object().into_iter().flatten() {
        let value = to_value(sample);
        match cloudwright_resources::check_properties(name, &value) {
            Some(Ok(())) => {}
            Some(Err(v)) => samples_refused.push(format!("{name}: {v}")),
            None => samples_refused.push(format!("{name}: not compiled in")),
        }
    }

    let mut rng = Rng::new(seed);
    let mut cases = Vec::with_capacity(budget);
    for i in 0..budget {
        let t = if i % 10 == 9 && !used.is_empty() {
            used[rng.below(used.len())]
        } else {
            &types[rng.below(types.len())]
        };
        cases.push(make_case(&mut rng, t));
    }
    let generated = started.elapsed();
    let started_lint = Instant::now();
    let findings = lint(&cases);
    let linted = started_lint.elapsed();
    let started_synth = Instant::now();

    let mut report = Report {
        seed,
        cases: cases.len(),
        rejected: 0,
        slipped: Vec::new(),
        wrongly_rejected: Vec::new(),
        accepted: 0,
        refused: Vec::new(),
        known: Vec::new(),
        beyond: 0,
        beyond_slipped: Vec::new(),
        samples_refused,
        cases_list: Vec::new(),
        findings: Vec::new(),
        timing: String::new(),
        text: String::new(),
    };
    for (i, case) in cases.iter().enumerate() {
        let schema = findings[i]
            .iter()
            .any(|f| SCHEMA_RULES.contains(&f.rule.as_str()));
        let other = findings[i].iter().any(|f| {
            f.rule.starts_with('E')
                && !SCHEMA_RULES.contains(&f.rule.as_str())
                && !UNRELATED_RULES.contains(&f.rule.as_str())
        });
        let ours = synth(case);
        let schema_findings: Vec<&Finding> = findings[i]
            .iter()
            .filter(|f| SCHEMA_RULES.contains(&f.rule.as_str()))
            .collect();
        let wrong = WRONG_REJECTIONS
            .iter()
            .position(|w| (w.applies)(case, &schema_findings));
        if let (true, Some(w)) = (schema, wrong) {
            report.wrongly_rejected.push((i, w));
        } else if schema {
            report.rejected += 1;
            if ours.is_ok() {
                report.slipped.push(i);
            }
        } else if other {
            // rejected by a rule beyond the provider schema only: a refusal agrees
            report.beyond += 1;
            if ours.is_ok() {
                report.beyond_slipped.push(i);
            }
        } else {
            report.accepted += 1;
            if let Err(v) = ours {
                match KNOWN.iter().position(|k| (k.applies)(case, &v)) {
                    Some(k) => report.known.push((i, k)),
                    None => report.refused.push((i, v)),
                }
            }
        }
    }
    report.timing = format!(
        "catalogue read and cases made in {:.1} s, cfn-lint {:.1} s, synthesis checks {:.1} s",
        generated.as_secs_f64(),
        linted.as_secs_f64(),
        started_synth.elapsed().as_secs_f64()
    );
    report.cases_list = cases;
    report.findings = findings;
    report.text = describe(&report);
    report
}

fn describe(r: &Report) -> String {
    use std::fmt::Write as _;
    let verbose = std::env::var_os("CLOUDWRIGHT_DIFF_VERBOSE").is_some();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "differential test: seed {:#x}, {} cases over {} types",
        r.seed,
        r.cases,
        r.cases_list
            .iter()
            .map(|c| c.type_name.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    );
    let modes: BTreeMap<String, usize> = r.cases_list.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(format!("{:?}", c.mode)).or_default() += 1;
        m
    });
    let _ = writeln!(s, "  modes: {modes:?}; {}", r.timing);
    let _ = writeln!(
        s,
        "  cfn-lint rejects {} (schema rules); synthesis accepts {} of them: {:.2} %",
        r.rejected,
        r.slipped.len(),
        percent(r.slipped.len(), r.rejected)
    );
    if !r.wrongly_rejected.is_empty() {
        let _ = writeln!(
            s,
            "  rejected wrongly by cfn-lint (known, not counted): {}",
            r.wrongly_rejected.len()
        );
    }
    let refused_all = r.refused.len() + r.known.len();
    let _ = writeln!(
        s,
        "  cfn-lint accepts {}; synthesis refuses {} of them: {:.2} % ({} known cfn-lint errors, {} not known: {:.2} %)",
        r.accepted,
        refused_all,
        percent(refused_all, r.accepted),
        r.known.len(),
        r.refused.len(),
        percent(r.refused.len(), r.accepted)
    );
    let _ = writeln!(
        s,
        "  rejected only by rules beyond the provider schema (not counted above): {}; synthesis accepts {} of them: {:.2} %",
        r.beyond,
        r.beyond_slipped.len(),
        percent(r.beyond_slipped.len(), r.beyond)
    );
    if !r.samples_refused.is_empty() {
        let _ = writeln!(
            s,
            "  samples refused by synthesis alone ({}):\n    {}",
            r.samples_refused.len(),
            r.samples_refused.join("\n    ")
        );
    }
    let line = |i: usize, extra: &str| -> String {
        let c = &r.cases_list[i];
        let lint: Vec<String> = r.findings[i]
            .iter()
            .filter(|f| f.rule.starts_with('E'))
            .map(|f| {
                let m: String = f.message.chars().take(140).collect();
                format!("{} {}: {m}", f.rule, f.path)
            })
            .collect();
        format!(
            "C{i} {} {} = {} [{:?}: {}]{extra}\n      cfn-lint: {}",
            c.type_name,
            c.property,
            c.value(),
            c.mode,
            c.what,
            if lint.is_empty() {
                "no error".to_owned()
            } else {
                lint.join(" | ")
            }
        )
    };
    let limit = if verbose { usize::MAX } else { 40 };
    if !r.slipped.is_empty() {
        let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
        for &i in &r.slipped {
            let rules: BTreeSet<&str> = r.findings[i]
                .iter()
                .filter(|f| SCHEMA_RULES.contains(&f.rule.as_str()))
                .map(|f| f.rule.as_str())
                .collect();
            for rule in rules {
                *by_rule.entry(rule.to_owned()).or_default() += 1;
            }
        }
        let _ = writeln!(
            s,
            "  accepted by synthesis, rejected by cfn-lint, by rule: {by_rule:?}"
        );
        for &i in r.slipped.iter().take(limit) {
            let _ = writeln!(s, "    {}", line(i, ""));
        }
    }
    if !r.refused.is_empty() {
        let _ = writeln!(s, "  refused by synthesis, accepted by cfn-lint:");
        for (i, v) in r.refused.iter().take(limit) {
            let _ = writeln!(s, "    {}", line(*i, &format!("\n      synthesis: {v}")));
        }
    }
    if verbose {
        for (i, w) in &r.wrongly_rejected {
            let _ = writeln!(
                s,
                "    wrongly rejected: {}",
                line(*i, &format!(" ({})", WRONG_REJECTIONS[*w].form))
            );
        }
        for (i, k) in &r.known {
            let _ = writeln!(
                s,
                "    known: {}",
                line(*i, &format!(" ({})", KNOWN[*k].form))
            );
        }
        let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
        for &i in &r.beyond_slipped {
            for f in r.findings[i].iter().filter(|f| f.rule.starts_with('E')) {
                *by_rule.entry(f.rule.clone()).or_default() += 1;
            }
        }
        let _ = writeln!(
            s,
            "  beyond the schema, accepted by synthesis, by rule: {by_rule:?}"
        );
        for &i in &r.beyond_slipped {
            let _ = writeln!(s, "    beyond: {}", line(i, ""));
        }
    }
    s
}

/// The run for this process's seed and budget, made once and shared by the tests.
fn report() -> &'static Report {
    static CELL: OnceLock<Report> = OnceLock::new();
    CELL.get_or_init(|| {
        let seed = env_number("CLOUDWRIGHT_DIFF_SEED").unwrap_or(SEED);
        let budget = env_number("CLOUDWRIGHT_DIFF_CASES").map_or(CASES, |n| n as usize);
        let r = run(seed, budget);
        println!("{}", r.text);
        r
    })
}

// ---------------------------------------------------------------------------------------
// The tests

/// The bar: at most 1 % of cfn-lint's rejections pass synthesis, and no refusal of
/// what cfn-lint accepts but the known cfn-lint errors.
#[test]
fn synthesis_agrees_with_cfn_lint_over_the_catalogue() {
    let r = report();
    let slipped = percent(r.slipped.len(), r.rejected);
    assert!(
        slipped <= 1.0 && r.refused.is_empty() && r.samples_refused.is_empty(),
        "{:.2} % of cfn-lint's rejections pass synthesis (at most 1 %), {} refusals of what cfn-lint accepts are not known cfn-lint errors:\n{}",
        slipped,
        r.refused.len(),
        r.text
    );
}

/// The generator exercises both sides, and the run is deterministic.
#[test]
fn the_cases_exercise_both_sides() {
    let r = report();
    assert!(
        r.rejected > r.cases / 5 && r.accepted > r.cases / 5,
        "rejected {}, accepted {} of {}",
        r.rejected,
        r.accepted,
        r.cases
    );
    let mut a = Rng::new(7);
    let mut b = Rng::new(7);
    let types = catalogue();
    for _ in 0..50 {
        let t = &types[a.below(types.len())];
        let _ = b.below(types.len());
        let (x, y) = (make_case(&mut a, t), make_case(&mut b, t));
        assert_eq!(x.properties, y.properties);
    }
}

#[test]
fn pattern_examples_are_made_for_most_patterns() {
    let mut rng = Rng::new(1);
    for (pattern, sample) in [
        ("^[a-z]{3}-[0-9]+$", "abc-1"),
        ("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$", "arn:aws:iam::"),
        ("^(?!aws:)[a-zA-Z0-9_.:/=+@-]{1,128}$", ""),
        ("[\\p{L}\\p{Z}]*", ""),
        ("^(?:[a-z]|[0-9])(?=x)x$", ""),
    ] {
        let e = example(&mut rng, pattern).unwrap_or_else(|| panic!("{pattern}"));
        assert!(
            sample.is_empty() || e.len() >= sample.len(),
            "{pattern}: {e:?}"
        );
    }
    assert!(example(&mut rng, "^(a)\\1$").is_none(), "a backreference");
}

// Focused tests of the known cfn-lint errors: each asserts cfn-lint accepts the value and
// synthesis refuses it, so a fix on either side shows up here.

/// `KNOWN[k]` on one resource: synthesis refuses it as that entry, and cfn-lint, on the
/// resource alone, reports no error.
fn known_case(k: usize, type_name: &str, property: &str, properties: Json) {
    let case = Case {
        type_name: type_name.into(),
        property: property.into(),
        mode: Mode::Mistake,
        what: KNOWN[k].form.into(),
        properties: properties.as_object().cloned().unwrap_or_default(),
    };
    let v = match synth(&case) {
        Ok(()) => panic!("{type_name}: synthesis accepts {properties}"),
        Err(v) => v,
    };
    assert!(
        (KNOWN[k].applies)(&case, &v),
        "{type_name}: refused, but not as {}: {v}",
        KNOWN[k].form
    );
    assert!(v.property.starts_with(property), "{v}");
    let errors: Vec<Finding> = lint(std::slice::from_ref(&case))
        .into_iter()
        .flatten()
        .filter(|f| f.rule.starts_with('E'))
        .collect();
    assert!(
        errors.is_empty(),
        "cfn-lint now rejects {properties}: {errors:?}; drop KNOWN[{k}] ({})",
        KNOWN[k].form
    );
    assert!(
        !KNOWN[k].why.is_empty() && !KNOWN[k].type_name.is_empty() && !KNOWN[k].property.is_empty()
    );
}

/// `KNOWN[0]`: a string outside the API model's enum (DynamoDB's `BillingMode: ON_DEMAND`).
#[test]
fn known_cfn_lint_error_api_model_enum() {
    known_case(
        0,
        "AWS::DynamoDB::Table",
        "BillingMode",
        json!({
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "ON_DEMAND"
        }),
    );
}

/// `KNOWN[1]`: `null`, at the top and nested.
#[test]
fn known_cfn_lint_error_null() {
    known_case(
        1,
        "AWS::Events::Rule",
        "Description",
        json!({"ScheduleExpression": "rate(1 day)", "Description": null}),
    );
    known_case(
        1,
        "AWS::SQS::Queue",
        "RedrivePolicy",
        json!({"RedrivePolicy": {"deadLetterTargetArn": null, "maxReceiveCount": 3}}),
    );
}

/// `KNOWN[2]`: a fraction for an integer.
#[test]
fn known_cfn_lint_error_fraction_for_an_integer() {
    known_case(
        2,
        "AWS::SQS::Queue",
        "DelaySeconds",
        json!({"DelaySeconds": 2.5}),
    );
}

/// The sample of `type_name` with `property` set to `value`.
fn sample_with(type_name: &str, property: &str, value: Json) -> Json {
    let samples = read_json(&codegen_dir().join("samples/samples.json"));
    let mut props = samples[type_name].clone();
    props[property] = value;
    props
}

/// `KNOWN[3]`: a log group name cfn-lint never checks.
#[test]
fn known_cfn_lint_error_log_group_name() {
    known_case(
        3,
        "AWS::CloudFormation::Macro",
        "LogGroupName",
        sample_with(
            "AWS::CloudFormation::Macro",
            "LogGroupName",
            json!("/app!web"),
        ),
    );
}

/// `WRONG_REJECTIONS[0]`: cfn-lint rejects distinct tag keys when one is a boolean, and
/// synthesis accepts them.
#[test]
fn wrong_rejection_boolean_tag_key() {
    let tags = json!([{"Key": "K", "Value": "a"}, {"Key": false, "Value": "b"}]);
    let props = sample_with("AWS::SQS::Queue", "Tags", tags);
    let case = Case {
        type_name: "AWS::SQS::Queue".into(),
        property: "Tags".into(),
        mode: Mode::Mistake,
        what: String::new(),
        properties: props.as_object().cloned().unwrap_or_default(),
    };
    assert_eq!(synth(&case), Ok(()));
    let findings = lint(std::slice::from_ref(&case)).remove(0);
    let schema: Vec<&Finding> = findings
        .iter()
        .filter(|f| SCHEMA_RULES.contains(&f.rule.as_str()))
        .collect();
    assert!(
        (WRONG_REJECTIONS[0].applies)(&case, &schema),
        "cfn-lint no longer rejects it so: {findings:?}; drop WRONG_REJECTIONS[0] ({})",
        WRONG_REJECTIONS[0].why
    );
    // and a real duplicate is not this entry
    let dup = json!([{"Key": "K", "Value": "a"}, {"Key": "K", "Value": "b"}]);
    let case = Case {
        properties: sample_with("AWS::SQS::Queue", "Tags", dup)
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..case
    };
    let findings = lint(std::slice::from_ref(&case)).remove(0);
    let schema: Vec<&Finding> = findings.iter().collect();
    assert!(!(WRONG_REJECTIONS[0].applies)(&case, &schema));
    assert!(synth(&case).is_err());
}

/// `KNOWN[4]`: `"FALSE"` against a string enum.
#[test]
fn known_cfn_lint_error_false_word_against_an_enum() {
    known_case(
        4,
        "AWS::EC2::VPC",
        "InstanceTenancy",
        json!({"CidrBlock": "10.0.0.0/16", "InstanceTenancy": "FALSE"}),
    );
}

/// `KNOWN[5]`: a list where a definition without `type` describes an object.
#[test]
fn known_cfn_lint_error_untyped_object_definition() {
    known_case(
        5,
        "AWS::MPA::ApprovalTeam",
        "Policies",
        json!({
            "ApprovalStrategy": {"MofN": {"MinApprovalsRequired": 1}},
            "Approvers": [{"PrimaryIdentityId": "sample", "PrimaryIdentitySourceArn": "sample"}],
            "Description": "sample",
            "Name": "a",
            "Policies": [[{"PolicyArn": "arn:a:mpa:::aws:policy/a/a/0"}]]
        }),
    );
}
