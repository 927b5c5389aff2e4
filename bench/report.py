#!/usr/bin/python3
"""The report of bench/run.sh: progress lines and the tables of figures, from its RESULTS.jsonl.

Subcommands:
  line RECORD_JSON        print one progress line for a wrk result record
  report RESULTS.jsonl    the default mode's tables (medians over repeats) and ratios to DynamoDB Local
  scaling RESULTS.jsonl   the scaling mode's table (BENCH_MODE=scaling, bench/scaling.sh)
  onecore RESULTS.jsonl   the one-core mode's table (BENCH_MODE=onecore): req/s and server CPU us per
                          request, Basalt beside DynamoDB Local, nginx and Basalt's own GET /
"""

import json
import statistics
import sys

def cpu_us(r):
    """Server CPU per request in microseconds (user + system time of the server process over the
    measured run, from /proc/PID/stat), or None when it was not taken."""
    if r.get("cpu_s") is None or not r["requests"]:
        return None
    return r["cpu_s"] * 1e6 / r["requests"]


def cmd_line(raw):
    """One progress line for a result record (kind "wrk": the BENCHJSON object plus server, op,
    items_per_req and cpu_s)."""
    r = json.loads(raw)
    ipr = int(r["items_per_req"])
    rps = r["requests"] / (r["duration_us"] / 1e6)
    errs = r["err_status"] + r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
    cpu = cpu_us(r)
    print("  %-15s %-14s %10.0f req/s %11.0f items/s  p50 %7.2f ms  p99 %7.2f ms%s%s" % (
        r["server"], r["op"], rps, rps * ipr, r["p50_us"] / 1000, r["p99_us"] / 1000,
        ("  cpu %7.1f us/req" % cpu) if cpu is not None else "", ("  ERRORS %d" % errs) if errs else ""))


OPS = [("GetItem", 1), ("BatchGetItem", 100), ("PutItem", 1), ("BatchWriteItem", 25)]
# The transaction workloads (part "txn"), target 10x DynamoDB Local's throughput.
TXN_OPS = [("TxnWrite2", "TransactWriteItems of 2 puts", 2), ("TxnWrite10", "TransactWriteItems of 10 puts", 10),
           ("TxnGet10", "TransactGetItems of 10 items", 10)]
# The query workloads (part "query"), with their targets against DynamoDB Local.
QUERY_OPS = [("Query", "Query, 10 items", 10), ("ScanPage", "Scan page of 25 after a random start key", 50),
             ("GsiQuery", "GSI Query, 10 items", 10)]
# The expression workloads, measured in memory after OPS.
EXPR_OPS = [("UpdateItemAdd", "UpdateItem counter (ADD)"), ("CondPutItem", "PutItem if attribute_not_exists"),
            ("NestedSet", "UpdateItem nested SET")]
# PartiQL by key beside the native operation it plans to (target: at most 15% more costly).
PARTIQL_OPS = [("PartiQLGet", "GetItem", "ExecuteStatement SELECT by key"),
               ("PartiQLInsert", "PutItem", "ExecuteStatement INSERT")]
LABELS = {
    "basalt-mem": "Basalt --in-memory",
    "local-mem": "DynamoDB Local -inMemory",
    "basalt-sync": "Basalt --durability=sync",
    "basalt-relaxed": "Basalt --durability=relaxed",
    "local-disk": "DynamoDB Local -dbPath",
    "basalt-q": "Basalt --in-memory",
    "local-q": "DynamoDB Local -inMemory",
    "basalt-q-big": "Basalt --in-memory, large table",
    "basalt-st": "Basalt --in-memory",
    "local-st": "DynamoDB Local -inMemory",
}
# The Streams workloads (part "streams"): PutItem without and with a NEW_AND_OLD_IMAGES stream, and
# GetRecords of 100 records from a random position.
STREAM_OPS = [("PutNoStream", "PutItem, no stream", 1), ("PutStream", "PutItem, NEW_AND_OLD_IMAGES stream", 1),
              ("GetRecords", "GetRecords of 100 records", 100)]


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_num(x, digits=0):
    if x is None:
        return "-"
    return "{:,.{d}f}".format(x, d=digits)


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    if r >= 1:
        return "%.1fx" % r
    return ("%.2fx" % r) if r >= 0.1 else ("%.3fx" % r)


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def load(path):
    """The records of RESULTS.jsonl, and the wrk ones by (server, op)."""
    recs = [json.loads(l) for l in open(path) if l.strip()]
    wrk = {}
    for r in recs:
        if r["kind"] == "wrk":
            wrk.setdefault((r["server"], r["op"]), []).append(r)
    return recs, wrk


