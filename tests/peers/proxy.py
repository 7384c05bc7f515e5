"""A logging HTTP proxy on 127.0.0.1: forwards every request to UPSTREAM and records it.

Usage: proxy.py UPSTREAM_URL CAPTURE_DIR
Binds a free port on 127.0.0.1 and prints it as the first line of stdout. Every request is
forwarded unchanged; each one with a body is written to CAPTURE_DIR as NNNN.body next to
NNNN.json ({"method", "path", "headers"}), so tests can compare what two clients sent.
"""

import http.client
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
CAPTURE_DIR = sys.argv[2]
COUNTER = [0]
LOCK = threading.Lock()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        with LOCK:
            COUNTER[0] += 1
            n = COUNTER[0]
        base = os.path.join(CAPTURE_DIR, "%04d" % n)
        with open(base + ".json", "w") as f:
            json.dump({"method": self.command, "path": self.path, "headers": dict(self.headers.items())}, f)
        with open(base + ".body", "wb") as f:
            f.write(body)
        upstream = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        headers["Host"] = UPSTREAM.netloc
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status, response.reason)
        for k, v in response.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
