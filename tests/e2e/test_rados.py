"""Basalt on Ceph RADOS (--engine=rados): several stateless front-ends on one pool.

Uses the cluster that BASALT_RADOS_CONF and BASALT_RADOS_POOL name, or starts
a throw-away one with scripts/rados-dev-cluster.sh (about 8 s) when ceph-mon
and ceph-osd are installed; skipped otherwise. Each test uses a RADOS
namespace of its own, so tests and runs never see each other's data.
"""
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import _Server, make_client, unique

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("BASALT_BIN", ROOT / "build" / "src" / "basalt"))


def _dev_cluster(osds):
    """Starts a throw-away cluster of `osds` OSDs: yields (conf, pool, run directory)."""
    if not (shutil.which("ceph-mon") and shutil.which("ceph-osd")):
        pytest.skip("no Ceph cluster: set BASALT_RADOS_CONF and BASALT_RADOS_POOL, or install ceph-mon ceph-osd")
    if os.environ.get("BASALT_ENDPOINT"):
        pytest.skip("starts its own Basalt; BASALT_ENDPOINT is set")
    script = ROOT / "scripts" / "rados-dev-cluster.sh"
    work = tempfile.mkdtemp(prefix="basalt-rados-")
    try:
        out = subprocess.run(["bash", str(script), "start", work], capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, BASALT_RADOS_OSDS=str(osds)))
        if out.returncode != 0:
            pytest.fail("the dev cluster did not start:\n" + out.stdout + out.stderr)
        yield out.stdout.strip().splitlines()[-1], "basalt", work
    finally:
        subprocess.run(["bash", str(script), "stop", work], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def cluster():
    """(conf, pool) of a Ceph cluster."""
    conf, pool = os.environ.get("BASALT_RADOS_CONF"), os.environ.get("BASALT_RADOS_POOL")
    if conf and pool:
        yield conf, pool
        return
    for conf, pool, _ in _dev_cluster(1):
        yield conf, pool


@pytest.fixture(scope="module")
def cluster3():
    """(conf, pool, run directory) of a throw-away cluster of three OSDs and three replicas, for a test that
    kills one (its PID is in DIR/run/osd.N.pid)."""
    yield from _dev_cluster(3)


def _start_frontends(conf, pool, servers, n, namespace=None, extra=()):
    namespace = namespace or "e2e-%s-" % uuid.uuid4().hex[:12]
    urls = []
    for _ in range(n):
        server = _Server()
        servers.append(server)
        urls.append(server.start(BINARY, args=("--engine=rados", "--rados-conf", conf, "--rados-pool", pool,
                                               "--rados-namespace", namespace) + tuple(extra)))
    return urls, namespace


@pytest.fixture
def frontends(cluster):
    """start(n, namespace=None) -> n Basalt front-ends on one pool and RADOS namespace; stopped by PID."""
    conf, pool = cluster
    servers = []

    def start(n, namespace=None, extra=()):
        return _start_frontends(conf, pool, servers, n, namespace, extra)

    start.servers = servers  # in start order, for tests that stop one
    yield start
    for server in servers:
        server.stop()


def create_table(client, name, more_attributes=(), **extra):
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}] + list(more_attributes), **extra)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


def test_without_its_module_the_rados_engine_is_refused_saying_where_it_looked():
    """The rados engine is a module, libbasalt_rados.so, loaded only for --engine=rados (a Basalt on
    RocksDB does not map librados): one that cannot find it says where it looked, and exits."""
    if os.environ.get("BASALT_ENDPOINT"):
        pytest.skip("starts its own Basalt; BASALT_ENDPOINT is set")
    if not (BINARY.parent / "libbasalt_rados.so").exists():
        pytest.skip("built without librados: no module beside the binary")
    env = dict(os.environ, BASALT_RADOS_MODULE="/nonexistent/libbasalt_rados.so")
    p = subprocess.run([str(BINARY), "--host", "127.0.0.1", "--port", "0", "--engine=rados", "--rados-pool", "basalt"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode(errors="replace")
    assert p.returncode != 0, out
    assert ("--engine=rados needs the rados engine module, libbasalt_rados.so: "
            "not found at /nonexistent/libbasalt_rados.so") in out, out


def test_a_write_through_one_front_end_is_read_through_the_other(frontends):
    # The second front-end starts after the table exists (it reads the
    # catalog at start; test_table_changes_... covers one already running).
    (a,), namespace = frontends(1)
    ca = make_client(a)
    name = unique("t")
    create_table(ca, name)
    (b,), _ = frontends(1, namespace)
    cb = make_client(b)
    for i in range(5):
        ca.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"S": "from a %d" % i}})
    cb.put_item(TableName=name, Item={"pk": {"S": "q"}, "sk": {"N": "1"}, "v": {"S": "from b"}})

    got = cb.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"N": "3"}}, ConsistentRead=True)
    assert got["Item"]["v"] == {"S": "from a 3"}
    page = cb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                    ScanIndexForward=False, Limit=2)
    assert [it["sk"]["N"] for it in page["Items"]] == ["4", "3"]
    rest = cb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                    ScanIndexForward=False, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [it["sk"]["N"] for it in rest["Items"]] == ["2", "1", "0"]
    got = ca.get_item(TableName=name, Key={"pk": {"S": "q"}, "sk": {"N": "1"}}, ConsistentRead=True)
    assert got["Item"]["v"] == {"S": "from b"}
    scanned = sorted((it["pk"]["S"], it["sk"]["N"]) for it in ca.scan(TableName=name)["Items"])
    assert scanned == [("p", "0"), ("p", "1"), ("p", "2"), ("p", "3"), ("p", "4"), ("q", "1")]


