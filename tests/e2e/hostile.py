"""Hostile clients, in a process of their own so that they do not share an interpreter (and its lock) with
the clients whose latency is measured. Used by test_hostile_clients.py and scripts/soak.sh.

  python3 hostile.py hold URL --idle N --slowloris M [--interval S]
      opens N connections that never send a byte and M that send a header line every S seconds and never
      finish their headers; prints "ready N+M" once they are open. On SIGUSR1 the slowloris ones stop
      sending (all stay open, silent); SIGTERM ends the process.
  python3 hostile.py flood URL --connections N --bytes B
      N clients at once each send a request with a body of B bytes; prints one outcome per client
      (the __type suffix of the answer, "closed" or "reset").
  python3 hostile.py exhaust URL --connections N --seconds S
      opens up to N connections as fast as it can (more than the server's descriptors), holds them S
      seconds, and prints how many opened and how many were answered with 503 at once.
"""

import argparse
import json
import signal
import socket
import sys
import threading
import time

AUTH = ("AWS4-HMAC-SHA256 Credential=fakeAccessKeyId/20200101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0")


def addr(url):
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def request_bytes(op, body):
    return ("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n"
            "Content-Type: application/x-amz-json-1.0\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n"
            % (op, AUTH, len(body))).encode() + body


def read_outcome(sock, timeout):
    """The __type suffix of the response (or "HTTP <status>"), "closed" or "reset"."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(body) >= length:
                    break
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "timeout"
    if not data:
        return "closed"
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        return json.loads(body)["__type"].rsplit("#", 1)[-1]
    except (ValueError, KeyError):
        return "HTTP " + head.split(b" ")[1].decode()


def hold(args):
    target = addr(args.url)
    idle = [socket.create_connection(target) for _ in range(args.idle)]
    slow = [socket.create_connection(target) for _ in range(args.slowloris)]
    stopped = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: stopped.set())
    for s in slow:
        s.sendall(b"POST / HTTP/1.1\r\n")
    print("ready %d" % (len(idle) + len(slow)), flush=True)
    while not stopped.wait(args.interval):
        for s in slow:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
    while True:  # silent; the sockets stay open until SIGTERM
        time.sleep(3600)


def flood(args):
    prefix = b'{"TableName":"nosuchtable","Pad":"'
    body = prefix + b"x" * (args.bytes - len(prefix) - 2) + b'"}'
    payload = request_bytes("DescribeTable", body)
    outcomes = [None] * args.connections

    def client(i):
        try:
            with socket.create_connection(addr(args.url), timeout=60) as s:
                s.sendall(payload)
                outcomes[i] = read_outcome(s, 60)
        except OSError:
            outcomes[i] = "reset"

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in outcomes:
        print(o)


def exhaust(args):
    target = addr(args.url)
    held, outcomes = [], {}
    start = time.monotonic()
    for _ in range(args.connections):
        try:
            s = socket.create_connection(target, timeout=2)
        except OSError:
            break
        held.append(s)
    opening = time.monotonic() - start
    # The last ones are past the server's limit, unless opening took longer than its header timeout (the
    # first ones are closed by then): they hear 503 at once, or are served.
    for s in held[-20:]:
        try:
            s.sendall(request_bytes("ListTables", b"{}"))
            o = read_outcome(s, 2)
        except OSError:
            o = "reset"
        outcomes[o] = outcomes.get(o, 0) + 1
    time.sleep(args.seconds)
    print("opened %d in %.1f s, the last 20: %s" % (
        len(held), opening, " ".join("%s=%d" % kv for kv in sorted(outcomes.items()))))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("hold")
    p.add_argument("url")
    p.add_argument("--idle", type=int, default=0)
    p.add_argument("--slowloris", type=int, default=0)
    p.add_argument("--interval", type=float, default=5.0)
    p = sub.add_parser("flood")
    p.add_argument("url")
    p.add_argument("--connections", type=int, default=80)
    p.add_argument("--bytes", type=int, default=16 * 1024 * 1024 - 1)
    p = sub.add_parser("exhaust")
    p.add_argument("url")
    p.add_argument("--connections", type=int, default=20000)
    p.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass
    {"hold": hold, "flood": flood, "exhaust": exhaust}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
