//! `heygen-mcp demo`: one video from prompt to finished file, driven through this server's
//! own MCP tools by a real MCP client, against the offline sandbox. No key, no credits.
//!
//! The server runs as a child process (`heygen-mcp --sandbox`) over stdio, exactly as a host
//! would run it; every tool call and its result is printed.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, NumberOrString, ProgressNotificationParam,
    ProgressToken, RequestMetaObject,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

type DemoError = Box<dyn std::error::Error + Send + Sync>;

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
    bar: bool,
}

/// Runs the scripted session, printing to `out`. `exe` is this program's binary.
pub async fn run<W: Write>(exe: &Path, out: &mut W) -> Result<(), DemoError> {
    let started = Instant::now();
    let mut command = tokio::process::Command::new(exe);
    command.arg("--sandbox");
    if std::env::var_os("RUST_LOG").is_none() {
        command.env("RUST_LOG", "warn");
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let client = Client { progress: tx }
        .serve(TokioChildProcess::new(command)?)
        .await?;
    let bar = std::io::stdout().is_terminal();
    let mut demo = Demo {
        client,
        progress: rx,
        out,
        step: 0,
        bar,
    };
    demo.script().await?;
    writeln!(
        demo.out,
        "\nDone in {:.1} s. Every step above was one MCP tool call; in a host, the model makes them.",
        started.elapsed().as_secs_f64()
    )?;
    demo.client.cancel().await?;
    Ok(())
}

impl<W: Write> Demo<'_, W> {
    async fn script(&mut self) -> Result<(), DemoError> {
        writeln!(
            self.out,
            "heygen-mcp demo: a video from a prompt, through the MCP tools, on the offline sandbox (no key, no credits)."
        )?;
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
                json!({"video_id": video_id, "overwrite": true}),
            )
            .await?;
        writeln!(
            self.out,
            "\nSaved to {} ({} bytes: the sandbox serves a short placeholder clip).",
            saved["path"].as_str().unwrap_or("-"),
            saved["size_bytes"]
        )?;
        writeln!(
            self.out,
            "The finished video: {}\n  duration {} s, captioned cut {}, subtitles {}",
            video["video_url"].as_str().unwrap_or("-"),
            video["duration"],
            video["captioned_video_url"].as_str().unwrap_or("-"),
            video["subtitle_url"].as_str().unwrap_or("-")
        )?;
        Ok(())
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
        let result: CallToolResult = loop {
            tokio::select! {
                result = &mut call => break result?,
                Some(progress) = self.progress.recv() => draw(&mut *self.out, self.bar, &progress)?,
            }
        };
        if self.bar {
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

/// A bar redrawn in place on a terminal; one line per update otherwise.
fn draw(
    out: &mut impl Write,
    bar: bool,
    progress: &ProgressNotificationParam,
) -> std::io::Result<()> {
    let total = progress.total.unwrap_or(100.0).max(1.0);
    let share = (progress.progress / total).clamp(0.0, 1.0);
    let message = progress.message.as_deref().unwrap_or("");
    if bar {
        let filled = (share * 30.0).round() as usize;
        write!(
            out,
            "\r    [{}{}] {:>3.0} % {message:<30}",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            share * 100.0
        )?;
        out.flush()
    } else {
        writeln!(out, "    progress {:>3.0} % {message}", share * 100.0)
    }
}

fn text_field(value: &Value, field: &str) -> Result<String, DemoError> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {field} in {value}").into())
}
