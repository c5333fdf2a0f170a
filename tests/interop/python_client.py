"""Drive heygen-mcp with the official MCP Python SDK (`mcp`, see requirements.txt).

Spawns `<binary> --sandbox` over stdio, connects with the SDK's low-level `ClientSession`
(legacy initialize handshake) and runs full lifecycles against the offline sandbox:
generate, chat with review/revision/approval, stop, failure, an upload, the listings, the
discovery tools, and deliberate bad arguments. Every tool the server lists must be called
at least once, or the run fails (so a new tool forces an update here).

The SDK validates each successful result's structuredContent against the tool's
outputSchema (it raises otherwise); on top of that this script checks isError and the
fields each lifecycle depends on.

Usage: python python_client.py [BINARY]   (default: $HEYGEN_MCP_BIN or target/debug/heygen-mcp)
Prints one line per call and, last, `N passed, M failed`. Exit status 1 on any failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import sys
import tempfile
import time
import traceback
import zlib
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

REPO = Path(__file__).resolve().parents[2]
CALL_TIMEOUT = 60.0  # seconds for any one tools/call
TOTAL_TIMEOUT = 150.0  # seconds for the whole run
TIME_SCALE = "20"

# Tools exercised by the lifecycle flows below; anything else tools/list offers is
# handled by `discovery` (no-argument tools, and get_* tools fed from a list_* result).
LIFECYCLE_TOOLS = {
    "create_video_agent",
    "wait_for_video",
    "get_video",
    "get_video_scenes",
    "download_video",
    "list_videos",
    "delete_video",
    "get_video_agent_resource",
    "send_video_agent_message",
    "list_video_agent_session_videos",
    "stop_video_agent_session",
    "get_video_agent_session",
    "upload_asset",
    "list_video_agent_sessions",
    "list_video_agent_styles",
}

# get_* tool -> (list_* tool, key of the list's array, field of an item that is the id)
GET_FROM_LIST = {
    "get_avatar_group": ("list_avatar_groups", "groups", "group_id"),
    "get_avatar_look": ("list_avatar_looks", "looks", "avatar_id"),
    "get_voice": ("list_voices", "voices", "voice_id"),
}


class Failure(Exception):
    """A check failed; the current flow stops, the others still run."""


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A small valid RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([200, 80, 40]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def brief(value: Any, limit: int = 110) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def text_of(result: Any) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text")


class Run:
    def __init__(self, session: ClientSession, work: Path) -> None:
        self.session = session
        self.work = work
        self.passed = 0
        self.failed = 0
        self.called: set[str] = set()
        self.tools: dict[str, Any] = {}
        self.lists: dict[str, Any] = {}  # structured results of list_* calls

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
            self.fail(label + ("" if detail is None else f": {brief(detail, 400)}"))
            raise Failure(label)

    async def call(
        self,
        name: str,
        args: dict[str, Any],
        *,
        expect_error: bool = False,
        progress_callback: Any = None,
    ) -> Any:
        """One tools/call; checks isError and, on success, that structured content came back.

        Returns the structured content (success) or the result's text (expected error).
        """
        label = f"{name} {brief(args, 70)}"
        self.called.add(name)
        started = time.monotonic()
        try:
            result = await asyncio.wait_for(
                self.session.call_tool(name, args, progress_callback=progress_callback),
                CALL_TIMEOUT,
            )
        except asyncio.TimeoutError:
            self.fail(f"{label}: no answer within {CALL_TIMEOUT:.0f} s")
            raise Failure(label) from None
        except Exception as e:  # the SDK raises on protocol errors and schema mismatches
            self.fail(f"{label}: {type(e).__name__}: {brief(str(e), 400)}")
            raise Failure(label) from e
        took = time.monotonic() - started
        if expect_error:
            message = text_of(result)
            if not result.is_error:
                self.fail(f"{label}: expected isError true, got {brief(result.structured_content)}")
                raise Failure(label)
            self.ok(f"{label} -> isError ({took:.1f}s): {brief(message, 90)}")
            return message
        if result.is_error:
            self.fail(f"{label}: isError true: {brief(text_of(result), 400)}")
            raise Failure(label)
        if result.structured_content is None:
            self.fail(f"{label}: no structuredContent")
            raise Failure(label)
        self.ok(f"{label} -> {brief(result.structured_content, 80)} ({took:.1f}s)")
        if name.startswith("list_"):
            self.lists[name] = result.structured_content
        return result

    async def wait(self, session_id: str, rounds: int = 6, **extra: Any) -> dict[str, Any]:
        """wait_for_video until it reports something other than still_running."""
        for _ in range(rounds):
            outcome = (await self.call("wait_for_video", {"session_id": session_id, "timeout_seconds": 20, **extra})).structured_content
            if outcome["state"] != "still_running":
                return outcome
        raise Failure(f"wait_for_video on {session_id} never finished")

    # -- flows ---------------------------------------------------------------------
    async def generate(self) -> None:
        """generate mode: create -> wait (with progress) -> get -> download -> list -> delete."""
        created = (await self.call("create_video_agent", {"prompt": "A 10-minute video about otters for interop tests"})).structured_content
        session_id = created["session_id"]
        progress: list[float] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(value)

        outcome = (
            await self.call(
                "wait_for_video",
                {"session_id": session_id, "timeout_seconds": 60},
                progress_callback=on_progress,
            )
        ).structured_content
        self.check(outcome["state"] == "completed", "generate: wait_for_video state completed", outcome)
        self.check(len(progress) >= 2, f"generate: progress notifications received ({len(progress)})", progress)
        self.check(
            all(b > a for a, b in zip(progress, progress[1:])),
            f"generate: progress strictly increases {[round(p, 1) for p in progress]}",
            progress,
        )
        video_id = outcome["video_id"]

        video = (await self.call("get_video", {"video_id": video_id})).structured_content
        self.check(video["status"] == "completed" and bool(video.get("video_url")), "generate: get_video completed with video_url", video)

        scenes = (await self.call("get_video_scenes", {"video_id": video_id})).structured_content
        self.check(
            scenes["video_id"] == video_id and len(scenes["scenes"]) > 0 and all(isinstance(s, dict) for s in scenes["scenes"]),
            "generate: get_video_scenes lists the finished video's scenes",
            scenes,
        )

        saved = (await self.call("download_video", {"video_id": video_id, "file_name": "otters.mp4"})).structured_content
        path = Path(saved["path"])
        out_dir = (self.work / "output").resolve()
        self.check(path.resolve().parent == out_dir, "download_video: saved into HEYGEN_OUTPUT_DIR", saved)
        self.check(path.is_file() and path.stat().st_size == saved["size_bytes"] > 0, "download_video: file exists with size_bytes", saved)
        self.check(path.read_bytes()[4:8] == b"ftyp", "download_video: file is an MP4 (ftyp box)")
        again = await self.call("download_video", {"video_id": video_id, "file_name": "otters.mp4"}, expect_error=True)
        self.check("overwrite" in again, "download_video: refuses to overwrite without overwrite=true", again)

        listed = (await self.call("list_videos", {"limit": 100})).structured_content
        self.check(any(v["id"] == video_id for v in listed["videos"]), "list_videos: contains the new video", listed)

        deleted = (await self.call("delete_video", {"video_id": video_id})).structured_content
        self.check(deleted["deleted"] is True and deleted["id"] == video_id, "delete_video: deleted", deleted)
        gone = await self.call("get_video", {"video_id": video_id}, expect_error=True)
        self.check("not found" in gone.lower(), "get_video after delete: not found", gone)

    async def chat(self) -> None:
        """chat mode: review -> storyboard image -> revision -> new storyboard -> approve -> completed."""
        args: dict[str, Any] = {"prompt": "A 30-second product tour", "mode": "chat"}
        # Present it with a look and voice from the discovery tools, when the server has them.
        looks = (self.lists.get("list_avatar_looks") or {}).get("looks") or []
        voices = (self.lists.get("list_voices") or {}).get("voices") or []
        if looks:
            args["avatar_id"] = looks[0]["avatar_id"]
        if voices:
            args["voice_id"] = voices[0]["voice_id"]
        created = (await self.call("create_video_agent", args)).structured_content
        session_id = created["session_id"]
        review = await self.wait(session_id)
        self.check(review["state"] == "needs_input" and review.get("session_status") == "reviewing", "chat: needs_input (reviewing)", review)
        first_board = review["messages"][0].get("resource_ids") or []
        self.check(len(first_board) >= 1, f"chat: storyboard has resource_ids ({len(first_board)})", review)

        resource = await self.call("get_video_agent_resource", {"session_id": session_id, "resource_id": first_board[0]})
        images = [c for c in resource.content if getattr(c, "type", None) == "image"]
        self.check(
            len(images) == 1 and images[0].mime_type == "image/png" and len(images[0].data) > 100,
            "get_video_agent_resource: returned a PNG image content block",
            [getattr(c, "type", None) for c in resource.content],
        )
        self.check(resource.structured_content["resource_type"] == "image", "get_video_agent_resource: resource_type image", resource.structured_content)

        await self.call("send_video_agent_message", {"session_id": session_id, "message": "Use a warmer colour palette"})
        revised = await self.wait(session_id)
        self.check(revised["state"] == "needs_input", "chat: revision back to needs_input", revised)
        second_board = revised["messages"][0].get("resource_ids") or []
        self.check(
            len(second_board) >= 1 and not set(second_board) & set(first_board),
            "chat: revision made a new storyboard (new resource ids)",
            {"first": first_board, "second": second_board},
        )

        await self.call("send_video_agent_message", {"session_id": session_id, "message": "Looks good, go ahead"})
        done = await self.wait(session_id)
        self.check(done["state"] == "completed" and bool(done.get("video_id")), "chat: approved and completed", done)

        videos = (await self.call("list_video_agent_session_videos", {"session_id": session_id})).structured_content
        self.check([v["id"] for v in videos["videos"]] == [done["video_id"]], "list_video_agent_session_videos: the one video", videos)

        sessions = (await self.call("list_video_agent_sessions", {"limit": 100})).structured_content
        self.check(any(s["session_id"] == session_id for s in sessions["sessions"]), "list_video_agent_sessions: contains the chat session", sessions)

    async def stop(self) -> None:
        """[sandbox:stall] -> wait times out (still_running) -> stop -> session failed."""
        created = (await self.call("create_video_agent", {"prompt": "[sandbox:stall] A 30-second video that never gets made"})).structured_content
        session_id = created["session_id"]
        waited = (await self.call("wait_for_video", {"session_id": session_id, "timeout_seconds": 2})).structured_content
        self.check(waited["state"] == "still_running", "stop: wait_for_video(2 s) still_running", waited)
        self.check(session_id in waited["next_step"], "stop: next_step names the session to resume", waited)
        await self.call("stop_video_agent_session", {"session_id": session_id})
        session = (await self.call("get_video_agent_session", {"session_id": session_id})).structured_content
        self.check(session["status"] == "failed", "stop: get_video_agent_session status failed", session)

    async def failure(self) -> None:
        """[sandbox:fail] -> wait -> failed with failure_code."""
        created = (await self.call("create_video_agent", {"prompt": "[sandbox:fail] A 30-second video that fails"})).structured_content
        outcome = await self.wait(created["session_id"])
        video = outcome.get("video") or {}
        self.check(outcome["state"] == "failed", "failure: wait_for_video state failed", outcome)
        self.check(video.get("failure_code") == "sandbox_render_failed" and bool(video.get("failure_message")), "failure: failure_code and failure_message", outcome)

    async def upload(self) -> None:
        picture = self.work / "allowed" / "logo.png"
        data = png_bytes()
        picture.write_bytes(data)
        uploaded = (await self.call("upload_asset", {"path": str(picture)})).structured_content
        self.check(
            bool(uploaded["asset_id"]) and uploaded["mime_type"] == "image/png" and uploaded["size_bytes"] == len(data),
            "upload_asset: asset_id, image/png, size",
            uploaded,
        )
        # A file outside the allowed directories is refused before anything is sent.
        outside = self.work / "home" / "secret.png"
        outside.write_bytes(data)
        refused = await self.call("upload_asset", {"path": str(outside)}, expect_error=True)
        self.check("allowed" in refused.lower(), "upload_asset: outside the allowed dirs is refused", refused)

    async def styles(self) -> None:
        styles = (await self.call("list_video_agent_styles", {"limit": 5})).structured_content
        self.check(len(styles["styles"]) >= 1, "list_video_agent_styles: at least one style", styles)
        if styles["has_more"]:
            following = (await self.call("list_video_agent_styles", {"limit": 5, "token": styles["next_token"]})).structured_content
            first = {s["style_id"] for s in styles["styles"]}
            self.check(
                len(following["styles"]) >= 1 and not first & {s["style_id"] for s in following["styles"]},
                "list_video_agent_styles: next_token gives the next page (no repeats)",
                following,
            )

    async def bad_arguments(self) -> None:
        message = await self.call("get_video", {"video_id": "../x"}, expect_error=True)
        self.check("video_id" in message, "bad argument: message names video_id", message)
        message = await self.call("wait_for_video", {"timeout_seconds": 1}, expect_error=True)
        self.check("session_id" in message or "video_id" in message, "bad argument: wait_for_video without an id names the argument", message)

    async def discovery(self) -> None:
        """Every listed tool the lifecycles don't cover: no-argument tools with {}, get_* by an id from its list."""
        extra = sorted(set(self.tools) - LIFECYCLE_TOOLS)
        gets = [n for n in extra if self._required(n)]
        plain = [n for n in extra if not self._required(n)]
        for name in plain:  # list_avatar_groups, list_avatar_looks, list_voices, get_current_user, ...
            try:
                await self.call(name, {})
            except Failure:
                pass
        for name in gets:
            try:
                await self._get_from_list(name)
            except Failure:
                pass
        # A look list filtered by a group from the group list holds only that group's looks.
        groups = (self.lists.get("list_avatar_groups") or {}).get("groups") or []
        looks_tool = self.tools.get("list_avatar_looks")
        if groups and looks_tool and "group_id" in (looks_tool.input_schema or {}).get("properties", {}):
            group_id = groups[0]["group_id"]
            try:
                looks = (await self.call("list_avatar_looks", {"group_id": group_id})).structured_content
                self.check(
                    len(looks["looks"]) >= 1 and all(look.get("group_id") == group_id for look in looks["looks"]),
                    f"list_avatar_looks group_id={group_id}: only that group's looks",
                    looks,
                )
            except Failure:
                pass

    def _required(self, name: str) -> list[str]:
        return list((self.tools[name].input_schema or {}).get("required", []))

    async def _get_from_list(self, name: str) -> None:
        required = self._required(name)
        if name in GET_FROM_LIST:
            list_name, array_key, field = GET_FROM_LIST[name]
        elif len(required) == 1 and name.startswith("get_"):
            # Unknown get_*: look for an item carrying the argument's name in any list result.
            list_name, array_key, field = "", "", required[0]
        else:
            self.fail(f"{name}: don't know how to call it (required {required}); teach tests/interop/python_client.py")
            raise Failure(name)
        candidates = [self.lists.get(list_name)] if list_name else list(self.lists.values())
        ident = None
        for listed in candidates:
            for key, items in (listed or {}).items():
                if array_key and key != array_key or not isinstance(items, list):
                    continue
                ident = next((i[field] for i in items if isinstance(i, dict) and i.get(field)), None)
                if ident:
                    break
            if ident:
                break
        self.check(ident is not None, f"{name}: an id to look up from {list_name or 'a list result'}", list(self.lists))
        got = (await self.call(name, {required[0]: ident})).structured_content
        self.check(ident in json.dumps(got), f"{name}: result is the item asked for", got)


