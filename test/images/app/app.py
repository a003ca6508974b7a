"""golive's demo app: GET /health, GET/POST /rows (kept in PostgreSQL), GET / (its colour)."""
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

VERSION = os.environ.get("APP_VERSION", "1.0.0")
COLOR = os.environ.get("APP_COLOR", "none")
_local = threading.local()


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

    def reply(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):
        if self.path == "/health":
            if os.environ.get("HEALTH_FAIL") == "1":
                return self.reply(503, {"status": "failing", "version": VERSION, "color": COLOR})
            return self.reply(200, {"status": "ok", "version": VERSION, "color": COLOR})
        if self.path == "/rows":
            with db().cursor() as cur:
                cur.execute("SELECT count(*) FROM rows")
                return self.reply(200, {"rows": cur.fetchone()[0]})
        return self.reply(200, {"version": VERSION, "color": COLOR})

    def do_POST(self):
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
