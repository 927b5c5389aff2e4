"""PartiQL end to end: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Every statement form (SELECT as Query or Scan, on tables and indexes, with projections and ORDER BY; INSERT with
every literal type and parameters; UPDATE with SET/REMOVE, arithmetic, list_append, set_add/set_delete and
RETURNING; DELETE), parameters and their count, pagination with Limit and NextToken, DuplicateItemException,
ConditionalCheckFailedException (with the item for ReturnValuesOnConditionCheckFailure=ALL_OLD), per-statement
errors of BatchExecuteStatement, atomicity, EXISTS and idempotency of ExecuteTransaction, ConsumedCapacity, and the
exact texts of syntax and semantic errors.

The statements' semantics and error texts were checked against DynamoDB Local (which shares its PartiQL
translation code with the service). Where they differ from the reference (shared/reference/partiql.md), the
service wins: `expected(service, local)` for wording, `local_differs` for behaviour. In particular the service
reports a syntax error as "Statement wasn't well formed, can't be processed: <parser message>", where Local puts
the whole statement after the colon; only two parser messages are documented, so the other syntax errors are
checked by their prefix.

The installed botocore does not know ReturnValuesOnConditionCheckFailure (nor BatchStatementError.Item), so the
tests that need it send raw requests.
"""

import re
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import (LOCAL_NOT_FOUND_MSG, MESSAGE_KEY, NOT_FOUND, VALIDATION, _create_table, _drop_table,
                      assert_client_error, constraint_errors, expected, unique)

SYNTAX = "Statement wasn't well formed, can't be processed: "
ANY_SYNTAX = re.compile(re.escape(SYNTAX) + ".*", re.S)
CCF = "ConditionalCheckFailedException"
CCF_MSG = "The conditional request failed"
DUP = expected("DuplicateItemException", "DuplicateItem")  # reference: the modeled error; Local sends DuplicateItem
DUP_MSG = "Duplicate primary key exists in table"
PARAM_COUNT = "Number of parameters in request and statement don't match."
NO_FULL_KEY = "Where clause does not contain a mandatory equality on all key attributes"
TCE = "TransactionCanceledException"
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"


# --------------------------------------------------------------------------- fixtures and helpers

@pytest.fixture(scope="module")
def tables(endpoint):
    """T: pk (S) + sk (N) with a GSI by_g on g (S), all attributes projected. H: pk (S) only."""
    suffix = uuid.uuid4().hex[:10]
    t, h = "pq_t_" + suffix, "pq_h_" + suffix
    _create_table(endpoint, t, range_key=("sk", "N"),
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "sk", "AttributeType": "N"},
                                        {"AttributeName": "g", "AttributeType": "S"}],
                  GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "ALL"}}])
    _create_table(endpoint, h)
    yield type("Tables", (), {"t": t, "h": h})
    _drop_table(endpoint, t)
    _drop_table(endpoint, h)


def run(ddb, statement, params=None, **kw):
    """ExecuteStatement; returns the response."""
    if params is not None:
        kw["Parameters"] = params
    return ddb.execute_statement(Statement=statement, **kw)


def items(ddb, statement, params=None, **kw):
    return run(ddb, statement, params, **kw)["Items"]


def fails(ddb, statement, params=None, **kw):
    """The ClientError of a statement that must fail."""
    with pytest.raises(ClientError) as e:
        run(ddb, statement, params, **kw)
    return e


def at(statement, token, nth=1, shift=0):
    """' at 1:<column>:<length>' of the nth occurrence of token in a one-line statement, as DynamoDB prints it
    (shift: where `statement` starts in the whole statement)."""
    i = -1
    for _ in range(nth):
        i = statement.index(token, i + 1)
    return " at 1:%d:%d" % (shift + i + 1, len(token))


def sks(rows):
    return [int(r["sk"]["N"]) for r in rows]


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def partition(ddb, tables):
    """One partition of T with sk 0..5: odd flags, a counter and g set on sk 0 and 1."""
    pk = unique("p")
    for i in range(6):
        extra = ", 'g': '%s'" % pk if i < 2 else ""
        run(ddb, "INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': %d, 'odd': %s, 'n': %d%s}"
            % (tables.t, i, "TRUE" if i % 2 else "FALSE", i * 10, extra), [S(pk)])
    return pk


# --------------------------------------------------------------------------- INSERT and literals

def test_insert_then_select_round_trips_every_literal(ddb, tables, key):
    run(ddb, "INSERT INTO \"%s\" VALUE {'pk': '%s', 'sk': 1, 'str': 'it''s', 'empty': '', 'num': -1.50, "
             "'big': 12345678901234567890123456789012345678, 'exp': 1e3, 'small': .5, 'negzero': -0, 't': TRUE, "
             "'f': false, 'nul': NULL, 'list': [1, 'x', [TRUE], {'k': NULL}], 'map': {'a': {'b': <<1, 2>>}}, "
             "'ss': <<'a', 'b'>>, 'ns': <<1, 2.5>>, 'dotted.name': 1, 'emptymap': {}, 'emptylist': []}"
        % (tables.t, key))
    got = items(ddb, "SELECT * FROM \"%s\" WHERE pk = '%s' AND sk = 1" % (tables.t, key))
    assert len(got) == 1
    item = got[0]
    assert sorted(item["ss"]["SS"]) == ["a", "b"] and sorted(item["ns"]["NS"]) == ["1", "2.5"]
    assert sorted(item["map"]["M"]["a"]["M"]["b"]["NS"]) == ["1", "2"]
    del item["ss"], item["ns"], item["map"]
    assert item == {
        "pk": S(key), "sk": N(1), "str": S("it's"), "empty": S(""), "num": N("-1.5"),
        "big": N("12345678901234567890123456789012345678"), "exp": N(1000), "small": N("0.5"), "negzero": N(0),
        "t": {"BOOL": True}, "f": {"BOOL": False}, "nul": {"NULL": True},
        "list": {"L": [N(1), S("x"), {"L": [{"BOOL": True}]}, {"M": {"k": {"NULL": True}}}]},
        "dotted.name": N(1), "emptymap": {"M": {}}, "emptylist": {"L": []},
    }


