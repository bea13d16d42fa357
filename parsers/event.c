/*
 * event - normalized events. See event.h.
 */
#include "event.h"

#include <string.h>

const char *
rcpt_status_name(enum rcpt_status s)
{
	static const char *const names[RCPT_STATUS_COUNT] = {
		[RCPT_UNKNOWN] = "unknown",
		[RCPT_DEFERRED] = "deferred",
		[RCPT_SENT] = "sent",
		[RCPT_BOUNCED] = "bounced",
		[RCPT_EXPIRED] = "expired",
		[RCPT_REJECTED] = "rejected",
		[RCPT_DISCARDED] = "discarded",
	};

	return (unsigned)s < RCPT_STATUS_COUNT ? names[s] : "unknown";
}

void
event_clear(struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->size = -1;
	ev->nrcpt = -1;
}

/* See event.h. */
void
event_reset_fields(struct event *ev)
{
	struct str e = STR_EMPTY;

	ev->sender = ev->addr = ev->orig = ev->msgid = ev->relay = e;
	ev->dsn = ev->text = ev->hname = ev->hvalue = ev->link_qid = e;
	ev->instance = e;
	ev->status = RCPT_UNKNOWN;
	ev->link = LINK_NONE;
	ev->flags = 0;
	ev->hvalue_cut = false;
	ev->addrs = NULL;
	ev->naddrs = 0;
	ev->list_complete = false;
	ev->size = ev->nrcpt = -1;
}