def run_stats(wrk, server, op):
    """Medians over the runs of one workload on one server."""
    runs = wrk.get((server, op))
    if not runs:
        return None
    ipr = runs[0]["items_per_req"]
    rps = [x["requests"] / (x["duration_us"] / 1e6) for x in runs]
    cpus = [c for c in (cpu_us(x) for x in runs) if c is not None]
    return {
        "rps": med(rps), "items": med(rps) * ipr, "ipr": ipr, "n": len(runs),
        "p50": med([x["p50_us"] / 1000.0 for x in runs]),
        "p99": med([x["p99_us"] / 1000.0 for x in runs]),
        "cpu_us": med(cpus),
        "errors": sum(x["err_status"] + x["err_connect"] + x["err_read"] + x["err_write"]
                      + x["err_timeout"] for x in runs),
        "requests": sum(x["requests"] for x in runs),
    }


def cmd_report(path):
    recs, wrk = load(path)

    stat = lambda server, op: run_stats(wrk, server, op)

    rows = []
    order = [(op, s) for op, _ in OPS + [(e, 1) for e, _ in EXPR_OPS] + [(p, 1) for p, _, _ in PARTIQL_OPS]
             for s in ("basalt-mem", "local-mem")] + \
            [("PutItem", s) for s in ("basalt-sync", "basalt-relaxed", "local-disk")] + \
            [(op, s) for op, _, _ in QUERY_OPS for s in ("basalt-q", "local-q", "basalt-q-big")] + \
            [(op, s) for op, _, _ in TXN_OPS for s in ("basalt-mem", "local-mem")] + \
            [(op, s) for op, _, _ in STREAM_OPS for s in ("basalt-st", "local-st")]
    for op, server in order:
        st = stat(server, op)
        if st is None:
            continue
        rows.append([op + (" (x%d)" % st["ipr"] if st["ipr"] > 1 else ""), LABELS.get(server, server),
                     fmt_num(st["rps"]), fmt_num(st["items"]), fmt_num(st["p50"], 2), fmt_num(st["p99"], 2),
                     "%d/%d" % (st["errors"], st["requests"]), st["n"]])
    print("Throughput (median over runs; latency in ms from wrk --latency)")
    print(table(["operation", "server", "req/s", "items/s", "p50 ms", "p99 ms", "errors/requests", "runs"], rows))
    print()

    cold = {r["server"]: r["ms"] for r in recs if r["kind"] == "coldstart"}
    rss = {r["server"]: r["kb"] / 1024.0 for r in recs if r["kind"] == "rss"}

    def g(server, op, field):
        st = stat(server, op)
        return st[field] if st else None

    comp = []

    def add(name, b, l, unit, digits, target_desc=None, ok=None):
        comp.append([name, (fmt_num(b, digits) + unit) if b is not None else "-",
                     (fmt_num(l, digits) + unit) if l is not None else "-", fmt_ratio(b, l),
                     target_desc or "", "" if ok is None else ("met" if ok else "NOT met")])

    def ratio_ok(b, l, need):
        return None if (b is None or l is None or l == 0) else b / l >= need

    for op, _ in OPS:
        b, l = g("basalt-mem", op, "items"), g("local-mem", op, "items")
        need = 10 if op in ("GetItem", "BatchGetItem") else None
        add("%s items/s, in memory" % op, b, l, "", 0,
            ">= 10x" if need else None, ratio_ok(b, l, need) if need else None)
    for op, desc in EXPR_OPS:
        b, l = g("basalt-mem", op, "rps"), g("local-mem", op, "rps")
        add("%s req/s, in memory" % desc, b, l, "", 0, ">= 10x", ratio_ok(b, l, 10))
    for op, _ in OPS:
        add("%s p99 ms, in memory" % op, g("basalt-mem", op, "p99"), g("local-mem", op, "p99"), "", 2)
    for op, native, desc in PARTIQL_OPS:
        b, l = g("basalt-mem", op, "rps"), g("local-mem", op, "rps")
        add("%s req/s, in memory" % desc, b, l, "", 0)
        pq, nat = g("basalt-mem", op, "rps"), g("basalt-mem", native, "rps")
        if pq and nat:
            # cost per request relative to the native operation: native req/s over PartiQL req/s
            add("%s: Basalt's cost vs %s" % (desc, native), nat / pq, None, "x", 2, "<= 1.15x", nat / pq <= 1.15)
    for op, desc, _ in TXN_OPS:
        b, l = g("basalt-mem", op, "rps"), g("local-mem", op, "rps")
        add("%s req/s, in memory" % desc, b, l, "", 0, ">= 10x", ratio_ok(b, l, 10))
    for op, desc, need in QUERY_OPS:
        b, l = g("basalt-q", op, "rps"), g("local-q", op, "rps")
        add("%s req/s, in memory" % desc, b, l, "", 0, ">= %dx" % need, ratio_ok(b, l, need))
    for op, desc, _ in STREAM_OPS:
        add("%s items/s, in memory" % desc, g("basalt-st", op, "items"), g("local-st", op, "items"), "", 0)
    b, l = g("basalt-relaxed", "PutItem", "rps"), g("local-mem", "PutItem", "rps")
    add("PutItem/s: Basalt relaxed vs Local in memory", b, l, "", 0, ">= 10x", ratio_ok(b, l, 10))
    b, l = g("basalt-sync", "PutItem", "rps"), g("local-disk", "PutItem", "rps")
    add("PutItem/s: Basalt sync vs Local on disk", b, l, "", 0, ">= 20x", ratio_ok(b, l, 20))
    b, l = g("basalt-sync", "PutItem", "p99"), g("local-disk", "PutItem", "p99")
    add("PutItem p99 ms: Basalt sync vs Local on disk", b, l, "", 2)
    b, l = med(cold.get("basalt", [])), med(cold.get("local", []))
    add("cold start ms (median of %d)" % len(cold.get("basalt", [])), b, l, "", 1, "Basalt < 50 ms",
        None if b is None else b < 50)
    b, l = rss.get("basalt"), rss.get("local")
    add("idle RSS MB (one table)", b, l, "", 1, "Basalt < 20 MB", None if b is None else b < 20)
    print("Basalt vs DynamoDB Local (ratio = Basalt / Local)")
    print(table(["figure", "Basalt", "DynamoDB Local", "ratio", "target", "result"], comp))
    overhead = []
    for server in ("basalt-st", "local-st"):
        plain, streamed = g(server, "PutNoStream", "rps"), g(server, "PutStream", "rps")
        if plain and streamed:
            overhead.append([LABELS[server], fmt_num(plain), fmt_num(streamed),
                             "%.1f%%" % (100.0 * (plain - streamed) / plain)])
    if overhead:
        print()
        print("Stream overhead on PutItem (NEW_AND_OLD_IMAGES stream vs none)")
        print(table(["server", "PutItem/s, no stream", "PutItem/s, stream", "throughput lost"], overhead))
    sizes = {r["server"]: r["items"] for r in recs if r["kind"] == "table_size"}
    grow = []
    for op, desc, _ in QUERY_OPS:
        small, big = stat("basalt-q", op), stat("basalt-q-big", op)
        if small and big:
            grow.append([desc, fmt_num(small["rps"]), fmt_num(big["rps"]), fmt_num(small["p50"], 3),
                         fmt_num(big["p50"], 3), fmt_num(small["p99"], 3), fmt_num(big["p99"], 3)])
    if grow:
        print()
        print("Basalt by table size (target: Query latency does not grow): %s items vs %s items" % (
            fmt_num(sizes.get("basalt-q")), fmt_num(sizes.get("basalt-q-big"))))
        print(table(["workload", "req/s small", "req/s large", "p50 ms small", "p50 ms large", "p99 ms small",
                     "p99 ms large"], grow))


