"""Transactions under concurrent load: invariants that a broken isolation or atomicity would break.

- Bank: 16 clients move random amounts between 100 accounts with TransactWriteItems (a balance condition
  on the debit) while other clients read pairs of accounts with TransactGetItems and an auditor sums all
  100 accounts in one TransactGetItems: every read sees the same total and no negative balance.
- Unique constraint: clients race to claim the same usernames through guard items; each name is claimed
  exactly once.
- Crash (Basalt only): SIGKILL in the middle of a transactional load; after restart no transaction is
  half applied and every acknowledged one is there.
The numbers of commits, cancellations and conflicts are printed (pytest -s shows them)."""

import collections
import random
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import IS_LOCAL, make_client, table_name, _create_table, _drop_table
import test_crash

ACCOUNTS = 100
START = 1000
TRANSFER_CLIENTS = 16
LOAD_SECONDS = 4


def acct(i):
    return {"S": "acct-%03d" % i}


@pytest.fixture
def bank(endpoint):
    name = table_name("e2e_bank")
    _create_table(endpoint, name)
    client = make_client(endpoint)
    for start in range(0, ACCOUNTS, 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": acct(i), "bal": {"N": str(START)}}}} for i in range(start, start + 25)]})
    yield name
    _drop_table(endpoint, name)


def cancellation_codes(err):
    return [r.get("Code") for r in err.response.get("CancellationReasons", [])]


def test_transfers_keep_the_total_and_no_balance_goes_negative(endpoint, bank):
    stop = threading.Event()
    stats = collections.Counter()
    problems = []
    lock = threading.Lock()

    def count(key, n=1):
        with lock:
            stats[key] += n

    # clients are made before the load: making one takes a while with many busy threads
    clients = [make_client(endpoint) for _ in range(TRANSFER_CLIENTS + 3)]

    def transfer(seed):
        rng = random.Random(seed)
        client = clients[seed]
        while not stop.is_set():
            a, b = rng.sample(range(ACCOUNTS), 2)
            amount = {"N": str(rng.randint(1, 300))}
            try:
                client.transact_write_items(TransactItems=[
                    {"Update": {"TableName": bank, "Key": {"pk": acct(a)}, "UpdateExpression": "SET bal = bal - :x",
                                "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": {":x": amount}}},
                    {"Update": {"TableName": bank, "Key": {"pk": acct(b)}, "UpdateExpression": "SET bal = bal + :x",
                                "ExpressionAttributeValues": {":x": amount}}}])
                count("committed")
            except ClientError as e:
                code = e.response["Error"]["Code"]
                if code == "TransactionCanceledException":
                    for c in cancellation_codes(e):
                        if c != "None":
                            count("cancelled: " + c)
                elif code in ("TransactionConflictException", "TransactionInProgressException"):
                    count(code)
                else:
                    problems.append(e.response)
                    return

    def read_pairs(seed):
        rng = random.Random(seed)
        client = clients[TRANSFER_CLIENTS + seed % 2]
        while not stop.is_set():
            a, b = rng.sample(range(ACCOUNTS), 2)
            try:
                r = client.transact_get_items(TransactItems=[
                    {"Get": {"TableName": bank, "Key": {"pk": acct(a)}}},
                    {"Get": {"TableName": bank, "Key": {"pk": acct(b)}}}])
            except ClientError as e:
                count("pair read cancelled" if e.response["Error"]["Code"] == "TransactionCanceledException"
                      else "pair read error")
                continue
            count("pair reads")
            for resp in r["Responses"]:
                if int(resp["Item"]["bal"]["N"]) < 0:
                    problems.append(("negative balance", resp))

    def audit():
        client = clients[-1]
        while not stop.is_set():
            try:
                r = client.transact_get_items(TransactItems=[
                    {"Get": {"TableName": bank, "Key": {"pk": acct(i)}}} for i in range(ACCOUNTS)])
            except ClientError as e:
                count("audit cancelled" if e.response["Error"]["Code"] == "TransactionCanceledException"
                      else "audit error")
                continue
            balances = [int(x["Item"]["bal"]["N"]) for x in r["Responses"]]
            count("audits")
            if sum(balances) != ACCOUNTS * START or min(balances) < 0:
                problems.append(("audit saw", sum(balances), min(balances)))

    threads = [threading.Thread(target=transfer, args=(s,)) for s in range(TRANSFER_CLIENTS)]
    threads += [threading.Thread(target=read_pairs, args=(100 + s,)) for s in range(2)]
    threads.append(threading.Thread(target=audit))
    for t in threads:
        t.start()
    # at least LOAD_SECONDS, and until the auditor and the pair readers have read a few times
    started = time.monotonic()
    while time.monotonic() - started < 60 and not problems:
        if time.monotonic() - started >= LOAD_SECONDS and stats["audits"] >= 5 and stats["pair reads"] >= 20:
            break
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    print("\nbank: %s" % dict(stats))
    assert not problems, problems[:5]
    assert stats["committed"] > 0 and stats["audits"] > 0 and stats["pair reads"] > 0, dict(stats)

    client = make_client(endpoint)
    items = client.scan(TableName=bank, ConsistentRead=True)["Items"]
    balances = [int(i["bal"]["N"]) for i in items]
    assert len(balances) == ACCOUNTS
    assert sum(balances) == ACCOUNTS * START
    assert min(balances) >= 0


def test_each_username_is_claimed_exactly_once(endpoint, table_h):
    names = ["user%02d-%d" % (i, random.randrange(10**9)) for i in range(20)]
    wins = collections.defaultdict(list)
    stats = collections.Counter()
    problems = []
    lock = threading.Lock()

    def claimer(who):
        client = make_client(endpoint)
        order = names[:]
        random.Random(who).shuffle(order)
        for name in order:
            for _ in range(20):  # retry conflicts; a failed condition is a final answer
                try:
                    client.transact_write_items(TransactItems=[
                        {"Put": {"TableName": table_h, "Item": {"pk": {"S": "guard#" + name}, "owner": {"N": str(who)}},
                                 "ConditionExpression": "attribute_not_exists(pk)"}},
                        {"Put": {"TableName": table_h, "Item": {"pk": {"S": "profile#%d#%s" % (who, name)}}}}])
                    with lock:
                        wins[name].append(who)
                    break
                except ClientError as e:
                    codes = cancellation_codes(e)
                    with lock:
                        stats[",".join(codes) or e.response["Error"]["Code"]] += 1
                    if "ConditionalCheckFailed" in codes:
                        break
                    if e.response["Error"]["Code"] != "TransactionCanceledException":
                        problems.append(e.response)
                        return

    threads = [threading.Thread(target=claimer, args=(w,)) for w in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    print("\nclaims: %s" % dict(stats))
    assert not problems, problems[:3]
    assert sorted(wins) == sorted(names)
    assert all(len(w) == 1 for w in wins.values()), dict(wins)
    client = make_client(endpoint)
    for name, (who,) in wins.items():
        guard = client.get_item(TableName=table_h, Key={"pk": {"S": "guard#" + name}}, ConsistentRead=True)["Item"]
        assert guard["owner"]["N"] == str(who)
        for other in range(12):
            profile = client.get_item(TableName=table_h, Key={"pk": {"S": "profile#%d#%s" % (other, name)}},
                                      ConsistentRead=True).get("Item")
            assert (profile is not None) == (other == who), (name, other, who)


@pytest.mark.basalt_only
@pytest.mark.skipif(test_crash.pytestmark[1].args[0], reason="starts and kills its own Basalt")
def test_no_transaction_is_half_applied_after_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log_path = tmp_path / "basalt.log"
    servers = []
    try:
        first = test_crash.Server(data_dir, "relaxed", log_path)
        servers.append(first)
        conn = test_crash.Conn(first.url)
        status, body = test_crash._post(conn, "CreateTable", {
            "TableName": "txn_crash", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"})
        assert status == 200, body
        conn.close()
        stop = threading.Event()
        acked = collections.defaultdict(int)  # writer -> transactions acknowledged

        def writer(tid):
            conn = test_crash.Conn(first.url, timeout=5)
            seq = 0
            while not stop.is_set():
                seq += 1
                # three items in one transaction: two puts and the writer's counter
                body = {"TransactItems": [
                    {"Put": {"TableName": "txn_crash", "Item": {"pk": {"S": "a#%d#%d" % (tid, seq)}}}},
                    {"Put": {"TableName": "txn_crash", "Item": {"pk": {"S": "b#%d#%d" % (tid, seq)}}}},
                    {"Update": {"TableName": "txn_crash", "Key": {"pk": {"S": "count#%d" % tid}},
                                "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}
                try:
                    status, _ = test_crash._post(conn, "TransactWriteItems", body)
                except test_crash.CONN_ERRORS:
                    return
                if status != 200:
                    return
                acked[tid] = seq
            conn.close()

        test_crash.kill_under_load(first, writer, 6, stop, seconds=1.5)
        assert sum(acked.values()) > 0, first.log()

        second = test_crash.Server(data_dir, "relaxed", log_path)
        servers.append(second)
        conn = test_crash.Conn(second.url)
        items, start = [], None
        while True:
            req = {"TableName": "txn_crash", "ConsistentRead": True}
            if start:
                req["ExclusiveStartKey"] = start
            status, body = test_crash._post(conn, "Scan", req)
            assert status == 200, body
            items += body["Items"]
            start = body.get("LastEvaluatedKey")
            if not start:
                break
        keys = {i["pk"]["S"] for i in items}
        counts = {int(i["pk"]["S"].split("#")[1]): int(i["n"]["N"]) for i in items if i["pk"]["S"].startswith("count#")}
        for tid in range(6):
            applied = counts.get(tid, 0)
            assert applied >= acked[tid], (tid, applied, acked[tid])  # acknowledged ones survived
            for seq in range(1, applied + 1):  # the applied ones are whole
                assert "a#%d#%d" % (tid, seq) in keys and "b#%d#%d" % (tid, seq) in keys, (tid, seq)
            assert "a#%d#%d" % (tid, applied + 1) not in keys and "b#%d#%d" % (tid, applied + 1) not in keys
    finally:
        for s in servers:
            s.stop()