def test_concurrent_updates_through_two_front_ends_lose_nothing(frontends):
    # Each UpdateItem is a compare-and-set on the partition's version in
    # RADOS, so increments racing through two processes all count.
    (a,), namespace = frontends(1)
    name = unique("t")
    create_table(make_client(a), name)
    (b,), _ = frontends(1, namespace)
    per_thread, errors = 25, []

    def add(url):
        client = make_client(url)
        try:
            for _ in range(per_thread):
                client.update_item(TableName=name, Key={"pk": {"S": "counter"}, "sk": {"N": "0"}},
                                   UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": {"N": "1"}})
        except Exception as e:  # reported below, with the count
            errors.append(repr(e))

    threads = [threading.Thread(target=add, args=(url,)) for url in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = make_client(b).get_item(TableName=name, Key={"pk": {"S": "counter"}, "sk": {"N": "0"}}, ConsistentRead=True)
    assert got["Item"]["n"] == {"N": str(4 * per_thread)}


def test_conditional_put_is_decided_in_rados_across_front_ends(frontends):
    (a,), namespace = frontends(1)
    name = unique("t")
    create_table(make_client(a), name)
    (b,), _ = frontends(1, namespace)
    item = {"pk": {"S": "once"}, "sk": {"N": "1"}}
    make_client(a).put_item(TableName=name, Item=item, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(Exception) as excinfo:
        make_client(b).put_item(TableName=name, Item=item, ConditionExpression="attribute_not_exists(pk)")
    assert "ConditionalCheckFailedException" in str(excinfo.value)


def test_data_outlives_the_front_end(frontends):
    (a,), namespace = frontends(1)
    ca = make_client(a)
    name = unique("t")
    create_table(ca, name, more_attributes=[{"AttributeName": "v", "AttributeType": "S"}],
                 GlobalSecondaryIndexes=[{"IndexName": "by_v", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
                                          "Projection": {"ProjectionType": "ALL"}}])
    ca.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "x"}, "sk": {"N": "1"}, "v": {"S": "shared"}}}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "y"}, "sk": {"N": "2"}, "v": {"S": "shared"}}}},
    ])
    (b,), _ = frontends(1, namespace)  # a new process: everything comes from RADOS
    cb = make_client(b)
    got = cb.transact_get_items(TransactItems=[
        {"Get": {"TableName": name, "Key": {"pk": {"S": "x"}, "sk": {"N": "1"}}}},
        {"Get": {"TableName": name, "Key": {"pk": {"S": "y"}, "sk": {"N": "2"}}}},
    ])
    assert [r["Item"]["v"]["S"] for r in got["Responses"]] == ["shared", "shared"]
    by_v = cb.query(TableName=name, IndexName="by_v", KeyConditionExpression="v = :v",
                    ExpressionAttributeValues={":v": {"S": "shared"}})
    assert sorted(it["pk"]["S"] for it in by_v["Items"]) == ["x", "y"]
    assert cb.describe_table(TableName=name)["Table"]["ItemCount"] == 2


