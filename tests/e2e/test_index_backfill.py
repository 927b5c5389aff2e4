"""A GSI added to a table of 50,000 items while writes continue: when the index is ACTIVE, every item
that has the index key is in it exactly once, with its latest value, and nothing else is."""

import threading
import time

import pytest

from conftest import IS_LOCAL, raw_call, table_name, _create_table, _drop_table

ITEMS = 50_000
BATCH = 25


def item(i, version=0):
    it = {"pk": {"S": "p%05d" % (i % 1000)}, "sk": {"N": str(i)}, "v": {"N": str(version)}}
    if i % 4 != 0:  # a quarter of the items stay out of the sparse index
        it["g"] = {"S": "g%d" % ((i + version) % 97)}
    return it


def load(endpoint, name):
    """BatchWriteItem from 4 threads (the resource API is too slow to load 50k items quickly)."""
    chunks = [list(range(s, min(s + BATCH, ITEMS))) for s in range(0, ITEMS, BATCH)]
    errors = []
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not chunks or errors:
                    return
                chunk = chunks.pop()
            req = {name: [{"PutRequest": {"Item": item(i)}} for i in chunk]}
            while req:
                res = raw_call(endpoint, "BatchWriteItem", {"RequestItems": req})
                if res.status != 200:
                    with lock:
                        errors.append(res)
                    return
                req = res.body.get("UnprocessedItems") or {}

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def scan_all(endpoint, name, index=None):
    items, start = [], None
    while True:
        body = {"TableName": name}
        if index:
            body["IndexName"] = index
        if start:
            body["ExclusiveStartKey"] = start
        res = raw_call(endpoint, "Scan", body)
        assert res.status == 200, res
        items += res.body["Items"]
        start = res.body.get("LastEvaluatedKey")
        if not start:
            return items


def index_status(endpoint, name):
    res = raw_call(endpoint, "DescribeTable", {"TableName": name})
    assert res.status == 200, res
    gsis = res.body["Table"].get("GlobalSecondaryIndexes", [])
    return gsis[0] if gsis else None


@pytest.fixture
def loaded_table(endpoint):
    name = table_name("e2e_backfill")
    _create_table(endpoint, name, range_key=("sk", "N"))
    try:
        load(endpoint, name)
        yield name
    finally:
        _drop_table(endpoint, name)


def test_gsi_backfill_of_50k_items_while_writes_continue(endpoint, loaded_table):
    name = loaded_table
    res = raw_call(endpoint, "UpdateTable", {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}}],
    })
    assert res.status == 200, res
    gsi = res.body["TableDescription"]["GlobalSecondaryIndexes"][0]
    assert gsi["IndexName"] == "by_g" and gsi["IndexStatus"] in ("CREATING", "ACTIVE")

    # Writers: overwrite items with a new version (moving them between index keys, in and out of the
    # sparse index), delete some and add new ones, until the index has been ACTIVE for a moment.
    stop = threading.Event()
    failures = []
    seen_creating = []

    def writer(seed):
        n = 0
        while not stop.is_set():
            n += 1
            i = (n * 7919 + seed * 104729) % (ITEMS + 2000)
            if n % 7 == 0:
                res = raw_call(endpoint, "DeleteItem", {"TableName": name, "Key": {
                    "pk": item(i)["pk"], "sk": item(i)["sk"]}})
            else:
                res = raw_call(endpoint, "PutItem", {"TableName": name, "Item": item(i, n)})
            if res.status != 200:
                failures.append(res)
                return

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
    # DynamoDB Local answers 500 to writes that touch a GSI while it is CREATING (the service accepts
    # them): against Local the writers start once the index is ACTIVE.
    if not IS_LOCAL:
        for t in threads:
            t.start()
    try:
        deadline = time.monotonic() + 300
        while True:
            st = index_status(endpoint, name)
            if st["IndexStatus"] == "ACTIVE":
                break
            assert st["IndexStatus"] == "CREATING", st
            seen_creating.append(st.get("Backfilling"))
            assert time.monotonic() < deadline, "index not ACTIVE after 300 s"
            time.sleep(0.2)
        if IS_LOCAL:
            for t in threads:
                t.start()
        time.sleep(0.5)  # writes against the ACTIVE index too
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not failures, failures[0]

    table_items = scan_all(endpoint, name)
    indexed = scan_all(endpoint, name, "by_g")
    expected = {(it["pk"]["S"], it["sk"]["N"]): (it["g"]["S"], it["v"]["N"]) for it in table_items if "g" in it}
    got = {}
    for it in indexed:
        k = (it["pk"]["S"], it["sk"]["N"])
        assert k not in got, "indexed twice: %s" % (k,)
        assert set(it) == {"pk", "sk", "g", "v"}, it  # keys plus the INCLUDE projection
        got[k] = (it["g"]["S"], it["v"]["N"])
    assert len(expected) > ITEMS // 2
    assert got == expected
    if not IS_LOCAL:  # DynamoDB Local (like the service) refreshes ItemCount only now and then
        assert index_status(endpoint, name)["ItemCount"] == len(expected)
