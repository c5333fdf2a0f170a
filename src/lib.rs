//! heygen-mcp: an MCP server that drives HeyGen's Video Agent.
//!
//! The crate is a library so that the binary, the tests and the benchmarks all drive the same
//! code: [`config`] reads flags and environment, [`api`] is the typed HeyGen v3 client,
//! [`tools`] turns it into MCP tools, and [`schema`] holds the JSON Schema conventions the
//! tools share.

pub mod api;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod files;
pub mod host_config;
pub mod redact;
pub mod sandbox;
pub mod schema;
pub mod setup;
pub mod tools;
pub mod transport;
