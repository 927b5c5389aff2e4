"""A stream consumer rebuilds a table from its records alone, while 8 writers change it.

The consumer follows DynamoDB's shard lineage as the Kinesis adapter does: it lists the shards with
DescribeStream, reads a shard only after its parent has ended, reads each shard from TRIM_HORIZON along
NextShardIterator until a closed shard ends, and applies INSERT/MODIFY (NewImage) and REMOVE. Writers use
PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems on a small key set, so items are
changed many times and by several writers. When the writers have stopped and the consumer has caught up,
its copy must equal a Scan of the table.

On Basalt the test also runs on its own server with tiny shards (--stream-shard-records), so that the
consumer crosses many shard boundaries; other tests there check retention, shard paging and a kill -9.
"""

import contextlib
import os
import random
import tempfile
import threading
import time

import pytest

import test_crash
from conftest import make_client, table_name

WRITERS = 8
WRITE_SECONDS = 3.0
KEYS = 60


def create_streamed_table(ddb, name, view="NEW_AND_OLD_IMAGES"):
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        table = ddb.describe_table(TableName=name)["Table"]
        if table["TableStatus"] == "ACTIVE":
            return table["LatestStreamArn"]
        time.sleep(0.1)
    raise AssertionError("table %s did not become ACTIVE" % name)


def all_shards(streams, arn):
    shards, start = [], None
    while True:
        kw = {"StreamArn": arn}
        if start:
            kw["ExclusiveStartShardId"] = start
        desc = streams.describe_stream(**kw)["StreamDescription"]
        shards.extend(desc["Shards"])
        start = desc.get("LastEvaluatedShardId")
        if not start:
            return shards


class Consumer:
    """Reads every shard in lineage order and keeps the table it describes."""

    def __init__(self, streams, arn):
        self.streams, self.arn = streams, arn
        self.items = {}
        self.iterators = {}
        self.ended = set()
        self.records = 0
        self.shards_seen = set()
        self.last_seq = {}  # pk -> sequence number of the last record applied to it

    def apply(self, record):
        ddb = record["dynamodb"]
        pk = ddb["Keys"]["pk"]["S"]
        seq = int(ddb["SequenceNumber"])
        # Per-item order: every record of an item comes after the previous one.
        assert seq > self.last_seq.get(pk, -1), (pk, seq, self.last_seq.get(pk))
        self.last_seq[pk] = seq
        if record["eventName"] == "REMOVE":
            assert pk in self.items, "REMOVE of an item the stream never created: %s" % pk
            assert ddb["OldImage"] == self.items[pk]
            del self.items[pk]
        else:
            if record["eventName"] == "INSERT":
                assert pk not in self.items, "INSERT of an item that exists: %s" % pk
            else:
                assert ddb["OldImage"] == self.items[pk], pk
            self.items[pk] = ddb["NewImage"]
        self.records += 1

    def poll(self):
        """One pass over the readable shards; returns how many records it applied."""
        applied = 0
        shards = all_shards(self.streams, self.arn)
        listed = {s["ShardId"] for s in shards}
        for shard in shards:
            sid = shard["ShardId"]
            self.shards_seen.add(sid)
            if sid in self.ended:
                continue
            parent = shard.get("ParentShardId")
            if parent and parent in listed and parent not in self.ended:
                continue  # the parent's records come first
            it = self.iterators.get(sid)
            if it is None:
                it = self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=sid,
                                                     ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while True:
                page = self.streams.get_records(ShardIterator=it, Limit=1000)
                for r in page["Records"]:
                    self.apply(r)
                applied += len(page["Records"])
                nxt = page.get("NextShardIterator")
                if nxt is None:
                    self.ended.add(sid)
                    self.iterators.pop(sid, None)
                    break
                it = nxt
                self.iterators[sid] = it
                if not page["Records"]:
                    break
        return applied


