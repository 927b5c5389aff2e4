"""Compressed requests and responses (issue 14): Content-Encoding gzip/deflate on requests, Accept-Encoding on
responses, x-amz-crc32 over the bytes as sent, and the decompressed-size limit against zip bombs.

Sources: reference/newer-features.md sections 2 and 3. The SDKs compress only operations with the
`requestcompression` trait, which no DynamoDB operation has, so boto3 is made to compress by giving it a copy of
the DynamoDB model with the trait added (its own RequestCompressor then gzips, honouring
request_min_compression_size_bytes; botocore 1.31+, so with Debian's 1.29 a hook does the same); everything else
is sent by raw HTTP for exact bytes.

DynamoDB Local 3.3.0 ignores Content-Encoding (it parses a gzip body as JSON and fails with 500 InternalFailure)
and never compresses a response, so the tests of compression itself are marked local_differs; the tests that an
uncompressed exchange is unaffected run against both.
"""

import gzip
import http.client
import inspect
import json
import threading
import time
import urllib.parse
import zlib

import boto3
import botocore.session
import pytest
from botocore.config import Config

from conftest import ACCESS_KEY, AUTH_HEADER, REGION, SECRET_KEY, unique

MIB = 1024 * 1024
LIMIT = 16 * MIB
THRESHOLD = 4096  # server/handler.h kCompressResponsesOver
LOCAL_IGNORES = "DynamoDB Local ignores Content-Encoding (a gzip body fails as JSON with 500 InternalFailure)"
LOCAL_NEVER_COMPRESSES = "DynamoDB Local never compresses responses"


# --------------------------------------------------------------------------- raw HTTP

