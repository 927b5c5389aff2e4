"""Contributor Insights: UpdateContributorInsights, DescribeContributorInsights, ListContributorInsights, and the
rankings of the most accessed and throttled keys (GET /contributor-insights, GET /metrics). Basalt-only: DynamoDB
Local does not implement Contributor Insights' data."""

import time

import pytest
import requests

from conftest import ACCESS_KEY, make_client, raw_call, table_name

pytestmark = pytest.mark.basalt_only


def create(ddb, provisioned=None):
    name = table_name("ci")
    kw = dict(TableName=name,
              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                    {"AttributeName": "sk", "AttributeType": "N"}])
    if provisioned:
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": provisioned, "WriteCapacityUnits": provisioned}
    else:
        kw["BillingMode"] = "PAY_PER_REQUEST"
    ddb.create_table(**kw)
    return name


def test_enable_describe_list_and_disable(private_server):
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    table = create(ddb)
    d = raw_call(server.url, "DescribeContributorInsights", {"TableName": table})
    assert d.status == 200 and d.body == {"TableName": table, "ContributorInsightsStatus": "DISABLED"}
    up = raw_call(server.url, "UpdateContributorInsights", {"TableName": table, "ContributorInsightsAction": "ENABLE"})
    assert up.status == 200
    assert up.body == {"TableName": table, "ContributorInsightsStatus": "ENABLING",
                       "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}
    time.sleep(1.2)
    d = raw_call(server.url, "DescribeContributorInsights", {"TableName": table}).body
    assert d["ContributorInsightsStatus"] == "ENABLED"
    assert [r.split("-")[1] for r in d["ContributorInsightsRuleList"]] == ["PKC", "PKT", "SKC", "SKT"]
    assert all(r.startswith("DynamoDBContributorInsights-") and table in r for r in d["ContributorInsightsRuleList"])
    assert isinstance(d["LastUpdateDateTime"], float)
    listed = raw_call(server.url, "ListContributorInsights", {}).body
    assert listed == {"ContributorInsightsSummaries": [{
        "TableName": table, "ContributorInsightsStatus": "ENABLED",
        "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}]}
    missing = raw_call(server.url, "UpdateContributorInsights",
                       {"TableName": table, "IndexName": "nope", "ContributorInsightsAction": "ENABLE"})
    assert missing.code == "ResourceNotFoundException"
    no_table = raw_call(server.url, "DescribeContributorInsights", {"TableName": "nosuchtable"})
    assert no_table.code == "ResourceNotFoundException"
    bad = raw_call(server.url, "UpdateContributorInsights", {"TableName": table, "ContributorInsightsAction": "ON"})
    assert bad.code == "ValidationException"
    off = raw_call(server.url, "UpdateContributorInsights", {"TableName": table, "ContributorInsightsAction": "DISABLE"})
    assert off.body == {"TableName": table, "ContributorInsightsStatus": "DISABLING"}
    time.sleep(1.2)
    assert raw_call(server.url, "DescribeContributorInsights",
                    {"TableName": table}).body["ContributorInsightsStatus"] == "DISABLED"
    assert requests.get(server.url + "/contributor-insights?access_key=" + ACCESS_KEY + "&table=" + table, timeout=10).status_code == 404


def test_the_most_accessed_and_throttled_keys_are_ranked(private_server):
    server = private_server("--in-memory", "--capacity=enforce")
    ddb = make_client(server.url)
    table = create(ddb, provisioned=2)
    raw_call(server.url, "UpdateContributorInsights", {"TableName": table, "ContributorInsightsAction": "ENABLE"})
    throttled = 0
    # "hot" is written most; a 2 WCU table throttles most of the writes.
    for i in range(12):
        for pk in ["hot"] * 3 + ["warm"]:
            try:
                ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"N": str(i)}})
            except Exception as e:
                assert "ProvisionedThroughputExceededException" in str(e)
                throttled += 1
    assert throttled > 0
    r = requests.get(server.url + "/contributor-insights?access_key=%s&table=%s&top=5" % (ACCESS_KEY, table), timeout=10)
    assert r.status_code == 200
    doc = r.json()
    assert doc["TableName"] == table and doc["WindowSeconds"] == 300
    pkc = doc["Rules"]["PKC"]["Keys"]
    assert pkc[0]["PartitionKey"] == "hot" and pkc[0]["Count"] % 3 == 0  # 3 x 1 WCU a write
    pkt = doc["Rules"]["PKT"]["Keys"]
    assert pkt[0]["PartitionKey"] == "hot"
    assert sum(k["Count"] for k in pkt) == throttled
    assert set(doc["Rules"]["SKC"]["Keys"][0]) == {"PartitionKey", "SortKey", "Count", "MaxOverestimate"}
    metrics = requests.get(server.url + "/metrics", timeout=10).text
    assert ('dynamodb_contributor_insights_key_weight{table="%s",rule="PKT",rank="1",partition_key="hot"}' % table
            in metrics)


def test_partiql_requests_are_not_recorded(private_server):
    """The service: "PartiQL requests and DAX cache hits are not recorded." The same reads and writes through the
    item operations are."""
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    table = create(ddb)
    raw_call(server.url, "UpdateContributorInsights", {"TableName": table, "ContributorInsightsAction": "ENABLE"})

    def keys():
        r = requests.get(server.url + "/contributor-insights?access_key=%s&table=%s&top=10" % (ACCESS_KEY, table),
                         timeout=10)
        assert r.status_code == 200
        return sorted(k["PartitionKey"] for k in r.json()["Rules"]["PKC"]["Keys"])

    t = '"%s"' % table
    ddb.execute_statement(Statement="INSERT INTO %s VALUE {'pk': 'pql', 'sk': 1}" % t)
    ddb.execute_statement(Statement="UPDATE %s SET v = 1 WHERE pk = 'pql' AND sk = 1" % t)
    ddb.execute_statement(Statement="SELECT * FROM %s WHERE pk = 'pql'" % t)
    ddb.execute_statement(Statement="SELECT * FROM %s WHERE pk = 'pql' AND sk = 1" % t)
    ddb.batch_execute_statement(Statements=[{"Statement": "INSERT INTO %s VALUE {'pk': 'pql', 'sk': 2}" % t}])
    ddb.execute_transaction(TransactStatements=[
        {"Statement": "UPDATE %s SET v = 2 WHERE pk = 'pql' AND sk = 2" % t}])
    ddb.execute_statement(Statement="DELETE FROM %s WHERE pk = 'pql' AND sk = 2" % t)
    ddb.execute_transaction(TransactStatements=[{"Statement": "SELECT * FROM %s WHERE pk = 'pqltx' AND sk = 1" % t}])
    assert keys() == []
    ddb.put_item(TableName=table, Item={"pk": {"S": "api"}, "sk": {"N": "1"}})
    ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "pql"}})
    ddb.transact_write_items(TransactItems=[{"Update": {"TableName": table, "Key": {"pk": {"S": "tx"}, "sk": {"N": "1"}},
                                                        "UpdateExpression": "SET v = :v",
                                                        "ExpressionAttributeValues": {":v": {"N": "1"}}}}])
    ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": {"pk": {"S": "txget"}, "sk": {"N": "1"}}}}])
    assert keys() == ["api", "pql", "tx", "txget"]


