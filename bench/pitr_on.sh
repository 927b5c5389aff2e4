#!/usr/bin/env bash
# Enables point-in-time recovery on the bench table of the server at $url (for AB_B_SETUP in bench/ab.sh).
set -euo pipefail
curl -sf -H "X-Amz-Target: DynamoDB_20120810.UpdateContinuousBackups" \
  -H "Authorization: AWS4-HMAC-SHA256 Credential=fake/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0" \
  -H "Content-Type: application/x-amz-json-1.0" \
  -d '{"TableName":"bench","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}' "$url/"