def _conn(endpoint, timeout=30):
    u = urllib.parse.urlparse(endpoint)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def post(endpoint, op, body, headers=None, conn=None):
    """POSTs `body` (bytes, sent verbatim) and returns (status, headers as a lower-case dict, raw body bytes).
    http.client decodes nothing, so the body is exactly what the server sent."""
    own = conn is None
    conn = conn or _conn(endpoint)
    h = {"Content-Type": "application/x-amz-json-1.0", "Authorization": AUTH_HEADER,
         "X-Amz-Target": "DynamoDB_20120810." + op}
    h.update(headers or {})
    try:
        conn.request("POST", "/", body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        if own:
            conn.close()


def error_type(data):
    return json.loads(data)["__type"].rsplit("#", 1)[-1]


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def item_of(size, key):
    """A PutItem body of about `size` bytes, compressible like real data (JSON text, repeated words)."""
    words = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")
    text = " ".join(words[(i * 7) % len(words)] + str(i % 97) for i in range(size // 8))[:size]
    return {"pk": {"S": key}, "text": {"S": text}, "n": {"N": "42"}}


def get_item(endpoint, table, key):
    status, _, data = post(endpoint, "GetItem", json.dumps({"TableName": table, "Key": {"pk": {"S": key}},
                                                            "ConsistentRead": True}).encode())
    assert status == 200, data
    return json.loads(data).get("Item")


# --------------------------------------------------------------------------- requests: decoding

@pytest.mark.local_differs(LOCAL_IGNORES)
@pytest.mark.parametrize("encoding,compress", [
    ("gzip", gzip.compress),
    ("GZIP", gzip.compress),  # codings are case-insensitive
    ("x-gzip", gzip.compress),  # RFC 9110 8.4.1.3
    ("deflate", zlib.compress),  # the zlib format, as RFC 9110 defines "deflate"
    ("deflate", raw_deflate),  # raw deflate, which some clients send under that name
    ("identity, gzip", gzip.compress),
])
def test_compressed_put_item_of_100kb_is_stored_as_sent(endpoint, table_h, encoding, compress):
    key = unique()
    item = item_of(100 * 1000, key)
    body = json.dumps({"TableName": table_h, "Item": item}).encode()
    packed = compress(body)
    assert len(packed) < len(body) / 3
    status, _, data = post(endpoint, "PutItem", packed, {"Content-Encoding": encoding})
    assert status == 200, data
    assert get_item(endpoint, table_h, key) == item


def test_identity_content_encoding_is_a_plain_body(endpoint, table_h):
    key = unique()
    body = json.dumps({"TableName": table_h, "Item": {"pk": {"S": key}}}).encode()
    status, _, data = post(endpoint, "PutItem", body, {"Content-Encoding": "identity"})
    assert status == 200, data
    assert get_item(endpoint, table_h, key) == {"pk": {"S": key}}


@pytest.mark.local_differs(LOCAL_IGNORES)
def test_concatenated_gzip_members_are_one_body(endpoint):
    # RFC 1952 2.2: a gzip file is a series of members. Only the two together are valid JSON.
    status, _, data = post(endpoint, "ListTables", gzip.compress(b'{"Li') + gzip.compress(b'mit": 1}'),
                           {"Content-Encoding": "gzip"})
    assert status == 200, data
    assert len(json.loads(data)["TableNames"]) <= 1


@pytest.mark.local_differs(LOCAL_IGNORES)
@pytest.mark.parametrize("name,packed", [
    ("empty", b""),
    ("not_gzip", b'{"Limit": 1}'),
    ("truncated", gzip.compress(b'{"Limit": 1}')[:-6]),
    ("corrupt", gzip.compress(b'{"Limit": 1}')[:12] + b"\xff\xff\xff" + gzip.compress(b'{"Limit": 1}')[15:]),
    ("trailing_junk", gzip.compress(b'{"Limit": 1}') + b"junk"),
])
def test_undecodable_gzip_is_serialization_exception(endpoint, name, packed):
    # Nothing documents the service's answer; SerializationException is what it says of a body it cannot read.
    status, headers, data = post(endpoint, "ListTables", packed, {"Content-Encoding": "gzip"})
    assert status == 400, data
    assert json.loads(data)["__type"] == "com.amazon.coral.service#SerializationException"
    assert "gzip" in json.loads(data)["message"]
    assert int(headers["x-amz-crc32"]) == zlib.crc32(data)


@pytest.mark.local_differs(LOCAL_IGNORES)
def test_undecodable_deflate_is_serialization_exception(endpoint):
    status, _, data = post(endpoint, "ListTables", zlib.compress(b"{}") + b"x", {"Content-Encoding": "deflate"})
    assert status == 400, data
    assert error_type(data) == "SerializationException"


@pytest.mark.local_differs(LOCAL_IGNORES)
@pytest.mark.parametrize("encoding", ["br", "compress", "zstd", "gzip, gzip", "gzip, deflate"])
def test_unsupported_content_encoding_is_internal_failure(endpoint, encoding):
    # DynamoDB answers an unsupported Content-Encoding with a 500 (observed by ScyllaDB's Alternator, its test
    # test_garbage_content_encoding); the type and words are Basalt's guess.
    status, _, data = post(endpoint, "ListTables", b"{}", {"Content-Encoding": encoding})
    assert status == 500, data
    assert json.loads(data)["__type"] == "com.amazon.coral.service#InternalFailure"
    assert "Content-Encoding" in json.loads(data)["message"]


def padded_list_tables(size):
    """A ListTables body of exactly `size` bytes (unknown members are ignored)."""
    head, tail = b'{"Pad": "', b'"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


@pytest.mark.local_differs(LOCAL_IGNORES)
def test_the_16_mib_limit_is_on_the_decompressed_size(endpoint):
    status, _, data = post(endpoint, "ListTables", gzip.compress(padded_list_tables(LIMIT)), {"Content-Encoding": "gzip"})
    assert status == 200, data[:300]
    status, _, data = post(endpoint, "ListTables", gzip.compress(padded_list_tables(LIMIT + 1)),
                           {"Content-Encoding": "gzip"})
    assert status == 413, data[:300]
    assert error_type(data) == "RequestEntityTooLargeException"
    assert "decompressed" in json.loads(data)["message"]


def gzip_bomb(size):
    """`size` bytes of zeros as gzip (about size / 1000), made without holding them."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MIB)
    parts = [c.compress(chunk) for _ in range(size // MIB)]
    parts.append(c.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def gigabyte_bomb():
    return gzip_bomb(1024 * MIB)


def vm_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


@pytest.mark.basalt_only
def test_a_gigabyte_bomb_is_refused_quickly_with_little_memory(private_server, gigabyte_bomb):
    server = private_server("--in-memory")
    assert len(gigabyte_bomb) < 2 * MIB
    conn = _conn(server.url)
    try:
        post(server.url, "ListTables", b"{}", conn=conn)
        rss_before = vm_kb(server.pid, "VmRSS")
        for _ in range(5):  # on one kept-alive connection: the error leaves it usable
            start = time.monotonic()
            status, _, data = post(server.url, "ListTables", gigabyte_bomb, {"Content-Encoding": "gzip"}, conn=conn)
            took = time.monotonic() - start
            assert status == 413, data
            assert error_type(data) == "RequestEntityTooLargeException"
            assert took < 2.0, "refusing the bomb took %.2f s" % took
        status, _, _ = post(server.url, "ListTables", b"{}", conn=conn)
        assert status == 200
    finally:
        conn.close()
    # At most one 16 MiB buffer (plus the body) at a time: the peak stays far below the gigabyte.
    peak_growth_mb = (vm_kb(server.pid, "VmHWM") - rss_before) / 1024
    assert peak_growth_mb < 100, "RSS peaked %.0f MB above its level before the bombs" % peak_growth_mb


@pytest.mark.basalt_only
def test_concurrent_bombs_stay_within_the_memory_budget(private_server, gigabyte_bomb):
    # With a 64 MiB budget, eight concurrent bombs cannot all inflate 16 MiB (times the cost factor) at once:
    # some are refused as ThrottlingException (retried by the SDKs), the rest as too large, none in memory.
    server = private_server("--in-memory", "--memory-budget", "64")
    results = []

    def bomb():
        status, _, data = post(server.url, "ListTables", gigabyte_bomb, {"Content-Encoding": "gzip"})
        results.append((status, error_type(data)))

    threads = [threading.Thread(target=bomb) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 8
    assert set(results) <= {(413, "RequestEntityTooLargeException"), (400, "ThrottlingException")}, results
    assert vm_kb(server.pid, "VmHWM") / 1024 < 400


# --------------------------------------------------------------------------- requests: boto3's own compression

def _native_request_compression():
    """Whether the installed botocore has the SDKs' request compression (botocore 1.31+; Debian's 1.29 does not)."""
    try:
        Config(request_min_compression_size_bytes=10240)
        return True
    except TypeError:
        return False


def compressing_client(endpoint, tmp_path, min_size):
    """A boto3 DynamoDB client that gzips request bodies of at least `min_size` bytes and records each request's
    Content-Encoding in client.sent_encodings.

    With botocore 1.31+ this is botocore's own RequestCompressor, switched on by request_min_compression_size_bytes
    and disable_request_compression=False: the client is given a copy of the DynamoDB model where every operation
    has the requestcompression trait (gzip), as the services that compress have. Older botocore has no such
    setting, so a before-sign hook does what the RequestCompressor does (gzip the body, set Content-Encoding,
    then sign the compressed bytes)."""
    retries = {"total_max_attempts": 1, "mode": "standard"}
    if _native_request_compression():
        loader = botocore.session.Session().get_component("data_loader")
        model = loader.load_service_model("dynamodb", "service-2")
        for op in model["operations"].values():
            op["requestcompression"] = {"encodings": ["gzip"]}
        folder = tmp_path / "dynamodb" / model["metadata"]["apiVersion"]
        folder.mkdir(parents=True)
        (folder / "service-2.json").write_text(json.dumps(model))
        core = botocore.session.Session()
        core.set_config_variable("data_path", str(tmp_path))
        config = Config(retries=retries, request_min_compression_size_bytes=min_size,
                        disable_request_compression=False)
    else:
        core = botocore.session.Session()
        config = Config(retries=retries)
    session = boto3.session.Session(botocore_session=core, aws_access_key_id=ACCESS_KEY,
                                    aws_secret_access_key=SECRET_KEY, region_name=REGION)
    client = session.client("dynamodb", endpoint_url=endpoint, config=config)
    if not _native_request_compression():
        def compress(request, **_):
            body = request.data if isinstance(request.data, bytes) else request.data.encode()
            if len(body) >= min_size:
                request.data = gzip.compress(body)
                request.headers["Content-Encoding"] = "gzip"

        client.meta.events.register("before-sign.dynamodb.*", compress)
    client.sent_encodings = []

    def record(request, **_):
        encoding = request.headers.get("Content-Encoding")
        client.sent_encodings.append(encoding.decode() if isinstance(encoding, bytes) else encoding)

    client.meta.events.register("before-send.dynamodb.*", record)
    return client


@pytest.mark.local_differs(LOCAL_IGNORES)
def test_boto3_with_request_compression_on(endpoint, table_h, tmp_path):
    client = compressing_client(endpoint, tmp_path, min_size=10240)  # the SDKs' default threshold
    big, small = unique(), unique()
    client.put_item(TableName=table_h, Item=item_of(100 * 1000, big))
    client.put_item(TableName=table_h, Item={"pk": {"S": small}})
    assert client.sent_encodings == ["gzip", None]
    assert client.get_item(TableName=table_h, Key={"pk": {"S": big}}, ConsistentRead=True)["Item"] == \
        item_of(100 * 1000, big)
    batch = {table_h: [{"PutRequest": {"Item": item_of(20 * 1000, unique())}} for _ in range(5)]}
    assert client.batch_write_item(RequestItems=batch)["UnprocessedItems"] == {}
    assert client.sent_encodings[-1] == "gzip"


# --------------------------------------------------------------------------- responses

def big_item(endpoint, table, size=20 * 1000):
    key = unique()
    status, _, data = post(endpoint, "PutItem", json.dumps({"TableName": table, "Item": item_of(size, key)}).encode())
    assert status == 200, data
    return key


def get_raw(endpoint, table, key, accept=None):
    headers = {} if accept is None else {"Accept-Encoding": accept}
    return post(endpoint, "GetItem", json.dumps({"TableName": table, "Key": {"pk": {"S": key}},
                                                 "ConsistentRead": True}).encode(), headers)


@pytest.mark.local_differs(LOCAL_NEVER_COMPRESSES)
@pytest.mark.parametrize("accept,coding", [
    ("gzip", "gzip"),
    ("GZIP", "gzip"),
    ("gzip, deflate, br", "gzip"),
    ("deflate", "deflate"),
    ("gzip;q=0, deflate", "deflate"),
    ("gzip;q=0.5", "gzip"),
    ("*", "gzip"),
    ("br, deflate;q=0.2, identity;q=0.1", "deflate"),
])
def test_large_responses_are_compressed_as_accepted(endpoint, table_h, accept, coding):
    key = big_item(endpoint, table_h)
    status, headers, data = get_raw(endpoint, table_h, key, accept)
    assert status == 200
    assert headers.get("content-encoding") == coding
    # The CRC is of the bytes as sent (newer-features.md 3), which is what botocore computes its check over.
    assert int(headers["x-amz-crc32"]) == zlib.crc32(data)
    plain = gzip.decompress(data) if coding == "gzip" else zlib.decompress(data)  # deflate: the zlib format
    assert json.loads(plain)["Item"] == item_of(20 * 1000, key)
    assert len(data) < len(plain) / 3


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br", "*;q=0", "gzip;q=0, deflate;q=0"])
def test_responses_stay_identity_unless_a_coding_is_accepted(endpoint, table_h, accept):
    key = big_item(endpoint, table_h)
    status, headers, data = get_raw(endpoint, table_h, key, accept)
    assert status == 200
    assert "content-encoding" not in headers
    assert json.loads(data)["Item"]["pk"] == {"S": key}
    assert int(headers["x-amz-crc32"]) == zlib.crc32(data)


@pytest.mark.local_differs(LOCAL_NEVER_COMPRESSES)
def test_the_threshold_is_about_4_kb(endpoint, table_h):
    # Small bodies stay identity even when gzip is accepted (newer-features.md 3: ~4 KB).
    status, headers, data = post(endpoint, "ListTables", b"{}", {"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers and len(data) <= THRESHOLD
    key = unique()
    for size, compressed in [(THRESHOLD - 200, False), (THRESHOLD + 200, True)]:
        item = {"pk": {"S": key}, "v": {"S": "x" * size}}
        assert post(endpoint, "PutItem", json.dumps({"TableName": table_h, "Item": item}).encode())[0] == 200
        status, headers, data = get_raw(endpoint, table_h, key, "gzip")
        assert ("content-encoding" in headers) == compressed, (size, len(data))


@pytest.mark.local_differs(LOCAL_NEVER_COMPRESSES)
def test_error_responses_are_compressed_and_checksummed_the_same_way(endpoint):
    # The service's message echoes a bad value, so a 6,000-character table name makes an error body over the
    # threshold; a short one stays identity.
    for name, compressed in [("a" * 6000, True), ("nope_" + unique(), False)]:
        status, headers, data = post(endpoint, "DescribeTable", json.dumps({"TableName": name}).encode(),
                                     {"Accept-Encoding": "gzip"})
        assert status == 400
        assert ("content-encoding" in headers) == compressed
        assert int(headers["x-amz-crc32"]) == zlib.crc32(data)
        body = json.loads(gzip.decompress(data) if compressed else data)
        assert body["__type"].endswith("ValidationException" if compressed else "ResourceNotFoundException")


def _has_before_parse():
    import botocore.endpoint
    return "before-parse" in inspect.getsource(botocore.endpoint)


@pytest.mark.local_differs(LOCAL_NEVER_COMPRESSES)
@pytest.mark.skipif(not _has_before_parse(), reason="this botocore has no before-parse event (added after 1.29)")
def test_boto3_checks_the_crc_of_the_compressed_bytes(endpoint, table_h):
    """boto3 does not ask for gzip nor decompress a response; a client that adds Accept-Encoding and inflates
    before parsing (the before-parse hook) still gets botocore's x-amz-crc32 check, over the raw bytes
    (botocore reads them with decode_content=False). The legacy retry mode with one attempt raises
    ChecksumError on a mismatch; the standard mode would only retry, and with one attempt pass silently."""
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                                    region_name=REGION)
    client = session.client("dynamodb", endpoint_url=endpoint,
                            config=Config(retries={"total_max_attempts": 1, "mode": "legacy"}))
    seen = []

    def ask_for_gzip(request, **_):
        request.headers["Accept-Encoding"] = "gzip"

    def inflate(response_dict, **_):
        seen.append(response_dict["headers"].get("content-encoding"))
        if response_dict["headers"].get("content-encoding") == "gzip":
            response_dict["body"] = gzip.decompress(response_dict["body"])

    client.meta.events.register("before-send.dynamodb.*", ask_for_gzip)
    client.meta.events.register("before-parse.dynamodb.*", inflate)
    key = big_item(endpoint, table_h)
    item = client.get_item(TableName=table_h, Key={"pk": {"S": key}}, ConsistentRead=True)["Item"]
    assert item == item_of(20 * 1000, key)
    assert seen == ["gzip"]
