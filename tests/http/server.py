#!/usr/bin/env python3
"""Test-only HTTP server on 127.0.0.1 for detcat-fetch-unpack's conditional GET.

server.py ROOT PORTFILE LOG: serves files under ROOT; writes its port to PORTFILE;
appends one line per request to LOG: "METHOD PATH inm=<If-None-Match> ims=<If-Modified-Since> -> STATUS".
  /etag/NAME      ETag (sha256 of the content) and Last-Modified; 304 on a match
  /lm/NAME        Last-Modified only; 304 when If-Modified-Since >= mtime
  /redirect/REST  302 to /REST
  /fault/KIND/NAME  a fault, NAME's bytes where one is sent: hang (headers, then
                  silence), reset (the connection closed before any answer), 500,
                  truncated (half the body, then closed), lying (a Content-Length
                  twice the body's)
  anything else   404
It stops by itself after 120 seconds.
"""
import hashlib, os, sys, threading, time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer as HTTPServer

root, portfile, logfile = sys.argv[1:4]

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        with open(logfile, "a") as f:
            f.write("%s %s inm=%s ims=%s -> %d\n" % (self.command, self.path,
                    self.headers.get("If-None-Match", "-"),
                    "yes" if self.headers.get("If-Modified-Since") else "-", status))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def fault(self, kind, name):
        path = os.path.join(root, os.path.basename(name))
        body = open(path, "rb").read() if os.path.isfile(path) else b"x" * 1000
        with open(logfile, "a") as f:
            f.write("%s %s fault=%s\n" % (self.command, self.path, kind))
        if kind == "reset":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if kind == "500":
            return self.reply(500, b"internal error")
        self.send_response(200)
        self.send_header("ETag", '"fault"')
        if kind == "hang":
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
            return
        self.send_header("Content-Length", str(len(body) * 2 if kind == "lying" else len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2] if kind == "truncated" else body)
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        if self.path.startswith("/fault/"):
            parts = self.path.split("/", 3)
            return self.fault(parts[2], parts[3] if len(parts) > 3 else "x")
        parts = self.path.split("/", 2)
        if len(parts) < 3:
            return self.reply(404)
        kind, name = parts[1], parts[2]
        if kind == "redirect":
            return self.reply(302, headers=[("Location", "/" + name)])
        path = os.path.join(root, os.path.basename(name))
        if kind not in ("etag", "lm") or not os.path.isfile(path):
            return self.reply(404, b"not found")
        with open(path, "rb") as f:
            body = f.read()
        mtime = int(os.stat(path).st_mtime)
        headers = [("Last-Modified", formatdate(mtime, usegmt=True))]
        if kind == "etag":
            tag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
            headers.append(("ETag", tag))
            if self.headers.get("If-None-Match") == tag:
                return self.reply(304, headers=headers)
        elif self.headers.get("If-Modified-Since"):
            since = parsedate_to_datetime(self.headers["If-Modified-Since"]).timestamp()
            if mtime <= since:
                return self.reply(304, headers=headers)
        self.reply(200, body, headers)

server = HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
