//! DynamoDB tables: key schemas (cfn-lint's E3002 over its `prefixItems`: the first key is
//! `HASH`, the second `RANGE`, each attribute once) and the attribute definitions against
//! every key of the table and its indexes (E3039). (`BillingMode` and `KeyType` values are
//! checked with the schema: their enums come from the DynamoDB API model.)

use std::collections::BTreeSet;

use cloudwright_core::{Value, Violation};

use super::at;

/// The literal attribute names of a key schema, after checking its key types and order.
fn key_schema<'a>(
    keys: &'a Value,
    path: &str,
    names: &mut BTreeSet<&'a str>,
) -> Result<(), Violation> {
    let Value::List(items) = keys else {
        return Ok(());
    };
    let mut own: Vec<&str> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Map(m) = item else { continue };
        let p = at(path, &i.to_string());
        if let Some(kt @ Value::String(key_type)) = m.get("KeyType") {
            let expected = if i == 0 { "HASH" } else { "RANGE" };
            if key_type != expected {
                let what = if key_type == "HASH" || key_type == "RANGE" {
                    format!(
                        "KeyType {expected} here: the first key of a key schema is the partition key (HASH), the second the sort key (RANGE)"
                    )
                } else {
                    format!("KeyType: HASH (partition key) or RANGE (sort key); {expected} here")
                };
                return Err(Violation::new(at(&p, "KeyType"), kt, what));
            }
        }
        if let Some(value @ Value::String(name)) = m.get("AttributeName") {
            if own.contains(&name.as_str()) {
                return Err(Violation::new(
                    at(&p, "AttributeName"),
                    value,
                    "a key schema names each attribute once",
                ));
            }
            own.push(name);
            names.insert(name);
        }
    }
    Ok(())
}

/// `AWS::DynamoDB::Table`.
pub(crate) fn table(properties: &Value) -> Result<(), Violation> {
    let Value::Map(props) = properties else {
        return Ok(());
    };
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    // every part literal, or E3039 does not apply (as cfn-lint: a conditional part skips it)
    let mut literal = true;
    if let Some(k) = props.get("KeySchema") {
        literal &= matches!(k, Value::List(_));
        key_schema(k, "KeySchema", &mut keys)?;
    }
    for indexes in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
        match props.get(indexes) {
            None => {}
            Some(Value::List(items)) => {
                for (i, index) in items.iter().enumerate() {
                    let Value::Map(m) = index else {
                        literal = false;
                        continue;
                    };
                    if let Some(k) = m.get("KeySchema") {
                        literal &= matches!(k, Value::List(_));
                        key_schema(k, &format!("{indexes}/{i}/KeySchema"), &mut keys)?;
                    }
                }
            }
            Some(_) => literal = false,
        }
    }
    let mut defined: BTreeSet<&str> = BTreeSet::new();
    match props.get("AttributeDefinitions") {
        None => {}
        Some(Value::List(items)) => {
            for item in items {
                match item {
                    Value::Map(m) => match m.get("AttributeName") {
                        Some(Value::String(name)) => {
                            defined.insert(name);
                        }
                        _ => literal = false,
                    },
                    _ => literal = false,
                }
            }
        }
        Some(_) => literal = false,
    }
    if literal && keys != defined {
        let missing: Vec<&str> = keys.difference(&defined).copied().collect();
        let extra: Vec<&str> = defined.difference(&keys).copied().collect();
        let value = props
            .get("AttributeDefinitions")
            .cloned()
            .unwrap_or(Value::Null);
        let mut what = String::from(
            "E3039: AttributeDefinitions define exactly the attributes of the table's and its indexes' key schemas",
        );
        if !missing.is_empty() {
            what.push_str(&format!("; add {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            what.push_str(&format!("; remove {} (not a key)", extra.join(", ")));
        }
        return Err(Violation::new("AttributeDefinitions", &value, what));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(json: serde_json::Value) -> Value {
        Value::from_json(&json)
    }

    #[test]
    fn key_order_and_attribute_definitions() {
        let ok = props(serde_json::json!({
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"AttributeName": "g1", "KeyType": "HASH"}]}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g1", "AttributeType": "S"}]
        }));
        assert_eq!(table(&ok), Ok(()));
        let partition = props(serde_json::json!({
            "KeySchema": [{"AttributeName": "pk", "KeyType": "PARTITION"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]
        }));
        let e = table(&partition).err().map(|v| (v.property, v.constraint));
        assert!(
            matches!(&e, Some((p, c)) if p == "KeySchema/0/KeyType" && c.contains("HASH (partition key)")),
            "{e:?}"
        );
        let missing = props(serde_json::json!({
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "idx", "AttributeType": "S"}]
        }));
        let e = table(&missing).err().map(|v| v.constraint);
        assert!(
            matches!(&e, Some(c) if c.contains("add id") && c.contains("remove idx")),
            "{e:?}"
        );
    }
}
