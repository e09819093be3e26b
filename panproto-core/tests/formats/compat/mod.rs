//! Compatibility in both directions, by each format's rules, checked
//! against the format's own tools where one runs here.

mod atproto;
mod avro;
mod generic;
mod graphql;
mod json_schema;
mod protobuf;
mod sql;
mod transitive;