# The one-core mode (BENCH_MODE=onecore): each server on core 0, wrk on core 1.
ONECORE_OPS = [("GetItem", "GetItem"), ("PutItem", "PutItem, new keys"), ("UpdateItemAdd", "UpdateItem ADD"),
               ("Query", "Query, 10 items"), ("BatchGetItem", "BatchGetItem, 100 keys")]
# Server CPU per request targets (issue 19), in microseconds.
CPU_TARGETS = {"GetItem": 12, "PutItem": 18, "Query": 20}


def cmd_onecore(path):
    recs, wrk = load(path)
    stat = lambda server, op: run_stats(wrk, server, op)

    def cell(st):
        if st is None:
            return "-"
        cpu = st["cpu_us"]
        return "%s (%s us)" % (fmt_num(st["rps"]), fmt_num(cpu, 1) if cpu is not None else "-")

    rows = []
    for op, desc in ONECORE_OPS:
        b, l = stat("basalt-1c", op), stat("local-1c", op)
        ratio = (b["rps"] / l["rps"]) if b and l else None
        rows.append([desc, cell(b), cell(l), fmt_ratio(b and b["rps"], l and l["rps"]),
                     fmt_num(b and b["p99"], 2), "" if ratio is None else ("met" if ratio >= 15 else "NOT met")])
    root, nginx = stat("basalt-1c", "Root"), stat("nginx-1c", "Root")
    rows.append(["GET / (Basalt's HTTP floor)", cell(root), "", "", fmt_num(root and root["p99"], 2), ""])
    rows.append(["nginx fixed response", cell(nginx), "", "", fmt_num(nginx and nginx["p99"], 2), ""])
    print("One core each: req/s (server CPU us per request), medians of %s runs" %
          ", ".join(sorted({str(s["n"]) for s in (stat(sv, op) for sv in ("basalt-1c", "local-1c")
                                                  for op, _ in ONECORE_OPS) if s})))
    print(table(["workload", "Basalt", "DynamoDB Local", "ratio", "Basalt p99 ms", ">= 15x"], rows))
    print()

    targets = []
    get = stat("basalt-1c", "GetItem")
    for name, base, need in (("GetItem / Basalt's GET /", root, 0.90), ("GetItem / nginx", nginx, 0.85)):
        if get and base:
            r = get["rps"] / base["rps"]
            targets.append([name, "%.0f%%" % (100 * r), ">= %.0f%%" % (100 * need), "met" if r >= need else "NOT met"])
    for op, limit in CPU_TARGETS.items():
        st = stat("basalt-1c", op)
        if st and st["cpu_us"] is not None:
            targets.append(["%s server CPU per request" % op, "%.1f us" % st["cpu_us"], "<= %d us" % limit,
                            "met" if st["cpu_us"] <= limit else "NOT met"])
    cold = [t for r in recs if r["kind"] == "coldstart" and r["server"] == "basalt" for t in r["ms"]]
    if cold:
        targets.append(["cold start (median of %d)" % len(cold), "%.1f ms" % med(cold), "< 20 ms",
                        "met" if med(cold) < 20 else "NOT met"])
    for r in recs:
        if r["kind"] == "rss" and r["server"] == "basalt":
            mb = r["kb"] / 1024.0
            targets.append(["idle RSS (one table)", "%.1f MB" % mb, "< 20 MB", "met" if mb < 20 else "NOT met"])
    if targets:
        print("Targets")
        print(table(["figure", "measured", "target", "result"], targets))


