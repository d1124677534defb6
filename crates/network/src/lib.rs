//! `cloudwright-network`: CIDR allocation, VPCs, subnets, routing and security groups.
//!
//! The [`cidr`] module is a pure allocator (no CloudFormation involved): given a VPC's CIDR
//! blocks and the subnets already in it, it finds free, aligned space for new subnets.

pub mod cidr;
