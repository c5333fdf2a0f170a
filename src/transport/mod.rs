//! Transports: how MCP messages reach the server. Each is thin; the server is the same.

pub mod stdio;
