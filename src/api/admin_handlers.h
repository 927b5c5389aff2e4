// The admin API, under X-Amz-Target "BasaltAdmin_20261201.<Op>", signed with
// SigV4 like any request (only with --auth=sigv4). The root principal may
// call everything; another principal needs an identity policy allowing
// "basalt:<Op>" (and "sts:AssumeRole" on the role's ARN for AssumeRole).
//
//   CreateUser {UserName, [Account]}          -> {User: {UserName, Arn, Account}}
//   DeleteUser {UserName}                     -> {}
//   ListUsers {}                              -> {Users: [{UserName, Arn, Account, PolicyNames, AccessKeyIds}]}
//   CreateAccessKey {UserName}                -> {AccessKey: {UserName, AccessKeyId, SecretAccessKey}}
//   DeleteAccessKey {AccessKeyId}             -> {}
//   CreateRole {RoleName, [Account]}          -> {Role: {RoleName, Arn, Account}}
//   DeleteRole {RoleName}                     -> {}
//   PutUserPolicy / PutRolePolicy {UserName|RoleName, PolicyName, PolicyDocument} -> {}
//   DeleteUserPolicy / DeleteRolePolicy {UserName|RoleName, PolicyName}           -> {}
//   AssumeRole {RoleName, RoleSessionName, [DurationSeconds=3600]}
//       -> {Credentials: {AccessKeyId, SecretAccessKey, SessionToken, Expiration}, AssumedRoleUser: {Arn}}
#pragma once

#include <string_view>

#include "api/json.h"
#include "auth/principals.h"

namespace basalt::api {

inline constexpr std::string_view kAdminTargetPrefix = "BasaltAdmin_20261201.";

// Runs one admin operation for `caller`; UnknownOperation for an unknown name.
Status HandleAdmin(auth::PrincipalStore* store, const auth::Principal& caller, std::string_view op,
                   const JsonValue& request, JsonWriter& out);

}  // namespace basalt::api