def test_parameters_bind_in_order_with_every_type(ddb, tables, key):
    params = [S(key), N("2"), {"B": b"\x00\x01"}, {"BS": [b"\x01", b"\x02"]}, {"NS": ["1", "2"]},
              {"M": {"k": {"L": [S("v")]}}}, {"BOOL": False}, {"NULL": True}]
    run(ddb, "INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': ?, 'b': ?, 'bs': ?, 'ns': ?, 'm': ?, 'f': ?, 'z': ?}"
        % tables.t, params)
    got = items(ddb, "SELECT b, bs, m, f, z FROM \"%s\" WHERE pk = ? AND sk = ?" % tables.t, [S(key), N(2)])
    assert got == [{"b": {"B": b"\x00\x01"}, "bs": {"BS": [b"\x01", b"\x02"]}, "m": {"M": {"k": {"L": [S("v")]}}},
                    "f": {"BOOL": False}, "z": {"NULL": True}}]
    # '?' in quotes is the string "?", not a parameter.
    assert items(ddb, "SELECT pk FROM \"%s\" WHERE pk = ? AND sk = 2 AND '?' = '?'" % tables.t, [S(key)]) == [
        {"pk": S(key)}]


def test_too_few_parameters_is_an_error_and_extra_ones_are_ignored(ddb, tables, key):
    e = fails(ddb, "SELECT * FROM \"%s\" WHERE pk = ? AND sk = ?" % tables.t, [S(key)])
    assert_client_error(e, VALIDATION, PARAM_COUNT)
    e = fails(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % tables.t)
    assert_client_error(e, VALIDATION, PARAM_COUNT)
    # DynamoDB Local ignores parameters beyond the statement's; the reference is silent and Basalt does the same.
    assert items(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % tables.t, [S(key), S("extra")]) == []


@pytest.mark.local_differs("Local accepts an empty Parameters list; the service's model requires at least one")
def test_empty_parameters_list_is_refused(ddb_noval, tables):
    e = fails(ddb_noval, "SELECT * FROM \"%s\"" % tables.t, [])
    assert_client_error(e, VALIDATION, constraint_errors(
        ("[]", "parameters", "Member must have length greater than or equal to 1")))


def test_insert_of_an_existing_key_is_duplicate_item(ddb, tables, key):
    stmt = "INSERT INTO \"%s\" VALUE {'pk': '%s', 'sk': 1, 'v': 1}" % (tables.t, key)
    run(ddb, stmt)
    e = fails(ddb, stmt.replace("'v': 1", "'v': 2"))
    assert_client_error(e, DUP, DUP_MSG)
    assert items(ddb, "SELECT v FROM \"%s\" WHERE pk = '%s' AND sk = 1" % (tables.t, key)) == [{"v": N(1)}]


@pytest.mark.parametrize("value,message", [
    ("{'pk': 'k'}", "Key attribute should be present in the item: Key sk"),
    ("{'pk': 1, 'sk': 1}", "Key attribute's data type should match its data type in table's schema: Key pk"),
    ("{'pk': '', 'sk': 1}", "One or more parameter values are not valid. The AttributeValue for a key attribute "
                            "cannot contain an empty string value. Key: pk"),
    ("{'pk': 'k', 'sk': 1, 'x': 1, 'x': 2}", "Duplicate keys in tuple. Key: x under root{x2}"),
    ("{'pk': 'k', 'sk': 1, 'm': {'a': MISSING}}", "Unsupported data type: LiteralMissing under key root.a{MISSING}"),
    ("{'pk': 'k', 'sk': 1, 'm': {'a': ?}}", "Unsupported data type: Parameter under key root.a{?}"),
    ("{'pk': 'k', 'sk': 1, 's': <<>>}", "Empty bags are not supported{<<}"),
    ("{'pk': 'k', 'sk': 1, 's': <<1, 'a'>>}", "Unsupported data type in Bag. DynamoDB only supports either numbers "
                                              "or strings in bags"),
    ("{'pk': 'k', 'sk': 1, 's': <<1, 1.0>>}", "Input collection contains duplicates"),
    ("{'pk': 'k', 'sk': 1, 'n': -0.0}", "Negative zero decimal is not supported under key root{0.0}"),
    ("{'pk': 'k', 'sk': 1, 'n': 1e126}", "Number overflow. Attempting to store a number with magnitude larger than "
                                         "supported range"),
    ("{'pk': 'k', 'sk': 1, 'n': 123456789012345678901234567890123456789}", "DynamoDB only supports precision up "
                                                                            "to 38 digits"),
    ("{'pk': 'k', 'sk': 1, 'n': 1 + 1}", "Unsupported data type: + under key root{+}"),
    ("[{'pk': 'k', 'sk': 1}]", "Unsupported format in item expression. Please use struct format {...} to express "
                               "item values for insert statement.{[}"),
])
def test_insert_value_errors(ddb, tables, value, message):
    stmt = "INSERT INTO \"%s\" VALUE %s" % (tables.t, value)
    m = re.search(r"\{(x2|[^{}]+)\}$", message)
    if m:  # "{token}": the message ends with the position of that token
        token = m.group(1)
        message = message[:m.start()] + (at(stmt, "'x'", 2) if token == "x2" else at(stmt, token))
    params = [N(1)] if "?" in value else None
    assert_client_error(fails(ddb, stmt, params), VALIDATION, message)


# --------------------------------------------------------------------------- SELECT

