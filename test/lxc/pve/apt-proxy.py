#!/usr/bin/python3
"""The test node's only way out for its containers: an HTTP proxy on the bridge address that
forwards GET/HEAD of the Debian mirrors the host's apt is configured with, and refuses every other
host, CONNECT and method. Containers have no route off the bridge (node.sh), so apt inside them
reaches Debian through the host as the host's own apt does, and nothing else leaves the machine.

  apt-proxy.py <listen-address> <port> <log-file> <pid-file> <allowed-host>...

Every request is logged (`ALLOW <url>` / `DENY <what>`, `HIT <url>` for one served from the
cache); the pid file is written once listening. With GOLIVE_APT_CACHE set to a folder, what
never changes under its name is kept there and served from it after its first download, as
apt-cacher-ng does: packages (`/pool/`) and indexes fetched by hash (`/by-hash/`). The release
files (`InRelease`), which change, always go to the mirror. Standard library only.
"""

import hashlib
import http.server
import os
import tempfile
import socketserver
import sys
import urllib.error
import urllib.parse
import urllib.request

listen, port, log_path, pid_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
allowed = set(sys.argv[5:])
log = open(log_path, "a", buffering=1)
cache_dir = os.environ.get("GOLIVE_APT_CACHE") or None
if cache_dir:
    os.makedirs(cache_dir, exist_ok=True)


def cache_path(url):
    """The cache file of an immutable URL (a package or an index by hash), else None."""
    if not cache_dir or ("/pool/" not in url.path and "/by-hash/" not in url.path):
        return None
    key = hashlib.sha256(f"{url.hostname}{url.path}".encode()).hexdigest()
    return os.path.join(cache_dir, key + os.path.splitext(url.path)[1][:8])


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def deny(self, what, code=403):
        log.write(f"DENY {what}\n")
        body = b"refused by the test node's apt proxy\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self):
        self.deny(f"CONNECT {self.path}")

    def do_POST(self):
        self.deny(f"POST {self.path}", 405)

    def do_HEAD(self):
        self.forward(head=True)

    def do_GET(self):
        self.forward(head=False)

    def forward(self, head):
        url = urllib.parse.urlsplit(self.path)
        if url.scheme != "http" or url.hostname not in allowed or url.port not in (None, 80):
            return self.deny(f"{self.command} {self.path}")
        cached = None if "range" in (k.lower() for k in self.headers) else cache_path(url)
        if cached and os.path.isfile(cached):
            log.write(f"HIT {self.command} {self.path}\n")
            self.send_response(200)
            self.send_header("Content-Length", str(os.path.getsize(cached)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            if not head:
                with open(cached, "rb") as f:
                    while chunk := f.read(1 << 16):
                        self.wfile.write(chunk)
            return
        log.write(f"ALLOW {self.command} {self.path}\n")
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() in ("range", "if-modified-since", "if-none-match", "user-agent", "accept")
        }
        req = urllib.request.Request(self.path, headers=headers, method=self.command)
        try:
            upstream = urllib.request.urlopen(req, timeout=60)
            status = upstream.status
        except urllib.error.HTTPError as e:
            upstream, status = e, e.code
        with upstream:
            self.send_response(status)
            for k, v in upstream.headers.items():
                if k.lower() not in ("connection", "transfer-encoding", "keep-alive"):
                    self.send_header(k, v)
            length = upstream.headers.get("Content-Length")
            if length is None and not head:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if head:
                return
            # A complete 200 of an immutable URL goes into the cache under its name at the end
            # (a partial download is dropped with its temporary file).
            keep = cached if status == 200 and length is not None else None
            tmp = tempfile.NamedTemporaryFile(dir=cache_dir, delete=False) if keep else None
            received = 0
            try:
                while True:
                    chunk = upstream.read(1 << 16)
                    if not chunk:
                        break
                    received += len(chunk)
                    if tmp:
                        tmp.write(chunk)
                    self.wfile.write(chunk)
            finally:
                if tmp:
                    tmp.close()
                    if received == int(length):
                        os.replace(tmp.name, keep)
                    else:
                        os.unlink(tmp.name)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server((listen, port), Proxy)
with open(pid_path, "w") as f:
    f.write(f"{os.getpid()}\n")
server.serve_forever()
