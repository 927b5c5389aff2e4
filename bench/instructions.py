#!/usr/bin/python3
"""Instructions per request under callgrind: the repeatable measure of a change's CPU cost.

    /usr/bin/python3 bench/instructions.py [WORKLOAD ...]     (default: get put update query batchget root)

For each workload, starts Basalt (BASALT_BIN, default build/src/basalt; --in-memory, --threads 1)
under `valgrind --tool=callgrind` twice, sends the workload's request N1 and then N2 times on one
keep-alive connection (after the same set-up), and prints (Ir(N2) - Ir(N1)) / (N2 - N1): the
instructions of one request, start-up and set-up cancelled out. The requests are the throughput
bench's (bench/lua): GetItem and PutItem of compare.py's ~100-byte item, UpdateItem's ADD to a
counter of one (update_add.lua), Query of a 10-item collection of the query table, BatchGetItem of
100 keys, and `GET /`.
Environment: INSTR_N1 (default 1000), INSTR_N2 (default 2000), INSTR_PORT (8312), INSTR_FLAGS (more
flags for Basalt), INSTR_KEEP=1 keeps the callgrind files (their directory is printed) for
callgrind_annotate."""

import http.client
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here))
import compare  # noqa: E402

PORT = int(os.environ.get("INSTR_PORT", "8312"))
FLAGS = os.environ.get("INSTR_FLAGS", "").split()  # more of Basalt's flags, e.g. "--item-cache 0"
URL = "http://127.0.0.1:%d" % PORT
ITEMS = 1000  # preloaded items (and 100 collections of the query table)


def setup(workload):
    if workload in ("get", "put", "update", "batchget"):
        compare.cmd_create(URL, "bench")
        compare.cmd_preload(URL, "bench", ITEMS)
    elif workload == "query":
        compare.cmd_create_query(URL, "query")
        compare.cmd_preload_query(URL, "query", ITEMS)


def requests_of(workload, n):
    """n requests of the workload: (method, operation, body)."""
    for i in range(n):
        if workload == "get":
            yield "POST", "GetItem", {"TableName": "bench", "Key": {"pk": {"S": compare.key(i % ITEMS)}}}
        elif workload == "put":
            yield "POST", "PutItem", {"TableName": "bench", "Item": compare.item("new%08d" % i)}
        elif workload == "update":
            yield "POST", "UpdateItem", {"TableName": "bench", "Key": {"pk": {"S": compare.key(i % ITEMS)}},
                                         "UpdateExpression": "ADD n :one",
                                         "ExpressionAttributeValues": {":one": {"N": "1"}}}
        elif workload == "query":
            yield "POST", "Query", {"TableName": "query", "KeyConditionExpression": "pk = :p",
                                    "ExpressionAttributeValues": {":p": {"S": "q%08d" % (i % (ITEMS // 10))}}}
        elif workload == "batchget":
            keys = [{"pk": {"S": compare.key((i * 100 + j) % ITEMS)}} for j in range(100)]
            yield "POST", "BatchGetItem", {"RequestItems": {"bench": {"Keys": keys}}}
        elif workload == "root":
            yield "GET", None, None
        else:
            sys.exit("unknown workload %s" % workload)


def instructions(binary, workload, n, out):
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, binary, "--in-memory",
                             "--host", "127.0.0.1", "--port", str(PORT), "--threads", "1"] + FLAGS,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not compare.wait_ready(URL, timeout=120, proc=proc):
            sys.exit("basalt under callgrind did not start")
        setup(workload)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        for method, op, body in requests_of(workload, n):
            if method == "GET":
                conn.request("GET", "/")
            else:
                conn.request("POST", "/", body=json.dumps(body), headers={
                    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
                    "Authorization": compare.AUTH})
            r = conn.getresponse()
            data = r.read()
            if r.status != 200:
                sys.exit("%s: %s %s" % (workload, r.status, data[:300]))
        conn.close()
    finally:
        proc.terminate()
        proc.wait()
    annotated = subprocess.run(["callgrind_annotate", out], capture_output=True, text=True).stdout
    m = re.search(r"^([\d,]+) .*PROGRAM TOTALS", annotated, re.M)
    if not m:
        sys.exit("no totals in %s" % out)
    return int(m.group(1).replace(",", ""))


def main():
    workloads = sys.argv[1:] or ["get", "put", "update", "query", "batchget", "root"]
    binary = os.environ.get("BASALT_BIN", str(here.parent / "build" / "src" / "basalt"))
    # Both runs touch every preloaded key (GetItem cycles through 1,000), so the
    # access-pattern state Basalt saves at exit, which grows with the keys
    # seen, cancels out: with N1 = 200 it charged ~1,900 instructions of that
    # one-time save to each GetItem.
    n1, n2 = int(os.environ.get("INSTR_N1", "1000")), int(os.environ.get("INSTR_N2", "2000"))
    work = tempfile.mkdtemp(prefix="basalt-instructions-")
    for w in workloads:
        a = instructions(binary, w, n1, "%s/%s.%d.out" % (work, w, n1))
        b = instructions(binary, w, n2, "%s/%s.%d.out" % (work, w, n2))
        print("%-9s %9d instructions per request" % (w, (b - a) // (n2 - n1)), flush=True)
    if os.environ.get("INSTR_KEEP"):
        print("callgrind files in " + work)
    else:
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
