//! heygen-mcp: an MCP server that drives HeyGen's Video Agent.
//!
//! The crate is a library so that the binary, the tests and the benchmarks all drive the same
//! code: [`config`] reads flags and environment, [`api`] is the typed HeyGen v3 client,
//! [`tools`] turns it into MCP tools, [`schema`] holds the JSON Schema conventions the tools
//! share, [`files`] is where they may read and write, [`redact`] keeps secrets out of every
//! output, [`transport`] serves them (stdio, and Streamable HTTP for `heygen-mcp http`),
//! [`sandbox`] is the offline HeyGen simulator, and [`setup`], [`doctor`], [`host_config`]
//! and [`demo`] are the first-run commands.

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
