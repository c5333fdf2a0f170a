//! Figures 1 and 4: cold start and idle memory; the size of tools/list.

use std::time::Duration;

use serde_json::Value;

use crate::Error;
use crate::child::{ColdSample, Launch, cold_start};
use crate::stats::{Table, mb_from_kib, median_u64, ms, summarize, verdict};

pub const START_TARGET: Duration = Duration::from_millis(10);
pub const RSS_TARGET_MB: f64 = 10.0;
pub const PER_TOOL_TARGET_BYTES: f64 = 1200.0;
/// The whole default tools/list response (issue 11: ≤ 24 KB with every tool added since).
pub const LIST_TARGET_BYTES: usize = 24_000;

pub struct ColdFigures {
    pub label: String,
    pub ours: bool,
    pub samples: Vec<ColdSample>,
}

/// Runs every server `runs` times (the peer `peer_runs` times), round-robin so that
/// background noise falls on all of them alike, after two untimed warm-up starts each.
pub async fn measure(
    launches: &[(Launch, bool, usize)],
    print: &mut impl FnMut(&str),
) -> Result<Vec<ColdFigures>, Error> {
    let rounds = launches.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
    let mut figures: Vec<ColdFigures> = launches
        .iter()
        .map(|(launch, ours, _)| ColdFigures {
            label: launch.label.clone(),
            ours: *ours,
            samples: Vec::new(),
        })
        .collect();
    for (launch, ours, _) in launches {
        for _ in 0..2 {
            cold_start(launch, limit(*ours)).await?;
        }
    }
    for round in 0..rounds {
        for (i, (launch, ours, runs)) in launches.iter().enumerate() {
            if round < *runs {
                figures[i]
                    .samples
                    .push(cold_start(launch, limit(*ours)).await?);
            }
        }
        if (round + 1) % 10 == 0 {
            print(&format!("  ... {} of {rounds} rounds", round + 1));
        }
    }
    Ok(figures)
}

fn limit(ours: bool) -> Duration {
    if ours {
        Duration::from_secs(10)
    } else {
        Duration::from_secs(60)
    }
}

pub fn report_start(figures: &[ColdFigures]) -> String {
    let mut table = Table::new(&[
        "server",
        "runs",
        "initialize p50",
        "tools/list p50",
        "tools/list p90",
        "VmRSS",
        "(anon + file)",
        "VmHWM",
        "target",
        "",
    ]);
    for f in figures {
        let init = summarize(f.samples.iter().map(|s| s.initialized).collect());
        let listed = summarize(f.samples.iter().map(|s| s.listed).collect());
        let median = |field: fn(&ColdSample) -> u64| {
            mb_from_kib(median_u64(f.samples.iter().map(field).collect()))
        };
        let rss = median(|s| s.memory.rss);
        let hwm = median(|s| s.memory.hwm);
        let anon = median(|s| s.memory.anon);
        let file = median(|s| s.memory.file);
        let (target, result) = if f.ours {
            (
                "≤ 10 ms, ≤ 10 MB".to_owned(),
                verdict(listed.p50 <= START_TARGET && rss <= RSS_TARGET_MB).to_owned(),
            )
        } else {
            ("(peer)".to_owned(), String::new())
        };
        table.row(vec![
            f.label.clone(),
            init.n.to_string(),
            ms(init.p50),
            ms(listed.p50),
            ms(listed.p90),
            format!("{rss:.1} MB"),
            format!("({anon:.1} + {file:.1})"),
            format!("{hwm:.1} MB"),
            target,
            result,
        ]);
    }
    table.render()
}

/// Bytes of each tool as tools/list sends it (compact JSON), and of its parts.
struct ToolSize {
    name: String,
    total: usize,
    description: usize,
    input: usize,
    output: usize,
}

fn compact(value: &Value) -> usize {
    serde_json::to_string(value).map_or(0, |s| s.len())
}

fn tool_sizes(list_result: &Value) -> Vec<ToolSize> {
    let tools = list_result
        .get("tools")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    tools
        .iter()
        .map(|tool| ToolSize {
            name: tool
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned(),
            total: compact(tool),
            description: tool
                .get("description")
                .and_then(Value::as_str)
                .map_or(0, str::len),
            input: tool.get("inputSchema").map_or(0, compact),
            output: tool.get("outputSchema").map_or(0, compact),
        })
        .collect()
}

/// One line per server, and for ours one line per tool.
pub fn report_context(figures: &[ColdFigures]) -> String {
    let mut out = String::new();
    let mut summary = Table::new(&[
        "server",
        "tools",
        "tools/list response",
        "per tool",
        "w/o outputSchema",
        "instructions",
        "target",
        "",
    ]);
    let mut ours_detail = None;
    let mut seen = std::collections::HashSet::new();
    for f in figures {
        let Some(sample) = f.samples.last() else {
            continue;
        };
        let sizes = tool_sizes(&sample.list_result);
        // The same tools in both of our modes: list them once.
        let key = (f.ours, sizes.iter().map(|s| s.total).sum::<usize>());
        if !seen.insert(key) {
            continue;
        }
        let count = sizes.len().max(1) as f64;
        let total = sample.list_bytes;
        let per_tool = sizes.iter().map(|s| s.total).sum::<usize>() as f64 / count;
        let without_output = sizes.iter().map(|s| s.total - s.output).sum::<usize>() as f64 / count;
        let instructions = sample
            .initialize_result
            .get("instructions")
            .and_then(Value::as_str)
            .map_or(0, str::len);
        let (target, result) = if f.ours {
            (
                "≤ 1.2 KB/tool".to_owned(),
                verdict(per_tool <= PER_TOOL_TARGET_BYTES).to_owned(),
            )
        } else {
            ("(peer)".to_owned(), String::new())
        };
        let label = if f.ours {
            "ours (same in every mode)".to_owned()
        } else {
            f.label.clone()
        };
        summary.row(vec![
            label,
            sizes.len().to_string(),
            format!("{total} B"),
            format!("{:.2} KB", per_tool / 1000.0),
            format!("{:.2} KB", without_output / 1000.0),
            format!("{instructions} B"),
            target,
            result,
        ]);
        if f.ours && ours_detail.is_none() {
            ours_detail = Some(sizes);
        }
    }
    out.push_str(&summary.render());
    if let Some(sizes) = ours_detail {
        out.push_str("\n  ours, per tool (bytes of compact JSON):\n");
        let mut detail = Table::new(&[
            "tool",
            "total",
            "description",
            "inputSchema",
            "outputSchema",
        ]);
        for s in &sizes {
            detail.row(vec![
                s.name.clone(),
                s.total.to_string(),
                s.description.to_string(),
                s.input.to_string(),
                s.output.to_string(),
            ]);
        }
        out.push_str(&detail.render());
    }
    out
}

/// Our average bytes per tool, from the first of our servers measured.
/// Our whole tools/list response, in bytes.
pub fn ours_list_bytes(figures: &[ColdFigures]) -> Option<usize> {
    Some(figures.iter().find(|f| f.ours)?.samples.last()?.list_bytes)
}

pub fn ours_per_tool(figures: &[ColdFigures]) -> Option<f64> {
    let sample = figures.iter().find(|f| f.ours)?.samples.last()?;
    let sizes = tool_sizes(&sample.list_result);
    if sizes.is_empty() {
        return None;
    }
    Some(sizes.iter().map(|s| s.total).sum::<usize>() as f64 / sizes.len() as f64)
}
