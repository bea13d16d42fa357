/*
 * evqueue - hands events to their sink in a thread of its own.
 *
 * Reading and parsing a log and filing its events in the model take
 * about the same time; on two cores they can overlap. evqueue_push() is
 * an event_sink_fn: it copies the event (every string it points to, and
 * its header addresses) into a block, and a second thread calls the real
 * sink with each event, in the order pushed. Blocks go over in batches,
 * so the threads meet once a block, not once an event; a few blocks in
 * flight bound the memory, and the reader waits when the sink lags.
 *
 * The sink runs only in the queue's thread until evqueue_finish()
 * returns: its state must not be touched by the pushing side meanwhile.
 * With threads == false (or when no thread can be made) evqueue_push()
 * calls the sink directly.
 *
 * prep (may be NULL) balances the two threads: while the sink lags (the
 * pushing side found half the blocks in flight waiting at its last
 * block), each event's copy goes through prep first, on the pushing
 * side, which takes on work the sink would do (see event_prep_fn).
 * ahead (may be NULL) runs in the sink's thread before each event, with
 * the event after it when the block holds one: the sink can fetch what
 * the next event will need while it files this one.
 */
#ifndef MAILSPILL_EVQUEUE_H
#define MAILSPILL_EVQUEUE_H

#include <stdbool.h>

#include "event.h"

struct evqueue;

/* A queue in front of sink(ctx, ...). Never NULL. */
struct evqueue *evqueue_new(event_sink_fn sink, event_prep_fn prep,
    event_ahead_fn ahead, void *ctx, bool threads);
/* An event_sink_fn; ctx is the queue. */
void evqueue_push(void *q, const struct event *ev);
/* Waits until the sink has seen every event pushed; the queue can take
 * more afterwards. */
void evqueue_drain(struct evqueue *q);
/* Drains, ends the thread and frees the queue. */
void evqueue_free(struct evqueue *q);

#endif
