#!/usr/bin/python3
"""tests/tools/hookrecv.py - a webhook receiver for tests/integration/webhooks.sh: a plain
http.server on a loopback address that records every POST (DIR/NNNNNN.json: the body,
the X-Herald-* headers, the status answered and whether the signature checked out) and
answers the statuses of --plan in turn (then 200). The signature is checked exactly as
docs/operating.md "Webhooks" tells a webcare tool to, with the secret of the request's path
in DIR/secret.PATH (/hook: DIR/secret.hook), written by the test once `herald webhook add`
printed it.

usage: hookrecv.py --listen 127.0.0.1 --dir DIR [--plan 500,200]; prints "ready PORT"."""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading


def verify(secret: str, headers, body: bytes) -> bool:
    # the five lines of docs/operating.md "Webhooks"
    ts = headers.get("X-Herald-Timestamp", "")
    sig = headers.get("X-Herald-Signature", "")
    mac = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + mac, sig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--plan", default="")
    args = ap.parse_args()
    plan = [int(s) for s in args.plan.split(",") if s]
    lock = threading.Lock()
    state = {"n": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                n = state["n"]
                state["n"] += 1
                status = plan[n] if n < len(plan) else 200
            name = self.path.strip("/").replace("/", ".")
            secret_path = os.path.join(args.dir, "secret." + name)
            secret = open(secret_path).read().strip() if os.path.exists(secret_path) else ""
            rec = {
                "path": self.path,
                "status": status,
                "content_type": self.headers.get("Content-Type", ""),
                "event": self.headers.get("X-Herald-Event", ""),
                "delivery": self.headers.get("X-Herald-Delivery", ""),
                "timestamp": self.headers.get("X-Herald-Timestamp", ""),
                "signature_ok": bool(secret) and verify(secret, self.headers, body),
                "body": json.loads(body.decode() or "null"),
            }
            tmp = os.path.join(args.dir, "%06d.tmp" % n)
            with open(tmp, "w") as f:
                json.dump(rec, f)
            os.rename(tmp, os.path.join(args.dir, "%06d.json" % n))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer((args.listen, 0), Handler)
    print("ready %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
