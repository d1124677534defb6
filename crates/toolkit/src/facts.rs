//! Facts about resource types that the diff needs: which properties are create-only (changing
//! one replaces the resource), from the resource schemas of `cloudwright-resources`, which
//! knows them for every type whichever service features are compiled in.
//!
//! Property paths are JSON pointers below `Properties` without the leading slash: `VpcId`, or
//! `SecurityGroupIngress/*/FromPort` with `*` for every item of a list.

/// What the diff needs to know to tell an update from a replacement.
pub trait ReplacementRules {
    /// The create-only property paths of a resource type: changing one replaces the resource.
    fn create_only(&self, type_name: &str) -> &[&str];
    /// Property paths whose change replaces the resource only in some cases.
    fn conditional_create_only(&self, _type_name: &str) -> &[&str] {
        &[]
    }
}

/// The rules from `cloudwright-resources`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SchemaRules;

impl ReplacementRules for SchemaRules {
    fn create_only(&self, type_name: &str) -> &[&str] {
        create_only(type_name)
    }

    fn conditional_create_only(&self, type_name: &str) -> &[&str] {
        cloudwright_resources::facts(type_name).map_or(&[], |f| f.conditional_create_only)
    }
}

/// The create-only property paths of a resource type.
pub fn create_only(type_name: &str) -> &'static [&'static str] {
    cloudwright_resources::facts(type_name).map_or(&[], |f| f.create_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Types the construct crates never create (their service features are off in this
    /// build) still have their create-only properties: a diff of a migrated template needs them.
    #[test]
    fn every_type_has_its_facts_whatever_the_features() {
        // (the built-in table this replaced knew only RepositoryName here)
        let ecr = create_only("AWS::ECR::Repository");
        assert!(ecr.contains(&"RepositoryName") && ecr.contains(&"EncryptionConfiguration"));
        assert!(create_only("AWS::RDS::DBInstance").contains(&"DBInstanceIdentifier"));
        assert_eq!(create_only("AWS::Nothing::Here"), &[] as &[&str]);
    }
}
