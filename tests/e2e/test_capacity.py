"""--capacity=enforce: throttling as DynamoDB does it, seen through boto3.

Each test starts its own Basalt with --capacity=enforce (the `private_server` fixture). Basalt-only: DynamoDB Local
never throttles.
"""

import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, make_client, raw_call, table_name

pytestmark = pytest.mark.basalt_only

TABLE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. Consider increasing "
                 "your provisioning level with the UpdateTable API.")
GSI_MESSAGE = ("The level of configured provisioned throughput for one or more global secondary indexes of the "
               "table was exceeded. Consider increasing your provisioning level for the under-provisioned global "
               "secondary indexes with the UpdateTable API")


@pytest.fixture
def enforcing(private_server):
    return private_server("--in-memory", "--capacity=enforce")


def create(ddb, rcu, wcu, gsi_wcu=None):
    name = table_name("cap")
    kw = dict(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
              ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu})
    if gsi_wcu:
        kw["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        kw["GlobalSecondaryIndexes"] = [{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 100, "WriteCapacityUnits": gsi_wcu}}]
    ddb.create_table(**kw)
    return name


def put(ddb, table, pk, **extra):
    item = {"pk": {"S": pk}}
    item.update({k: {"S": v} for k, v in extra.items()})
    ddb.put_item(TableName=table, Item=item)


def throttled_put(ddb, table, **extra):
    """Puts items until one is throttled (within a few); returns its ClientError with .key set."""
    for i in range(5):
        key = "t%d" % i
        try:
            put(ddb, table, key, **extra)
        except ClientError as e:
            e.key = key
            return e
    pytest.fail("no write was throttled")


def test_without_retries_a_throttled_write_gets_the_services_error_and_is_not_applied(enforcing):
    ddb = make_client(enforcing.url)  # one attempt: no retries
    table = create(ddb, 1, 1)
    # The table holds one second of capacity (a little more by the time it is first used).
    e = throttled_put(ddb, table)
    err = e.response["Error"]
    assert err["Code"] == "ProvisionedThroughputExceededException"
    assert err["Message"] == TABLE_MESSAGE
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    time.sleep(1.2)
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": e.key}})
    # The raw body carries the reasons (botocore 1.29 does not model them).
    put(ddb, table, "c")
    r = raw_call(enforcing.url, "PutItem", {"TableName": table, "Item": {"pk": {"S": "d"}}})
    assert r.status == 400
    assert r.body["__type"] == "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
    assert r.body["message"] == TABLE_MESSAGE
    assert r.body["ThrottlingReasons"] == [{
        "reason": "TableWriteProvisionedThroughputExceeded",
        "resource": "arn:aws:dynamodb:us-east-1:" + ACCOUNT + ":table/" + table}]


def test_a_gsi_that_cannot_keep_up_throttles_the_tables_writes(enforcing):
    ddb = make_client(enforcing.url)
    table = create(ddb, 10, 100, gsi_wcu=1)
    e = throttled_put(ddb, table, g="x", data="y" * 3000)  # 3 WCU a write on a GSI with 1
    assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert e.response["Error"]["Message"] == GSI_MESSAGE
    put(ddb, table, "c")  # not in the GSI: not held back by it


def test_a_hot_gsi_partition_throttles_the_tables_writes(enforcing):
    """A GSI's entries live in its partitions by the GSI key: a low-cardinality key (every item "OPEN") is one
    partition of 1,000 WCU, which holds the table's writes back though table and GSI have 20,000 WCU each."""
    ddb = make_client(enforcing.url)
    table = create(ddb, 10, 20000, gsi_wcu=20000)
    data = "y" * 2500  # 3 WCU on the table and 3 on the GSI

    def load(prefix, g_of):
        unprocessed = 0
        for b in range(60):
            items = [{"PutRequest": {"Item": {"pk": {"S": "%s%d" % (prefix, b * 25 + i)}, "g": {"S": g_of(b * 25 + i)},
                                              "data": {"S": data}}}} for i in range(25)]
            try:
                out = ddb.batch_write_item(RequestItems={table: items})
                unprocessed += len(out.get("UnprocessedItems", {}).get(table, []))
            except ClientError as e:  # every item of the batch throttled
                assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
                assert e.response["Error"]["Message"] == GSI_MESSAGE
                unprocessed += 25
        return unprocessed

    assert load("hot", lambda i: "OPEN") > 500  # 1,500 writes, 4,500 WCU on one GSI partition
    time.sleep(3)  # its debt repaid
    assert load("spread", lambda i: "g%d" % i) == 0  # the same load over 1,500 GSI key values


def test_a_throttled_transaction_is_cancelled_with_its_reasons(enforcing):
    ddb = make_client(enforcing.url)
    table = create(ddb, 1, 2)
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": k}}}} for k in ("a", "b")]
    ddb.transact_write_items(TransactItems=items)  # 2 x 1 KB x 2 = 4 WCU: the table goes into debt
    r = raw_call(enforcing.url, "TransactWriteItems", {"TransactItems": items})
    assert r.code == "TransactionCanceledException"
    assert r.body["Message"] == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                                 "[ProvisionedThroughputExceeded, ProvisionedThroughputExceeded]")
    assert r.body["CancellationReasons"] == [{"Code": "ProvisionedThroughputExceeded", "Message": TABLE_MESSAGE}] * 2


