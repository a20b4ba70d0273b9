/* SPDX-License-Identifier: ISC */
/*
 * Names of the protocol's error codes.
 */
#include "proto.h"

static const char *proto_errors[] = {
	[PROTO_OK] = "ok",
	[PROTO_BAD_REQUEST] = "bad_request",
	[PROTO_UNKNOWN_COMMAND] = "unknown_command",
	[PROTO_NOT_FOUND] = "not_found",
	[PROTO_EXISTS] = "exists",
	[PROTO_BANNED] = "banned",
	[PROTO_QUEUE_FULL] = "queue_full",
	[PROTO_PERMISSION_DENIED] = "permission_denied",
	[PROTO_INVALID_CONFIG] = "invalid_config",
	[PROTO_CONFIG_JOB] = "config_job",
	[PROTO_TOO_LARGE] = "too_large",
	[PROTO_BUSY] = "busy",
	[PROTO_PERSIST_FAILED] = "persist_failed",
	[PROTO_QUOTA_EXCEEDED] = "quota_exceeded",
	[PROTO_PROTOCOL_MISMATCH] = "protocol_mismatch",
	[PROTO_ENDED] = "ended",
	[PROTO_INTERNAL] = "internal",
};

/* The wire name of an error code. */
const char *
proto_error_name(enum proto_error e)
{
	if ((unsigned)e >= sizeof proto_errors / sizeof proto_errors[0])
		return ("internal");
	return (proto_errors[e]);
}