@pytest.mark.parametrize("where,expected_sks", [
    ("pk = '{pk}'", [0, 1, 2, 3, 4, 5]),
    ("'{pk}' = pk AND sk = 3", [3]),
    ("pk = '{pk}' AND sk < 2", [0, 1]),
    pytest.param("pk = '{pk}' AND 2 < sk", [3, 4, 5], marks=pytest.mark.local_differs(
        "Local reads a lone `2 < sk` key condition as `sk < 2` (with a second sort-key term, or in a filter, it does "
        "not)")),
    ("pk = '{pk}' AND 2 < sk AND sk < 5", [3, 4]),
    ("pk = '{pk}' AND sk BETWEEN 1 AND 3", [1, 2, 3]),
    ("pk = '{pk}' AND sk >= 1 AND sk <= 2", [1, 2]),
    ("pk = '{pk}' AND sk IN [0, 5]", [0, 5]),
    ("pk = '{pk}' AND odd = TRUE", [1, 3, 5]),
    ("pk = '{pk}' AND NOT odd = TRUE AND n > 15", [2, 4]),
    ("pk = '{pk}' AND (sk = 1 OR n = 40)", [1, 4]),
    ("pk = '{pk}' AND g IS MISSING", [2, 3, 4, 5]),
    ("pk = '{pk}' AND g IS NOT MISSING AND attribute_type(g, 'S')", [0, 1]),
    ("pk = '{pk}' AND begins_with(g, '{pk}') AND size(g) > 3", [0, 1]),
    ("pk IN ['{pk}', 'no-such-partition'] AND sk = 2", [2]),
    ("(pk = '{pk}' OR pk = 'no-such-partition') AND sk > 3", [4, 5]),
    # A scan: the partition key is not fixed by = or IN.
    ("pk > '{pk}x' AND begins_with(pk, '{pk}')", []),
    ("begins_with(pk, '{pk}') AND sk = 4", [4]),
])
def test_select_where(ddb, tables, partition, where, expected_sks):
    got = items(ddb, "SELECT * FROM \"%s\" WHERE %s" % (tables.t, where.replace("{pk}", partition)))
    assert sorted(sks(got)) == expected_sks


def test_select_orders_by_the_sort_key(ddb, tables, partition):
    t = tables.t
    assert sks(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ? ORDER BY sk DESC" % t, [S(partition)])) == [5, 4, 3, 2, 1,
                                                                                                          0]
    assert sks(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ? AND sk > 2 ORDER BY sk" % t, [S(partition)])) == [3, 4, 5]
    assert sks(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ? ORDER BY \"sk\" DESC, pk" % t,
                     [S(partition)]))[:2] == [5, 4]


def test_select_of_several_partitions_ordered_by_the_partition_key(ddb, tables):
    a, b = unique("a"), unique("b")
    for pk in (b, a):
        run(ddb, "INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1}" % tables.t, [S(pk)])
    got = items(ddb, "SELECT pk FROM \"%s\" WHERE pk IN [?, ?] ORDER BY pk DESC" % tables.t, [S(a), S(b)])
    assert [r["pk"]["S"] for r in got] == sorted([a, b], reverse=True)


@pytest.mark.local_differs("Local orders several partitions by the sort key without the partition key in ORDER BY")
def test_order_by_of_several_partitions_needs_the_partition_key(ddb, tables):
    e = fails(ddb, "SELECT * FROM \"%s\" WHERE pk = 'a' OR pk = 'b' ORDER BY sk" % tables.t)
    assert_client_error(e, VALIDATION, "Must have hash key in ORDER BY clause when more than one hash key condition "
                                       "specified in WHERE clause.")


def test_select_projection_of_nested_paths(ddb, tables, key):
    run(ddb, "INSERT INTO \"%s\" VALUE {'pk': ?, 'a': {'b': [10, {'c': 'x'}, 30], 'd': 1}, 'e f': 3}"
        % tables.h, [S(key)])
    # PartiQL names a selected path by its last step (the first one with list indexes), not by the nesting a
    # ProjectionExpression keeps (DynamoDB Local; src/partiql/select_output.h).
    got = items(ddb, "SELECT a.b[1].c, a.d, \"e f\", missing_attr FROM \"%s\" WHERE pk = ?" % tables.h, [S(key)])
    assert got == [{"b[1]": {"M": {"c": S("x")}}, "d": N(1), "e f": N(3)}]
    assert items(ddb, "SELECT a.b FROM \"%s\" WHERE pk = ?" % tables.h, [S(key)]) == [
        {"b": {"L": [N(10), {"M": {"c": S("x")}}, N(30)]}}]
    # A projection that matches nothing returns an empty item, as Query does.
    assert items(ddb, "SELECT zz FROM \"%s\" WHERE pk = ?" % tables.h, [S(key)]) == [{}]
    e = fails(ddb, "SELECT a.d, x.d FROM \"%s\" WHERE pk = ?" % tables.h, [S(key)])
    assert_client_error(e, VALIDATION, "Duplicate identifiers in select clause: d")


def test_select_from_an_index(ddb, tables, partition):
    got = items(ddb, "SELECT sk FROM \"%s\".\"by_g\" WHERE g = ?" % tables.t, [S(partition)])
    assert sorted(sks(got)) == [0, 1]
    # Unquoted names work too (the docs show Music.GenreAndPriceIndex).
    assert len(items(ddb, "SELECT sk FROM %s.by_g WHERE g = ?" % tables.t, [S(partition)])) == 2
    e = fails(ddb, "SELECT * FROM \"%s\".\"nope\" WHERE g = 'x'" % tables.t)
    # The reference is silent on the wording: DynamoDB Local's.
    assert_client_error(e, VALIDATION, "The table does not have the specified index: nope")


def test_select_from_a_missing_table(ddb):
    e = fails(ddb, "SELECT * FROM \"no_such_table_%s\"" % uuid.uuid4().hex[:8])
    assert e.value.response["Error"]["Code"] == NOT_FOUND


def test_a_where_that_matches_nothing_is_an_empty_result(ddb, tables):
    assert items(ddb, "SELECT * FROM \"%s\" WHERE pk = 'nothing-here'" % tables.t) == []


def test_pagination_with_limit_and_next_token(ddb, tables, partition):
    stmt = "SELECT * FROM \"%s\" WHERE pk = ?" % tables.t
    seen, token, pages = [], None, 0
    while True:
        kw = {"Limit": 4}
        if token:
            kw["NextToken"] = token
        r = run(ddb, stmt, [S(partition)], **kw)
        seen += sks(r["Items"])
        pages += 1
        token = r.get("NextToken")
        if not token:
            break
    assert seen == [0, 1, 2, 3, 4, 5] and pages == 2


