"""A few flows through the AWS CLI (`aws dynamodb ... --endpoint-url`). Skipped when `aws` is not installed."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import expected, table_name, unique

AWS = shutil.which("aws")

pytestmark = pytest.mark.skipif(AWS is None, reason="AWS CLI (aws) is not installed")


@pytest.fixture(scope="module")
def cli(endpoint, tmp_path_factory):
    home = tmp_path_factory.mktemp("awscli")
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("AWS_"):
            del env[k]
    env.update({
        "AWS_ACCESS_KEY_ID": "fakeAccessKeyId",
        "AWS_SECRET_ACCESS_KEY": "fakeSecretAccessKey",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
    })

    def run(*args, check=True):
        cmd = [AWS, "dynamodb", *args, "--endpoint-url", endpoint, "--output", "json"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if check:
            assert p.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (cmd, p.stdout, p.stderr)
            return json.loads(p.stdout) if p.stdout.strip() else {}
        return p

    return run


def test_cli_table_lifecycle(cli):
    name = table_name("cli")
    out = cli("create-table", "--table-name", name,
              "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
              "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
              "--billing-mode", "PAY_PER_REQUEST")
    try:
        assert out["TableDescription"]["TableName"] == name
        cli("wait", "table-exists", "--table-name", name)
        desc = cli("describe-table", "--table-name", name)["Table"]
        assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}]
        assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        names = cli("list-tables")["TableNames"]
        assert name in names
    finally:
        cli("delete-table", "--table-name", name, check=False)
    p = cli("describe-table", "--table-name", name, check=False)
    assert p.returncode != 0
    assert "ResourceNotFoundException" in p.stderr


def test_cli_item_flow(cli, table_h):
    k = unique("cli")
    item = {"pk": {"S": k}, "n": {"N": "42"}, "l": {"L": [{"S": "x"}, {"BOOL": True}]},
            "ss": {"SS": ["a", "b"]}}
    cli("put-item", "--table-name", table_h, "--item", json.dumps(item))
    got = cli("get-item", "--table-name", table_h, "--key", json.dumps({"pk": {"S": k}}),
              "--consistent-read")["Item"]
    got["ss"]["SS"].sort()
    assert got == item
    out = cli("get-item", "--table-name", table_h, "--key", json.dumps({"pk": {"S": k}}),
              "--projection-expression", "#n", "--expression-attribute-names", json.dumps({"#n": "n"}),
              "--return-consumed-capacity", "TOTAL")
    assert out["Item"] == {"n": {"N": "42"}}
    assert out["ConsumedCapacity"] == {"TableName": table_h, "CapacityUnits": 0.5}
    out = cli("delete-item", "--table-name", table_h, "--key", json.dumps({"pk": {"S": k}}),
              "--return-values", "ALL_OLD")
    assert out["Attributes"]["n"] == {"N": "42"}
    assert cli("get-item", "--table-name", table_h, "--key", json.dumps({"pk": {"S": k}})) == {}


def test_cli_batch_flow(cli, table_h):
    p = unique("cli")
    reqs = {table_h: [{"PutRequest": {"Item": {"pk": {"S": "%s-%d" % (p, i)}}}} for i in range(5)]}
    out = cli("batch-write-item", "--request-items", json.dumps(reqs))
    assert out["UnprocessedItems"] == {}
    keys = {table_h: {"Keys": [{"pk": {"S": "%s-%d" % (p, i)}} for i in range(5)]}}
    out = cli("batch-get-item", "--request-items", json.dumps(keys))
    assert sorted(i["pk"]["S"] for i in out["Responses"][table_h]) == ["%s-%d" % (p, i) for i in range(5)]


def test_cli_validation_error(cli, table_h):
    p = cli("put-item", "--table-name", table_h, "--item", json.dumps({"x": {"S": "no key"}}), check=False)
    assert p.returncode != 0
    assert "ValidationException" in p.stderr
    assert expected("One or more parameter values were invalid: Missing the key pk in the item",
                    "One of the required keys was not given a value") in p.stderr
