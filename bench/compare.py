#!/usr/bin/python3
"""Helper of bench/run.sh: table setup, preloading, probes, cold start and idle RSS (the report is
bench/report.py).

Subcommands (all talk plain HTTP/JSON to 127.0.0.1, no SDK, so the numbers don't depend on one):
  wait URL [TIMEOUT]                    wait until ListTables answers 200
  create URL TABLE                      CreateTable (hash key pk:S, PAY_PER_REQUEST) and wait for ACTIVE
  preload URL TABLE N                   BatchWriteItem keys k00000000..k(N-1), the ones the read scripts ask for
  probe URL TABLE OP N                  one request shaped like the wrk script's, checked (a smoke test)
  create_streamed URL TABLE             CreateTable as `create`, with a NEW_AND_OLD_IMAGES stream
  iterators URL TABLE N FILE            N shard iterators (AT_SEQUENCE_NUMBER) at random records of the table's
                                        stream, one per line in FILE, for lua/get_records.lua
  bodies TABLE N DIR                    N PutItem bodies of ~100 KB items into DIR/put100k.plain and, gzipped,
                                        DIR/put100k.gzip, for lua/put_100k.lua and lua/put_100k_gzip.lua
  coldstart PIDFILE OUT NAME CWD -- CMD...   start CMD (it listens on the port in OUT's URL) N times,
                                        time process start -> first ListTables answered
  rss PIDFILE OUT NAME URL CWD -- CMD...     start CMD, create a table, idle 1 s, read VmRSS

Every process started here is appended to PIDFILE at once, so run.sh's EXIT trap can kill it by PID
even if this helper dies, and is killed here by PID in a finally block.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

AUTH = ("AWS4-HMAC-SHA256 Credential=fake/20200101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0")
PAYLOAD = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2)[:80]


def hostport(url):
    rest = url.split("://", 1)[-1].rstrip("/")
    host, port = rest.rsplit(":", 1)
    return host, int(port)


def call(url, op, body, timeout=30, conn=None, prefix="DynamoDB_20120810."):
    host, port = hostport(url)
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", "/", body=json.dumps(body), headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": prefix + op,
            "Authorization": AUTH,
        })
        r = conn.getresponse()
        data = r.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return r.status, parsed
    finally:
        if own:
            conn.close()


def die(msg):
    print("compare.py: " + msg, file=sys.stderr)
    sys.exit(1)


def key(i):
    return "k%08d" % i


def item(k, n=0):
    return {"pk": {"S": k}, "v": {"S": PAYLOAD}, "n": {"N": str(n)}}


# --------------------------------------------------------------------------- setup commands

def wait_ready(url, timeout=60.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            st, _ = call(url, "ListTables", {}, timeout=2)
            if st == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def cmd_wait(url, timeout="60"):
    if not wait_ready(url, float(timeout)):
        die("%s did not answer ListTables within %ss" % (url, timeout))


def create_table(url, table, definition=None):
    body = {
        "TableName": table,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    body.update(definition or {})
    st, body = call(url, "CreateTable", body)
    if st != 200:
        die("CreateTable %s on %s: %s %s" % (table, url, st, body))
    for _ in range(600):
        st, body = call(url, "DescribeTable", {"TableName": table})
        if st == 200 and body["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.05)
    die("table %s on %s never became ACTIVE" % (table, url))


def cmd_create(url, table):
    create_table(url, table)


def cmd_create_query(url, table):
    """The query table: pk (S) and sk (N), with a GSI by_g on g (S) projecting everything."""
    create_table(url, table, {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in
                                 (("pk", "S"), ("sk", "N"), ("g", "S"))],
        "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}}],
    })


def cmd_create_streamed(url, table):
    create_table(url, table, {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})


def streams_call(url, op, body):
    st, out = call(url, op, body, prefix="DynamoDBStreams_20120810.")
    if st != 200:
        die("%s on %s: %s %s" % (op, url, st, json.dumps(out)[:300]))
    return out


def cmd_iterators(url, table, n, path):
    """Reads the whole stream once for its sequence numbers, then writes n AT_SEQUENCE_NUMBER iterators at
    random records (records with at least 100 after them in their shard, so that each GetRecords of
    lua/get_records.lua returns a full page)."""
    import random
    st, body = call(url, "DescribeTable", {"TableName": table})
    arn = body["Table"]["LatestStreamArn"]
    shards, start = [], None
    while True:
        req = {"StreamArn": arn}
        if start:
            req["ExclusiveStartShardId"] = start
        desc = streams_call(url, "DescribeStream", req)["StreamDescription"]
        shards += [s["ShardId"] for s in desc["Shards"]]
        start = desc.get("LastEvaluatedShardId")
        if not start:
            break
    positions = []
    for shard in shards:
        it = streams_call(url, "GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                                    "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        seqs = []
        while it:
            page = streams_call(url, "GetRecords", {"ShardIterator": it, "Limit": 1000})
            seqs += [r["dynamodb"]["SequenceNumber"] for r in page["Records"]]
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
        positions += [(shard, q) for q in seqs[:-100]]
    if not positions:
        die("the stream of %s on %s has too few records" % (table, url))
    rng = random.Random(7)
    with open(path, "w") as f:
        for _ in range(int(n)):
            shard, seq = rng.choice(positions)
            f.write(streams_call(url, "GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                                           "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                                           "SequenceNumber": seq})["ShardIterator"] + "\n")
    print("  %s: %d records in %d shards; %s iterators" % (url, len(positions) + 100 * len(shards), len(shards), n))


def big_item_body(table, i, rng, size=100 * 1000):
    """A PutItem body whose item is ~`size` bytes of text that compresses as prose or logs do (words from a
    vocabulary of 2,000, numbers, ids: gzip takes it to a third or so), not as a run of one character."""
    vocab = ["w%x" % rng.getrandbits(24) for _ in range(2000)]
    parts, n = [], 0
    while n < size:
        w = rng.choice(vocab) if rng.random() < 0.8 else str(rng.randint(0, 10 ** rng.randint(1, 9)))
        parts.append(w)
        n += len(w) + 1
    text = " ".join(parts)[:size]
    return json.dumps({"TableName": table, "Item": {"pk": {"S": "z%08d" % i}, "text": {"S": text},
                                                    "n": {"N": str(i)}}}).encode()


def cmd_bodies(table, n, folder):
    import gzip
    import random
    rng = random.Random(14)
    plain_total = packed_total = 0
    with open(os.path.join(folder, "put100k.plain"), "wb") as plain, \
            open(os.path.join(folder, "put100k.gzip"), "wb") as packed:
        for i in range(int(n)):
            body = big_item_body(table, i, rng)
            gz = gzip.compress(body, 6)
            plain.write(b"%d\n" % len(body) + body)
            packed.write(b"%d\n" % len(gz) + gz)
            plain_total, packed_total = plain_total + len(body), packed_total + len(gz)
    print("bodies: %s of ~%d bytes plain, ~%d gzipped (%.2f)" % (
        n, plain_total // int(n), packed_total // int(n), packed_total / plain_total))


def query_item(i, collections):
    """Item i of the query table (see lua/common.lua: 10 items per collection and per GSI key)."""
    return {"pk": {"S": "q%08d" % (i // 10)}, "sk": {"N": str(i % 10)}, "g": {"S": "g%08d" % (i % collections)},
            "v": {"S": PAYLOAD}}


def cmd_preload_query(url, table, n):
    collections = max(1, int(n) // 10)
    cmd_preload(url, table, n, make=lambda i: query_item(i, collections), by_index=True)


def cmd_create_gsi1(url, table):
    """A table with one GSI of a single-attribute key, by_one: g (S) and s (N), projecting everything."""
    create_table(url, table, {
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in
                                 (("pk", "S"), ("g", "S"), ("s", "N"))],
        "GlobalSecondaryIndexes": [{"IndexName": "by_one", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
    })


def cmd_create_gsim(url, table):
    """A table with one GSI of a multi-attribute key, by_m: partition (g1 S, g2 S), sort (s1 S, s2 N, s3 S)."""
    create_table(url, table, {
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in
                                 (("pk", "S"), ("g1", "S"), ("g2", "S"), ("s1", "S"), ("s2", "N"), ("s3", "S"))],
        "GlobalSecondaryIndexes": [{"IndexName": "by_m", "KeySchema": [
            {"AttributeName": "g1", "KeyType": "HASH"}, {"AttributeName": "g2", "KeyType": "HASH"},
            {"AttributeName": "s1", "KeyType": "RANGE"}, {"AttributeName": "s2", "KeyType": "RANGE"},
            {"AttributeName": "s3", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
    })


def gsi1_item(i, groups):
    """Item i of the by_one table (lua/gsi1_*.lua): GSI partition "g%08d-t" % (i % groups), sort i // groups."""
    return {"pk": {"S": key(i)}, "g": {"S": "g%08d-t" % (i % groups)}, "s": {"N": str(i // groups)},
            "v": {"S": PAYLOAD}}


def gsim_item(i, groups):
    """Item i of the by_m table (lua/gsim_*.lua): the same index entries as gsi1_item, spread over five
    attributes: partition (g%08d, t), sort (x, i // groups, y)."""
    return {"pk": {"S": key(i)}, "g1": {"S": "g%08d" % (i % groups)}, "g2": {"S": "t"}, "s1": {"S": "x"},
            "s2": {"N": str(i // groups)}, "s3": {"S": "y"}, "v": {"S": PAYLOAD}}


def cmd_preload_gsi1(url, table, n):
    groups = max(1, int(n) // 10)
    cmd_preload(url, table, n, make=lambda i: gsi1_item(i, groups), by_index=True)


def cmd_preload_gsim(url, table, n):
    groups = max(1, int(n) // 10)
    cmd_preload(url, table, n, make=lambda i: gsim_item(i, groups), by_index=True)


def doc_item(k):
    """An item with a nested map and list, for the nested-SET benchmark."""
    return {"pk": {"S": k}, "doc": {"M": {"profile": {"M": {"city": {"S": "x"}, "zip": {"S": "00000"}}},
                                        "scores": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}}}


def cmd_preload_doc(url, table, n):
    cmd_preload(url, table, n, make=doc_item)


def cmd_preload(url, table, n, make=None, by_index=False):
    n = int(n)
    batches = [list(range(i, min(i + 25, n))) for i in range(0, n, 25)]
    errors = []
    lock = threading.Lock()

    def worker():
        host, port = hostport(url)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                if not batches or errors:
                    break
                b = batches.pop()
            req = {table: [{"PutRequest": {"Item": (make(i) if by_index else make(key(i))) if make is not None
                                           else item(key(i), i)}} for i in b]}
            for _ in range(50):
                st, body = call(url, "BatchWriteItem", {"RequestItems": req}, conn=conn)
                if st == 400 and isinstance(body, dict) and str(body.get("__type", "")).endswith(
                        ("ThrottlingException", "ProvisionedThroughputExceededException")):
                    time.sleep(0.1)  # --capacity=enforce: back off and resend, as the SDKs do
                    continue
                if st != 200:
                    with lock:
                        errors.append("BatchWriteItem: %s %s" % (st, body))
                    break
                req = body.get("UnprocessedItems") or {}
                if not req:
                    break
                time.sleep(0.05)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        die("preload failed: " + errors[0])


def cmd_probe(url, table, op, n):
    """Send one request shaped like the wrk script's and check the answer."""
    n = int(n)
    if op in ("PutItem", "PutNoStream", "PutStream"):
        st, body = call(url, "PutItem", {"TableName": table, "Item": item("wprobe", 1)})
        ok = st == 200
    elif op == "GetItem":
        k = key(n - 1)
        st, body = call(url, op, {"TableName": table, "Key": {"pk": {"S": k}}})
        got = (body or {}).get("Item") or {}
        ok = st == 200 and got.get("pk") == {"S": k} and got.get("v") == {"S": PAYLOAD} and "n" in got
    elif op == "BatchWriteItem":
        reqs = [{"PutRequest": {"Item": item("wprobe%03d" % i, i)}} for i in range(25)]
        st, body = call(url, op, {"RequestItems": {table: reqs}})
        ok = st == 200 and not body.get("UnprocessedItems")
    elif op == "BatchGetItem":
        keys = [{"pk": {"S": key(i)}} for i in range(0, n, max(1, n // 100))][:100]
        st, body = call(url, op, {"RequestItems": {table: {"Keys": keys}}})
        ok = (st == 200 and not body.get("UnprocessedKeys")
              and len(body.get("Responses", {}).get(table, [])) == len(keys))
    elif op == "UpdateItemAdd":
        st, body = call(url, "UpdateItem", {"TableName": table, "Key": {"pk": {"S": key(0)}},
                                            "UpdateExpression": "ADD n :one",
                                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                                            "ReturnValues": "UPDATED_NEW"})
        ok = st == 200 and "n" in body.get("Attributes", {})
    elif op == "CondPutItem":
        body_ = {"TableName": table, "Item": item("cprobe", 1), "ConditionExpression": "attribute_not_exists(pk)"}
        st, body = call(url, "PutItem", body_)
        st2, body2 = call(url, "PutItem", body_)
        ok = st == 200 and st2 == 400 and "ConditionalCheckFailed" in body2.get("__type", "")
    elif op == "NestedSet":
        st, body = call(url, "UpdateItem", {
            "TableName": table + "doc", "Key": {"pk": {"S": key(0)}},
            "UpdateExpression": "SET #d.#p.#c = :v, #d.#l[1] = :n",
            "ExpressionAttributeNames": {"#d": "doc", "#p": "profile", "#c": "city", "#l": "scores"},
            "ExpressionAttributeValues": {":v": {"S": "probe"}, ":n": {"N": "7"}}, "ReturnValues": "ALL_NEW"})
        doc = body.get("Attributes", {}).get("doc", {}).get("M", {})
        ok = (st == 200 and doc.get("profile", {}).get("M", {}).get("city") == {"S": "probe"}
              and doc.get("scores", {}).get("L", [None, None])[1] == {"N": "7"})
    elif op in ("TxnWrite2", "TxnWrite10"):
        count = 2 if op == "TxnWrite2" else 10
        st, body = call(url, "TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": table, "Item": item("tprobe%02d" % i, i)}} for i in range(count)]})
        st2, body2 = call(url, "GetItem", {"TableName": table, "Key": {"pk": {"S": "tprobe%02d" % (count - 1)}},
                                           "ConsistentRead": True})
        ok = st == 200 and st2 == 200 and "Item" in body2
    elif op == "TxnGet10":
        keys = [key(i) for i in range(0, n, max(1, n // 10))][:10]
        st, body = call(url, "TransactGetItems", {"TransactItems": [
            {"Get": {"TableName": table, "Key": {"pk": {"S": k}}}} for k in keys]})
        got = [r.get("Item", {}).get("pk") for r in (body or {}).get("Responses", [])]
        ok = st == 200 and got == [{"S": k} for k in keys]
    elif op in ("Query", "GsiQuery"):
        collections = max(1, n // 10)
        req = {"TableName": table, "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "q%08d" % (collections - 1)}}}
        if op == "GsiQuery":
            req = {"TableName": table, "IndexName": "by_g", "KeyConditionExpression": "g = :g",
                   "ExpressionAttributeValues": {":g": {"S": "g%08d" % (collections - 1)}}}
        st, body = call(url, "Query", req)
        ok = st == 200 and body.get("Count") == 10
    elif op == "PartiQLGet":
        k = key(n - 1)
        st, body = call(url, "ExecuteStatement", {"Statement": 'SELECT * FROM "%s" WHERE pk = ?' % table,
                                                  "Parameters": [{"S": k}]})
        got = ((body or {}).get("Items") or [{}])[0]
        ok = st == 200 and got.get("pk") == {"S": k} and got.get("v") == {"S": PAYLOAD}
    elif op == "PartiQLInsert":
        stmt = {"Statement": "INSERT INTO \"%s\" VALUE {'pk': ?, 'n': 1}" % table, "Parameters": [{"S": "pqprobe"}]}
        st, body = call(url, "ExecuteStatement", stmt)
        st2, body2 = call(url, "ExecuteStatement", stmt)
        ok = st == 200 and st2 == 400 and "DuplicateItem" in body2.get("__type", "")
    elif op == "GetRecords":
        with open(os.environ["BENCH_ITERATORS"]) as f:
            it = f.readline().strip()
        body = streams_call(url, "GetRecords", {"ShardIterator": it, "Limit": 100})
        st, ok = 200, len(body["Records"]) == 100 and "NewImage" in body["Records"][0]["dynamodb"]
    elif op == "ScanPage":
        st, body = call(url, "Scan", {"TableName": table, "Limit": 25,
                                      "ExclusiveStartKey": {"pk": {"S": "q%08d" % 0}, "sk": {"N": "3"}}})
        ok = st == 200 and body.get("Count") == 25 and "LastEvaluatedKey" in body
    elif op == "Root":  # GET /: Basalt's health answer, nginx's fixed response
        host, port = hostport(url)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("GET", "/")
        resp = conn.getresponse()
        st, body = resp.status, resp.read().decode("utf-8", "replace")
        conn.close()
        ok = st == 200
    else:
        die("unknown op " + op)
    if not ok:
        die("probe %s on %s failed: %s %s" % (op, url, st, json.dumps(body)[:500]))


# --------------------------------------------------------------------------- processes

def start(pidfile, cmd, cwd, log):
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    with open(pidfile, "a") as f:
        f.write("%d\n" % proc.pid)
    return proc


def stop(proc):
    if proc.poll() is None:
        try:
            proc.kill()  # SIGKILL by PID: nothing to flush for an in-memory server
        except ProcessLookupError:
            pass
    proc.wait()


def poll_first_answer(url, proc, timeout=60.0):
    """Tight loop: connect and POST ListTables until one 200 comes back. Returns the time it did."""
    host, port = hostport(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            st, _ = call(url, "ListTables", {}, conn=conn)
            conn.close()
            if st == 200:
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.0005)
    return None


def split_cmd(argv):
    i = argv.index("--")
    return argv[:i], argv[i + 1:]


def port_url(cmd):
    for flag in ("--port", "-port"):
        if flag in cmd:
            return "http://127.0.0.1:%s" % cmd[cmd.index(flag) + 1]
    die("no --port/-port in " + " ".join(cmd))


def cmd_coldstart(*argv):
    (pidfile, out, name, cwd, starts), cmd = split_cmd(list(argv))
    url = port_url(cmd)
    times = []
    with open(os.path.join(os.path.dirname(out), "coldstart-%s.log" % name), "ab") as log:
        for _ in range(int(starts)):
            t0 = time.perf_counter()
            proc = start(pidfile, cmd, cwd, log)
            try:
                t1 = poll_first_answer(url, proc)
                if t1 is None:
                    die("%s did not answer during cold start (exit %s)" % (name, proc.poll()))
                times.append((t1 - t0) * 1000.0)
            finally:
                stop(proc)
            time.sleep(0.3)
    with open(out, "a") as f:
        f.write(json.dumps({"kind": "coldstart", "server": name, "ms": times}) + "\n")
    print("  %s cold start (ms): %s" % (name, ", ".join("%.1f" % t for t in times)))


def cmd_rss(*argv):
    (pidfile, out, name, cwd), cmd = split_cmd(list(argv))
    url = port_url(cmd)
    with open(os.path.join(os.path.dirname(out), "rss-%s.log" % name), "ab") as log:
        proc = start(pidfile, cmd, cwd, log)
        try:
            if not wait_ready(url, 60, proc):
                die("%s did not start for the RSS measurement" % name)
            create_table(url, "rss_probe")
            time.sleep(1.0)
            kb = None
            with open("/proc/%d/status" % proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
            if kb is None:
                die("no VmRSS for %s" % name)
        finally:
            stop(proc)
    with open(out, "a") as f:
        f.write(json.dumps({"kind": "rss", "server": name, "kb": kb}) + "\n")
    print("  %s idle RSS: %.1f MB" % (name, kb / 1024.0))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = globals().get("cmd_" + cmd)
    if fn is None:
        die("unknown subcommand " + cmd)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so finally blocks kill our servers
    fn(*args)


if __name__ == "__main__":
    main()