def test_limit_counts_items_before_the_filter(ddb, tables, partition):
    # reference: Limit is the number of items evaluated; a page can be empty and still have a NextToken.
    r = run(ddb, "SELECT * FROM \"%s\" WHERE pk = ? AND odd = TRUE" % tables.t, [S(partition)], Limit=1)
    assert r["Items"] == [] and r.get("NextToken")
    r2 = run(ddb, "SELECT * FROM \"%s\" WHERE pk = ? AND odd = TRUE" % tables.t, [S(partition)], Limit=2,
             NextToken=r["NextToken"])
    assert sks(r2["Items"]) == [1]


def test_invalid_next_token(ddb, tables):
    e = fails(ddb, "SELECT * FROM \"%s\"" % tables.t, NextToken="garbage")
    assert_client_error(e, VALIDATION, "Invalid NextToken")


def test_scan_with_a_filter_visits_the_table(ddb, tables, partition):
    got = items(ddb, "SELECT sk FROM \"%s\" WHERE g = ?" % tables.t, [S(partition)])
    assert sorted(sks(got)) == [0, 1]


# --------------------------------------------------------------------------- UPDATE and DELETE

@pytest.fixture
def item(ddb, tables):
    pk = unique("u")
    run(ddb, "INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1, 'n': 5, 'l': [1], 'ss': <<'a'>>, 'm': {'x': 1}}"
        % tables.t, [S(pk)])
    return pk


def where_item(pk):
    return " WHERE pk = '%s' AND sk = 1" % pk


@pytest.mark.parametrize("returning,expected_items", [
    ("", []),
    (" RETURNING ALL OLD *", [{"pk": "{pk}", "sk": N(1), "n": N(5), "l": {"L": [N(1)]}, "ss": {"SS": ["a"]},
                               "m": {"M": {"x": N(1)}}}]),
    (" RETURNING MODIFIED OLD *", [{"n": N(5), "l": {"L": [N(1)]}, "ss": {"SS": ["a"]}, "m": {"M": {"x": N(1)}}}]),
    (" RETURNING ALL NEW *", [{"pk": "{pk}", "sk": N(1), "n": N(6), "l": {"L": [N(1), N(2)]},
                               "ss": {"SS": ["a", "b"]}, "m": {"M": {}}, "fresh": S("v")}]),
    (" RETURNING MODIFIED NEW *", [{"n": N(6), "l": {"L": [N(1), N(2)]}, "ss": {"SS": ["a", "b"]},
                                    "fresh": S("v")}]),
])
def test_update_with_returning(ddb, tables, item, returning, expected_items):
    got = items(ddb, "UPDATE \"%s\" SET n = n + 1 SET l = list_append(l, [2]), ss = set_add(ss, <<'b'>>) "
                     "SET fresh = ? REMOVE m.x" % tables.t + where_item(item) + returning, [S("v")])
    for row in expected_items:
        if "pk" in row:
            row["pk"] = S(item)
    for row in got:
        if "ss" in row:
            row["ss"]["SS"].sort()
    assert got == expected_items


def test_update_arithmetic_set_delete_and_if_not_exists(ddb, tables, item):
    got = items(ddb, "UPDATE \"%s\" SET n = n - 7, c = if_not_exists(c, 1) + 1, ss = set_delete(ss, <<'a'>>) "
                     "REMOVE l[0]" % tables.t + where_item(item) + " RETURNING ALL NEW *")
    assert got == [{"pk": S(item), "sk": N(1), "n": N(-2), "c": N(2), "l": {"L": []}, "m": {"M": {"x": N(1)}}}]


def test_update_with_a_condition(ddb, tables, item):
    run(ddb, "UPDATE \"%s\" SET n = 0" % tables.t + where_item(item) + " AND n = 5 AND zz IS MISSING")
    e = fails(ddb, "UPDATE \"%s\" SET n = 1" % tables.t + where_item(item) + " AND n > 5")
    assert_client_error(e, CCF, CCF_MSG)
    assert items(ddb, "SELECT n FROM \"%s\"" % tables.t + where_item(item)) == [{"n": N(0)}]


def test_update_of_a_missing_item_fails_its_condition(ddb, tables):
    # reference: UPDATE is not an upsert.
    e = fails(ddb, "UPDATE \"%s\" SET n = 1" % tables.t + where_item(unique("none")))
    assert_client_error(e, CCF, CCF_MSG)
    assert "Item" not in e.value.response