def cmd_scaling(path):
    _, wrk = load(path)
    threads = sorted({int(server[len("basalt-t"):]) for server, _ in wrk if server.startswith("basalt-t")})
    rows = []
    for op, desc in (("Root", "GET /"), ("GetItem", "GetItem"), ("PutItem", "PutItem, new keys"),
                     ("Query", "Query, 10 items")):
        one = run_stats(wrk, "basalt-t1", op)
        row = [desc]
        for n in threads:
            st = run_stats(wrk, "basalt-t%d" % n, op)
            if st is None:
                row.append("-")
                continue
            cpu = st["cpu_us"]
            cell = "%s (%s us)" % (fmt_num(st["rps"]), fmt_num(cpu, 1) if cpu is not None else "-")
            if one and n > 1:
                cell += " %.1fx" % (st["rps"] / one["rps"])
            row.append(cell)
        rows.append(row)
    print("Scaling: req/s (server CPU us per request) and speed-up over one thread, medians")
    print(table(["workload"] + ["%d thread%s" % (n, "s" if n > 1 else "") for n in threads], rows))
    if 8 not in threads:
        print("(8 threads need 16 cores: this machine has room for %d)" % (threads[-1] if threads else 0))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    fn = globals().get("cmd_" + sys.argv[1])
    if fn is None:
        print("report.py: unknown subcommand " + sys.argv[1], file=sys.stderr)
        sys.exit(2)
    fn(*sys.argv[2:])


if __name__ == "__main__":
    main()