def ranked(server, table, index=None, rule="PKC"):
    url = server.url + "/contributor-insights?access_key=%s&table=%s&top=10" % (ACCESS_KEY, table)
    if index:
        url += "&index=" + index
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    return {(k["PartitionKey"], k.get("SortKey")): k["Count"] for k in r.json()["Rules"][rule]["Keys"]}


def test_scans_and_gsi_writes_are_recorded_under_the_keys_they_touch(private_server):
    """A Scan counts each item it reads, by its share of the page's read units; a table write counts on a GSI's rules
    under the index's keys (an entry moved from OPEN to CLOSED counts under both)."""
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    table = table_name("cigsi")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "status", "AttributeType": "S"}],
                     GlobalSecondaryIndexes=[{"IndexName": "bystatus",
                                              "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])
    for index in (None, "bystatus"):
        body = {"TableName": table, "ContributorInsightsAction": "ENABLE"}
        if index:
            body["IndexName"] = index
        assert raw_call(server.url, "UpdateContributorInsights", body).status == 200
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "status": {"S": "OPEN"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "status": {"S": "CLOSED"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}, "status": {"S": "OPEN"}})
    assert ranked(server, table, "bystatus") == {("OPEN", None): 9, ("CLOSED", None): 3}
    before = ranked(server, table)
    assert before == {("a", None): 6, ("b", None): 3}
    # Two items of 15 ("a", CLOSED) and 13 bytes ("b", OPEN): one eventually consistent read, 0.5 units, shared.
    a, b = 0.5 * 15 / 28, 0.5 * 13 / 28
    ddb.scan(TableName=table)
    assert ranked(server, table) == {("a", None): pytest.approx(6 + a), ("b", None): pytest.approx(3 + b)}
    ddb.scan(TableName=table, IndexName="bystatus")
    assert ranked(server, table, "bystatus") == {("OPEN", None): pytest.approx(9 + b),
                                                 ("CLOSED", None): pytest.approx(3 + a)}


def test_settings_outlive_a_restart(private_server, tmp_path):
    server = private_server("--data-dir", str(tmp_path / "data"))
    ddb = make_client(server.url)
    table = create(ddb)
    up = raw_call(server.url, "UpdateContributorInsights",
                  {"TableName": table, "ContributorInsightsAction": "ENABLE", "ContributorInsightsMode": "THROTTLED_KEYS"})
    assert up.status == 200
    time.sleep(1.2)
    before = raw_call(server.url, "DescribeContributorInsights", {"TableName": table}).body
    server.stop()
    server = private_server("--data-dir", str(tmp_path / "data"))
    after = raw_call(server.url, "DescribeContributorInsights", {"TableName": table}).body
    assert after == before and after["ContributorInsightsStatus"] == "ENABLED"
    # A table created again under the same name starts with Contributor Insights off.
    ddb = make_client(server.url)
    ddb.delete_table(TableName=table)
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    assert raw_call(server.url, "DescribeContributorInsights", {"TableName": table}).body == {
        "TableName": table, "ContributorInsightsStatus": "DISABLED"}