def test_failed_condition_returns_the_item_with_all_old(raw, tables, item):
    res = raw("ExecuteStatement", {"Statement": "UPDATE \"%s\" SET n = 1" % tables.t + where_item(item) + " AND n = 9",
                                   "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert res.status == 400 and res.code == CCF and res.message == CCF_MSG
    assert res.body["Item"] == {"pk": S(item), "sk": N(1), "n": N(5), "l": {"L": [N(1)]}, "ss": {"SS": ["a"]},
                                "m": {"M": {"x": N(1)}}}
    res = raw("ExecuteStatement", {"Statement": "DELETE FROM \"%s\"" % tables.t + where_item(item) + " AND n = 9",
                                   "ReturnValuesOnConditionCheckFailure": "NONE"})
    assert res.code == CCF and "Item" not in res.body


def test_update_errors_evaluated_on_the_item(ddb, tables, item):
    e = fails(ddb, "UPDATE \"%s\" SET pk = 'x'" % tables.t + where_item(item))
    assert_client_error(e, VALIDATION, "One or more parameter values were invalid: Cannot update attribute pk. This "
                                       "attribute is part of the key")
    e = fails(ddb, "UPDATE \"%s\" SET n = l + 1" % tables.t + where_item(item))
    assert_client_error(e, VALIDATION, "An operand in the update expression has an incorrect data type")
    e = fails(ddb, "UPDATE \"%s\" SET x.y = 1" % tables.t + where_item(item))
    assert_client_error(e, VALIDATION, "The document path provided in the update expression is invalid for update")


def test_delete(ddb, tables, item):
    # reference: deleting a missing item succeeds, also with extra conditions.
    assert items(ddb, "DELETE FROM \"%s\"" % tables.t + where_item(unique("none")) + " AND n = 1") == []
    e = fails(ddb, "DELETE FROM \"%s\"" % tables.t + where_item(item) + " AND n = 99")
    assert_client_error(e, CCF, CCF_MSG)
    got = items(ddb, "DELETE FROM \"%s\"" % tables.t + where_item(item) + " AND n = 5 RETURNING ALL OLD *")
    assert [r["n"] for r in got] == [N(5)]
    assert items(ddb, "SELECT * FROM \"%s\"" % tables.t + where_item(item)) == []
    assert items(ddb, "DELETE FROM \"%s\"" % tables.t + where_item(item) + " RETURNING ALL OLD *") == []


@pytest.mark.parametrize("statement,message", [
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 'a'", NO_FULL_KEY),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 'a' AND sk > 1", NO_FULL_KEY),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 'a' AND sk = 1 OR n = 1", NO_FULL_KEY),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk IN ['a'] AND sk = 1", NO_FULL_KEY),
    ("UPDATE \"{t}\" SET n = 1", NO_FULL_KEY),
    ("DELETE FROM \"{t}\" WHERE pk = 'a'", NO_FULL_KEY),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 'a' AND sk = 1 AND sk = 2",
     "Multiple conditions on same key sk. Only single item Update/Insert/Delete are supported"),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk.x = 'a' AND sk = 1",
     "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key pk"),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 1 AND sk = 1",
     "Key attribute's data type should match its data type in table's schema: Key pk"),
    ("UPDATE \"{t}\".\"by_g\" SET n = 1 WHERE pk = 'a' AND sk = 1", "This operation is not supported on an index"),
    ("DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *",
     "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD n",
     "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"),
    ("UPDATE \"{t}\" SET n = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *, ALL NEW *",
     "Invalid syntax with multiple returning elements in RETURNING clause"),
    ("UPDATE \"{t}\" SET n = 1, n = 2 WHERE pk = 'a' AND sk = 1",
     "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [n], path "
     "two: [n]"),
    ("UPDATE \"{t}\" SET n = n * 2 WHERE pk = 'a' AND sk = 1", "Unsupported operator in Update Expression. Operator: *"),
    ("UPDATE \"{t}\" SET n = size(l) WHERE pk = 'a' AND sk = 1",
     "The function is not allowed in an update expression; function: size"),
    ("UPDATE \"{t}\" SET s = set_add(s, 'x') WHERE pk = 'a' AND sk = 1",
     "The second argument to SET_ADD must be a value with type SET{first argument}"),
    ("UPDATE \"{t}\" SET s = set_add(t, <<'x'>>) WHERE pk = 'a' AND sk = 1",
     "The first argument to SET_ADD must equal the assignment value"),
    ("INSERT INTO \"{t}\" VALUE {'pk': 'a', 'sk': 1} RETURNING ALL OLD *", "RETURNING is not supported in INSERT"),
])
def test_write_errors(ddb, tables, statement, message):
    stmt = statement.replace("{t}", tables.t)
    if message.endswith("{first argument}"):
        # DynamoDB Local points at set_add's first argument.
        message = message[:-len("{first argument}")] + " at 1:%d:1" % (stmt.index("set_add(") + len("set_add(") + 1)
    assert_client_error(fails(ddb, stmt), VALIDATION, message)


# --------------------------------------------------------------------------- errors of any statement

@pytest.mark.parametrize("statement,message", [
    ("SELECT pk AS p FROM \"{t}\"", "Aliasing is not supported"),
    ("SELECT DISTINCT pk FROM \"{t}\"", "Unsupported token in expression: DISTINCT"),
    ("SELECT VALUE pk FROM \"{t}\"", "Select projection doesn't support value or pivot keywords"),
    ("SELECT COUNT(*) FROM \"{t}\"", "Unexpected path component{COUNT}"),
    ("SELECT a.* FROM \"{t}\"", "Changing item's hierarchy while reading isn't supported"),
    ("SELECT a, a FROM \"{t}\"", "Duplicate identifiers in select clause: a"),
    ("SELECT a.b, a FROM \"{t}\"", "Two document paths overlap with each other; must remove or rewrite one of these "
                                   "paths; path one: [a], path two: [a, b]"),
    ("SELECT a[1000000000000] FROM \"{t}\"", "List index is not within the allowable range; index: [1000000000000]"
                                             "{1000000000000}"),
    ("SELECT * FROM \"{t}\" LIMIT 1", "Unsupported clause: LIMIT{1@LIMIT}"),
    ("SELECT * FROM \"{t}\", \"{t}\"", "Only select from a single table or index is supported."),
    ("SELECT * FROM \"{t}\".\"by_g\".\"x\"", "A path may contain at most 2 components in the FROM clause"),
    ("SELECT * FROM \"{t}\" WHERE a", "WHERE clause must contain an expression that resolves to a boolean"),
    ("SELECT * FROM \"{t}\" WHERE a = 1 + 1", "Unsupported operator in Condition Expression. Operator: +"),
    ("SELECT * FROM \"{t}\" WHERE a LIKE 'x%'", "Unsupported operator in Condition Expression. Operator: like"),
    ("SELECT * FROM \"{t}\" WHERE upper(a) = 'x'", "Unrecognized function: upper"),
    ("SELECT * FROM \"{t}\" WHERE a = MISSING", "MISSING must be compared using IS operator"),
    ("SELECT * FROM \"{t}\" WHERE a IN 1", "IN operator must have a left hand argument of type Variable Reference "
                                           "and right hand argument of type Seq with at least one member"),
    ("SELECT * FROM \"{t}\" WHERE a IS BAG", "Unsupported data type for IS operator: BAG. Supported data types are "
                                             "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
                                             "{IS}"),
    ("SELECT * FROM \"{t}\" WHERE begins_with(a, 1)", "Incorrect operand type for operator or function; operator or "
                                                      "function: begins_with, operand type: N"),
    ("SELECT * FROM \"{t}\" WHERE attribute_type(a, 'Q')", "Invalid attribute type name found; type: Q, valid types: "
                                                           "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}"),
    ("SELECT * FROM \"{t}\" WHERE a = a", "The first operand must be distinct from the remaining operands for this "
                                          "operator or function; operator: =, first operand: [a]"),
    ("SELECT * FROM \"{t}\" WHERE a BETWEEN 6 AND 1", "The BETWEEN operator requires upper bound to be greater than "
                                                      "or equal to lower bound; lower bound operand: AttributeValue: "
                                                      "{N:6}, upper bound operand: AttributeValue: {N:1}"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' AND sk = 'x'", "Key attribute's data type should match its data type in "
                                                          "table's schema: Key sk"),
    ("SELECT * FROM \"{t}\" WHERE sk = 'x'", "One or more parameter values were invalid: Condition parameter type "
                                             "does not match schema type"),
    ("SELECT * FROM \"{t}\" WHERE pk = ''", "One or more parameter values are not valid. The AttributeValue for a "
                                            "key attribute cannot contain an empty string value. Key: pk"),
    ("SELECT * FROM \"{t}\" ORDER BY sk", "Must have WHERE clause in the statement when using ORDER BY clause."),
    ("SELECT * FROM \"{t}\" WHERE x = 1 ORDER BY sk", "Must have at least one non-optional hash key condition in "
                                                      "WHERE clause when using ORDER BY clause."),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' ORDER BY x", "Variable reference x in ORDER BY clause must be part of the "
                                                        "primary key"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' ORDER BY a.b", "Argument to ORDER BY must be of type VariableReference. "
                                                          "Type: PATH"),
    ("EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'a' AND sk = 1 AND n = 1)",
     "EXISTS can only be used in ExecuteTransaction write requests."),
    ("FOO", "Unsupported operation: VariableReference"),
    ("'a'", "Unsupported operation: Literal"),
])
def test_semantic_errors(ddb, tables, statement, message):
    stmt = statement.replace("{t}", tables.t)
    m = re.search(r"\{([^{}]+)\}$", message)
    if m and not message.endswith("BOOL}") and not message.endswith("{N:1}"):
        # "{token}" or "{token@after}": the message ends with the position of that token
        token, _, after = m.group(1).partition("@")
        message = message[:m.start()] + at(stmt[stmt.index(after):] if after else stmt, token, shift=(
            stmt.index(after) if after else 0))
    assert_client_error(fails(ddb, stmt), VALIDATION, message)


