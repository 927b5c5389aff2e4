"""Stream triggers (Lambda event source mappings run locally): --trigger, --triggers-file and Lambda's
CreateEventSourceMapping/ListEventSourceMappings/GetEventSourceMapping/DeleteEventSourceMapping on the same port.

Each test starts its own Basalt with triggers pointing at a Python HTTP handler in this process and/or a command
(`cmd:`), then checks what the handlers received against what was written: every INSERT/MODIFY/REMOVE in order, in
batches of the requested size, a failing record bisected out to the on-failure destination, and a restart that
resumes after the last acknowledged batch with no gap.
"""

import http.server
import json
import pathlib
import tempfile
import threading
import time

import pytest

from conftest import make_client

pytestmark = pytest.mark.basalt_only


class Handler:
    """A web handler like a Lambda function behind an HTTP endpoint: records each event it gets; fails (HTTP 500)
    any batch holding a key in `poison`; with `partial`, answers {"batchItemFailures"} for poisoned records instead;
    sleeps `delay` seconds per batch."""

    def __init__(self):
        self.batches = []
        self.lock = threading.Lock()
        self.poison = set()
        self.partial = False
        self.delay = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = json.loads(body)
                if outer.delay:
                    time.sleep(outer.delay)
                bad = [r for r in event["Records"] if r["dynamodb"]["Keys"]["pk"]["S"] in outer.poison]
                status, answer = 200, b""
                if bad and outer.partial:
                    answer = json.dumps({"batchItemFailures": [
                        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in bad]}).encode()
                elif bad:
                    status = 500
                with outer.lock:
                    outer.batches.append((status, event["Records"]))
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/invoke" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self):
        """The records of the batches answered 2xx, in delivery order (a partial answer's good records too)."""
        with self.lock:
            out = []
            for status, records in self.batches:
                if status == 200:
                    out.extend(r for r in records if r["dynamodb"]["Keys"]["pk"]["S"] not in self.poison)
            return out

    def wait_for(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.accepted()) >= n:
                return self.accepted()
            time.sleep(0.05)
        return self.accepted()

    def wait_for_keys(self, keys, timeout=60):
        """The accepted records once every pk in `keys` is among them. Delivery is at least once, so a
        count would be reached early by records that came twice."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            records = self.accepted()
            if keys <= {r["dynamodb"]["Keys"]["pk"]["S"] for r in records}:
                return records
            time.sleep(0.05)
        return self.accepted()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def handler():
    h = Handler()
    yield h
    h.close()


def create_streamed_table(ddb, name):
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def write_lifecycles(ddb, table, writers, keys_per_writer, prefix="w"):
    """`writers` threads, each putting, updating and deleting its own keys: per key INSERT, MODIFY, REMOVE."""
    errors = []

    def work(w):
        try:
            for i in range(keys_per_writer):
                pk = "%s%d-%d" % (prefix, w, i)
                ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": "1"}})
                ddb.update_item(TableName=table, Key={"pk": {"S": pk}}, UpdateExpression="SET v = :v",
                                ExpressionAttributeValues={":v": {"N": "2"}})
                ddb.delete_item(TableName=table, Key={"pk": {"S": pk}})
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def check_lifecycles(records, expected_keys):
    """Every key's INSERT, MODIFY, REMOVE once each and in order, and sequence numbers rising throughout."""
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "records out of order or repeated"
    events = {}
    for r in records:
        events.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(r["eventName"])
    assert set(events) == set(expected_keys)
    bad = {k: v for k, v in events.items() if v != ["INSERT", "MODIFY", "REMOVE"]}
    assert not bad, "keys with missing or misordered events: %s" % list(bad.items())[:5]