def within(seconds, check):
    """Seconds until check() first holds (a ClientError counts as not yet), or None after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if check():
                return time.monotonic() - start
        except ClientError:
            pass
        time.sleep(0.01)
    return None


def test_table_changes_through_one_front_end_are_seen_by_the_other_within_a_second(frontends):
    """The catalog in RADOS with watch/notify: CreateTable, UpdateTable and DeleteTable through one running
    front-end reach the other within a second, and two front-ends never both create one table."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_table(ca, name)
    assert within(1, lambda: cb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE") is not None
    cb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": "1"}})
    assert ca.get_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"N": "1"}}, ConsistentRead=True)["Item"]

    # An update through a, then one through b: each is seen by the other.
    ca.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
    assert within(1, lambda: cb.describe_table(TableName=name)["Table"].get("TableClassSummary", {}).get(
        "TableClass") == "STANDARD_INFREQUENT_ACCESS") is not None
    cb.update_table(TableName=name, BillingMode="PROVISIONED",
                    ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert within(1, lambda: ca.describe_table(TableName=name)["Table"]["ProvisionedThroughput"][
        "WriteCapacityUnits"] == 5) is not None

    ca.delete_table(TableName=name)

    def gone():
        try:
            cb.describe_table(TableName=name)
            return False
        except ClientError as e:
            return e.response["Error"]["Code"] == "ResourceNotFoundException"
    assert within(1, gone) is not None

    # Both create one name at once: one wins, the other is told it exists.
    twin = unique("t")
    outcomes = []

    def create(client):
        try:
            create_table(client, twin)
            outcomes.append("created")
        except ClientError as e:
            outcomes.append(e.response["Error"]["Code"])
    threads = [threading.Thread(target=create, args=(c,)) for c in (ca, cb)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ResourceInUseException", "created"]


def ttl_deleted(url, table):
    """The front-end's TimeToLiveDeletedItemCount for the table, from its /metrics."""
    text = requests.get(url + "/metrics", timeout=10).text
    m = re.search(r'^dynamodb_time_to_live_deleted_item_count_total\{[^}]*table="%s"[^}]*\} (\S+)$' % table,
                  text, re.M)
    return int(float(m.group(1))) if m else 0


def test_one_front_end_sweeps_expired_items_and_another_takes_over_when_it_dies(frontends):
    """The TTL sweeper runs under a lease (a cls_lock with expiry): one front-end deletes the expired items; when it
    dies, the other takes the lease once it lapses and deletes the rest."""
    (a, b), _ = frontends(2, extra=("--ttl-sweep-interval", "1"))
    ca = make_client(a)
    name = unique("t")
    create_table(ca, name)
    ca.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    past = str(int(time.time()) - 100)

    def expire(client, tag, n):
        for i in range(n):
            client.put_item(TableName=name, Item={"pk": {"S": tag}, "sk": {"N": str(i)}, "exp": {"N": past}})

    def left(client):
        return client.scan(TableName=name, ConsistentRead=True, Select="COUNT")["Count"]

    expire(ca, "first", 20)
    assert within(15, lambda: left(ca) == 0) is not None
    counts = {url: ttl_deleted(url, name) for url in (a, b)}
    assert sorted(counts.values()) == [0, 20], counts  # one front-end swept, and nothing twice
    holder = a if counts[a] == 20 else b
    survivor = b if holder == a else a
    frontends.servers[(a, b).index(holder)].stop()
    cs = make_client(survivor)
    expire(cs, "second", 10)
    assert within(20, lambda: left(cs) == 0) is not None
    assert ttl_deleted(survivor, name) == 10


def load_items(client, name, n):
    """Puts n items p0..p(n-1), each in a partition of its own, with an attribute g."""
    for start in range(0, n, 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "p%d" % i}, "sk": {"N": "1"}, "g": {"S": "g%d" % (i % 7)}}}}
            for i in range(start, start + 25)]})


