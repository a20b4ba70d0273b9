/* SPDX-License-Identifier: ISC */
/*
 * The control protocol shared by schedd and schedctl: newline-delimited
 * JSON objects over a Unix stream socket.  Requests are
 * {"cmd": NAME, "id": ANY, ...}; answers {"id", "ok", "result"|"error"};
 * events {"event": NAME, ...} and never an "id".
 *
 * Bump PROTO_VERSION whenever anything in this file or the shape of a
 * request or answer changes.
 */
#ifndef PROTO_H
#define PROTO_H

#define PROTO_VERSION		2

#define PROTO_MAX_LINE		(1024 * 1024)	/* request line, bytes */
#define PROTO_MAX_CLIENTS	256
#define PROTO_MAX_PER_UID	32		/* non-admin uids */
#define PROTO_IDLE_SECS		60
#define PROTO_MAX_PENDING	(8 * 1024 * 1024) /* unread output, bytes */
#define PROTO_MAX_DEPTH		32		/* JSON nesting */

enum proto_error {
	PROTO_OK = 0,
	PROTO_BAD_REQUEST,
	PROTO_UNKNOWN_COMMAND,
	PROTO_NOT_FOUND,
	PROTO_EXISTS,
	PROTO_BANNED,
	PROTO_QUEUE_FULL,
	PROTO_PERMISSION_DENIED,
	PROTO_INVALID_CONFIG,
	PROTO_CONFIG_JOB,
	PROTO_TOO_LARGE,
	PROTO_BUSY,
	PROTO_PERSIST_FAILED,
	PROTO_INTERNAL,
	PROTO_QUOTA_EXCEEDED,
	PROTO_PROTOCOL_MISMATCH,
	PROTO_ENDED,
};

const char	*proto_error_name(enum proto_error);

#endif
