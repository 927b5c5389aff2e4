#!/usr/bin/env python3
"""Latency and throughput of GetItem, PutItem (on a table without, with a
stream, and with a GSI), Query and TransactWriteItems on running Basalt servers, side by
side (for --engine=rados beside RocksDB).

    python3 bench/rados_compare.py rocksdb=http://127.0.0.1:8000 rados=http://127.0.0.1:8001 \
        rados-2fe=http://127.0.0.1:8001,http://127.0.0.1:8002 [--ops 400] [--seconds 5] [--threads 8] [--only OP]

Each server gets a table of its own. A server given as several URLs is
several front-ends on one pool: its table is created through the first,
calls alternate between them (the latency client call by call, the
throughput clients one front-end each in turn). Latency: one client,
keep-alive connections, --ops sequential calls (median and p99).
Throughput: --threads clients, each with its own connection, for --seconds.
No authentication (--auth=none); stdlib only.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse
import uuid


class Client:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def call(self, op, body):
        self.conn.request("POST", "/", json.dumps(body), {
            "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("%s: %s %s" % (op, r.status, data[:200]))
        return json.loads(data)


def setup(urls):
    name = "bench_" + uuid.uuid4().hex[:8]
    c = Client(urls[0])
    # `name`, `name`_s with a stream (for the stream's write path) and
    # `name`_g with a GSI over g (for the index's).
    gsi = {"GlobalSecondaryIndexes": [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                       "Projection": {"ProjectionType": "ALL"}}]}
    for table, extra in ((name, {}), (name + "_s", {"StreamSpecification": {
            "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}}), (name + "_g", gsi)):
        c.call("CreateTable", dict({
            "TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}] +
                                    ([{"AttributeName": "g", "AttributeType": "S"}] if table.endswith("_g") else [])},
            **extra))
        while c.call("DescribeTable", {"TableName": table})["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.05)
    for i in range(50):  # a partition of 50 items for Query
        c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": "q"}, "sk": {"N": str(i)}, "v": {"S": "x" * 100}}})
    for url in urls[1:]:  # the other front-ends know the table
        other = Client(url)
        while True:
            try:
                if other.call("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE":
                    break
            except RuntimeError:
                pass
            time.sleep(0.05)
    return name


def request(name, op, i):
    if op == "PutItem (stream)":
        return request(name + "_s", "PutItem", i)
    if op == "PutItem (GSI)":  # each write moves the item to another GSI partition
        return {"TableName": name + "_g", "Item": {"pk": {"S": "k%d" % (i % 1000)}, "sk": {"N": "0"},
                                                   "g": {"S": "g%d" % (i % 13)}, "v": {"S": "x" * 100}}}
    if op == "PutItem":
        return {"TableName": name, "Item": {"pk": {"S": "k%d" % (i % 1000)}, "sk": {"N": "0"}, "v": {"S": "x" * 100}}}
    if op == "GetItem":
        return {"TableName": name, "Key": {"pk": {"S": "q"}, "sk": {"N": str(i % 50)}}}
    if op == "Query":
        return {"TableName": name, "KeyConditionExpression": "pk = :p", "Limit": 10,
                "ExpressionAttributeValues": {":p": {"S": "q"}}}
    return {"TransactItems": [
        {"Put": {"TableName": name, "Item": {"pk": {"S": "t%d" % i}, "sk": {"N": "1"}}}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "u%d" % i}, "sk": {"N": "2"}}}}]}


OPS = ["GetItem", "PutItem", "PutItem (stream)", "PutItem (GSI)", "Query", "TransactWriteItems"]


def latency(urls, name, op, n):
    clients = [Client(u) for u in urls]
    times = []
    for i in range(n):
        t = time.perf_counter()
        clients[i % len(clients)].call(op.split(" ")[0], request(name, op, i))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def throughput(urls, name, op, threads, seconds):
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def run(k):
        c = Client(urls[k % len(urls)])
        i = k * 100000
        while time.monotonic() < stop:
            c.call(op.split(" ")[0], request(name, op, i))
            counts[k] += 1
            i += 1

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / seconds


def gsi_lag(urls):
    """(changes applied, lag p50, p99, max in ms) from the front-ends' /metrics; the lag is the worst
    front-end's (each keeps its last 4096 changes)."""
    applied, lags = 0, [0.0, 0.0, 0.0]
    for url in urls:
        u = urllib.parse.urlparse(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("GET", "/metrics")
        for line in conn.getresponse().read().decode().splitlines():
            if line.startswith("basalt_gsi_changes_applied "):
                applied += float(line.split()[-1])
            for k, q in enumerate(('"0.5"', '"0.99"', '"1"')):
                if line.startswith("basalt_gsi_propagation_lag_seconds{quantile=%s}" % q):
                    lags[k] = max(lags[k], float(line.split()[-1]) * 1000)
    return (applied, *lags)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("servers", nargs="+", help="NAME=URL")
    ap.add_argument("--ops", type=int, default=400)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--only", action="append", choices=OPS, help="run this operation (repeatable; default: all)")
    a = ap.parse_args()
    servers = [(n, u.split(",")) for n, u in (s.split("=", 1) for s in a.servers)]
    tables = {n: setup(u) for n, u in servers}
    print("| operation | server | median ms | p99 ms | ops/s (%d clients) |" % a.threads)
    print("|---|---|---|---|---|")
    lag = []
    for op in a.only or OPS:
        for n, u in servers:
            med, p99 = latency(u, tables[n], op, a.ops)
            if op == "PutItem (GSI)" and len(u) == 1:  # the latency run's changes (a shared front-end's
                lag.append((n, "1 client", gsi_lag(u)))  # window would hold another server's too)
            tput = throughput(u, tables[n], op, a.threads, a.seconds)
            print("| %s | %s | %.2f | %.2f | %.0f |" % (op, n, med, p99, tput), flush=True)
            if op == "PutItem (GSI)":
                lag.append((n, "%d clients" % a.threads, gsi_lag(u)))  # the load's last changes
    if any(v[0] for _, _, v in lag):
        print("\nGSI propagation (time from a commit to its GSI entries) right after the PutItem (GSI) runs:\n")
        print("| server | load | changes applied | lag median ms | p99 ms | max ms |")
        print("|---|---|---|---|---|---|")
        for n, load, (applied, p50, p99, top) in lag:
            if applied:
                print("| %s | %s | %.0f | %.2f | %.2f | %.2f |" % (n, load, applied, p50, p99, top))


if __name__ == "__main__":
    main()
