"""Encryption at rest (--encryption-key-file, BASALT_ENCRYPTION_KEY): nothing written to the data directory
shows a known value in clear, the data reads back after a restart with the key, and a wrong or missing key
(or a key for data written without one) is an error at start, never silent garbage."""

import os
import subprocess

import pytest

from conftest import DEFAULT_BIN, make_client, table_name

pytestmark = pytest.mark.basalt_only

KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]
SECRET_VALUE = "plaintext-canary-3f9a1c-do-not-find-me"


def _grep(directory, needle):
    hits = []
    for root, _, files in os.walk(directory):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                if needle.encode() in fh.read():
                    hits.append(f)
    return hits


def _start_fails(data, env_key, *extra):
    binary = os.environ.get("BASALT_BIN", str(DEFAULT_BIN))
    env = {k: v for k, v in os.environ.items() if k != "BASALT_ENCRYPTION_KEY"}
    if env_key:
        env["BASALT_ENCRYPTION_KEY"] = env_key
    p = subprocess.run([binary, "--port", "0", "--data-dir", str(data)] + list(extra), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    return p.returncode, p.stdout.decode(errors="replace")


def test_data_is_unreadable_without_the_key(private_server, tmp_path, monkeypatch):
    data = tmp_path / "data"
    key_file = tmp_path / "key"
    key_file.write_text("11" * 32 + "\n")
    args = ("--data-dir", str(data), "--durability=sync", "--encryption-key-file", str(key_file))
    srv = private_server(*args)
    c = make_client(srv.url)
    name = table_name("enc")
    c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    for i in range(50):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "v": {"S": SECRET_VALUE}})
    srv.stop()  # flushes memtables to table files too
    assert _grep(data, SECRET_VALUE) == []
    assert _grep(data, name) == []  # table definitions are encrypted as well

    srv = private_server(*args)
    assert make_client(srv.url).get_item(TableName=name, Key={"pk": {"S": "k7"}})["Item"]["v"] == {"S": SECRET_VALUE}
    srv.stop()

    code, out = _start_fails(data, "22" * 32)
    assert code != 0 and "the encryption key does not match" in out, out
    code, out = _start_fails(data, None)
    assert code != 0 and "is encrypted: give its key" in out, out


def test_plain_control_shows_the_value(private_server, tmp_path):
    # The same writes without a key leave the value in clear: the grep above would see it.
    data = tmp_path / "plain"
    srv = private_server("--data-dir", str(data), "--durability=sync")
    c = make_client(srv.url)
    name = table_name("plain")
    c.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    c.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"S": SECRET_VALUE}})
    srv.stop()
    assert _grep(data, SECRET_VALUE) != []
    code, out = _start_fails(data, "11" * 32)
    assert code != 0 and "written without encryption" in out, out