def writer(endpoint, name, seed, stop, errors):
    ddb = make_client(endpoint)
    rng = random.Random(seed)
    try:
        while not stop.is_set():
            k = lambda: {"S": "k%d" % rng.randrange(KEYS)}
            op = rng.random()
            try:
                if op < 0.35:
                    ddb.put_item(TableName=name, Item={"pk": k(), "v": {"N": str(rng.randrange(1000))},
                                                       "w": {"S": "writer%d" % seed}})
                elif op < 0.6:
                    ddb.update_item(TableName=name, Key={"pk": k()}, UpdateExpression="ADD n :one SET w = :w",
                                    ExpressionAttributeValues={":one": {"N": "1"}, ":w": {"S": "writer%d" % seed}})
                elif op < 0.75:
                    ddb.delete_item(TableName=name, Key={"pk": k()})
                elif op < 0.9:
                    keys = {"k%d" % rng.randrange(KEYS) for _ in range(5)}
                    reqs = [{"PutRequest": {"Item": {"pk": {"S": key}, "b": {"N": str(rng.randrange(9))}}}}
                            if rng.random() < 0.7 else {"DeleteRequest": {"Key": {"pk": {"S": key}}}}
                            for key in keys]
                    ddb.batch_write_item(RequestItems={name: reqs})
                else:
                    keys = sorted({"k%d" % rng.randrange(KEYS) for _ in range(3)})
                    ddb.transact_write_items(TransactItems=[
                        {"Update": {"TableName": name, "Key": {"pk": {"S": key}}, "UpdateExpression": "ADD t :one",
                                    "ExpressionAttributeValues": {":one": {"N": "1"}}}} for key in keys])
            except ddb.exceptions.TransactionCanceledException:
                pass  # a conflict with another writer's transaction changes nothing
            except ddb.exceptions.TransactionConflictException:
                pass
    except Exception as e:  # reported by the test
        errors.append(repr(e))