@pytest.mark.parametrize("statement,service_detail", [
    # The two parser messages the reference records for the real service.
    ("INSERT INTO t (a, b) VALUES (?, ?)", "Unexpected keyword"),
    ("UPDATE Payment-x SET active=? WHERE subscriptionId=?", "Expected data manipulation"),
])
def test_documented_syntax_errors(ddb, statement, service_detail):
    e = fails(ddb, statement, [S("a"), S("b")])
    assert_client_error(e, VALIDATION, expected(SYNTAX + service_detail, SYNTAX + statement))


@pytest.mark.parametrize("statement", [
    "SELECT", "SELECT * FROM", "SELECT * FROM \"t\" WHERE", "SELECT * FROM \"t\" WHERE pk == 'a'",
    "SELECT * FROM \"t\" WHERE pk = 'a", "SELECT select FROM \"t\"", "SELECT *, a FROM \"t\"",
    "SELECT * FROM \"t\" WHERE a IS NUMBER", "SELECT * FROM \"t\" WHERE a IN ()", "SELECT * FROM \"t\" WHERE é = 1",
    "SELECT * FROM \"t\" WHERE missing(a)", "SELECT * FROM \"t\";;", "INSERT \"t\" VALUE {'a': 1}",
    "INSERT INTO \"t\" VALUE {'a': 1,}", "UPDATE \"t\" REMOVE a, b", "UPDATE \"t\" SET a = 1 RETURNING NEW *",
    "DELETE \"t\" WHERE pk = 'a'", "   ",
])
def test_syntax_errors(ddb, statement):
    # The service gives the parser's message (not documented for these), Local repeats the statement.
    e = fails(ddb, statement)
    assert_client_error(e, VALIDATION, expected(ANY_SYNTAX, SYNTAX + statement))


def test_statement_length_limit(ddb_noval, tables):
    # The padding is in a filter's literal: a partition key value that long would be refused for its size.
    prefix = "SELECT * FROM \"%s\" WHERE pk = 'a' AND x = '" % tables.t
    ok = prefix + "x" * (8192 - len(prefix) - 1) + "'"
    assert len(ok) == 8192
    assert items(ddb_noval, ok) == []
    too_long = ok[:-1] + "x'"
    e = fails(ddb_noval, too_long)
    assert_client_error(e, VALIDATION, expected(
        constraint_errors((too_long, "statement", "Member must have length less than or equal to 8192")),
        "Member must have length less than or equal to 8192"))


# --------------------------------------------------------------------------- BatchExecuteStatement

def batch(ddb, *statements):
    return ddb.batch_execute_statement(Statements=[{"Statement": s[0], "Parameters": s[1]} if isinstance(s, tuple)
                                                   else {"Statement": s} for s in statements])["Responses"]


def test_batch_reads_answer_per_statement(ddb, tables, partition):
    t, h = tables.t, tables.h
    responses = batch(ddb,
                      ("SELECT sk FROM \"%s\" WHERE pk = ? AND sk = 1" % t, [S(partition)]),
                      "SELECT * FROM \"%s\" WHERE pk = 'nobody'" % h,
                      ("SELECT * FROM \"%s\" WHERE pk = ?" % t, [S(partition)]),
                      "SELECT * FROM \"no_such_table_x\" WHERE pk = 'a'",
                      "SELECT bad",
                      "SELECT * FROM \"%s\" WHERE pk = ?" % h)
    assert responses[0] == {"TableName": t, "Item": {"sk": N(1)}}
    assert responses[1] == {"TableName": h}
    assert responses[2]["Error"] == {"Code": "ValidationError", "Message": "Only single item select is supported"}
    assert responses[3]["Error"]["Code"] == "ResourceNotFound"
    assert responses[4]["Error"]["Code"] == "ValidationError"
    assert re.fullmatch(re.escape(SYNTAX) + ".*", responses[4]["Error"]["Message"])
    assert responses[5]["Error"] == {"Code": "ValidationError", "Message": PARAM_COUNT}


