/*
 * mbox - stored mail (mbox files, Maildir and MH members, .eml) into
 * archive events
 *
 * A line-driven push reader: the dispatcher calls mbox_begin() when a
 * stream of format FMT_MBOX starts, mbox_read_line() for each of its
 * lines (end-of-line bytes removed, as the input layer delivers them)
 * and mbox_finish() when it ends. All state lives in the struct
 * mbox_reader the caller embeds (zero it once, e.g. with the dispatcher):
 * no globals, nothing printed, no I/O, never a read outside a line.
 *
 * Splitting (see ../shared/formats/mbox.md 1.2): a From_ line starts a
 * message only at the start of the stream or after an empty line, and
 * only if it carries an asctime-like date or the next non-empty line is
 * a header field (bare "From ", "From -"). A Content-Length header
 * (mboxcl, mboxcl2) is trusted only when the body ends exactly there on
 * a From_ line, an empty line or the end of the stream (body lines
 * counted with LF and with CRLF ends); separators it hid are read again
 * if it proves wrong. Four Ctrl-A bytes (MMDF) delimit messages too.
 * A stream that does not start with a From_ line is one message (Maildir,
 * MH, .eml). A bare-CR file (old Mac) is split at each CR.
 *
 * Per message, when its header block ends (empty line, next separator or
 * end of stream), the reader emits: EV_BEGIN (flag EVF_ARCHIVE, host
 * MBOX_HOST, qid "m<stream>.<ordinal>", time from Date:, else the From_
 * line, else the stream's file time), EV_MSGID, EV_ENVELOPE (sender:
 * Return-Path, else the first From: address), EV_HEADER "Subject"
 * (RFC 2047-decoded), EV_HDR_ADDRS for every From, Sender, Reply-To, To,
 * Cc, Bcc, Resent-*, Delivered-To, X-Original-To, Envelope-To and
 * X-Envelope-To field (each occurrence, so "Cc:" and "cc:" both count)
 * and one for each "Received: ... for <addr>", EV_REF for every id of
 * In-Reply-To and References, then EV_END. Bodies are never held: a body
 * line costs a few compares. The UW-IMAP "FOLDER INTERNAL DATA"
 * pseudo-message is skipped (counted in pseudo).
 *
 * Line results: a From_ line and header lines PARSE_EVENT, body and
 * empty lines PARSE_CONTEXT, lines before the first message that are
 * neither PARSE_UNRECOGNIZED.
 *
 * Limits: a header block is kept up to MBOX_MAX_HEADER bytes; later
 * header lines are dropped (hdr_cut counted) and the fields they belonged
 * to are emitted with list_complete false. Memory is released after each
 * message, so a finished stream holds none.
 *
 * BUGS: a line the input layer cut at INPUT_MAX_LINE makes Content-Length
 * accounting miss (the length is then ignored, as for any bad length).
 * Resent-* blocks are merged with the original headers, not kept as
 * separate distributions. Envelope headers are taken whoever added them.
 */
#ifndef MAILSPILL_MBOX_H
#define MAILSPILL_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"
#include "event.h"
#include "postfix.h"		/* enum parse_result */
#include "rfc5322.h"

/* Host of every archived copy: copies are keyed apart from MTA queues. */
#define MBOX_HOST	"archive"
/* Room for the qid "m<stream>.<ordinal>"; the store keeps 31 bytes. */
#define MBOX_QID_LEN	32
/* 1 MiB of header per message: real headers of hundreds of KB exist (huge
 * To lists); beyond this only a mail bomb or a non-mail file. */
#define MBOX_MAX_HEADER	(1u << 20)
/* Separators a Content-Length may hide before it is proven right or
 * wrong, and the header bytes kept for them meanwhile. */
#define MBOX_MAX_HIDDEN		64
#define MBOX_MAX_HIDDEN_BYTES	(1u << 20)

struct mbox_hidden {
	size_t off;		/* header bytes in hidden_buf */
	int64_t from_time;	/* date of its From_ line, INT64_MIN none */
	uint64_t lineno;
};

struct mbox_reader {
	/* Stream. */
	uint32_t src;
	int64_t mtime;
	bool active;
	bool single;		/* no From_ line first: one message */
	bool cr_split;		/* bare-CR line ends seen */
	uint64_t ordinal;

	/* Splitting. */
	int state;		/* private */
	bool prev_blank;
	bool pending;		/* a dateless From_ line awaits a header */
	int64_t pending_time;
	uint64_t pending_line;

	/* The message being read. */
	struct buf hdr;		/* header lines, each ended by '\n' */
	bool hdr_cut;
	size_t hdr_cut_off;	/* first byte of the field that was cut */
	int64_t from_time;	/* date of the From_ line, INT64_MIN none */
	uint64_t msg_line;	/* line of its From_ line or first header */

	/* Content-Length of the message whose body is being skipped. */
	int64_t clen;		/* -1: none or not trusted */
	uint64_t body_lf, body_crlf;
	bool landed;		/* reached it on an empty line */
	struct buf hidden_buf;
	struct mbox_hidden hidden[MBOX_MAX_HIDDEN];
	size_t nhidden;
	bool in_hidden;		/* reading the headers of hidden[nhidden-1] */

	/* Scratch for emitting, released after each message. */
	struct buf tmp;
	struct buf text;
	struct rfc5322_addr_list addrs;
	struct rfc5322_msgid_list ids;
	struct hdr_addr *ev_addrs;
	size_t ev_cap;

	/* Counters over the run. */
	uint64_t messages;	/* emitted */
	uint64_t pseudo;	/* folder-internal pseudo-messages skipped */
	uint64_t hdr_cuts;	/* header blocks cut at MBOX_MAX_HEADER */
	uint64_t bad_clen;	/* Content-Length not trusted */
	uint64_t rejected_from;	/* "From " after an empty line, not a
				 * separator */
};

/* Starts a stream: src is its id (ev.src), mtime its file time. A
 * stream still open is finished first. */
void mbox_begin(struct mbox_reader *m, uint32_t src, int64_t mtime,
    event_sink_fn sink, void *ctx);

/* One line of the stream (without its line end). */
enum parse_result mbox_read_line(struct mbox_reader *m, const char *line,
    size_t len, uint64_t lineno, event_sink_fn sink, void *ctx);

/* Ends the stream: emits a message whose header block was still open,
 * and separators a wrong Content-Length hid. Releases all memory; the
 * counters stay. Harmless when no stream is open. */
void mbox_finish(struct mbox_reader *m, event_sink_fn sink, void *ctx);

/* Whether the first lines of a stream are those of a stored message:
 * a From_ line, an MMDF marker, or a header block (every line up to the
 * first empty one a field or a continuation, at least two fields, one
 * of them a name every message has). A UTF-8 byte order mark is
 * skipped. */
bool mbox_sniff(const char *const *lines, const size_t *lens, size_t n);

/* Exposed for tests. */
/* An RFC 5322 date-time ("Tue, 1 Jul 2003 10:52:37 +0200", obsolete
 * zones and two-digit years too) in seconds since the epoch. Returns 0,
 * or -1 when it is not one. */
int mbox_parse_date(const char *p, size_t len, int64_t *t);
/* The date of a From_ line ("From a@b Sun Feb 18 16:41:11 2020", with
 * a zone before or after the year too). Returns 0 or -1. */
int mbox_from_line_date(const char *p, size_t len, int64_t *t);

#endif
