"""TLS on the listener (--tls-cert/--tls-key): boto3 over HTTPS verifying the server against a test CA made
here with the openssl command line, plain HTTP to the TLS port refused with a clear 400, client certificates
(--tls-client-ca) and a new certificate taken on SIGHUP."""

import os
import signal
import subprocess
import time

import pytest
import requests

from conftest import make_client, table_name

pytestmark = pytest.mark.basalt_only

KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]


def _openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ca(d, name):
    key, pem = d / (name + ".key"), d / (name + ".pem")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
             "-out", pem, "-days", "1", "-subj", "/CN=" + name)
    return key, pem


def _cert(d, name, ca, extension):
    key, csr, pem, ext = d / (name + ".key"), d / (name + ".csr"), d / (name + ".pem"), d / (name + ".ext")
    ext.write_text(extension + "\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
             "-out", csr, "-subj", "/CN=" + name)
    _openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0], "-CAcreateserial", "-out", pem, "-days", "1",
             "-extfile", ext)
    return key, pem


@pytest.fixture
def pki(tmp_path):
    ca = _ca(tmp_path, "test-ca")
    server = _cert(tmp_path, "server", ca, "subjectAltName=IP:127.0.0.1")
    return tmp_path, ca, server


def _https(url):
    return url.replace("http://", "https://")


def test_boto3_over_https_with_verification(private_server, pki):
    d, ca, server = pki
    srv = private_server("--in-memory", "--tls-cert", str(server[1]), "--tls-key", str(server[0]))
    url = _https(srv.url)
    client = make_client(url, verify=str(ca[1]))
    name = table_name("tls")
    client.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    client.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert client.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    # Another CA's client does not trust it.
    other = _ca(d, "other-ca")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url + "/", verify=str(other[1]), timeout=10)
    assert requests.get(url + "/", verify=str(ca[1]), timeout=10).text.startswith("healthy: basalt")


def test_plain_http_to_tls_port_is_refused_cleanly(private_server, pki):
    _, _, server = pki
    srv = private_server("--in-memory", "--tls-cert", str(server[1]), "--tls-key", str(server[0]))
    r = requests.post(srv.url + "/", data="{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"}, timeout=10)
    assert r.status_code == 400
    assert r.text.startswith("This port speaks HTTPS")
    assert r.headers["Connection"] == "close"


def test_client_certificate_required(private_server, pki):
    d, ca, server = pki
    client_cert = _cert(d, "client", ca, "extendedKeyUsage=clientAuth")
    srv = private_server("--in-memory", "--tls-cert", str(server[1]), "--tls-key", str(server[0]),
                         "--tls-client-ca", str(ca[1]))
    url = _https(srv.url)
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(url + "/", verify=str(ca[1]), timeout=10)
    r = requests.get(url + "/", verify=str(ca[1]), cert=(str(client_cert[1]), str(client_cert[0])), timeout=10)
    assert r.status_code == 200


def test_sighup_reloads_the_certificate(private_server, pki):
    d, ca, server = pki
    cert, key = d / "live.pem", d / "live.key"
    cert.write_bytes(server[1].read_bytes())
    key.write_bytes(server[0].read_bytes())
    srv = private_server("--in-memory", "--tls-cert", str(cert), "--tls-key", str(key))
    url = _https(srv.url)
    assert requests.get(url + "/", verify=str(ca[1]), timeout=10).status_code == 200
    ca2 = _ca(d, "second-ca")
    server2 = _cert(d, "server2", ca2, "subjectAltName=IP:127.0.0.1")
    cert.write_bytes(server2[1].read_bytes())
    key.write_bytes(server2[0].read_bytes())
    os.kill(srv.pid, signal.SIGHUP)
    deadline = time.monotonic() + 10
    while True:
        try:
            assert requests.get(url + "/", verify=str(ca2[1]), timeout=10).status_code == 200
            break
        except requests.exceptions.SSLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert "reloaded the TLS certificate" in srv.log_text()
