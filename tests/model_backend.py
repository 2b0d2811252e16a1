"""A real HTTP model backend on loopback for the assist tests: finds the red pixels' box, or
misbehaves as ``mode`` says ("redirect", "slow", "bad", "error")."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np

__all__ = ["Backend"]


class Backend:
    """A model backend: finds the red rectangle, or misbehaves as ``mode`` says."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                backend.requests.append(body)
                if backend.mode == "redirect":
                    self.send_response(307)
                    self.send_header("Location", "http://169.254.169.254/")
                    self.end_headers()
                    return
                if backend.mode == "slow":
                    time.sleep(1.5)
                png = base64.b64decode(body["image"]["base64"])
                rgb = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
                ys, xs = np.nonzero(rgb[:, :, 0] > 128)
                answer: Any = {"model": "red-finder-1", "regions": [
                    {"kind": "box", "left": int(xs.min()), "top": int(ys.min()), "width": int(xs.max() - xs.min() + 1),
                     "height": int(ys.max() - ys.min() + 1), "label": "red", "score": 0.9}]}
                if backend.mode == "bad":
                    answer["regions"][0]["width"] = "wide"
                data = json.dumps(answer).encode()
                self.send_response(500 if backend.mode == "error" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/predict"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
