"""golive's demo app: GET /health, GET/POST /rows (kept in PostgreSQL), GET / (its colour), and
GET /metrics in Prometheus' text format with the metric names golive's alert rules use
(http_requests_total by status, http_request_duration_seconds histogram).

For the go-live report's app checks: POST /login (JSON username/password against
LOGIN_USER/LOGIN_PASSWORD, answering a token), GET /me (401 without that token), GET /ws (a
WebSocket upgrade, closed after the handshake), GET /admin and /v1/status (pages that answer 200)
and GET /fail (always 500).

For release tests: FAIL_PATHS (comma-separated paths) makes those paths answer 500, for a new
version that fails its smoke test or its watch window while its health check passes. A stand-in
for the agent packages of a tenant canary: every GET / is one conversation of each tenant whose
package manifest (/etc/golive/packages, as the canary delivers them) enables agents, counted in
agent_requests_total and agent_conversations_total by tenant and package; a tenant named in
AGENT_HANDOFF_TENANTS hands every conversation off (agent_handoffs_total)."""
import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

VERSION = os.environ.get("APP_VERSION", "1.0.0")
COLOR = os.environ.get("APP_COLOR", "none")
FAIL_PATHS = {p for p in os.environ.get("FAIL_PATHS", "").split(",") if p}
HANDOFF_TENANTS = {t for t in os.environ.get("AGENT_HANDOFF_TENANTS", "").split(",") if t}
_local = threading.local()
_lock = threading.Lock()
_requests = {}  # status -> count
_buckets = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_bucket_counts = [0] * len(_buckets)
_duration = {"sum": 0.0, "count": 0}

_tokens = set()
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_agent = {}  # (metric, tenant, package) -> count


def enabled_tenants(root="/etc/golive/packages"):
    """(tenant, package) of every manifest that enables agents; the files never change in a container."""
    out = []
    try:
        packages = sorted(os.listdir(root))
    except OSError:
        return out
    for package in packages:
        folder = os.path.join(root, package)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                with open(os.path.join(folder, name)) as f:
                    manifest = json.load(f)
                if manifest.get("enabled_agents"):
                    out.append((manifest["account_id"], manifest["package"]))
    return out


TENANTS = enabled_tenants()


def conversation():
    with _lock:
        for tenant, package in TENANTS:
            metrics = ["agent_requests_total", "agent_conversations_total"]
            if tenant in HANDOFF_TENANTS:
                metrics.append("agent_handoffs_total")
            for metric in metrics:
                key = (metric, tenant, package)
                _agent[key] = _agent.get(key, 0) + 1


def observe(status, seconds):
    with _lock:
        _requests[status] = _requests.get(status, 0) + 1
        for i, le in enumerate(_buckets):
            if seconds <= le:
                _bucket_counts[i] += 1
        _duration["sum"] += seconds
        _duration["count"] += 1


def metrics_text():
    with _lock:
        lines = ["# TYPE http_requests_total counter"]
        lines += [f'http_requests_total{{status="{s}"}} {n}' for s, n in sorted(_requests.items())]
        lines.append("# TYPE http_request_duration_seconds histogram")
        lines += [
            f'http_request_duration_seconds_bucket{{le="{le}"}} {n}'
            for le, n in zip(_buckets, _bucket_counts)
        ]
        lines.append(f'http_request_duration_seconds_bucket{{le="+Inf"}} {_duration["count"]}')
        lines.append(f'http_request_duration_seconds_sum {_duration["sum"]}')
        lines.append(f'http_request_duration_seconds_count {_duration["count"]}')
        for metric in sorted({m for m, _, _ in _agent}):
            lines.append(f"# TYPE {metric} counter")
            lines += [
                f'{m}{{tenant="{t}",package="{p}"}} {n}'
                for (m, t, p), n in sorted(_agent.items())
                if m == metric
            ]
    return "\n".join(lines) + "\n"


def db():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg2.connect(
            host=os.environ.get("DATABASE_HOST", "postgres"),
            port=int(os.environ.get("DATABASE_PORT", "5432")),
            dbname=os.environ.get("DATABASE_NAME", "app"),
            user=os.environ.get("DATABASE_USER", "app"),
            password=os.environ.get("DATABASE_PASSWORD", ""),
            connect_timeout=5,
        )
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS rows (id serial PRIMARY KEY, note text NOT NULL)")
        _local.conn = conn
    return conn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, content_type="application/json"):
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        observe(status, time.monotonic() - getattr(self, "started", time.monotonic()))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth[len("Bearer "):] in _tokens

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
            return self.reply(400, {"error": "expected a WebSocket upgrade"})
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        observe(101, time.monotonic() - self.started)
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        # A close frame (status 1000), then the connection ends.
        self.wfile.write(bytes([0x88, 0x02, 0x03, 0xE8]))
        self.close_connection = True

    def do_GET(self):
        self.started = time.monotonic()
        if self.path == "/ws":
            return self.websocket()
        if self.path == "/me":
            if not self.authorized():
                return self.reply(401, {"error": "login required"})
            return self.reply(200, {"user": os.environ.get("LOGIN_USER", "")})
        if self.path == "/admin":
            return self.reply(200, "<!doctype html><title>admin</title>", "text/html")
        if self.path == "/v1/status":
            return self.reply(200, {"api": "v1", "version": VERSION})
        if self.path == "/fail":
            return self.reply(500, {"error": "failing on purpose"})
        if self.path == "/metrics":
            return self.reply(200, metrics_text(), "text/plain; version=0.0.4")
        if self.path in FAIL_PATHS:
            return self.reply(500, {"error": "failing on purpose (FAIL_PATHS)", "version": VERSION})
        if self.path == "/health":
            if os.environ.get("HEALTH_FAIL") == "1":
                return self.reply(503, {"status": "failing", "version": VERSION, "color": COLOR})
            return self.reply(200, {"status": "ok", "version": VERSION, "color": COLOR})
        if self.path == "/rows":
            with db().cursor() as cur:
                cur.execute("SELECT count(*) FROM rows")
                return self.reply(200, {"rows": cur.fetchone()[0]})
        if self.path == "/":
            conversation()
        return self.reply(200, {"version": VERSION, "color": COLOR})

    def login(self):
        length = int(self.headers.get("Content-Length", "0"))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply(400, {"error": "expected JSON"})
        user, password = os.environ.get("LOGIN_USER"), os.environ.get("LOGIN_PASSWORD")
        if (
            user
            and password
            and body.get("username") == user
            and hmac.compare_digest(str(body.get("password", "")), password)
        ):
            token = secrets.token_urlsafe(24)
            _tokens.add(token)
            return self.reply(200, {"token": token})
        return self.reply(401, {"error": "wrong username or password"})

    def do_POST(self):
        self.started = time.monotonic()
        if self.path == "/login":
            return self.login()
        if self.path != "/rows":
            return self.reply(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        note = self.rfile.read(length).decode() or "row"
        with db().cursor() as cur:
            cur.execute("INSERT INTO rows (note) VALUES (%s) RETURNING id", (note,))
            return self.reply(201, {"id": cur.fetchone()[0]})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