def read_json_lines(path, timeout=30, n=1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = pathlib.Path(path)
        if p.exists():
            lines = [json.loads(l) for l in p.read_text().splitlines() if l.strip()]
            if len(lines) >= n:
                return lines
        time.sleep(0.05)
    return []


def test_http_and_command_triggers_get_every_change_in_order_under_8_writers(private_server, handler, tmp_path):
    events_file = tmp_path / "cmd-events.jsonl"
    triggers = tmp_path / "triggers.json"
    triggers.write_text(json.dumps({"Triggers": [
        {"TableName": "orders", "FunctionName": handler.url, "BatchSize": 25, "MaximumBatchingWindowInSeconds": 1,
         "StartingPosition": "TRIM_HORIZON"},
    ]}))
    server = private_server("--in-memory", "--triggers-file", str(triggers),
                            "--trigger", "orders=cmd:cat >> %s; echo >> %s" % (events_file, events_file))
    ddb = make_client(server.url)
    arn = create_streamed_table(ddb, "orders")
    writers, keys = 8, 25
    write_lifecycles(ddb, "orders", writers, keys)
    expected_keys = {"w%d-%d" % (w, i) for w in range(writers) for i in range(keys)}
    total = writers * keys * 3

    records = handler.wait_for(total)
    assert len(records) == total
    check_lifecycles(records, expected_keys)
    r = records[0]
    assert set(r) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"}
    assert (r["eventVersion"], r["eventSource"], r["awsRegion"], r["eventSourceARN"]) == (
        "1.1", "aws:dynamodb", "us-east-1", arn)
    assert set(r["dynamodb"]) == {"ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes",
                                  "StreamViewType"}
    assert r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES" and r["dynamodb"]["NewImage"]["v"] == {"N": "1"}
    modify = next(x for x in records if x["eventName"] == "MODIFY")
    assert modify["dynamodb"]["OldImage"]["v"] == {"N": "1"} and modify["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    # Batches of the requested size: full while records were waiting, never more.
    sizes = [len(b) for _, b in handler.batches]
    assert max(sizes) == 25 and sum(sizes) == total
    assert sum(1 for s in sizes if s == 25) >= total // 25 - 2, sizes

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:  # the command may be part-way through writing a line
            lines = [json.loads(l) for l in events_file.read_text().splitlines() if l.strip()]
        except (OSError, ValueError):
            lines = []
        cmd_records = [r for e in lines for r in e["Records"]]
        if len(cmd_records) >= total:
            break
        time.sleep(0.05)
    assert len(cmd_records) == total
    check_lifecycles(cmd_records, expected_keys)
    assert max(len(e["Records"]) for e in lines) <= 100  # the default BatchSize; no window: what is there


def test_failing_record_is_bisected_out_to_the_failure_destination(private_server, handler, tmp_path):
    failed = tmp_path / "failed.jsonl"
    triggers = tmp_path / "triggers.json"
    triggers.write_text(json.dumps({"Triggers": [
        {"TableName": "payments", "FunctionName": handler.url, "BatchSize": 8, "MaximumBatchingWindowInSeconds": 2,
         "BisectBatchOnFunctionError": True, "MaximumRetryAttempts": 1,
         "DestinationConfig": {"OnFailure": {"Destination": "file://%s" % failed}}},
    ]}))
    handler.poison = {"p5"}
    server = private_server("--in-memory", "--triggers-file", str(triggers))
    ddb = make_client(server.url)
    create_streamed_table(ddb, "payments")
    for i in range(8):
        ddb.put_item(TableName="payments", Item={"pk": {"S": "p%d" % i}})

    good = handler.wait_for(7)
    assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in good) == ["p%d" % i for i in range(8) if i != 5]
    lines = read_json_lines(failed)
    assert len(lines) == 1
    line = lines[0]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in line["Records"]] == ["p5"]
    assert line["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert line["requestContext"]["approximateInvokeCount"] == 2  # the first try and one retry
    info = line["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == line["Records"][0]["dynamodb"]["SequenceNumber"]
    assert info["shardId"].startswith("shardId-")
    # The batches the handler saw: p0-p7 fails; p0-p3 succeeds; p4-p7 fails; p4-p5 fails; p4 succeeds; p5 fails
    # twice (a try and a retry); p6-p7 succeeds.
    sizes = [len(b) for _, b in handler.batches]
    assert sizes == [8, 4, 4, 2, 1, 1, 1, 2], sizes


def test_restart_mid_stream_resumes_after_the_last_acknowledged_batch(private_server, handler, tmp_path):
    data = tmp_path / "data"
    flags = ("--data-dir", str(data), "--trigger", "ledger=" + handler.url)
    handler.delay = 0.02
    server = private_server(*flags)
    ddb = make_client(server.url)
    create_streamed_table(ddb, "ledger")
    stop_writing = threading.Event()
    written = []

    def writer():
        i = 0
        while not stop_writing.is_set() or i < 300:
            try:
                ddb.put_item(TableName="ledger", Item={"pk": {"S": "k%05d" % i}})
                written.append(i)
                i += 1
            except Exception:
                if stop_writing.is_set():
                    return
                time.sleep(0.01)

    t = threading.Thread(target=writer)
    t.start()
    handler.wait_for(50)
    server.stop()  # SIGTERM while records are still flowing
    delivered_before = len(handler.accepted())
    stop_writing.set()
    t.join()
    server = private_server(*flags)  # same data directory, same trigger
    ddb = make_client(server.url)
    for i in range(len(written), len(written) + 50):
        ddb.put_item(TableName="ledger", Item={"pk": {"S": "k%05d" % i}})
    total = len(written) + 50

    expected = {"k%05d" % i for i in range(total)}
    records = handler.wait_for_keys(expected)
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
    assert set(keys) == expected, "a gap across the restart"
    # At least once: only the batch in flight at the stop may come twice.
    assert len(keys) - len(set(keys)) <= 100
    assert delivered_before < total


def test_event_source_mapping_api_with_partial_batch_responses_and_filters(endpoint_for_mappings, handler):
    url, ddb, lam = endpoint_for_mappings
    arn = create_streamed_table(ddb, "inventory")
    handler.poison = {"i3"}
    handler.partial = True
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=handler.url, StartingPosition="TRIM_HORIZON", BatchSize=10,
        MaximumBatchingWindowInSeconds=1, MaximumRetryAttempts=0, BisectBatchOnFunctionError=True,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    uuid = created["UUID"]
    assert created["EventSourceArn"] == arn and created["BatchSize"] == 10 and created["StartingPosition"] == "TRIM_HORIZON"
    for i in range(6):
        ddb.put_item(TableName="inventory", Item={"pk": {"S": "i%d" % i}})
    ddb.update_item(TableName="inventory", Key={"pk": {"S": "i0"}}, UpdateExpression="SET x = :x",
                    ExpressionAttributeValues={":x": {"S": "y"}})  # a MODIFY: filtered out
    handler.wait_for(7)
    time.sleep(0.5)
    batches = [[r["dynamodb"]["Keys"]["pk"]["S"] for r in b] for _, b in handler.batches]
    assert all(r["eventName"] == "INSERT" for _, b in handler.batches for r in b)  # the MODIFY was filtered out
    # The partial answer names i3: i0..i2 are done, the rest fails and is bisected; [i3] alone fails again and,
    # with no retries, is given up; [i4, i5] succeeds.
    assert batches == [["i0", "i1", "i2", "i3", "i4", "i5"], ["i3"], ["i4", "i5"]], batches

    listed = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=3, Enabled=False)
    assert updated["State"] == "Updating" and updated["BatchSize"] == 3
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=uuid)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(EventSourceArn=arn + "x", FunctionName=handler.url,
                                        StartingPosition="LATEST")


@pytest.fixture
def endpoint_for_mappings(private_server):
    server = private_server("--in-memory")
    return server.url, make_client(server.url), make_client(server.url, service="lambda")