def rebuild_while_writing(endpoint, name):
    ddb = make_client(endpoint)
    streams = make_client(endpoint, service="dynamodbstreams")
    arn = create_streamed_table(ddb, name)
    consumer = Consumer(streams, arn)
    stop = threading.Event()
    errors = []
    threads = [threading.Thread(target=writer, args=(endpoint, name, s, stop, errors), daemon=True)
               for s in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + WRITE_SECONDS
    while time.monotonic() < deadline:
        consumer.poll()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    # Caught up: a pass after the writers stopped that finds nothing new.
    for _ in range(100):
        if consumer.poll() == 0:
            break
    table = {}
    for page in ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
        for item in page["Items"]:
            table[item["pk"]["S"]] = item
    assert consumer.items == table
    assert consumer.records > 100
    return consumer


@pytest.mark.local_differs("when two DeleteItems of one item race, DynamoDB Local writes a second REMOVE record, "
                           "without OldImage, for the delete that found nothing")
def test_consumer_rebuilds_the_table_from_records(endpoint):
    name = table_name("consumer")
    try:
        rebuild_while_writing(endpoint, name)
    finally:
        make_client(endpoint).delete_table(TableName=name)


OWN_SERVER = pytest.mark.skipif(bool(os.environ.get("BASALT_ENDPOINT")),
                                reason="starts its own Basalt; BASALT_ENDPOINT is set")


@contextlib.contextmanager
def own_basalt(tmp_path, *flags, log="basalt.log"):
    """A Basalt of the test's own on tmp_path/data with extra flags: (server, dynamodb client, streams client)."""
    server = test_crash.Server(tmp_path / "data", "relaxed", tmp_path / log, list(flags))
    try:
        yield server, make_client(server.url), make_client(server.url, service="dynamodbstreams")
    finally:
        server.stop()


@pytest.mark.basalt_only
@OWN_SERVER
def test_consumer_follows_shard_lineage(tmp_path):
    with own_basalt(tmp_path, "--stream-shard-records", "100") as (server, _, _):
        consumer = rebuild_while_writing(server.url, "lineage")
        # Thousands of records in shards of 100: the consumer crossed many shard boundaries.
        assert len(consumer.shards_seen) > 5, len(consumer.shards_seen)
        assert len(consumer.ended) == len(consumer.shards_seen) - 1  # every shard but the open one ended


@pytest.mark.basalt_only
@OWN_SERVER
def test_records_past_retention_are_trimmed(tmp_path):
    with own_basalt(tmp_path, "--stream-retention", "2") as (_, ddb, streams):
        arn = create_streamed_table(ddb, "kept")
        ddb.put_item(TableName="kept", Item={"pk": {"S": "old"}})
        shard = all_shards(streams, arn)[0]["ShardId"]
        early = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        old_seq = streams.get_records(ShardIterator=early)["Records"][0]["dynamodb"]["SequenceNumber"]
        time.sleep(3.5)  # past the retention; the shipper trims at least every half second
        ddb.put_item(TableName="kept", Item={"pk": {"S": "new"}})
        with pytest.raises(streams.exceptions.TrimmedDataAccessException):
            streams.get_records(ShardIterator=early)
        with pytest.raises(streams.exceptions.TrimmedDataAccessException):
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber=old_seq)
        horizon = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = streams.get_records(ShardIterator=horizon)["Records"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["new"]


@pytest.mark.basalt_only
@OWN_SERVER
def test_describe_stream_pages_through_shards(tmp_path):
    with own_basalt(tmp_path, "--stream-shard-records", "2") as (_, ddb, streams):
        arn = create_streamed_table(ddb, "paged")
        for i in range(9):
            ddb.put_item(TableName="paged", Item={"pk": {"S": "k%d" % i}})
        whole = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        assert len(whole) == 5  # 2, 2, 2, 2 and 1 records
        assert "ParentShardId" not in whole[0]
        for parent, child in zip(whole, whole[1:]):
            assert child["ParentShardId"] == parent["ShardId"]
            assert int(parent["SequenceNumberRange"]["EndingSequenceNumber"]) < \
                int(child["SequenceNumberRange"]["StartingSequenceNumber"])
        assert "EndingSequenceNumber" not in whole[-1]["SequenceNumberRange"]
        paged, start = [], None
        while True:
            kw = {"StreamArn": arn, "Limit": 2}
            if start:
                kw["ExclusiveStartShardId"] = start
            desc = streams.describe_stream(**kw)["StreamDescription"]
            assert len(desc["Shards"]) <= 2
            paged += desc["Shards"]
            start = desc.get("LastEvaluatedShardId")
            if not start:
                break
            assert start == desc["Shards"][-1]["ShardId"]
        assert paged == whole


@pytest.mark.basalt_only
@OWN_SERVER
def test_every_acknowledged_write_has_its_record_after_sigkill(tmp_path):
    """Records are committed with their writes: after a kill -9 and a restart, the stream holds exactly one
    record per acknowledged write (the writes in flight at the kill may or may not be there), in order."""
    data = tmp_path / "data"
    first = test_crash.Server(data, "relaxed", tmp_path / "basalt.log", ["--stream-shard-records", "500"])
    acked = {}  # writer -> last value acknowledged
    try:
        ddb = make_client(first.url)
        arn = create_streamed_table(ddb, "crashy")
        stop = threading.Event()

        def write(w):
            client = make_client(first.url)
            for n in range(1, 100000):
                if stop.is_set():
                    return
                try:
                    client.put_item(TableName="crashy", Item={"pk": {"S": "w%d" % w}, "n": {"N": str(n)}})
                except Exception:
                    return
                acked[w] = n

        test_crash.kill_under_load(first, write, WRITERS, stop, seconds=1.5, join_timeout=30)
    finally:
        first.stop()
    with own_basalt(tmp_path, log="basalt2.log") as (_, ddb, streams):
        consumer = Consumer(streams, arn)
        while consumer.poll():
            pass
        assert consumer.records >= sum(acked.values())
        for w, n in acked.items():
            item = consumer.items["w%d" % w]
            # every acknowledged write is there, in order (Consumer.apply checks each OldImage), and at most
            # the one write in flight at the kill comes after it
            assert int(item["n"]["N"]) in (n, n + 1), (w, item, n)
        # a new write after the restart gets a later sequence number than every record before it
        last = max(consumer.last_seq.values())
        ddb.put_item(TableName="crashy", Item={"pk": {"S": "after"}})
        consumer.poll()
        assert consumer.last_seq["after"] > last
