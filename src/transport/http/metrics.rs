//! `/metrics` in Prometheus text format: tool calls by tool and outcome, HeyGen calls by
//! endpoint and status, latency histograms, calls in flight.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::api::CallObserver;
use crate::tools::ToolObserver;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabels {
    tool: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolName {
    tool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HeyGenLabels {
    endpoint: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Endpoint {
    endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    status: String,
}

/// Every metric the remote server exports.
pub struct Metrics {
    registry: Registry,
    tool_calls: Family<ToolLabels, Counter>,
    tool_seconds: Family<ToolName, Histogram>,
    heygen_calls: Family<HeyGenLabels, Counter>,
    heygen_seconds: Family<Endpoint, Histogram>,
    http_responses: Family<HttpLabels, Counter>,
    in_flight: Gauge,
}

fn latency() -> Histogram {
    // 5 ms to about 10 minutes (a wait_for_video call is long by design).
    Histogram::new(exponential_buckets(0.005, 2.5, 14))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("heygen_mcp");
        let tool_calls = Family::<ToolLabels, Counter>::default();
        let tool_seconds = Family::<ToolName, Histogram>::new_with_constructor(latency);
        let heygen_calls = Family::<HeyGenLabels, Counter>::default();
        let heygen_seconds = Family::<Endpoint, Histogram>::new_with_constructor(latency);
        let http_responses = Family::<HttpLabels, Counter>::default();
        let in_flight = Gauge::default();
        registry.register(
            "tool_calls",
            "MCP tool calls by tool and outcome (ok, error)",
            tool_calls.clone(),
        );
        registry.register(
            "tool_call_seconds",
            "Time a tool call took",
            tool_seconds.clone(),
        );
        registry.register(
            "heygen_requests",
            "Requests to HeyGen's API by endpoint and HTTP status (none: no answer)",
            heygen_calls.clone(),
        );
        registry.register(
            "heygen_request_seconds",
            "Time a request to HeyGen took",
            heygen_seconds.clone(),
        );
        registry.register(
            "http_responses",
            "HTTP responses of the MCP endpoint by status",
            http_responses.clone(),
        );
        registry.register(
            "tool_calls_in_flight",
            "Tool calls running now",
            in_flight.clone(),
        );
        Self {
            registry,
            tool_calls,
            tool_seconds,
            heygen_calls,
            heygen_seconds,
            http_responses,
            in_flight,
        }
    }
}

impl Metrics {
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    pub fn http_response(&self, status: u16) {
        self.http_responses
            .get_or_create(&HttpLabels {
                status: status.to_string(),
            })
            .inc();
    }
}

impl ToolObserver for Metrics {
    fn started(&self, _tool: &str) {
        self.in_flight.inc();
    }

    fn finished(&self, tool: &str, ok: bool, took: Duration) {
        self.in_flight.dec();
        let outcome = if ok { "ok" } else { "error" };
        self.tool_calls
            .get_or_create(&ToolLabels {
                tool: tool.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
        self.tool_seconds
            .get_or_create(&ToolName {
                tool: tool.to_owned(),
            })
            .observe(took.as_secs_f64());
    }
}

impl CallObserver for Metrics {
    fn heygen_call(&self, endpoint: &str, status: Option<u16>, took: Duration) {
        let status = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
        self.heygen_calls
            .get_or_create(&HeyGenLabels {
                endpoint: endpoint.to_owned(),
                status,
            })
            .inc();
        self.heygen_seconds
            .get_or_create(&Endpoint {
                endpoint: endpoint.to_owned(),
            })
            .observe(took.as_secs_f64());
    }
}
