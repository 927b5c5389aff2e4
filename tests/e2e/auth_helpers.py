"""Signing helpers for the --auth=sigv4 tests: requests signed as botocore signs them, so a test can
change one thing after signing (a forgery) and send the bytes as they are."""

import datetime
import gzip
import json

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT_KEY = "AKIAROOTEXAMPLE00001"
ROOT_SECRET = "rootSecretKeyExample/0123456789abcdefgh"
ADMIN_TARGET = "BasaltAdmin_20261201."


def signed(url, target, body, key=ROOT_KEY, secret=ROOT_SECRET, token=None, region="us-east-1",
           service="dynamodb", when=None, extra_headers=None, compress=False):
    """(headers dict, body bytes) of a request signed by botocore's SigV4Auth."""
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    if isinstance(data, str):
        data = data.encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}
    if compress:
        data = gzip.compress(data)
        headers["Content-Encoding"] = "gzip"
    headers.update(extra_headers or {})
    req = AWSRequest(method="POST", url=url + "/", data=data, headers=headers)
    signer = SigV4Auth(Credentials(key, secret, token), service, region)
    if when is not None:
        # botocore reads the time from datetime.datetime.utcnow(); sign at `when` instead.
        import botocore.auth as ba

        real = ba.datetime.datetime

        class Fixed(real):
            @classmethod
            def utcnow(cls):
                return when.replace(tzinfo=None)

            @classmethod
            def now(cls, tz=None):
                return when if tz else when.replace(tzinfo=None)

        ba.datetime.datetime = Fixed
        try:
            signer.add_auth(req)
        finally:
            ba.datetime.datetime = real
    else:
        signer.add_auth(req)
    return dict(req.headers.items()), data


def send(url, headers, data):
    r = requests.post(url + "/", data=data, headers=headers, timeout=30)
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, None


def call(url, op, body, **kw):
    target = op if "." in op else "DynamoDB_20120810." + op
    return send(url, *signed(url, target, body, **kw))


def admin(url, op, body, **kw):
    status, out = call(url, ADMIN_TARGET + op, body, **kw)
    assert status == 200, (op, status, out)
    return out


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)
