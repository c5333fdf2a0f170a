"""`heygen-mcp http` replicas behind HAProxy, driven by the official MCP Python SDK.

Starts one `heygen-mcp sandbox` (the offline HeyGen simulator), three `heygen-mcp http`
replicas pointed at it (HEYGEN_API_BASE, plain http on loopback) and HAProxy in front
(round robin, health checks on /readyz every 500 ms, retries with redispatch). Then, through
HAProxy, with the SDK's Streamable HTTP client in both protocol eras (2025-11-25:
ClientSession + initialize; 2026-07-28: Client(mode="2026-07-28")), runs full lifecycles:

- generate: create -> wait_for_video until completed -> get_video. In each era, the replica
  serving the first wait gets SIGTERM mid-wait: the call must still succeed, returning
  still_running at once; the next wait lands on another replica and goes on. The stopped
  replica is started again, and must take calls once HAProxy sees it up;
- chat: create mode=chat -> needs_input -> a revision -> needs_input (new storyboard) ->
  approval -> completed. In the 2026-07-28 era one replica is killed (SIGKILL) between two
  calls, then three calls follow at once: no call may fail (HAProxy must have redispatched
  one), and the killed replica is started again afterwards;
- follow-up: another message after completion -> a second video completed;
- declared views: a 2025-11-25 client declares views at initialize; its Mcp-Session-Id
  carries that to every replica, each of which lists the views' tools to it;
- tasks: a chat render as an MCP task, each request a 2026-07-28 POST written by hand (no
  session): tasks/get must be answered by more than one replica, and the approval, sent by
  tasks/update and then retried, must reach HeyGen once.

Then it checks: every tool call succeeded (no isError, no transport error); each replica's
/metrics agrees with the calls made (so no call ran twice and none was lost), all with
outcome ok; HeyGen (the sandbox) saw exactly one POST /v3/video-agents per create and one
POST /v3/video-agents/{session_id} per message; calls landed on more than one replica; a
request without X-Api-Key gets 401 through the balancer; HAProxy answered no 5xx.

Usage: python replicas.py BINARY WORKDIR   (run.sh sets both up)
Writes every child's pid and start time to WORKDIR/pids (run.sh's trap kills those still
running if this process could not stop them); children also get SIGKILL when this process
dies (PR_SET_PDEATHSIG). Prints one line per check and, last, `N passed, M failed`; exit
status 1 on any failure.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Awaitable, Callable

from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

TIME_SCALE = "20"
CALL_TIMEOUT = 45.0  # seconds for any one tools/call (waits ask for at most 30)
TOTAL_TIMEOUT = 150.0  # seconds for everything after the processes are up
DRAIN_SECONDS = "10"
API_KEY = "remote-test-key"  # the sandbox takes any non-empty key
LONG_PROMPT = "A 10-minute video about otters for the replica test"  # ~6 s to render at 20x
TOOL_CALL_LINE = re.compile(r'^heygen_mcp_tool_calls_total\{tool="([^"]+)",outcome="([^"]+)"\} (\d+)', re.M)
IN_FLIGHT_LINE = re.compile(r"^heygen_mcp_tool_calls_in_flight (\d+)", re.M)


class Failure(Exception):
    """A check failed; the current flow stops."""


def brief(value: Any, limit: int = 160) -> str:
    try:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    except TypeError:  # keys JSON cannot take (tuples)
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def start_time(pid: int) -> str:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat): with the pid, it
    names this process and not a later one that reuses the pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def die_with_parent() -> None:
    """In the child: SIGKILL when the Python process that started it dies (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Processes:
    """The children, their logs, and the pid file run.sh's trap reads."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.children: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{name}.log", "ab")
        child = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )
        log.close()
        self.children.append(child)
        with open(self.work / "pids", "a") as pids:  # pid and start time: run.sh kills only these processes
            pids.write(f"{child.pid} {start_time(child.pid)}\n")
        return child

    def stop_all(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 5
        for child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def tail(self, name: str, lines: int = 15) -> list[str]:
        try:
            return (self.work / f"{name}.log").read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


class Replica:
    """One `heygen-mcp http` on a fixed port; each start is a new generation with its own metrics."""

    def __init__(self, name: str, port: int, binary: str, env: dict[str, str], procs: Processes) -> None:
        self.name, self.port, self.binary, self.env, self.procs = name, port, binary, env, procs
        self.process: subprocess.Popen[bytes] | None = None
        self.generation = 0
        # Tool calls per generation, as last read from /metrics: {(tool, outcome): n}
        self.counted: list[collections.Counter[tuple[str, str]]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.generation += 1
        self.counted.append(collections.Counter())
        argv = [self.binary, "http", "--listen", f"127.0.0.1:{self.port}", "--drain-seconds", DRAIN_SECONDS]
        self.process = self.procs.start(self.name, argv, self.env)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def ready(self, within: float = 15.0) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            try:
                if http_get(self.base + "/readyz", 0.5)[0] == 200:
                    return True
            except OSError:
                pass
            await asyncio.sleep(0.05)
        return False

    def metrics(self) -> str:
        return http_get(self.base + "/metrics")[1]

    def http_responses(self) -> int:
        """MCP requests this replica answered (any status)."""
        return sum(int(n) for n in re.findall(r'^heygen_mcp_http_responses_total\{[^}]*\} (\d+)', self.metrics(), re.M))

    def read_counts(self) -> collections.Counter[tuple[str, str]]:
        """Reads this generation's tool-call counters (the process must be up)."""
        counts = collections.Counter({(t, o): int(n) for t, o, n in TOOL_CALL_LINE.findall(self.metrics())})
        self.counted[-1] = counts
        return counts

    def in_flight(self) -> int:
        try:
            found = IN_FLIGHT_LINE.search(self.metrics())
        except OSError:
            return 0
        return int(found.group(1)) if found else 0

    def totals(self) -> collections.Counter[tuple[str, str]]:
        total: collections.Counter[tuple[str, str]] = collections.Counter()
        for counts in self.counted:
            total.update(counts)
        return total


class HAProxy:
    def __init__(self, port: int, stats_port: int, replicas: list[Replica], procs: Processes) -> None:
        self.port, self.stats_port, self.replicas, self.procs = port, stats_port, replicas, procs
        self.config = procs.work / "haproxy.cfg"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def write_config(self) -> None:
        servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} check" for r in self.replicas)
        self.config.write_text(
            f"""# Generated by tests/remote/replicas.py.
global
    log stdout format raw local0 info
    maxconn 1024

defaults
    mode http
    log global
    log-format "srv=%b/%s status=%ST retries=%rc term=%tsc ms=%Ta req=%{{+Q}}r"
    timeout connect 1s
    timeout client 120s
    # A wait_for_video call streams SSE (progress, heartbeats) for up to a minute or more.
    timeout server 120s
    timeout http-request 10s
    timeout queue 5s
    # A new server connection per request: a replica that drains or dies is then seen as a
    # refused connection, which is safe to send elsewhere.
    option http-server-close
    retries 3
    option redispatch 1
    # Only retries that cannot run a call twice: the connection failed, or a draining
    # replica refused the request (its 503 comes before anything runs). Not empty-response
    # nor response-timeout: the request may have reached the replica and run (with
    # empty-response, a replica killed mid-create had HAProxy send the create again: two
    # videos at HeyGen, one session id for the caller).
    retry-on conn-failure 503

frontend mcp
    bind 127.0.0.1:{self.port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1
{servers}

listen stats
    bind 127.0.0.1:{self.stats_port}
    stats enable
    stats uri /stats
"""
        )

    def check_config(self) -> tuple[bool, str]:
        done = subprocess.run(["haproxy", "-c", "-f", str(self.config)], capture_output=True, text=True)
        return done.returncode == 0, (done.stdout + done.stderr).strip()

    def start(self, env: dict[str, str]) -> None:
        self.process = self.procs.start("haproxy", ["haproxy", "-db", "-f", str(self.config)], env)

    def states(self) -> dict[str, str]:
        """Server name -> HAProxy's status (UP, DOWN, ...)."""
        status, body = http_get(f"http://127.0.0.1:{self.stats_port}/stats;csv")
        if status != 200:
            return {}
        lines = body.lstrip("# ").splitlines()
        header = lines[0].split(",")
        at = {name: i for i, name in enumerate(header)}
        out = {}
        for line in lines[1:]:
            cols = line.split(",")
            if len(cols) > at["status"] and cols[at["pxname"]] == "replicas" and cols[at["svname"]] not in ("BACKEND", "FRONTEND"):
                out[cols[at["svname"]]] = cols[at["status"]]
        return out

    async def until(self, name: str, state: str, within: float = 10.0) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                if self.states().get(name, "").startswith(state):
                    return True
            except OSError:
                pass
            await asyncio.sleep(0.1)
        return False

    def log_lines(self) -> list[str]:
        try:
            text = (self.procs.work / "haproxy.log").read_text(errors="replace")
            return [l for l in text.splitlines() if l.startswith("srv=") and " /mcp " in l]
        except OSError:
            return []


