//! `heygen-mcp demo`: one video from prompt to finished file, driven through this server's
//! own MCP tools by a real MCP client, against the offline sandbox. No key, no credits.
//!
//! The server runs as a child process (`heygen-mcp --sandbox`) over stdio, exactly as a host
//! would run it; every tool call and its result is printed. The video is saved under a name
//! no file has yet (said before the first call), so a run never replaces an earlier one.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use clap::Parser;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, NumberOrString, ProgressNotificationParam,
    ProgressToken, RequestMetaObject,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::config::Cli;

type DemoError = Box<dyn std::error::Error + Send + Sync>;

/// The saved video's name, numbered: the first number with no file yet is used.
const FILE_STEM: &str = "heygen-mcp-sandbox-demo";

/// Forwards progress notifications to the loop that draws the bar.
#[derive(Clone)]
struct Client {
    progress: mpsc::UnboundedSender<ProgressNotificationParam>,
}

impl ClientHandler for Client {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        let _ = self.progress.send(params);
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::default()
    }
}

struct Demo<'a, W: Write> {
    client: RunningService<RoleClient, Client>,
    progress: mpsc::UnboundedReceiver<ProgressNotificationParam>,
    out: &'a mut W,
    step: u32,
    bar: Bar,
    /// The name the video is saved under, without its extension.
    file_name: String,
}

/// What the run made, told after the sandbox has stopped.
struct Made {
    path: String,
    size: Value,
    duration: Value,
}