def test_batch_writes_fail_one_by_one(raw, ddb, tables, item):
    t = tables.t
    fresh, other = unique("w"), unique("o")
    run(ddb, "INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1}" % t, [S(other)])
    # (One item twice in a batch is refused as a whole: "Provided list of item keys contains duplicates".)
    res = raw("BatchExecuteStatement", {"Statements": [
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': '%s', 'sk': 1}" % (t, other)},
        {"Statement": "UPDATE \"%s\" SET n = 0" % t + where_item(item) + " AND n = 9",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1}" % t, "Parameters": [S(fresh)]},
        {"Statement": "UPDATE \"%s\" SET n = 0" % t + where_item(unique("none"))},
    ]})
    assert res.status == 200, res
    r = res.body["Responses"]
    assert r[0]["Error"] == {"Code": "DuplicateItem", "Message": DUP_MSG}
    assert r[1]["Error"]["Code"] == "ConditionalCheckFailed" and r[1]["Error"]["Message"] == CCF_MSG
    assert r[1]["Error"]["Item"]["n"] == N(5)
    assert "Error" not in r[2]
    assert r[3]["Error"]["Code"] == "ConditionalCheckFailed" and "Item" not in r[3]["Error"]
    assert len(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % t, [S(fresh)])) == 1


def test_batch_cannot_mix_reads_and_writes(ddb, tables):
    with pytest.raises(ClientError) as e:
        batch(ddb, "SELECT * FROM \"%s\" WHERE pk = 'a'" % tables.h, "INSERT INTO \"%s\" VALUE {'pk': 'a'}" % tables.h)
    # The reference states the rule; the wording is DynamoDB Local's.
    assert_client_error(e, VALIDATION, "Read and write requests together in the same batch is not supported.")


# --------------------------------------------------------------------------- ExecuteTransaction

def tx(ddb, *statements, **kw):
    return ddb.execute_transaction(
        TransactStatements=[{"Statement": s[0], "Parameters": s[1]} if isinstance(s, tuple) else {"Statement": s}
                            for s in statements], **kw)


def test_transaction_writes_are_all_or_nothing(ddb, tables, item):
    t, fresh = tables.t, unique("x")
    with pytest.raises(ClientError) as e:
        tx(ddb, ("INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1}" % t, [S(fresh)]),
           "UPDATE \"%s\" SET n = 0" % t + where_item(item) + " AND n = 9")
    assert_client_error(e, TCE, CANCELLED % "None, ConditionalCheckFailed")
    assert e.value.response["CancellationReasons"] == [{"Code": "None"},
                                                      {"Code": "ConditionalCheckFailed", "Message": CCF_MSG}]
    assert items(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % t, [S(fresh)]) == []
    tx(ddb, ("INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1}" % t, [S(fresh)]),
       "UPDATE \"%s\" SET n = 0" % t + where_item(item) + " AND n = 5",
       "DELETE FROM \"%s\" WHERE pk = 'nobody' AND sk = 1" % t)
    assert len(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % t, [S(fresh)])) == 1
    assert items(ddb, "SELECT n FROM \"%s\"" % t + where_item(item)) == [{"n": N(0)}]


def test_transaction_insert_of_an_existing_item(ddb, tables, item):
    with pytest.raises(ClientError) as e:
        tx(ddb, "INSERT INTO \"%s\" VALUE {'pk': '%s', 'sk': 1}" % (tables.t, item))
    # The reference does not say which reason the service gives; DynamoDB Local's is a ValidationError with the
    # DuplicateItemException text.
    assert_client_error(e, TCE, CANCELLED % "ValidationError")
    assert e.value.response["CancellationReasons"] == [{"Code": "ValidationError", "Message": DUP_MSG}]


def test_transaction_exists_is_a_condition_check(ddb, tables, item):
    t, fresh = tables.t, unique("e")
    check = "EXISTS(SELECT * FROM \"%s\"" % t + where_item(item) + " AND n = %d)"
    tx(ddb, check % 5, ("INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': 1}" % t, [S(fresh)]))
    assert len(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % t, [S(fresh)])) == 1
    with pytest.raises(ClientError) as e:
        tx(ddb, check % 6, "DELETE FROM \"%s\" WHERE pk = '%s' AND sk = 1" % (t, fresh))
    assert_client_error(e, TCE, CANCELLED % "ConditionalCheckFailed, None")
    assert len(items(ddb, "SELECT * FROM \"%s\" WHERE pk = ?" % t, [S(fresh)])) == 1
    # A missing item fails the check even when the rest would hold.
    with pytest.raises(ClientError) as e:
        tx(ddb, "EXISTS(SELECT * FROM \"%s\"" % t + where_item(unique("none")) + " AND zz IS MISSING)",
           "DELETE FROM \"%s\" WHERE pk = '%s' AND sk = 1" % (t, fresh))
    assert e.value.response["Error"]["Code"] == TCE
    with pytest.raises(ClientError) as e:
        tx(ddb, "EXISTS(SELECT * FROM \"%s\"" % t + where_item(item) + ")",
           "DELETE FROM \"%s\" WHERE pk = '%s' AND sk = 1" % (t, fresh))
    assert_client_error(e, VALIDATION, "Validation failed in TransactStatements[0]: EXISTS() must contain a single "
                                       "item read with additional condition")


def test_transaction_reads(ddb, tables, item):
    t = tables.t
    r = tx(ddb, "SELECT n, l FROM \"%s\"" % t + where_item(item), "SELECT * FROM \"%s\"" % t + where_item("nobody"))
    assert r["Responses"] == [{"Item": {"n": N(5), "l": {"L": [N(1)]}}}, {}]
    with pytest.raises(ClientError) as e:
        tx(ddb, "SELECT * FROM \"%s\" WHERE pk = '%s'" % (t, item))
    assert_client_error(e, VALIDATION, "Validation failed in TransactStatements[0]: Select statements within "
                                       "ExecuteTransaction must specify the primary key in the where clause.")
    with pytest.raises(ClientError) as e:
        tx(ddb, "SELECT * FROM \"%s\"" % t + where_item(item), "INSERT INTO \"%s\" VALUE {'pk': 'q', 'sk': 1}" % t)
    assert_client_error(e, VALIDATION, "ExecuteTransaction API does not support both read and write operations in "
                                       "the same request.")