class Test:
    def __init__(self, sandbox_port: int, replicas: list[Replica], haproxy: HAProxy) -> None:
        self.sandbox = f"http://127.0.0.1:{sandbox_port}"
        self.replicas = replicas
        self.haproxy = haproxy
        self.passed = 0
        self.failed = 0
        self.calls: collections.Counter[str] = collections.Counter()  # tool calls made (answered or not)
        self.drained_calls: collections.Counter[tuple[str, str]] = collections.Counter()  # served by a replica after its last /metrics read
        self.restarted: list[tuple[Replica, int]] = []  # (replica, generation) started after a stop: must take calls
        self.task_sends = 0  # messages sent through tasks/update (no tool call)

    # -- bookkeeping ---------------------------------------------------------------
    def ok(self, label: str) -> None:
        self.passed += 1
        print(f"ok    {label}", flush=True)

    def fail(self, label: str) -> None:
        self.failed += 1
        print(f"FAIL  {label}", flush=True)

    def check(self, condition: bool, label: str, detail: Any = None) -> None:
        if condition:
            self.ok(label)
        else:
            self.fail(label + ("" if detail is None else f": {brief(detail, 500)}"))
            raise Failure(label)

    def soft(self, condition: bool, label: str, detail: Any = None) -> None:
        """A check whose failure is counted but does not stop the flow."""
        try:
            self.check(condition, label, detail)
        except Failure:
            pass

    def live(self) -> list[Replica]:
        return [r for r in self.replicas if r.alive()]

    # -- calls ---------------------------------------------------------------------
    async def call(self, caller: Callable[[str, dict[str, Any]], Awaitable[Any]], era: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
        label = f"[{era}] {name} {brief(args, 70)}"
        self.calls[name] += 1
        started = time.monotonic()
        try:
            result = await asyncio.wait_for(caller(name, args), CALL_TIMEOUT)
        except asyncio.TimeoutError:
            self.check(False, f"{label}: no answer within {CALL_TIMEOUT:.0f} s")
        except Exception as e:  # transport errors, HTTP errors, protocol errors, schema mismatches
            self.check(False, f"{label}: {type(e).__name__}: {brief(str(e) or repr(e), 400)}")
        took = time.monotonic() - started
        if result.is_error:
            text = "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text")
            self.check(False, f"{label}: isError: {brief(text, 400)}")
        self.check(result.structured_content is not None, f"{label} -> {brief(result.structured_content, 90)} ({took:.1f}s)")
        return result.structured_content

    async def wait(self, call: Callable[..., Awaitable[dict[str, Any]]], ids: dict[str, str], rounds: int = 6) -> dict[str, Any]:
        for _ in range(rounds):
            outcome = await call("wait_for_video", {**ids, "timeout_seconds": 30})
            if outcome["state"] != "still_running":
                return outcome
        self.check(False, f"wait_for_video {ids} never finished")
        raise AssertionError  # unreachable

    # -- replica operations ----------------------------------------------------------
    async def restart(self, replica: Replica, why: str) -> None:
        replica.start()
        self.check(await replica.ready(), f"{replica.name} ({why}) started again, /readyz 200", self_tail(replica))
        self.check(await self.haproxy.until(replica.name, "UP"), f"HAProxy sees {replica.name} UP again", self.haproxy.states())
        self.restarted.append((replica, replica.generation - 1))

    async def serving_replica(self, within: float = 5.0) -> Replica | None:
        """The replica with a tool call in flight (the client makes one call at a time)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            busy = [r for r in self.live() if r.in_flight() > 0]
            if len(busy) == 1:
                return busy[0]
            await asyncio.sleep(0.05)
        return None

    async def wait_through_sigterm(self, call: Callable[..., Awaitable[dict[str, Any]]], era: str, session_id: str) -> dict[str, Any]:
        """A wait_for_video whose replica gets SIGTERM mid-wait; then waits on, elsewhere, to the end."""
        waiting = asyncio.create_task(call("wait_for_video", {"session_id": session_id, "timeout_seconds": 30}))
        replica = await self.serving_replica()
        if replica is None:
            await waiting
            self.check(False, f"[{era}] found the replica serving wait_for_video (in flight on exactly one)", {r.name: r.in_flight() for r in self.live()})
        assert replica is not None
        self.ok(f"[{era}] wait_for_video is in flight on {replica.name}")
        replica.read_counts()
        await asyncio.sleep(0.7)  # well inside the wait: the video needs ~6 s
        self.check(not waiting.done(), f"[{era}] the wait is still running when {replica.name} gets SIGTERM", waiting.done() and waiting.result())
        assert replica.process is not None
        replica.process.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        outcome = await waiting  # must succeed: the drain answers it with the state to resume from
        answered = time.monotonic() - stopped_at
        self.drained_calls[(replica.name, "wait_for_video")] += 1
        self.check(outcome["state"] == "still_running", f"[{era}] the wait on the draining replica returned still_running", outcome)
        self.check(answered < 3.0, f"[{era}] ... at once: {answered:.2f} s after SIGTERM (timeout_seconds was 30)", outcome)
        self.check(bool(outcome.get("next_step")) and (session_id in outcome["next_step"] or str(outcome.get("video_id")) in outcome["next_step"]),
                   f"[{era}] ... and next_step names the id to resume with", outcome)
        try:
            code = await asyncio.to_thread(replica.process.wait, float(DRAIN_SECONDS) + 5)
        except subprocess.TimeoutExpired:
            code = None
        exited = time.monotonic() - stopped_at
        self.check(code == 0, f"[{era}] {replica.name} drained and exited with status 0 ({exited:.2f} s after SIGTERM)", {"status": code, "log": self_tail(replica)})
        # The next wait lands on another replica and goes on.
        resume = {"video_id": outcome["video_id"]} if outcome.get("video_id") and outcome["video_id"] in outcome["next_step"] else {"session_id": session_id}
        before = {r.name: r.read_counts()[("wait_for_video", "ok")] for r in self.live()}
        done = await self.wait(call, resume)
        after = {r.name: r.read_counts()[("wait_for_video", "ok")] for r in self.live()}
        moved = [n for n in after if after[n] > before.get(n, 0)]
        self.check(done["state"] == "completed", f"[{era}] the next wait (with {brief(resume)}) went on to completed on {', '.join(moved) or '?'}", done)
        self.check(bool(moved) and replica.name not in moved, f"[{era}] ... served by another replica than {replica.name}", {"before": before, "after": after})
        await self.restart(replica, "after SIGTERM")
        return done

    async def kill_between_calls(self, call: Callable[..., Awaitable[dict[str, Any]]], era: str, session_id: str) -> None:
        """SIGKILL one replica between two calls, then three quick calls: round robin sends one of
        them to the dead replica before the health checks notice (inter 500 ms, fall 2); HAProxy
        must redispatch it."""
        # Not a replica started again earlier: it must show it takes calls before it goes.
        fresh = [r for r in self.live() if not any(r is again for again, _ in self.restarted)]
        victim = (fresh or self.live())[-1]
        victim.read_counts()  # nothing is in flight: the client is between calls
        log_before = len(self.haproxy.log_lines())
        assert victim.process is not None
        victim.process.kill()
        victim.process.wait()
        self.ok(f"[{era}] {victim.name} killed with SIGKILL between calls")
        for _ in range(3):
            got = await call("get_video_agent_session", {"session_id": session_id})
            self.check(got["session_id"] == session_id, f"[{era}] get_video_agent_session right after the kill answered", got)
        retried = [l for l in self.haproxy.log_lines()[log_before:] if not re.search(r"retries=0\b", l)]
        self.check(bool(retried), f"[{era}] HAProxy retried a request sent to the dead replica elsewhere ({len(retried)}): {brief(retried[:1])}", self.haproxy.log_lines()[log_before:])
        self.check(await self.haproxy.until(victim.name, "DOWN"), f"HAProxy marks {victim.name} DOWN", self.haproxy.states())
        self.killed = victim

    # -- flows -----------------------------------------------------------------------
    async def lifecycles(self, era: str, call: Callable[..., Awaitable[dict[str, Any]]]) -> None:
        # generate, with a SIGTERM mid-wait
        print(f"--    [{era}] generate", flush=True)
        created = await call("create_video_agent", {"prompt": LONG_PROMPT})
        session_id = created["session_id"]
        done = await self.wait_through_sigterm(call, era, session_id)
        video_id = done["video_id"]
        video = await call("get_video", {"video_id": video_id})
        self.check(video["status"] == "completed" and bool(video.get("video_url")), f"[{era}] generate: get_video completed with a video_url", video)

        # chat: review, revision, approval; a replica killed between calls
        print(f"--    [{era}] chat", flush=True)
        created = await call("create_video_agent", {"prompt": "A 30-second product tour for the replica test", "mode": "chat"})
        session_id = created["session_id"]
        ids = {"session_id": session_id}
        if era == "2026-07-28":
            await self.kill_between_calls(call, era, session_id)
        review = await self.wait(call, ids)
        self.check(review["state"] == "needs_input" and review.get("session_status") == "reviewing", f"[{era}] chat: needs_input (reviewing)", review)
        first_board = review["messages"][0].get("resource_ids") or []
        self.check(len(first_board) >= 1, f"[{era}] chat: a storyboard ({len(first_board)} frames)", review)
        await call("send_video_agent_message", {**ids, "message": "Use a warmer colour palette"})
        revised = await self.wait(call, ids)
        second_board = revised.get("messages", [{}])[0].get("resource_ids") or []
        self.check(revised["state"] == "needs_input" and bool(second_board) and not set(second_board) & set(first_board),
                   f"[{era}] chat: the revision made a new storyboard", {"first": first_board, "revised": revised})
        await call("send_video_agent_message", {**ids, "message": "Looks good, go ahead"})
        first = await self.wait(call, ids)
        self.check(first["state"] == "completed" and bool(first.get("video_id")), f"[{era}] chat: approved and completed", first)
        if era == "2026-07-28":
            await self.restart(self.killed, "after SIGKILL")

        # follow-up: a second video from the same session
        print(f"--    [{era}] follow-up", flush=True)
        await call("send_video_agent_message", {**ids, "message": "Now make a 15-second teaser of it"})
        second = await self.wait(call, ids)
        if second["state"] == "needs_input":  # a follow-up may stop for review again
            await call("send_video_agent_message", {**ids, "message": "Yes, approve"})
            second = await self.wait(call, ids)
        self.check(second["state"] == "completed" and second.get("video_id") not in (None, first["video_id"]),
                   f"[{era}] follow-up: a second video completed", second)
        videos = await call("list_video_agent_session_videos", ids)
        self.check([v["id"] for v in videos["videos"]] == [second["video_id"], first["video_id"]], f"[{era}] follow-up: the session lists both videos, newest first", videos)

    async def era_2025(self) -> None:
        era = "2025-11-25"
        headers = {"X-Api-Key": API_KEY}
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(self.haproxy.url, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    init = await asyncio.wait_for(session.initialize(), CALL_TIMEOUT)
                    self.check(init.protocol_version == era and init.server_info.name == "heygen-mcp",
                               f"[{era}] initialize through HAProxy: {init.server_info.name} {init.server_info.version}, protocol {init.protocol_version}", init)
                    listed = await asyncio.wait_for(session.list_tools(), CALL_TIMEOUT)
                    self.check(len(listed.tools) >= 20, f"[{era}] tools/list: {len(listed.tools)} tools")

                    async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
                        return await self.call(session.call_tool, era, name, args)

                    await self.lifecycles(era, call)

    async def era_2026(self) -> None:
        era = "2026-07-28"
        async with create_mcp_http_client(headers={"X-Api-Key": API_KEY}) as http:
            async with Client(streamable_http_client(self.haproxy.url, http_client=http), mode=era) as client:
                self.check(client.protocol_version == era, f"[{era}] Client(mode={era!r}) through HAProxy: protocol {client.protocol_version}")
                listed = await asyncio.wait_for(client.list_tools(), CALL_TIMEOUT)
                self.check(len(listed.tools) >= 20, f"[{era}] tools/list: {len(listed.tools)} tools")

                async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
                    return await self.call(client.call_tool, era, name, args)

                await self.lifecycles(era, call)

    def post(self, body: dict[str, Any], headers: dict[str, str], label: str) -> tuple[dict[str, Any], dict[str, str]]:
        """One JSON-RPC request by hand through HAProxy; its result and the answer's headers."""
        request = urllib.request.Request(self.haproxy.url, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream", "X-Api-Key": API_KEY, **headers})
        try:
            with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:
                text, got = response.read().decode(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as e:
            self.check(False, f"{label}: HTTP {e.code}", e.read().decode(errors="replace"))
        for chunk in [text] + [l[5:].strip() for l in text.splitlines() if l.startswith("data:")]:
            try:
                message = json.loads(chunk)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("id") == body["id"]:
                if "result" not in message:
                    self.check(False, f"{label} answered with an error", message)
                return message["result"], got
        self.check(False, f"{label}: no answer with id {body['id']}", text)
        raise AssertionError  # unreachable

    def rpc(self, method: str, params: dict[str, Any], name: str, rid: int) -> dict[str, Any]:
        """One 2026-07-28 request by hand: no session, no initialize; the headers name the
        method and its target so a balancer could route on them."""
        meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}}}
        body = {"jsonrpc": "2.0", "id": rid, "method": method, "params": {**params, "_meta": meta}}
        headers = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method, "Mcp-Name": name}
        return self.post(body, headers, f"[tasks] {method}")[0]

    def declared_2025(self) -> None:
        """A 2025-11-25 client that declares views at initialize: its Mcp-Session-Id carries
        that, so every replica (round robin) shows it the views' tools."""
        era = "2025-11-25, views declared"
        ui = {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}}
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {"extensions": ui}, "clientInfo": {"name": "remote-test", "version": "0"}}}
        result, headers = self.post(init, {"MCP-Protocol-Version": "2025-11-25"}, f"[{era}] initialize")
        handle = headers.get("mcp-session-id", "")
        self.check(handle.startswith("hgc1.") and "resources" in result.get("capabilities", {}),
                   f"[{era}] initialize: resources offered, the declaration handed back as Mcp-Session-Id", {"headers": headers, "result": result})
        before = {r.name: r.http_responses() for r in self.live()}
        for n in range(len(self.live())):
            listed, _ = self.post({"jsonrpc": "2.0", "id": 2 + n, "method": "tools/list"},
                                  {"MCP-Protocol-Version": "2025-11-25", "Mcp-Session-Id": handle}, f"[{era}] tools/list")
            names = [t["name"] for t in listed.get("tools", [])]
            self.check("show_video" in names and "follow_video" in names, f"[{era}] tools/list {n + 1} lists the views' tools", names)
        answered = [r.name for r in self.live() if r.http_responses() > before.get(r.name, 0)]
        self.check(len(answered) >= 2, f"[{era}] ... answered by {', '.join(answered)}", answered)

    def session_polls(self) -> dict[str, int]:
        """Per replica: GET /v3/video-agents/{id} requests it made to HeyGen (a tasks/get polls once)."""
        line = re.compile(r'^heygen_mcp_heygen_requests_total\{endpoint="GET /v3/video-agents/\{id\}",status="200"\} (\d+)', re.M)
        return {r.name: sum(int(n) for n in line.findall(r.metrics())) for r in self.live()}

    async def era_tasks(self) -> None:
        """A chat render as an MCP task, every request a fresh POST through round robin: tasks/get
        lands on different replicas, which know the task only from its id; the approval is sent
        once even when the update is retried on another replica."""
        era = "tasks"
        print("--    [tasks] chat as a task, requests by hand (2026-07-28)", flush=True)
        rid = iter(range(1, 10_000))
        args = {"prompt": "A 30-second tour as a task for the replica test", "mode": "chat"}
        self.calls["create_video_agent"] += 1
        created = await asyncio.to_thread(self.rpc, "tools/call", {"name": "create_video_agent", "arguments": args}, "create_video_agent", next(rid))
        self.check(created.get("resultType") == "task" and str(created.get("taskId", "")).startswith("hgt1."),
                   f"[{era}] create_video_agent answered with a task {brief(created.get('taskId'), 40)}", created)
        task_id = created["taskId"]
        served: collections.Counter[str] = collections.Counter()

        async def settle() -> dict[str, Any]:
            for _ in range(300):
                before = self.session_polls()
                got = await asyncio.to_thread(self.rpc, "tasks/get", {"taskId": task_id}, task_id, next(rid))
                after = self.session_polls()
                served.update({n: after[n] - before.get(n, 0) for n in after if after[n] > before.get(n, 0)})
                if got.get("status") != "working":
                    return got
                await asyncio.sleep(0.1)
            self.check(False, f"[{era}] the task never left working")
            raise AssertionError  # unreachable

        review = await settle()
        requests = review.get("inputRequests") or {}
        self.check(review.get("status") == "input_required" and len(requests) == 1,
                   f"[{era}] tasks/get: input_required with one form (the storyboard)", review)
        key = next(iter(requests))
        answer = {"taskId": task_id, "inputResponses": {key: {"action": "accept", "content": {"decision": "approve"}}}}
        self.task_sends += 1
        for attempt in ("approval", "the same approval again (a retried update)"):
            await asyncio.to_thread(self.rpc, "tasks/update", answer, task_id, next(rid))
            self.ok(f"[{era}] tasks/update with {attempt} answered")
        done = await settle()
        content = (done.get("result") or {}).get("structuredContent") or {}
        self.check(done.get("status") == "completed" and content.get("state") == "completed" and bool(content.get("video_id")),
                   f"[{era}] the task completed with a video ({content.get('video_id')})", done)
        self.check(len(served) >= 2, f"[{era}] tasks/get was answered by {len(served)} replicas {dict(served)}", dict(served))

    def unauthenticated(self) -> None:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "remote-test", "version": "0"}}}).encode()
        request = urllib.request.Request(self.haproxy.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
        status, headers, text = 0, {}, ""
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status, headers, text = response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as e:
            status, headers, text = e.code, dict(e.headers), e.read().decode(errors="replace")
        self.soft(status == 401 and "Bearer" in headers.get("WWW-Authenticate", headers.get("www-authenticate", "")) and "X-Api-Key" in text,
                  f"no X-Api-Key through HAProxy: {status}, WWW-Authenticate, says to send X-Api-Key", {"status": status, "headers": headers, "body": text})

    # -- the ledger ------------------------------------------------------------------
    def ledger(self) -> None:
        print("--    ledger", flush=True)
        for r in self.live():
            r.read_counts()
        served: collections.Counter[tuple[str, str]] = collections.Counter()
        for r in self.replicas:
            served.update(r.totals())
        for (_, tool), n in self.drained_calls.items():
            served[(tool, "ok")] += n
        errors = {k: v for k, v in served.items() if k[1] != "ok" and v}
        self.soft(not errors, "every tool call the replicas ran ended ok (heygen_mcp_tool_calls_total outcome)", errors)
        ran = collections.Counter({tool: n for (tool, outcome), n in served.items() if outcome == "ok"})
        self.soft(ran == self.calls, f"each tool call ran exactly once on some replica ({sum(ran.values())} ran, {sum(self.calls.values())} made)",
                  {"made": dict(self.calls), "ran": dict(ran)})
        per_replica = {f"{r.name}": [sum(c.values()) for c in r.counted] for r in self.replicas}
        print(f"      tool calls per replica and generation: {per_replica}; served while draining: {dict(self.drained_calls)}", flush=True)
        print(f"      peak RSS of the replicas now running: {', '.join(f'{r.name} {peak_rss_kib(r)} KiB' for r in self.live())}", flush=True)
        self.soft(sum(1 for r in self.replicas if sum(r.totals().values()) > 0) >= 2, f"calls landed on more than one replica {per_replica}", per_replica)
        for r, generation in self.restarted:
            took = sum(r.counted[generation].values())
            self.soft(took > 0, f"{r.name}, started again (generation {generation + 1}), took calls from HAProxy ({took})", r.counted)
        stats = json.loads(http_get(self.sandbox + "/_sandbox/stats")[1])["data"]["by_route"]
        creates = stats.get("POST /v3/video-agents", 0)
        self.soft(creates == self.calls["create_video_agent"], f"HeyGen got each create exactly once (POST /v3/video-agents: {creates}, creates made: {self.calls['create_video_agent']})", stats)
        sends = stats.get("POST /v3/video-agents/{session_id}", 0)
        made = self.calls["send_video_agent_message"] + self.task_sends
        self.soft(sends == made, f"HeyGen got each message exactly once (POST /v3/video-agents/{{session_id}}: {sends}, messages made: {made}, {self.task_sends} of them by tasks/update)", stats)
        lines = self.haproxy.log_lines()
        bad = [l for l in lines if re.search(r"status=5\d\d", l)]
        self.soft(not bad, f"HAProxy answered no 5xx ({len(lines)} requests to /mcp logged)", bad[:5])


def peak_rss_kib(replica: Replica) -> str:
    try:
        status = Path(f"/proc/{replica.process.pid}/status").read_text()  # type: ignore[union-attr]
        return next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    except (OSError, StopIteration, AttributeError):
        return "?"


def self_tail(replica: Replica) -> list[str]:
    return replica.procs.tail(replica.name)


async def main(binary: str, work: Path) -> int:
    procs = Processes(work)
    home = work / "home"
    home.mkdir(exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("HEYGEN_", "RUST_LOG"))}
    base_env.update({"HOME": str(home), "HEYGEN_CONFIG_DIR": str(home / ".heygen")})
    sandbox_port = free_port()
    ports = [free_port() for _ in range(3)]
    haproxy_port, stats_port = free_port(), free_port()
    sandbox_env = {**base_env, "HEYGEN_SANDBOX_TIME_SCALE": TIME_SCALE, "RUST_LOG": "warn"}
    replica_env = {**base_env, "HEYGEN_API_BASE": f"http://127.0.0.1:{sandbox_port}", "RUST_LOG": "heygen_mcp=info,warn"}
    replicas = [Replica(f"r{i + 1}", port, binary, replica_env, procs) for i, port in enumerate(ports)]
    haproxy = HAProxy(haproxy_port, stats_port, replicas, procs)
    test = Test(sandbox_port, replicas, haproxy)
    crashed = False
    started = time.monotonic()
    try:
        procs.start("sandbox", [binary, "sandbox", "--port", str(sandbox_port)], sandbox_env)
        for r in replicas:
            r.start()
        haproxy.write_config()
        valid, said = haproxy.check_config()
        test.check(valid, f"haproxy -c accepts the generated config ({subprocess.run(['haproxy', '-v'], capture_output=True, text=True).stdout.splitlines()[0]})", said)
        haproxy.start(base_env)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if http_get(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats", 0.5)[0] == 200:
                    break
            except OSError:
                pass
            await asyncio.sleep(0.05)
        for r in replicas:
            test.check(await r.ready(), f"{r.name} on :{r.port} ready (/readyz 200)", self_tail(r))
        for r in replicas:
            test.check(await haproxy.until(r.name, "UP"), f"HAProxy sees {r.name} UP", haproxy.states())
        async with asyncio.timeout(TOTAL_TIMEOUT):
            test.unauthenticated()
            try:
                test.declared_2025()
            except Failure:
                pass
            for era in (test.era_2025, test.era_2026, test.era_tasks):
                try:
                    await era()
                except Failure:
                    pass
                except BaseExceptionGroup as group:  # a Failure inside the SDK's task groups
                    _, rest = group.split(Failure)
                    if rest is not None:
                        raise rest from None
            test.ledger()
    except Failure:
        pass
    except BaseException as e:  # timeout, SDK error outside a call, a process that would not start
        crashed = True
        print(f"FAIL  {type(e).__name__}: {brief(str(e) or repr(e), 400)}", flush=True)
        traceback.print_exc(file=sys.stdout)
    finally:
        procs.stop_all()
    failed = test.failed + (1 if crashed else 0)
    if failed:
        for name in ["sandbox", "haproxy"] + [r.name for r in replicas]:
            print(f"--    {name} log (last lines):")
            for line in procs.tail(name, 12):
                print(f"      {line}")
    print(f"--    replicas behind HAProxy took {time.monotonic() - started:.1f} s", flush=True)
    print(f"{test.passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: replicas.py BINARY WORKDIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]))))
