#!/usr/bin/env python3
"""An HTTP proxy that sends each request to the next of several Basalt front-ends in turn, for running the
end-to-end suite against front-ends sharing one RADOS pool (scripts/rados-e2e.sh with FRONTENDS=2).

    python3 scripts/round_robin_proxy.py PORT http://127.0.0.1:8001 http://127.0.0.1:8002

Listens on 127.0.0.1:PORT. Per request, not per connection: a client's keep-alive connection still reaches
every front-end. Bodies, headers and statuses pass through unchanged (the Host header included, so a
signature made for the proxy's address is what the front-end sees). Stdlib only.
"""
import http.client
import http.server
import itertools
import sys
import threading
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def main():
    port = int(sys.argv[1])
    backends = [urllib.parse.urlparse(u) for u in sys.argv[2:]]
    turn = itertools.cycle(range(len(backends)))
    lock = threading.Lock()
    local = threading.local()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self):
            with lock:
                i = next(turn)
            conns = getattr(local, "conns", None)
            if conns is None:
                conns = local.conns = {}
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            for attempt in range(2):  # a kept-alive connection the front-end closed: once more on a new one
                conn = conns.get(i)
                if conn is None:
                    conn = conns[i] = http.client.HTTPConnection(backends[i].hostname, backends[i].port, timeout=120)
                try:
                    conn.request(self.command, self.path, body, headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conns.pop(i, None)
                    if attempt:
                        self.send_error(502)
                        return
            self.send_response_only(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
