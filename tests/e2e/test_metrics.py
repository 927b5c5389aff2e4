"""GET /metrics: CloudWatch's DynamoDB metrics in the Prometheus text format.

Starts its own Basalt (the `private_server` fixture); `promtool check metrics` lints the output, and a Prometheus
server (Debian's `prometheus`, see scripts/setup.sh) scrapes Basalt and answers PromQL over what it scraped.
Basalt-only.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import pytest
import requests

from conftest import make_client, table_name

pytestmark = pytest.mark.basalt_only


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(url):
    r = requests.get(url + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return r.text


def sample(text, name, **labels):
    """The value of the sample `name` with exactly these labels (None if absent)."""
    want = ",".join('%s="%s"' % kv for kv in labels.items())
    line_start = name + ("{" + want + "}" if labels else "") + " "
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line[len(line_start):])
    return None


def workload(url, capacity="report"):
    ddb = make_client(url)
    table = table_name("met")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3})
    for i in range(4):
        ddb.put_item(TableName=table, Item={"pk": {"S": "k%d" % i}, "data": {"S": "x" * 1500}})  # 2 WCU each
    for i in range(3):
        ddb.get_item(TableName=table, Key={"pk": {"S": "k%d" % i}}, ConsistentRead=True)  # 1 RCU each
    with pytest.raises(Exception):
        ddb.put_item(TableName=table, Item={"pk": {"S": "k0"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(Exception):
        ddb.get_item(TableName=table, Key={"nokey": {"S": "x"}})
    ddb.query(TableName=table, KeyConditionExpression="pk = :k", ExpressionAttributeValues={":k": {"S": "k1"}})
    return ddb, table


def test_metrics_show_what_the_tables_did_and_pass_promtool(private_server):
    server = private_server("--in-memory")
    _, table = workload(server.url)
    text = scrape(server.url)
    # 4 puts of 2 WCU, and the put whose condition failed: 2 WCU all the same (by the existing item)
    assert sample(text, "dynamodb_consumed_write_capacity_units_total", table=table) == 10
    assert sample(text, "dynamodb_consumed_read_capacity_units_total", table=table) == 3 + 0.5  # + the Query
    assert sample(text, "dynamodb_provisioned_read_capacity_units", table=table) == 7
    assert sample(text, "dynamodb_provisioned_write_capacity_units", table=table) == 3
    assert sample(text, "dynamodb_conditional_check_failed_requests_total", table=table) == 1
    assert sample(text, "dynamodb_user_errors_total") == 1  # the bad key; not the failed condition
    assert sample(text, "dynamodb_returned_item_count_total", table=table, operation="Query") == 1
    assert sample(text, "dynamodb_successful_request_latency_seconds_count", table=table, operation="PutItem") == 4
    assert sample(text, "dynamodb_successful_request_latency_seconds_bucket", table=table, operation="GetItem",
                  le="+Inf") == 3
    assert sample(text, "basalt_capacity_enforced") == 0
    assert sample(text, "process_resident_memory_bytes") > 0
    assert sample(text, "basalt_rocksdb_memtable_bytes") is not None
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool not installed (Debian's prometheus package, scripts/setup.sh)")
    check = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    assert check.stdout.decode().strip() == "" and check.stderr.decode().strip() == ""


def test_the_item_cache_counts_its_hits_and_answers_with_the_latest_record(private_server):
    # A put reads its old item (a miss: absent), the first GetItem misses and
    # keeps the item, the next two hit; the UpdateItem's read of the old item
    # hits, and its commit puts the new record back; the last GetItem hits it.
    for flags, cached in ((("--in-memory",), True), (("--in-memory", "--item-cache", "0"), False)):
        server = private_server(*flags)
        ddb = make_client(server.url)
        table = table_name("cache")
        ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        for _ in range(3):
            assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}
        ddb.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="ADD n :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
        assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "2"}
        text = scrape(server.url)
        if cached:
            assert sample(text, "basalt_item_cache_hits_total") == 4
            assert sample(text, "basalt_item_cache_misses_total") == 2
            assert sample(text, "basalt_item_cache_entries") == 1
        else:
            assert sample(text, "basalt_item_cache_hits_total") is None


def test_throttling_shows_in_the_metrics(private_server):
    server = private_server("--in-memory", "--capacity=enforce")
    ddb = make_client(server.url)
    table = table_name("met")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    throttled = 0
    for i in range(10):
        try:
            ddb.put_item(TableName=table, Item={"pk": {"S": "t%d" % i}})
        except Exception as e:
            assert "ProvisionedThroughputExceededException" in str(e)
            throttled += 1
    assert throttled > 0
    text = scrape(server.url)
    assert sample(text, "dynamodb_write_throttle_events_total", table=table) >= throttled
    assert sample(text, "dynamodb_throttle_events_by_limit_total", table=table, limit="ProvisionedThroughput",
                  operation_type="Write") >= throttled
    assert sample(text, "dynamodb_throttled_requests_total", table=table, operation="PutItem") >= throttled
    assert sample(text, "basalt_capacity_enforced") == 1


def test_a_prometheus_server_scrapes_basalt_and_answers_promql(private_server, tmp_path):
    binary = shutil.which("prometheus")
    if not binary:
        pytest.skip("prometheus not installed (Debian's prometheus package, scripts/setup.sh)")
    server = private_server("--in-memory")
    _, table = workload(server.url)
    target = server.url.split("//", 1)[1]
    port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n"
        "scrape_configs:\n  - job_name: basalt\n    static_configs:\n      - targets: ['%s']\n" % target)
    proc = subprocess.Popen([binary, "--config.file=%s" % (tmp_path / "prometheus.yml"),
                             "--storage.tsdb.path=%s" % (tmp_path / "data"),
                             "--web.listen-address=127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = 'sum(dynamodb_consumed_write_capacity_units_total{table="%s"})' % table
        deadline = time.time() + 30
        value = None
        while time.time() < deadline:
            time.sleep(1)
            try:
                r = requests.get("http://127.0.0.1:%d/api/v1/query" % port, params={"query": query}, timeout=5)
            except requests.ConnectionError:
                continue
            result = r.json().get("data", {}).get("result", [])
            if result:
                value = float(result[0]["value"][1])
                break
        assert value == 10
        r = requests.get("http://127.0.0.1:%d/api/v1/query" % port,
                         params={"query": 'dynamodb_successful_request_latency_seconds_count{table="%s",'
                                          'operation="GetItem"}' % table}, timeout=5)
        assert float(r.json()["data"]["result"][0]["value"][1]) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