async def main(binary: str) -> int:
    with tempfile.TemporaryDirectory(prefix="heygen-interop-") as tmp:
        work = Path(tmp)
        for sub in ("home", "output", "allowed"):
            (work / sub).mkdir()
        env = {
            "HOME": str(work / "home"),
            "HEYGEN_OUTPUT_DIR": str(work / "output"),
            "HEYGEN_ALLOWED_DIRS": str(work / "allowed"),
            "HEYGEN_SANDBOX_TIME_SCALE": TIME_SCALE,
            "RUST_LOG": "heygen_mcp=warn",
        }
        server = StdioServerParameters(command=binary, args=["--sandbox"], env=env, cwd=str(work))
        log_path = work / "server.log"
        run: Run | None = None
        crashed = False
        started = time.monotonic()
        with open(log_path, "w") as errlog:
            try:
                async with asyncio.timeout(TOTAL_TIMEOUT):
                    async with stdio_client(server, errlog=errlog) as (read, write):
                        async with ClientSession(read, write) as session:
                            init = await asyncio.wait_for(session.initialize(), CALL_TIMEOUT)
                            run = Run(session, work)
                            run.check(
                                init.server_info.name == "heygen-mcp",
                                f"initialize: {init.server_info.name} {init.server_info.version}, protocol {init.protocol_version}",
                                init.server_info,
                            )
                            listed = await asyncio.wait_for(session.list_tools(), CALL_TIMEOUT)
                            run.tools = {t.name: t for t in listed.tools}
                            run.check(len(run.tools) >= len(LIFECYCLE_TOOLS), f"tools/list: {len(run.tools)} tools", sorted(run.tools))
                            missing = sorted(LIFECYCLE_TOOLS - set(run.tools))
                            run.check(not missing, "tools/list: offers every lifecycle tool", missing)
                            for flow in (run.bad_arguments, run.styles, run.upload, run.discovery, run.generate, run.chat, run.stop, run.failure):
                                print(f"--    {flow.__name__}", flush=True)
                                try:
                                    await flow()
                                except Failure:
                                    pass
                            never = sorted(set(run.tools) - run.called)
                            try:
                                run.check(not never, f"coverage: all {len(run.tools)} listed tools called", never)
                            except Failure:
                                pass
            except Failure:
                pass
            except BaseException as e:  # timeout, server crash, SDK error outside a call
                crashed = True
                print(f"FAIL  {type(e).__name__}: {brief(str(e) or repr(e), 400)}", flush=True)
                traceback.print_exc(file=sys.stdout)
        passed = run.passed if run else 0
        failed = (run.failed if run else 0) + (1 if crashed or run is None else 0)
        if failed:
            tail = log_path.read_text(errors="replace").splitlines()[-30:]
            print("--    server stderr (last 30 lines):")
            for line in tail:
                print(f"      {line}")
        print(f"--    python SDK interop took {time.monotonic() - started:.1f} s", flush=True)
        print(f"{passed} passed, {failed} failed", flush=True)
        return 1 if failed else 0


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HEYGEN_MCP_BIN", str(REPO / "target/debug/heygen-mcp"))
    target = str(Path(target).resolve())
    if not os.access(target, os.X_OK):
        print(f"FAIL  no executable at {target} (build it with cargo build)")
        print("0 passed, 1 failed")
        sys.exit(1)
    sys.exit(asyncio.run(main(target)))