def test_batch_write_returns_throttled_requests_unprocessed(enforcing):
    ddb = make_client(enforcing.url)
    table = create(ddb, 1, 1)
    requests = [{"PutRequest": {"Item": {"pk": {"S": k}}}} for k in "abcdefgh"]
    out = ddb.batch_write_item(RequestItems={table: requests})
    # The table holds about one unit: the first request or two are written, the rest come back.
    unprocessed = out["UnprocessedItems"][table]
    written = len(requests) - len(unprocessed)
    assert 1 <= written <= 2 and unprocessed == requests[written:]
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == written
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={table: unprocessed})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_partiql_reads_and_writes_are_throttled(enforcing):
    ddb = make_client(enforcing.url)
    table = create(ddb, 1, 1)
    put(ddb, table, "a")
    time.sleep(1.2)
    select = 'SELECT * FROM "%s" WHERE pk = \'a\'' % table
    errors = []
    for _ in range(5):  # strongly consistent: 1 RCU each, on a table of 1 RCU a second
        try:
            assert ddb.execute_statement(Statement=select, ConsistentRead=True)["Items"] == [{"pk": {"S": "a"}}]
        except ClientError as e:
            errors.append(e.response["Error"])
    assert errors and errors[0] == {"Code": "ProvisionedThroughputExceededException", "Message": TABLE_MESSAGE}
    # In a batch, a throttled statement fails alone with the batch's own code.
    time.sleep(1.2)
    inserts = [{"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'n%d'}" % (table, i)} for i in range(6)]
    codes = [r.get("Error", {}).get("Code") for r in ddb.batch_execute_statement(Statements=inserts)["Responses"]]
    assert codes[0] is None and "ProvisionedThroughputExceeded" in codes, codes
    assert set(codes) <= {None, "ProvisionedThroughputExceeded"}, codes


def test_with_the_default_retries_a_throttled_workload_completes(enforcing):
    # boto3's default retry policy for DynamoDB (legacy mode, 10 attempts, exponential back-off).
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name=REGION)
    ddb = session.client("dynamodb", endpoint_url=enforcing.url)
    table = create(make_client(enforcing.url), 5, 5)
    for i in range(30):  # 30 writes against 5 WCU: most of them are throttled at first
        put(ddb, table, "k%d" % i)
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 30
    metrics = raw_call(enforcing.url, "DescribeTable", {"TableName": table})
    assert metrics.status == 200


def test_five_wcu_sustain_five_writes_a_second_plus_burst(enforcing):
    """A table with 5 WCU: it starts with one second of capacity and keeps what it does not use (burst), so by
    time T after its creation it has taken 5 + 5 T writes of 1 KB. The window is 4 s idle (20 units of burst)
    and 10 s of writing as fast as two clients can, about 15 s in all; the count is within 10% of 5 + 5 T."""
    ddb = make_client(enforcing.url)
    table = create(ddb, 5, 5)
    created = time.monotonic()
    time.sleep(4)
    ok = [0, 0]
    stop = time.monotonic() + 10

    def writer(slot):
        client = make_client(enforcing.url)
        i = 0
        while time.monotonic() < stop:
            i += 1
            try:
                put(client, table, "w%d-%d" % (slot, i))
                ok[slot] += 1
            except ClientError as e:
                assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - created
    expected = 5 + 5 * elapsed
    written = sum(ok)
    print("5 WCU: %d writes in %.1f s since creation, expected %.1f (%.1f/s after the burst)" %
          (written, elapsed, expected, (written - 25) / 10))
    assert abs(written - expected) <= 0.1 * expected
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == written
