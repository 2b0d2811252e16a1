"""A real OpenAI-compatible chat-completions server on loopback for the connector tests.

It answers ``POST /v1/chat/completions`` with and without streaming, and misbehaves on request:
``fail_times``/``fail_status`` (answer the next N requests with that status, with ``retry_after``
as the header when set), ``delay_s`` (wait before the headers), ``chunk_delay_s`` (wait between words), ``hang_after_chunks`` (stream that
many chunks, then stall), ``no_usage`` (report no token counts). The reply echoes the last user
message in words, one chunk per word. It records every request (body and headers), the moments
requests arrived, and the most requests it ever had in flight at once; ``completed`` counts streamed
replies written to their end and ``cut_short`` holds, per reply whose client closed the connection
before its end, how many word chunks had been written then (so a test can see a caller stop reading).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["OpenAIServer"]


class OpenAIServer:
    def __init__(self) -> None:
        self.fail_times = 0
        self.fail_status = 500
        self.retry_after: str | None = None
        self.delay_s = 0.0
        self.chunk_delay_s = 0.0
        self.hang_after_chunks: int | None = None
        self.no_usage = False
        self.json_only = False
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.arrivals: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.completed = 0
        self.cut_short: list[int] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    server.arrivals.append(time.monotonic())
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    failing = server.fail_times > 0
                    if failing:
                        server.fail_times -= 1
                try:
                    if self.path != "/v1/chat/completions":
                        return self._send(404, {"error": {"message": f"no route {self.path}"}})
                    if failing:
                        return self._send(server.fail_status, {"error": {"message": "try again later"}})
                    if server.delay_s:
                        time.sleep(server.delay_s)
                    self._answer(body)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                if status in (429, 503) and server.retry_after is not None:
                    self.send_header("Retry-After", server.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, body: dict[str, Any]) -> None:
                last = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
                words = last.split(" ")[: body.get("max_tokens") or None]
                finish = "length" if body.get("max_tokens") and len(last.split(" ")) > len(words) else "stop"
                usage = None if server.no_usage else {
                    "prompt_tokens": sum(len(m["content"].split()) for m in body["messages"]),
                    "completion_tokens": len(words), "total_tokens": 0}
                if not body.get("stream") or server.json_only:
                    return self._send(200, {"id": "c1", "object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": " ".join(words)},
                         "finish_reason": finish}], "usage": usage})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.words_written = 0
                try:
                    self._stream(words, finish, usage, body)
                except (BrokenPipeError, ConnectionResetError):  # the caller stopped reading and hung up
                    with server._lock:
                        server.cut_short.append(self.words_written)

            def _stream(self, words: list[str], finish: str, usage: dict[str, int] | None,
                        body: dict[str, Any]) -> None:
                self._chunk(b": keep-alive\n\n")  # a comment line, as some servers send: skipped
                for i, word in enumerate(words):
                    if server.hang_after_chunks is not None and i == server.hang_after_chunks:
                        server._release.wait(30)
                        return
                    if i and server.chunk_delay_s:
                        time.sleep(server.chunk_delay_s)
                    self._event({"choices": [{"index": 0, "delta": {"content": word if i == 0 else " " + word},
                                              "finish_reason": None}]})
                    self.words_written = i + 1
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
                if usage and body.get("stream_options", {}).get("include_usage"):
                    self._event({"choices": [], "usage": usage})
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")
                with server._lock:
                    server.completed += 1

            def _event(self, payload: dict[str, Any]) -> None:
                self._chunk(f"data: {json.dumps(payload)}\n\n".encode())

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client closing a kept-alive connection is not news

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
