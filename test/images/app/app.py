"""golive's demo app: GET /health, GET/POST /rows (kept in PostgreSQL), GET / (its colour), and
GET /metrics in Prometheus' text format with the metric names golive's alert rules use
(http_requests_total by status, http_request_duration_seconds histogram). FAIL_PATHS (comma-separated
paths) makes those paths answer 500, for release tests whose new version fails its smoke test or
its watch window while its health check passes. A stand-in for the agent packages of a tenant canary:
every GET / is one conversation of each tenant whose package manifest (/etc/golive/packages, as the
canary delivers them) enables agents, counted in agent_requests_total and agent_conversations_total
by tenant and package; a tenant named in AGENT_HANDOFF_TENANTS hands every conversation off
(agent_handoffs_total)."""
import json
import os
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

    def do_GET(self):
        self.started = time.monotonic()
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

    def do_POST(self):
        self.started = time.monotonic()
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
