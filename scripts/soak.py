"""The soak run behind scripts/soak.sh: a Basalt of its own, every operation, table churn, streams, TTL and
hostile clients for a given time, with the server's figures every minute.

Environment: BASALT_BIN (default build/src/basalt), SOAK_DIR (default a new /tmp/basalt-soak-*; holds the
data directory and the server's log), SOAK_SERVER_FLAGS (extra flags for the server).

Each minute prints: elapsed time, RSS, open descriptors, threads, disk use of the data directory,
requests in the minute, their latency percentiles (p50/p99/max, milliseconds), unexpected errors, and the
errors the hostile clients provoked on purpose. Exits 1 if the server died or any unexpected error
happened.
"""

import collections
import os
import pathlib
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REPO = pathlib.Path(__file__).resolve().parents[1]
HOSTILE = REPO / "tests" / "e2e" / "hostile.py"
ITEMS = "soak_items"
KEYS = 2000  # partition keys of the long-lived table (20 items each): its size stays bounded, ~40 MB


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stats:
    """Latencies and errors of the current minute, and totals."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.unexpected = collections.Counter()
        self.provoked = collections.Counter()
        self.total_unexpected = 0
        self.total_requests = 0
        self.provoking = threading.Event()  # set while hostile clients may make normal requests fail
        self.attacking = threading.Event()  # set during a hostile episode: its connections inflate the figures

    def record(self, seconds):
        with self.lock:
            self.latencies.append(seconds)

    def error(self, what, provoked=False):
        with self.lock:
            # While a flood or an exhaustion attempt runs, normal clients may be throttled, refused or
            # reset (after the SDK's retries): that too is provoked.
            if provoked or (self.provoking.is_set() and what in ("ServiceUnavailable", "ThrottlingException",
                                                                 "ConnectionClosedError", "EndpointConnectionError",
                                                                 "ReadTimeoutError", "ConnectTimeoutError")):
                self.provoked[what] += 1
            else:
                self.unexpected[what] += 1
                self.total_unexpected += 1

    def take(self):
        with self.lock:
            lat, self.latencies = self.latencies, []
            unexpected, self.unexpected = self.unexpected, collections.Counter()
            provoked, self.provoked = self.provoked, collections.Counter()
            self.total_requests += len(lat)
            return sorted(lat), unexpected, provoked


def client(url):
    cfg = Config(retries={"total_max_attempts": 4, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="soak",
                        aws_secret_access_key="soak", config=cfg)


def streams_client(url):
    cfg = Config(retries={"total_max_attempts": 4, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    return boto3.client("dynamodbstreams", endpoint_url=url, region_name="us-east-1", aws_access_key_id="soak",
                        aws_secret_access_key="soak", config=cfg)


def call(stats, fn, *args, expect=(), **kw):
    """Runs one request, timing it; an error whose code is in `expect` is provoked, others unexpected."""
    start = time.perf_counter()
    try:
        result = fn(*args, **kw)
        stats.record(time.perf_counter() - start)
        return result
    except ClientError as e:
        stats.record(time.perf_counter() - start)
        code = e.response["Error"]["Code"]
        stats.error(code, provoked=code in expect)
    except Exception as e:  # connection errors and the like
        stats.error(type(e).__name__)
    return None


def wait_active(ddb, name):
    for _ in range(300):
        r = ddb.describe_table(TableName=name)
        if r["Table"]["TableStatus"] == "ACTIVE" and all(
                g["IndexStatus"] == "ACTIVE" for g in r["Table"].get("GlobalSecondaryIndexes", [])):
            return
        time.sleep(0.2)


def setup(url):
    ddb = client(url)
    ddb.create_table(
        TableName=ITEMS,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    wait_active(ddb, ITEMS)
    ddb.update_time_to_live(TableName=ITEMS, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})


def item(pk, sk, expired=False):
    it = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "g": {"S": "g%d" % (sk % 50)},
          "v": {"S": "x" * random.randint(10, 1000)}, "n": {"N": "0"}}
    if expired:
        it["exp"] = {"N": str(int(time.time()) - 10)}  # Time to Live deletes it
    return it


# Transactions on the same keys as single-item writes: as in DynamoDB, a write that meets an in-flight
# transaction on its item fails with TransactionConflictException. Provoked by the workload itself.
CONFLICT = ("TransactionConflictException",)


def item_worker(url, stats, stop):
    ddb = client(url)
    while not stop.is_set():
        pk = "p%d" % random.randrange(KEYS)
        sk = random.randrange(20)
        key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        op = random.random()
        if op < 0.25:
            call(stats, ddb.put_item, TableName=ITEMS, Item=item(pk, sk, expired=random.random() < 0.1),
                 expect=CONFLICT)
        elif op < 0.45:
            call(stats, ddb.get_item, TableName=ITEMS, Key=key, ConsistentRead=random.random() < 0.5)
        elif op < 0.55:
            call(stats, ddb.update_item, TableName=ITEMS, Key=key, UpdateExpression="ADD n :one SET g = :g",
                 ConditionExpression="attribute_exists(pk) OR attribute_not_exists(pk)",
                 ExpressionAttributeValues={":one": {"N": "1"}, ":g": {"S": "g%d" % (sk % 50)}}, expect=CONFLICT)
        elif op < 0.58:
            # A condition that fails half the time: a provoked error.
            call(stats, ddb.delete_item, TableName=ITEMS, Key=key, ConditionExpression="attribute_exists(v)",
                 expect=("ConditionalCheckFailedException",) + CONFLICT)
        elif op < 0.66:
            call(stats, ddb.query, TableName=ITEMS, KeyConditionExpression="pk = :p",
                 ExpressionAttributeValues={":p": {"S": pk}}, Limit=20)
        elif op < 0.70:
            call(stats, ddb.query, TableName=ITEMS, IndexName="by_g", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "g%d" % (sk % 50)}}, Limit=20)
        elif op < 0.72:
            call(stats, ddb.scan, TableName=ITEMS, Limit=100, Segment=random.randrange(8), TotalSegments=8)
        elif op < 0.80:
            call(stats, ddb.batch_write_item, RequestItems={ITEMS: [
                {"PutRequest": {"Item": item("p%d" % random.randrange(KEYS), i)}} for i in range(10)]}, expect=CONFLICT)
        elif op < 0.86:
            call(stats, ddb.batch_get_item, RequestItems={ITEMS: {"Keys": [
                {"pk": {"S": "p%d" % random.randrange(KEYS)}, "sk": {"N": str(i)}} for i in range(10)]}})
        elif op < 0.93:
            call(stats, ddb.transact_write_items, TransactItems=[
                {"Put": {"TableName": ITEMS, "Item": item("t%d" % random.randrange(KEYS), i)}} for i in range(4)
            ] + [{"Update": {"TableName": ITEMS, "Key": key, "UpdateExpression": "ADD n :one",
                             "ExpressionAttributeValues": {":one": {"N": "1"}}}}],
                 expect=("TransactionCanceledException", "TransactionConflictException"))
        else:
            call(stats, ddb.transact_get_items, TransactItems=[
                {"Get": {"TableName": ITEMS, "Key": {"pk": {"S": "p%d" % random.randrange(KEYS)}, "sk": {"N": str(i)}}}}
                for i in range(5)], expect=("TransactionCanceledException",))  # a conflict with a write
        time.sleep(0.002)


def table_worker(url, stats, stop):
    """Creates a table with an index, loads it, adds and drops an index, tags it, deletes it; again."""
    ddb = client(url)
    while not stop.is_set():
        name = "soak_churn_%s" % uuid.uuid4().hex[:8]
        if call(stats, ddb.create_table, TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "a", "AttributeType": "S"}],
                GlobalSecondaryIndexes=[{"IndexName": "by_a", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                                         "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                BillingMode="PAY_PER_REQUEST") is None:
            stop.wait(5)
            continue
        wait_active(ddb, name)
        pad = os.urandom(400).hex()
        for i in range(0, 3000, 25):
            if stop.is_set():
                break
            call(stats, ddb.batch_write_item, RequestItems={name: [
                {"PutRequest": {"Item": {"pk": {"S": "k%d" % j}, "a": {"S": "a%d" % (j % 100)}, "v": {"S": pad}}}}
                for j in range(i, i + 25)]})
        call(stats, ddb.update_table, TableName=name,
             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
             GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by_b", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}],
                                                      "Projection": {"ProjectionType": "ALL"}}}])
        wait_active(ddb, name)
        call(stats, ddb.update_table, TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_a"}}])
        wait_active(ddb, name)
        arn = (call(stats, ddb.describe_table, TableName=name) or {}).get("Table", {}).get("TableArn")
        if arn:
            call(stats, ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "soak", "Value": "1"}])
            call(stats, ddb.list_tags_of_resource, ResourceArn=arn)
        call(stats, ddb.list_tables)
        call(stats, ddb.describe_limits)
        call(stats, ddb.describe_time_to_live, TableName=name)
        call(stats, ddb.scan, TableName=name, Limit=50)
        call(stats, ddb.delete_table, TableName=name)
        stop.wait(5)


def stream_worker(url, stats, stop):
    ddb, streams = client(url), streams_client(url)
    arn = ddb.describe_table(TableName=ITEMS)["Table"]["LatestStreamArn"]
    iterators = {}
    while not stop.is_set():
        desc = call(stats, streams.describe_stream, StreamArn=arn)
        if not desc:
            stop.wait(1)
            continue
        shards = desc["StreamDescription"]["Shards"]
        live = {s["ShardId"] for s in shards}
        for shard_id in list(iterators):
            if shard_id not in live:
                del iterators[shard_id]
        for shard in shards[-3:]:
            it = iterators.get(shard["ShardId"])
            if it is None:
                r = call(stats, streams.get_shard_iterator, StreamArn=arn, ShardId=shard["ShardId"],
                         ShardIteratorType="TRIM_HORIZON", expect=("TrimmedDataAccessException", "ResourceNotFoundException"))
                it = r and r["ShardIterator"]
            if it:
                r = call(stats, streams.get_records, ShardIterator=it, Limit=1000,
                         expect=("ExpiredIteratorException", "TrimmedDataAccessException"))
                iterators[shard["ShardId"]] = r and r.get("NextShardIterator")
        call(stats, streams.list_streams)
        stop.wait(0.5)


def hostile_worker(url, stats, stop):
    """One hostile episode every 30 s, in turn: slowloris and idle connections, a flood of 16 MiB bodies,
    an attempt to exhaust descriptors, malformed and oversized requests."""
    episode = 0
    while not stop.wait(30):
        kind = episode % 4
        episode += 1
        stats.attacking.set()
        try:
            hostile_episode(url, stats, stop, kind)
        finally:
            time.sleep(2)  # the server closes what the attackers left
            stats.attacking.clear()


def hostile_episode(url, stats, stop, kind):
    if kind == 0:
        p = subprocess.Popen([sys.executable, str(HOSTILE), "hold", url, "--idle", "1000", "--slowloris", "500",
                              "--interval", "3"], stdout=subprocess.PIPE, text=True)
        p.stdout.readline()
        stop.wait(20)
        p.kill()
        p.wait()
        stats.error("slowloris+idle episode", provoked=True)
    elif kind == 1:
        stats.provoking.set()
        out = subprocess.run([sys.executable, str(HOSTILE), "flood", url, "--connections", "24"],
                             capture_output=True, text=True, timeout=300).stdout.split()
        time.sleep(1)
        stats.provoking.clear()
        for o in out:
            stats.error("flood:" + o, provoked=True)
    elif kind == 2:
        stats.provoking.set()
        out = subprocess.run([sys.executable, str(HOSTILE), "exhaust", url, "--connections", "17000",
                              "--seconds", "3"], capture_output=True, text=True, timeout=300).stdout.strip()
        time.sleep(1)
        stats.provoking.clear()
        stats.error("exhaust: " + out, provoked=True)
    else:
        host, port = url.split("://")[1].rsplit(":", 1)
        for raw in (b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                    b"POST / HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n",
                    b"POST / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n"):
            try:
                with socket.create_connection((host, int(port)), timeout=5) as s:
                    s.sendall(raw)
                    s.recv(4096)
            except OSError:
                pass
        stats.error("malformed requests", provoked=True)


def proc_figures(pid, data_dir):
    status = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            status[k] = v.strip()
    disk = 0
    for root, _, files in os.walk(data_dir):
        for name in files:
            try:
                disk += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return (int(status["VmRSS"].split()[0]) / 1024, len(os.listdir("/proc/%d/fd" % pid)), int(status["Threads"]),
            disk / 1e6)


def pct(lat, q):
    return lat[min(len(lat) - 1, int(len(lat) * q))] * 1e3 if lat else 0.0


def main():
    duration = float(sys.argv[1])
    binary = os.environ.get("BASALT_BIN", str(REPO / "build" / "src" / "basalt"))
    soak_dir = pathlib.Path(os.environ.get("SOAK_DIR") or tempfile.mkdtemp(prefix="basalt-soak-"))
    soak_dir.mkdir(parents=True, exist_ok=True)
    data_dir = soak_dir / "data"
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    flags = ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir), "--ttl-sweep-interval", "5",
             "--stream-retention", "600", "--stream-shard-seconds", "300"]
    flags += shlex.split(os.environ.get("SOAK_SERVER_FLAGS", ""))
    log = open(soak_dir / "server.log", "w")
    server = subprocess.Popen([binary] + flags, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        print("soak: %s for %.0f s, data and log in %s" % (" ".join([binary] + flags), duration, soak_dir), flush=True)
        setup(url)
        stats, stop = Stats(), threading.Event()
        workers = [threading.Thread(target=item_worker, args=(url, stats, stop), daemon=True) for _ in range(4)]
        workers += [threading.Thread(target=f, args=(url, stats, stop), daemon=True)
                    for f in (table_worker, stream_worker, hostile_worker)]
        for w in workers:
            w.start()
        start = time.monotonic()
        rows = []
        print("%6s %8s %6s %7s %8s %8s %8s %8s %8s %10s  %s" % (  # "*": a hostile episode was under way
            "min", "rss_MB", "fds", "threads", "disk_MB", "requests", "p50_ms", "p99_ms", "max_ms", "unexpected",
            "provoked"), flush=True)
        next_report = start + 60
        while time.monotonic() - start < duration:
            time.sleep(max(0.0, min(next_report, start + duration) - time.monotonic()))
            if server.poll() is not None:
                print("soak: the server died (exit %s)" % server.returncode, flush=True)
                return 1
            if time.monotonic() < next_report:
                break
            next_report += 60
            lat, unexpected, provoked = stats.take()
            attacking = stats.attacking.is_set()
            rss, fds, threads, disk = proc_figures(server.pid, data_dir)
            rows.append((rss, fds, threads, disk, attacking))
            print("%5.0f%s %8.0f %6d %7d %8.1f %8d %8.2f %8.2f %8.1f %10d  %s%s" % (
                (time.monotonic() - start) / 60, "*" if attacking else " ", rss, fds, threads, disk, len(lat),
                pct(lat, 0.5), pct(lat, 0.99),
                lat[-1] * 1e3 if lat else 0, sum(unexpected.values()),
                ", ".join("%s %d" % kv for kv in sorted(provoked.items())) or "-",
                ("  UNEXPECTED: " + ", ".join("%s %d" % kv for kv in sorted(unexpected.items()))) if unexpected else ""),
                flush=True)
        stop.set()
        for w in workers:
            w.join(timeout=120)
        errors_logged = [l for l in (soak_dir / "server.log").read_text(errors="replace").splitlines() if " ERROR " in l]
        print("soak: %d requests; %d unexpected errors; %d ERROR lines in the server log" % (
            stats.total_requests, stats.total_unexpected, len(errors_logged)))
        # Flatness: the first and last minutes sampled with no hostile episode under way ("*" rows are).
        quiet = [r for r in rows if not r[4]] or rows
        if quiet:
            first, last = quiet[0], quiet[-1]
            print("soak: outside attacks, RSS %.0f -> %.0f MB (max %.0f), fds %d -> %d (max %d), threads %d -> %d, "
                  "disk %.1f -> %.1f MB; with attacks, max RSS %.0f MB and fds %d"
                  % (first[0], last[0], max(r[0] for r in quiet), first[1], last[1], max(r[1] for r in quiet),
                     first[2], last[2], first[3], last[3], max(r[0] for r in rows), max(r[1] for r in rows)))
        return 1 if stats.total_unexpected or errors_logged else 0
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