def test_transaction_client_request_token_is_idempotent(ddb, tables, item):
    t, token = tables.t, uuid.uuid4().hex
    bump = "UPDATE \"%s\" SET n = n + 1" % t + where_item(item)
    tx(ddb, bump, ClientRequestToken=token)
    tx(ddb, bump, ClientRequestToken=token)  # the same request again: not applied twice
    assert items(ddb, "SELECT n FROM \"%s\"" % t + where_item(item)) == [{"n": N(6)}]
    with pytest.raises(ClientError) as e:
        tx(ddb, bump.replace("+ 1", "+ 2"), ClientRequestToken=token)
    assert_client_error(e, "IdempotentParameterMismatchException",
                        "Specified idempotent token was used with different request parameters within the "
                        "idempotency window")


def test_transaction_failed_condition_returns_the_item_with_all_old(raw, tables, item):
    res = raw("ExecuteTransaction", {"TransactStatements": [
        {"Statement": "UPDATE \"%s\" SET n = 0" % tables.t + where_item(item) + " AND n = 9",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}]})
    assert res.code == TCE, res
    [reason] = res.body["CancellationReasons"]
    assert reason["Code"] == "ConditionalCheckFailed" and reason["Item"]["n"] == N(5)


# --------------------------------------------------------------------------- ConsumedCapacity

@pytest.mark.local_differs("Local returns no ConsumedCapacity for PartiQL operations")
def test_consumed_capacity(ddb, tables, item):
    t = tables.t
    def units(cc):
        assert cc["TableName"] == t, cc
        return cc["CapacityUnits"]

    # One small item: half a read unit (eventually consistent) or one, one write unit, twice that in a transaction.
    r = run(ddb, "SELECT * FROM \"%s\"" % t + where_item(item), ReturnConsumedCapacity="TOTAL")
    assert units(r["ConsumedCapacity"]) == 0.5
    r = run(ddb, "SELECT * FROM \"%s\"" % t + where_item(item), ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert units(r["ConsumedCapacity"]) == 1.0
    r = run(ddb, "UPDATE \"%s\" SET n = 1" % t + where_item(item), ReturnConsumedCapacity="TOTAL")
    assert units(r["ConsumedCapacity"]) == 1.0
    r = ddb.batch_execute_statement(Statements=[{"Statement": "SELECT * FROM \"%s\"" % t + where_item(item)}],
                                    ReturnConsumedCapacity="TOTAL")
    assert [units(c) for c in r["ConsumedCapacity"]] == [0.5]
    r = tx(ddb, "UPDATE \"%s\" SET n = 2" % t + where_item(item), ReturnConsumedCapacity="TOTAL")
    assert [units(c) for c in r["ConsumedCapacity"]] == [2.0]
    assert "ConsumedCapacity" not in run(ddb, "SELECT * FROM \"%s\"" % t + where_item(item))


# --------------------------------------------------------------------------- streams and local secondary indexes

def test_partiql_writes_record_stream_records(ddb, endpoint):
    """PartiQL writes go through the one write path: each change is a stream record, in order; a DELETE of a
    missing item and an UPDATE that fails its condition write none."""
    from test_stream_shard_filter import create_stream_table, read_all, streams_call
    name = "pq_s_" + uuid.uuid4().hex[:10]
    arn = create_stream_table(endpoint, name)
    try:
        run(ddb, "INSERT INTO \"%s\" VALUE {'pk': 'a', 'n': 1}" % name)
        run(ddb, "UPDATE \"%s\" SET n = n + 1 WHERE pk = 'a'" % name)
        fails(ddb, "UPDATE \"%s\" SET n = 0 WHERE pk = 'a' AND n = 9" % name)
        run(ddb, "DELETE FROM \"%s\" WHERE pk = 'nobody'" % name)
        ddb.execute_transaction(TransactStatements=[{"Statement": "DELETE FROM \"%s\" WHERE pk = 'a'" % name}])
        records = read_all(lambda op, body=None: streams_call(endpoint, op, body or {}), arn)
        assert [(r["eventName"], r["dynamodb"].get("NewImage"), r["dynamodb"].get("OldImage")) for r in records] == [
            ("INSERT", {"pk": S("a"), "n": N(1)}, None),
            ("MODIFY", {"pk": S("a"), "n": N(2)}, {"pk": S("a"), "n": N(1)}),
            ("REMOVE", None, {"pk": S("a"), "n": N(2)}),
        ]
    finally:
        _drop_table(endpoint, name)


@pytest.fixture
def lsi_table(ddb, endpoint):
    """pk (S) + sk (N) with an LSI by_l on l (N); partition 'p' holds (sk, l) = (1, 30), (2, 10), (3, 20)."""
    name = "pq_l_" + uuid.uuid4().hex[:10]
    _create_table(endpoint, name, range_key=("sk", "N"),
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "sk", "AttributeType": "N"},
                                        {"AttributeName": "l", "AttributeType": "N"}],
                  LocalSecondaryIndexes=[{"IndexName": "by_l", "KeySchema": [
                      {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                      "Projection": {"ProjectionType": "ALL"}}])
    for sk, l in [(1, 30), (2, 10), (3, 20)]:
        run(ddb, "INSERT INTO \"%s\" VALUE {'pk': 'p', 'sk': %d, 'l': %d}" % (name, sk, l))
    yield name
    _drop_table(endpoint, name)


def test_select_from_a_local_secondary_index(ddb, lsi_table):
    got = items(ddb, "SELECT sk FROM \"%s\".\"by_l\" WHERE pk = 'p' AND l >= 20" % lsi_table)
    assert got == [{"sk": N(3)}, {"sk": N(1)}]  # in the index's order


@pytest.mark.local_differs("DynamoDB Local answers ORDER BY ... DESC on a local secondary index with InternalFailure")
def test_select_from_a_local_secondary_index_in_descending_order(ddb, lsi_table):
    got = items(ddb, "SELECT sk FROM \"%s\".\"by_l\" WHERE pk = 'p' ORDER BY l DESC" % lsi_table)
    assert got == [{"sk": N(1)}, {"sk": N(3)}, {"sk": N(2)}]
