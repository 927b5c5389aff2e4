#!/usr/bin/python3
"""Stream trigger delivery to a local HTTP handler: latency (write -> handler) and throughput (records/s).

    bench/triggers.py                  # BASALT_BIN (default build/src/basalt); prints one JSON line per figure
    TRIGGER_RECORDS=50000 bench/triggers.py

Latency: a Basalt (--in-memory) with `--trigger lat=http://127.0.0.1:P/` to a handler in this process; one
PutItem at a time, 20 ms apart (TRIGGER_LATENCY_WRITES, default 500); for each record, the time from just before
the PutItem request is sent to the handler's receipt of the event holding it (one clock: the same process).
Throughput: TRIGGER_RECORDS (20000) items are written with BatchWriteItem into a durable Basalt with no trigger;
it is restarted with a trigger (TRIM_HORIZON, BatchSize TRIGGER_BATCH, default 100), and the figure is records
divided by the time from the first event's arrival to the last's (the handler only parses and counts).
"""

import http.server
import json
import os
import pathlib
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

REPO = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("BASALT_BIN", str(REPO / "build" / "src" / "basalt"))
AUTH = ("AWS4-HMAC-SHA256 Credential=k/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self):
        self.arrivals = []  # (time received, record keys)
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.perf_counter()
                records = json.loads(body)["Records"]
                with outer.lock:
                    outer.arrivals.append((now, [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return sum(len(k) for _, k in self.arrivals)


def start(args):
    port = free_port()
    proc = subprocess.Popen([BIN, "--host", "127.0.0.1", "--port", str(port)] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    for _ in range(600):
        try:
            requests.get(url + "/", timeout=1)
            return proc, url
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError("basalt did not start")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def call(session, url, op, body):
    r = session.post(url, data=json.dumps(body), headers={
        "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH})
    r.raise_for_status()
    return r.json()


def create_table(session, url, name):
    call(session, url, "CreateTable", {
        "TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency():
    writes = int(os.environ.get("TRIGGER_LATENCY_WRITES", "500"))
    h = Handler()
    proc, url = start(["--in-memory", "--trigger", "lat=" + h.url])
    try:
        s = requests.Session()
        create_table(s, url, "lat")
        sent = {}
        for i in range(writes):
            pk = "k%06d" % i
            sent[pk] = time.perf_counter()
            call(s, url, "PutItem", {"TableName": "lat", "Item": {"pk": {"S": pk}, "v": {"S": "x" * 80}}})
            time.sleep(0.02)
        deadline = time.monotonic() + 30
        while h.count() < writes and time.monotonic() < deadline:
            time.sleep(0.01)
        lat = [(t - sent[k]) * 1000 for t, keys in h.arrivals for k in keys]
        return {"figure": "trigger latency write->handler (ms)", "records": len(lat),
                "p50": round(pct(lat, 50), 2), "p99": round(pct(lat, 99), 2), "max": round(max(lat), 2)}
    finally:
        stop(proc)
        h.server.shutdown()


def throughput():
    n = int(os.environ.get("TRIGGER_RECORDS", "20000"))
    batch = int(os.environ.get("TRIGGER_BATCH", "100"))
    data = tempfile.mkdtemp(prefix="basalt-bench-triggers-")
    h = Handler()
    try:
        proc, url = start(["--data-dir", data, "--durability", "relaxed"])
        s = requests.Session()
        create_table(s, url, "tput")
        for start_i in range(0, n, 25):
            call(s, url, "BatchWriteItem", {"RequestItems": {"tput": [
                {"PutRequest": {"Item": {"pk": {"S": "k%08d" % i}, "v": {"S": "x" * 80}}}}
                for i in range(start_i, min(n, start_i + 25))]}})
        stop(proc)
        triggers = pathlib.Path(data) / "triggers.json"
        triggers.write_text(json.dumps({"Triggers": [{"TableName": "tput", "FunctionName": h.url, "BatchSize": batch}]}))
        proc, url = start(["--data-dir", data, "--durability", "relaxed", "--triggers-file", str(triggers)])
        deadline = time.monotonic() + 300
        while h.count() < n and time.monotonic() < deadline:
            time.sleep(0.01)
        stop(proc)
        first, last = h.arrivals[0][0], h.arrivals[-1][0]
        return {"figure": "trigger delivery throughput (records/s)", "records": h.count(), "batch_size": batch,
                "batches": len(h.arrivals), "records_per_s": round(n / max(last - first, 1e-9))}
    finally:
        h.server.shutdown()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    for f in (latency, throughput):
        print(json.dumps(f()), flush=True)