def start_backfill(client, name, n):
    """Loads n items into `name` and adds the GSI byg over their attribute g, whose backfill then runs."""
    load_items(client, name, n)
    client.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                        GlobalSecondaryIndexUpdates=[{"Create": {
                            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])


def index_count(client, name, index="byg"):
    """The entries of the GSI byg (index=None: the items of the table), counted over every page."""
    count, kwargs = 0, {"IndexName": index} if index else {}
    while True:
        page = client.scan(TableName=name, Select="COUNT", **kwargs)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_a_front_end_starting_during_a_backfill_leaves_it_to_the_one_filling(frontends):
    """A GSI backfill runs under a lease: a second front-end that starts while the first fills the index leaves it
    alone, so the index ends with every item."""
    (a,), namespace = frontends(1)
    ca = make_client(a)
    name = unique("t")
    create_table(ca, name)
    n = 3000
    start_backfill(ca, name, n)
    # b starts while a fills byg, and stops soon after: before leases, its
    # start dropped the entries a had made and began a backfill of its own,
    # which its stop cut short, so a finished an index missing those entries.
    frontends(1, namespace)
    time.sleep(0.3)
    frontends.servers[-1].stop()

    def active():
        indexes = ca.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
        return indexes[0]["IndexStatus"] == "ACTIVE"
    assert within(120, active) is not None
    assert index_count(ca, name) == n


def test_a_backfill_whose_front_end_dies_is_finished_by_another(frontends):
    """kill -9 of the front-end filling a new GSI: another front-end, running all along, takes the backfill over once
    its lease (30 s) lapses, without a restart, and the index ends ACTIVE with every item."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_table(ca, name)
    n = 3000
    start_backfill(ca, name, n)
    os.kill(frontends.servers[0].pid, signal.SIGKILL)  # at once: the whole backfill takes about half a second
    frontends.servers[0].proc.wait(timeout=10)

    def status(client):
        return client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"]
    assert within(90, lambda: status(cb) == "ACTIVE") is not None
    assert index_count(cb, name) == n
    assert "filling index byg of %s from the start" % name in frontends.servers[1].log_text()


def metric(url, name):
    """The sum of a counter or gauge's samples on the front-end's /metrics (0 when absent)."""
    total = 0.0
    for line in requests.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def create_gsi_table(client, name):
    create_table(client, name, [{"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexes=[{
        "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])


def gsi_entries(client, name):
    """The GSI byg as {(g, pk, sk): v}, read over every page of a Scan."""
    entries, kwargs = {}, {}
    while True:
        page = client.scan(TableName=name, IndexName="byg", **kwargs)
        for it in page["Items"]:
            entries[(it["g"]["S"], it["pk"]["S"], it["sk"]["N"])] = it.get("v", {}).get("S")
        if "LastEvaluatedKey" not in page:
            return entries
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def expected_gsi(client, name):
    """What byg must hold, derived from a consistent Scan of the table."""
    entries, kwargs = {}, {"ConsistentRead": True}
    while True:
        page = client.scan(TableName=name, **kwargs)
        for it in page["Items"]:
            if "g" in it:
                entries[(it["g"]["S"], it["pk"]["S"], it["sk"]["N"])] = it.get("v", {}).get("S")
        if "LastEvaluatedKey" not in page:
            return entries
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def index_item_count(client, name):
    return client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"]


def test_gsi_entries_follow_single_partition_commits_and_are_read_through_any_front_end(frontends):
    """Asynchronous GSIs (db/index_propagation.h): a write to a table with a GSI commits its item alone (no
    transaction across the item's and the GSI's partitions); its index change is applied after, and a GSI read
    through the other front-end right after the write is answered sees it. The index's ItemCount follows exactly."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_gsi_table(ca, name)
    within(5, lambda: cb.describe_table(TableName=name))
    txns = metric(a, "basalt_rados_txn_committed") + metric(b, "basalt_rados_txn_committed")
    for i in range(60):
        (ca if i % 2 else cb).put_item(TableName=name, Item={
            "pk": {"S": "p%d" % i}, "sk": {"N": "1"}, "g": {"S": "g%d" % (i % 3)}, "v": {"S": "put"}})
        # Each write is read back at once through the other front-end's GSI.
        got = (cb if i % 2 else ca).query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                                          ExpressionAttributeValues={":g": {"S": "g%d" % (i % 3)}})
        assert ("p%d" % i) in [it["pk"]["S"] for it in got["Items"]]
    for i in range(0, 60, 3):  # moves to another GSI partition, updates in place, removals
        ca.update_item(TableName=name, Key={"pk": {"S": "p%d" % i}, "sk": {"N": "1"}},
                       UpdateExpression="SET g = :g, v = :v",
                       ExpressionAttributeValues={":g": {"S": "moved"}, ":v": {"S": "moved"}})
        cb.update_item(TableName=name, Key={"pk": {"S": "p%d" % (i + 1)}, "sk": {"N": "1"}},
                       UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "updated"}})
        ca.update_item(TableName=name, Key={"pk": {"S": "p%d" % (i + 2)}, "sk": {"N": "1"}}, UpdateExpression="REMOVE g")
    cb.delete_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"N": "1"}})
    expected = expected_gsi(ca, name)
    assert len(expected) == 39
    assert gsi_entries(cb, name) == expected
    assert gsi_entries(ca, name) == expected
    # No transaction: each write was one object operation on the item's partition.
    assert metric(a, "basalt_rados_txn_committed") + metric(b, "basalt_rados_txn_committed") == txns
    assert metric(a, "basalt_gsi_changes_applied") + metric(b, "basalt_gsi_changes_applied") >= 121
    assert within(10, lambda: index_item_count(ca, name) == 39) is not None
    # A transaction on the table keeps its items' index changes with them.
    ca.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "t1"}, "sk": {"N": "1"}, "g": {"S": "tx"}}}},
        {"Update": {"TableName": name, "Key": {"pk": {"S": "p1"}, "sk": {"N": "1"}}, "UpdateExpression": "SET g = :g",
                    "ExpressionAttributeValues": {":g": {"S": "tx"}}}}])
    got = cb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                   ExpressionAttributeValues={":g": {"S": "tx"}})
    assert sorted(it["pk"]["S"] for it in got["Items"]) == ["p1", "t1"]