/// Runs the scripted session, printing to `out`. `exe` is this program's binary.
pub async fn run<W: Write>(exe: &Path, out: &mut W) -> Result<(), DemoError> {
    let started = Instant::now();
    // The folder the server would use, from the same settings (HEYGEN_OUTPUT_DIR or
    // ~/Downloads/HeyGen), passed on explicitly so what is said here is what happens.
    let output_dir = Cli::try_parse_from(["heygen-mcp"])
        .map(|cli| cli.file_access())
        .unwrap_or_default()
        .output_dir()
        .to_path_buf();
    let output_dir = std::path::absolute(&output_dir).unwrap_or(output_dir);
    let file_name = unused_name(&output_dir);
    let mut command = tokio::process::Command::new(exe);
    command
        .arg("--sandbox")
        .arg("--output-dir")
        .arg(&output_dir);
    if std::env::var_os("RUST_LOG").is_none() {
        command.env("RUST_LOG", "warn");
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let client = Client { progress: tx }
        .serve(TokioChildProcess::new(command)?)
        .await?;
    let bar = std::io::stdout().is_terminal();
    writeln!(
        out,
        "heygen-mcp demo: a video from a prompt, through the MCP tools, on the offline sandbox (no key, no credits).\n\
         The video will be saved as {} (a new file: nothing is replaced; HEYGEN_OUTPUT_DIR picks another folder).",
        output_dir.join(format!("{file_name}.mp4")).display()
    )?;
    let mut demo = Demo {
        client,
        progress: rx,
        out,
        step: 0,
        bar: Bar {
            terminal: bar,
            drawn: None,
        },
        file_name,
    };
    let made = demo.script().await;
    // Stops the child server, and the sandbox inside it: its links are dead from here on.
    demo.client.cancel().await?;
    let made = made?;
    writeln!(
        demo.out,
        "\nSaved to {} ({} bytes: the sandbox serves a short placeholder clip for a {} s video).\n\
         The 127.0.0.1 links above were the sandbox's; it stopped with the demo, so they no longer open.",
        made.path, made.size, made.duration
    )?;
    writeln!(
        demo.out,
        "Done in {:.1} s. Every step above was one MCP tool call; in a host, the model makes them.",
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}

/// `heygen-mcp-sandbox-demo-N` for the first N with no such video in `dir`.
fn unused_name(dir: &Path) -> String {
    (1u32..)
        .map(|n| format!("{FILE_STEM}-{n}"))
        .find(|name| !dir.join(format!("{name}.mp4")).exists())
        .unwrap_or_else(|| FILE_STEM.to_owned())
}

impl<W: Write> Demo<'_, W> {
    async fn script(&mut self) -> Result<Made, DemoError> {
        let tools = self.client.list_all_tools().await?;
        self.step += 1;
        writeln!(
            self.out,
            "\n[{}] tools/list -> {} tools: {}",
            self.step,
            tools.len(),
            tools
                .iter()
                .map(|t| t.name.as_ref())
                .collect::<Vec<_>>()
                .join(", ")
        )?;

        let created = self.call("create_video_agent", json!({
            "prompt": "Make a 30-second video introducing heygen-mcp to developers: what it does, how to install it, and a call to action.",
            "mode": "chat",
            "orientation": "landscape"
        })).await?;
        let session_id = text_field(&created, "session_id")?;

        let waited = self.wait(json!({"session_id": session_id})).await?;
        let resource = waited["messages"][0]["resource_ids"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !resource.is_empty() {
            self.call(
                "get_video_agent_resource",
                json!({"session_id": session_id, "resource_id": resource}),
            )
            .await?;
        }

        self.call("send_video_agent_message", json!({"session_id": session_id, "message": "Make the opening scene punchier and mention cargo install."})).await?;
        self.wait(json!({"session_id": session_id})).await?;

        self.call(
            "send_video_agent_message",
            json!({"session_id": session_id, "message": "Looks good, render it."}),
        )
        .await?;
        let done = self.wait(json!({"session_id": session_id})).await?;
        let video_id = text_field(&done, "video_id")?;
        let video = self
            .call("get_video", json!({"video_id": video_id}))
            .await?;
        let saved = self
            .call(
                "download_video",
                json!({"video_id": video_id, "file_name": self.file_name, "overwrite": false}),
            )
            .await?;
        Ok(Made {
            path: text_field(&saved, "path")?,
            size: saved["size_bytes"].clone(),
            duration: video["duration"].clone(),
        })
    }

    /// Calls wait_for_video until it returns something other than `still_running`.
    async fn wait(&mut self, args: Value) -> Result<Value, DemoError> {
        loop {
            let result = self.call("wait_for_video", args.clone()).await?;
            if result["state"] != "still_running" {
                return Ok(result);
            }
        }
    }

    async fn call(&mut self, tool: &str, args: Value) -> Result<Value, DemoError> {
        self.step += 1;
        writeln!(self.out, "\n[{}] {tool} {}", self.step, args)?;
        let Value::Object(arguments) = args else {
            return Err("arguments must be an object".into());
        };
        let mut params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        let mut meta = RequestMetaObject::default();
        meta.set_progress_token(ProgressToken(NumberOrString::Number(i64::from(self.step))));
        params.meta = Some(meta);
        let call = self.client.call_tool(params);
        tokio::pin!(call);
        self.bar.drawn = None;
        let result: CallToolResult = loop {
            tokio::select! {
                result = &mut call => break result?,
                Some(progress) = self.progress.recv() => {
                    let total = progress.total.unwrap_or(100.0);
                    let words = progress.message.as_deref().unwrap_or("");
                    self.bar.draw(&mut *self.out, progress.progress, total, words)?;
                }
            }
        };
        // Notifications stop short of the end (each must rise, and the last one comes
        // before the call returns); the result says where it ended.
        if self.bar.drawn.is_some()
            && let Some(progress) = result
                .structured_content
                .as_ref()
                .and_then(|s| s["progress"].as_f64())
        {
            let state = result
                .structured_content
                .as_ref()
                .map_or(String::new(), |s| {
                    s["state"].as_str().unwrap_or_default().replace('_', " ")
                });
            self.bar.draw(&mut *self.out, progress, 100.0, &state)?;
        }
        if self.bar.terminal && self.bar.drawn.is_some() {
            writeln!(self.out)?;
        }
        let Some(structured) = result.structured_content.clone() else {
            let text: Vec<String> = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect();
            return Err(format!("{tool} failed: {}", text.join(" ")).into());
        };
        if result.is_error == Some(true) {
            return Err(format!("{tool} failed: {structured}").into());
        }
        for line in serde_json::to_string_pretty(&structured)?.lines().take(40) {
            writeln!(self.out, "    {line}")?;
        }
        Ok(structured)
    }
}

/// The progress of one call: a bar redrawn in place on a terminal, a line per change
/// otherwise.
struct Bar {
    terminal: bool,
    /// What was last drawn in this call (percent, words), to draw only changes.
    drawn: Option<(u32, String)>,
}

impl Bar {
    /// A bar redrawn in place on a terminal; a line per change otherwise. An update that
    /// shows the same percent and words as the last (a heartbeat) draws nothing.
    fn draw(
        &mut self,
        out: &mut impl Write,
        progress: f64,
        total: f64,
        message: &str,
    ) -> std::io::Result<()> {
        let share = (progress / total.max(1.0)).clamp(0.0, 1.0);
        let percent = (share * 100.0).round() as u32;
        let words = without_percent(message);
        if self
            .drawn
            .as_ref()
            .is_some_and(|(p, w)| *p == percent && w == words)
        {
            return Ok(());
        }
        if self.terminal {
            let filled = (share * 30.0).round() as usize;
            write!(
                out,
                "\r    [{}{}] {percent:>3} % {words:<30}",
                "#".repeat(filled),
                ".".repeat(30 - filled),
            )?;
            out.flush()?;
        } else {
            writeln!(out, "    progress {percent:>3} % {words}")?;
        }
        self.drawn = Some((percent, words.to_owned()));
        Ok(())
    }
}

/// "rendering, 61 %" → "rendering": the bar shows the number already.
fn without_percent(message: &str) -> &str {
    match message.rsplit_once(", ") {
        Some((words, tail))
            if tail
                .strip_suffix('%')
                .is_some_and(|n| n.trim().parse::<f64>().is_ok()) =>
        {
            words
        }
        _ => message,
    }
}

fn text_field(value: &Value, field: &str) -> Result<String, DemoError> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {field} in {value}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_percent_is_said_once() {
        assert_eq!(without_percent("rendering, 61 %"), "rendering");
        assert_eq!(without_percent("generating, 5%"), "generating");
        assert_eq!(
            without_percent("the agent is thinking"),
            "the agent is thinking"
        );
        assert_eq!(without_percent("a, b"), "a, b");
    }

    #[test]
    fn names_are_not_reused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(unused_name(dir.path()), "heygen-mcp-sandbox-demo-1");
        std::fs::write(dir.path().join("heygen-mcp-sandbox-demo-1.mp4"), b"x").ok();
        assert_eq!(unused_name(dir.path()), "heygen-mcp-sandbox-demo-2");
    }
}