def index_notes(cluster, namespace):
    """The partitions noted in basalt.index-outbox (rados_index_outbox.cc), read with the rados CLI."""
    conf, pool = cluster
    out = subprocess.run(["rados", "-c", conf, "-p", pool, "-N", namespace, "listomapkeys", "basalt.index-outbox"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr  # the object exists from the first note on
    return out.stdout.split()


def test_gsi_entries_converge_under_racing_writes_through_two_front_ends(cluster, frontends):
    """Writers on both front-ends race on a few items, moving them between GSI partitions, rewriting and
    deleting them: once they stop, the GSI holds exactly what the table's items say, through both front-ends,
    the index's ItemCount equals it, and no partition stays noted as holding index changes."""
    (a, b), namespace = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_gsi_table(ca, name)
    within(5, lambda: cb.describe_table(TableName=name))
    errors = []

    def writer(client, seed):
        rnd = random.Random(seed)
        try:
            for n in range(150):
                key = {"pk": {"S": "p%d" % rnd.randrange(12)}, "sk": {"N": "1"}}
                roll = rnd.random()
                if roll < 0.1:
                    client.delete_item(TableName=name, Key=key)
                elif roll < 0.25:
                    client.update_item(TableName=name, Key=key, UpdateExpression="REMOVE g")
                else:
                    client.update_item(TableName=name, Key=key, UpdateExpression="SET g = :g, v = :v",
                                       ExpressionAttributeValues={":g": {"S": "g%d" % rnd.randrange(4)},
                                                                  ":v": {"S": "%d-%d" % (seed, n)}})
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(make_client(url), seed))
               for seed, url in enumerate([a, b, a, b])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    expected = expected_gsi(ca, name)
    assert gsi_entries(ca, name) == expected
    assert gsi_entries(cb, name) == expected
    assert within(10, lambda: index_item_count(cb, name) == len(expected)) is not None
    if shutil.which("rados"):
        # A write that lost a race and then had nothing to write leaves its note for 10 s (rados_index_outbox.cc).
        assert within(25, lambda: index_notes(cluster, namespace) == []) is not None, index_notes(cluster, namespace)


def test_index_changes_a_killed_front_end_left_are_applied_by_another(frontends):
    """kill -9 of a front-end while it writes to a table with a GSI: the other front-end applies the index
    changes the dead one left (the holder of the index-propagation lease, within its lease's 10 s, without a
    read of the GSI), so the GSI and its ItemCount end with every acknowledged write."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_gsi_table(ca, name)
    within(5, lambda: cb.describe_table(TableName=name))
    acked, stop = set(), threading.Event()

    def writer(k):
        client = make_client(a)
        i = 0
        while not stop.is_set():
            pk = "w%d-%d" % (k, i)
            try:
                client.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"N": "1"}, "g": {"S": "g%d" % (i % 5)}})
            except Exception:  # noqa: BLE001 (the front-end died: this write is not acknowledged)
                return
            acked.add(pk)
            i += 1

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    time.sleep(2)
    os.kill(frontends.servers[0].pid, signal.SIGKILL)
    frontends.servers[0].proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) > 50
    # The index's ItemCount is the partitions' counters: it reaches every acknowledged write only once the
    # leftovers are applied, which no read of the GSI did here.
    waited = within(30, lambda: index_item_count(cb, name) >= len(acked))
    assert waited is not None, (index_item_count(cb, name), len(acked))
    entries = gsi_entries(cb, name)
    assert acked <= {pk for (_, pk, _) in entries}
    assert entries == expected_gsi(cb, name)


def test_backups_work_through_any_front_end_and_one_starting_meanwhile_leaves_them_alone(frontends):
    """A backup made through A is described, listed, restored and deleted through B. A front-end starting while A
    copies the backup, and another starting while A loads a restore, leave that work alone (each holds a lease):
    before, their start removed the half-made backup and dropped the half-restored table."""
    (a, b), namespace = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_table(ca, name)
    n = 3000
    load_items(ca, name, n)
    arn = ca.create_backup(TableName=name, BackupName="full")["BackupDetails"]["BackupArn"]
    frontends(1, namespace)  # starts while A copies (about half a second)

    def backup_status(client):
        return client.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]
    assert within(60, lambda: backup_status(cb) == "AVAILABLE") is not None
    assert [s["BackupArn"] for s in cb.list_backups(TableName=name)["BackupSummaries"]] == [arn]
    target = unique("r")
    ca.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    frontends(1, namespace)  # starts while A loads the restore
    assert within(60, lambda: cb.describe_table(TableName=target)["Table"]["TableStatus"] == "ACTIVE") is not None
    assert index_count(cb, target, index=None) == n
    assert cb.describe_table(TableName=target)["Table"]["RestoreSummary"]["SourceBackupArn"] == arn
    cb.delete_backup(BackupArn=arn)

    def gone_on_a():
        try:
            backup_status(ca)
            return False
        except ClientError as e:
            return e.response["Error"]["Code"] == "BackupNotFoundException"
    assert within(5, gone_on_a) is not None


def test_a_client_request_token_holds_across_front_ends(frontends):
    """ClientRequestTokens live in RADOS: a retry through another front-end answers as the first call did and
    applies nothing again; another request with the token is IdempotentParameterMismatch."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("t")
    create_table(ca, name)
    assert within(1, lambda: cb.describe_table(TableName=name)) is not None
    items = [{"Update": {"TableName": name, "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}},
                         "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ca.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    cb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    got = ca.get_item(TableName=name, Key={"pk": {"S": "c"}, "sk": {"N": "1"}}, ConsistentRead=True)["Item"]
    assert got["n"] == {"N": "1"}
    items[0]["Update"]["ExpressionAttributeValues"] = {":one": {"N": "2"}}
    with pytest.raises(ClientError) as mismatch:
        cb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


def test_a_front_end_killed_mid_transaction_leaves_no_half_transfer(frontends):
    """kill -9 of a front-end while it runs transfers (TransactWriteItems across partitions): the other front-end
    never sees money made or lost, finishes the transactions the dead one committed when it meets them, and once
    --rados-txn-timeout has passed aborts those it left pending, so every account can be written again."""
    (a, b), _ = frontends(2, extra=("--rados-txn-timeout", "2"))
    ca, cb = make_client(a), make_client(b)
    name = unique("bank")
    create_table(ca, name)
    accounts = 6
    for i in range(accounts):
        ca.put_item(TableName=name, Item={"pk": {"S": "acct%d" % i}, "sk": {"N": "0"}, "balance": {"N": "100"}})
    assert within(5, lambda: cb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE") is not None

    def total(client):
        """The sum of the balances, read in one TransactGetItems (cancelled while a transaction holds one)."""
        got = client.transact_get_items(TransactItems=[
            {"Get": {"TableName": name, "Key": {"pk": {"S": "acct%d" % i}, "sk": {"N": "0"}}}}
            for i in range(accounts)])["Responses"]
        return sum(int(r["Item"]["balance"]["N"]) for r in got)

    def scanned(client):
        return sum(int(item["balance"]["N"]) for item in client.scan(TableName=name, ConsistentRead=True)["Items"])

    def move(client, frm, to):
        client.transact_write_items(TransactItems=[
            {"Update": {"TableName": name, "Key": {"pk": {"S": "acct%d" % frm}, "sk": {"N": "0"}},
                        "UpdateExpression": "ADD balance :m", "ExpressionAttributeValues": {":m": {"N": "-1"}}}},
            {"Update": {"TableName": name, "Key": {"pk": {"S": "acct%d" % to}, "sk": {"N": "0"}},
                        "UpdateExpression": "ADD balance :p", "ExpressionAttributeValues": {":p": {"N": "1"}}}},
        ])

    done = {"ok": 0, "cancelled": 0}
    stop = threading.Event()

    def transfers(seed):
        client = make_client(a)
        rng = random.Random(seed)
        while not stop.is_set():
            frm = rng.randrange(accounts)
            try:
                move(client, frm, (frm + 1 + rng.randrange(accounts - 1)) % accounts)
                done["ok"] += 1
            except ClientError:
                done["cancelled"] += 1
            except Exception:  # the front-end is gone
                return

    threads = [threading.Thread(target=transfers, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    assert within(10, lambda: done["ok"] >= 20) is not None
    os.kill(frontends.servers[0].pid, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    frontends.servers[0].proc.wait(timeout=10)
    # Plain reads see the committed balances at once; a transactional read may wait out a pending transaction.
    assert scanned(cb) == 100 * accounts, done
    assert within(10, lambda: total(cb) == 100 * accounts) is not None, done
    # Every account can be written again through the survivor (at once, or once the transactions the dead
    # front-end left pending are past their time), and the total still holds.
    for i in range(accounts):
        assert within(10, lambda: move(cb, i, (i + 1) % accounts) is None) is not None, "acct%d stays held" % i
    metrics = [line for line in requests.get(b + "/metrics", timeout=5).text.splitlines()
               if line.startswith("basalt_rados_txn")]
    assert total(cb) == 100 * accounts, (done, metrics)


def read_stream(client, arn):
    """Every record of the stream so far, shard by shard in lineage order, each with its sequence number."""
    records = []
    shards = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    for shard in shards:
        it = client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = client.get_records(ShardIterator=it, Limit=1000)
            records += page["Records"]
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
    return records


def test_streams_through_two_front_ends_keep_every_write_once_in_order_across_a_kill(frontends):
    """Writers through both front-ends, and stream readers through both (each ships what waits, so they take turns
    by the registry's generation); then kill -9 of one front-end and more writes through the other. The stream
    holds one record for every acknowledged write, no record twice, each item's records in the order of its
    writes, and sequence numbers that only grow."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("s")
    create_table(ca, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    arn = ca.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    assert within(5, lambda: cb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE") is not None
    acked = {}  # item -> the values written to it and acknowledged, in order
    stop = threading.Event()
    lock = threading.Lock()

    def writer(w):
        clients = [make_client(a), make_client(b)]
        n = 0
        while not stop.is_set():
            item = "w%d-%d" % (w, n % 5)
            try:
                clients[n % 2].put_item(TableName=name, Item={"pk": {"S": item}, "sk": {"N": "0"},
                                                              "n": {"N": str(n)}})
            except Exception:  # the killed front-end
                n += 1
                continue
            with lock:
                acked.setdefault(item, []).append(str(n))
            n += 1

    def reader(url):
        client = make_client(url, service="dynamodbstreams")
        while not stop.is_set():
            try:
                read_stream(client, arn)
            except Exception:
                return

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    threads += [threading.Thread(target=reader, args=(url,)) for url in (a, b)]
    for t in threads:
        t.start()
    assert within(10, lambda: sum(map(len, acked.values())) >= 150) is not None
    os.kill(frontends.servers[0].pid, signal.SIGKILL)
    frontends.servers[0].proc.wait(timeout=10)
    time.sleep(1)  # writes through the survivor only
    stop.set()
    for t in threads:
        t.join()
    records = read_stream(make_client(b, service="dynamodbstreams"), arn)
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence)
    seen = {}
    for r in records:
        seen.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(r["dynamodb"]["NewImage"]["n"]["N"])
    # A write that reached the dead front-end may have committed without its answer: its record is there,
    # unacknowledged. Every acknowledged write is there once, in order.
    for item, values in acked.items():
        got = seen.get(item, [])
        assert len(got) == len(set(got)), (item, got)
        assert [v for v in got if v in values] == values, (item, got, values)
    assert sum(map(len, acked.values())) > 150


def items_of(client, name):
    """pk -> n of every item of the table."""
    out, kw = {}, {"TableName": name}
    while True:
        page = client.scan(**kw)
        out.update({i["pk"]["S"]: i["n"]["N"] for i in page["Items"]})
        if "LastEvaluatedKey" not in page:
            return out
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def restore_to(client, source, when=None):
    """Restores `source` to `when` (None: the latest restorable time) into a new table; its items."""
    target = unique("r")
    at = {"UseLatestRestorableTime": True} if when is None else {"RestoreDateTime": when}
    client.restore_table_to_point_in_time(SourceTableName=source, TargetTableName=target, **at)
    assert within(60, lambda: client.describe_table(TableName=target)["Table"]["TableStatus"] == "ACTIVE") is not None
    return items_of(client, target)


def test_point_in_time_recovery_enabled_through_one_front_end_logs_the_writes_of_both(frontends):
    """PITR enabled through front-end A while writes go on through B (and A): B takes the setting up and logs
    its writes, the base copy waits until B has acknowledged that, and the window begins when the copy ends. Restores through
    either front-end, to an instant in the window and to the latest, equal what was acknowledged then; a
    disable through B is seen by A."""
    (a, b), _ = frontends(2)
    ca, cb = make_client(a), make_client(b)
    name = unique("p")
    create_table(ca, name)
    assert within(5, lambda: cb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE") is not None
    model = {}
    n = [0]

    def write():
        """One write, mostly through B: a put of a new value or, every fifth, a delete."""
        n[0] += 1
        client = ca if n[0] % 3 == 0 else cb
        pk = "i%d" % (n[0] % 25)
        if n[0] % 5 == 0:
            client.delete_item(TableName=name, Key={"pk": {"S": pk}, "sk": {"N": "0"}})
            model.pop(pk, None)
        else:
            client.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"N": "0"}, "n": {"N": str(n[0])}})
            model[pk] = str(n[0])

    for _ in range(40):
        write()
    enabled = ca.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]

    def window_begun():
        write()
        d = ca.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        earliest = d["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
        # The base copy waited for B's acknowledgement, then moved the window's start to its end.
        return earliest > enabled["EarliestRestorableDateTime"]

    begun = within(15, window_begun)
    d = cb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    for _ in range(40):
        write()
    # A whole second (botocore sends RestoreDateTime so), more than a second into the window, between writes.
    then = int(time.time() + 1.1) + 1
    time.sleep(then + 0.3 - time.time())
    at_then = dict(model)
    for _ in range(40):
        write()
    time.sleep(0.3)
    assert restore_to(cb, name, then) == at_then
    assert restore_to(ca, name) == model
    assert begun is not None
    cb.update_continuous_backups(TableName=name,
                                 PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})

    def disabled_on_a():
        d = ca.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        return d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"

    assert within(5, disabled_on_a) is not None


def test_a_trigger_runs_on_one_front_end_and_another_takes_over_when_it_dies(frontends, tmp_path):
    """A trigger declared on two front-ends invokes its function once per record (the holder of its lease reads
    and invokes; before, each front-end that knew the stream did, so records came twice); after kill -9 of the
    holder the other delivers the writes made since, once the lease lapses (10 s plus the function's 3 s timeout).
    A mapping made through B's Lambda API is got and deleted through A (before, B did not know A's stream)."""
    from test_triggers import Handler
    handler = Handler()
    try:
        name = unique("o")
        triggers = tmp_path / "triggers.json"
        triggers.write_text(json.dumps({"Triggers": [
            {"TableName": name, "FunctionName": handler.url, "BatchSize": 20, "StartingPosition": "TRIM_HORIZON",
             "TimeoutSeconds": 3}]}))
        (a, b), _ = frontends(2, extra=("--triggers-file", str(triggers)))
        ca, cb = make_client(a), make_client(b)
        create_table(ca, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        arn = ca.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        assert within(5, lambda: cb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE") is not None
        first = ["k%d" % i for i in range(100)]
        for i, k in enumerate(first):
            (ca if i % 2 else cb).put_item(TableName=name, Item={"pk": {"S": k}, "sk": {"N": "0"}})
        handler.wait_for_keys(set(first))
        time.sleep(2)  # a second delivery of any record would be there by now
        assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in handler.accepted()) == sorted(first)

        la, lb = make_client(a, service="lambda"), make_client(b, service="lambda")
        uuid = lb.create_event_source_mapping(EventSourceArn=arn, FunctionName=handler.url,
                                              StartingPosition="LATEST", Enabled=False)["UUID"]
        assert la.get_event_source_mapping(UUID=uuid)["EventSourceArn"] == arn
        assert [m["UUID"] for m in la.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]] == [uuid]
        la.delete_event_source_mapping(UUID=uuid)
        with pytest.raises(lb.exceptions.ResourceNotFoundException):
            lb.get_event_source_mapping(UUID=uuid)

        holders = [s for s in frontends.servers if "runs on this front-end now" in s.log_text()]
        assert len(holders) == 1
        holder = holders[0]
        survivor = make_client(b if holder is frontends.servers[0] else a)
        os.kill(holder.pid, signal.SIGKILL)
        holder.proc.wait(timeout=10)
        then = ["k%d" % i for i in range(100, 150)]
        for k in then:
            survivor.put_item(TableName=name, Item={"pk": {"S": k}, "sk": {"N": "0"}})
        got = {r["dynamodb"]["Keys"]["pk"]["S"] for r in handler.wait_for_keys(set(then), timeout=60)}
        assert set(then) <= got
    finally:
        handler.close()


def test_an_osd_killed_during_writes_and_transfers_loses_nothing(cluster3):
    """kill -9 of one of three OSDs under a load of PutItems and TransactWriteItems through two front-ends:
    writes go on once Ceph has marked it down (two replicas are enough), no acknowledged write is lost, and
    no transfer is half applied."""
    conf, pool, work = cluster3
    servers = []
    try:
        (a, b), _ = _start_frontends(conf, pool, servers, 2)
        ca, cb = make_client(a), make_client(b)
        name = unique("osd")
        create_table(ca, name)
        accounts = 6
        for i in range(accounts):
            ca.put_item(TableName=name, Item={"pk": {"S": "acct%d" % i}, "sk": {"N": "0"}, "balance": {"N": "100"}})
        assert within(5, lambda: cb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE") is not None
        acked = {}  # key -> (value, when acknowledged)
        transfers = []  # when acknowledged
        errors = []
        stop = threading.Event()

        def writer(t):
            clients = [make_client(a), make_client(b)]
            n = 0
            while not stop.is_set():
                key = "w%d-%d" % (t, n)
                try:
                    clients[n % 2].put_item(TableName=name, Item={"pk": {"S": key}, "sk": {"N": "0"},
                                                                   "v": {"N": str(n)}})
                    acked[key] = (n, time.monotonic())
                except ClientError as e:
                    errors.append(str(e))
                n += 1

        def transferrer(t):
            clients = [make_client(a), make_client(b)]
            rng = random.Random(t)
            n = 0
            while not stop.is_set():
                frm = rng.randrange(accounts)
                to = (frm + 1 + rng.randrange(accounts - 1)) % accounts
                try:
                    clients[n % 2].transact_write_items(TransactItems=[
                        {"Update": {"TableName": name, "Key": {"pk": {"S": "acct%d" % frm}, "sk": {"N": "0"}},
                                    "UpdateExpression": "ADD balance :m",
                                    "ExpressionAttributeValues": {":m": {"N": "-1"}}}},
                        {"Update": {"TableName": name, "Key": {"pk": {"S": "acct%d" % to}, "sk": {"N": "0"}},
                                    "UpdateExpression": "ADD balance :p",
                                    "ExpressionAttributeValues": {":p": {"N": "1"}}}}])
                    transfers.append(time.monotonic())
                except ClientError as e:  # conflicts between the two front-ends are expected
                    if "TransactionCanceledException" not in str(e):
                        errors.append(str(e))
                n += 1

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(2)]
        threads += [threading.Thread(target=transferrer, args=(t,)) for t in range(2)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        with open(os.path.join(work, "run", "osd.1.pid")) as f:
            os.kill(int(f.read()), signal.SIGKILL)
        killed = time.monotonic()
        time.sleep(12)  # failure detection (4 s grace), peering, and writes after it
        stop.set()
        for t in threads:
            t.join()
        assert not errors, errors[:3]
        after = [k for k, (_, when) in acked.items() if when > killed + 6]
        assert after, "no write was acknowledged after the OSD was down"
        assert [t for t in transfers if t > killed + 6], "no transfer after the OSD was down"
        # Every acknowledged write is there, read through the other front-end and the two OSDs left.
        for key, (value, _) in acked.items():
            got = cb.get_item(TableName=name, Key={"pk": {"S": key}, "sk": {"N": "0"}}, ConsistentRead=True)
            assert got.get("Item", {}).get("v") == {"N": str(value)}, key
        got = cb.transact_get_items(TransactItems=[
            {"Get": {"TableName": name, "Key": {"pk": {"S": "acct%d" % i}, "sk": {"N": "0"}}}}
            for i in range(accounts)])["Responses"]
        assert sum(int(r["Item"]["balance"]["N"]) for r in got) == 100 * accounts, (len(acked), len(transfers))
    finally:
        for server in servers:
            server.stop()
