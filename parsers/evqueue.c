/*
 * evqueue - hands events to their sink in a thread of its own. See
 * evqueue.h.
 */
#include "evqueue.h"
#include "../lib/xalloc.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A block holds this many bytes of events (a larger event gets a block
 * of its own); at most EVQ_INFLIGHT wait for the sink. */
#define EVQ_BLOCK	(256 * 1024)
#define EVQ_INFLIGHT	8

struct block {
	struct block *next;
	size_t len, cap;
	_Alignas(max_align_t) char data[];
};

/* One event in a block: its copy, then its strings and header
 * addresses; every pointer of the copy is an offset from rec. */
struct rec {
	size_t size;		/* of the whole record, a multiple of 8 */
	struct event ev;
};

struct evqueue {
	event_sink_fn sink;
	event_prep_fn prep;
	event_ahead_fn ahead;
	void *ctx;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t more;	/* a block was queued, or stop */
	pthread_cond_t room;	/* a queued block was taken */
	pthread_cond_t idle;	/* the sink has seen every queued block */
	struct block *head, *tail;	/* queued, oldest first */
	size_t nqueued;
	bool busy;		/* the sink is on a block */
	bool stop;
	struct block *spare;	/* blocks of EVQ_BLOCK for reuse */
	struct block *cur;	/* being filled by the pushing side */
	bool lagging;		/* the sink was behind at the last block */
};

static const size_t str_fields[] = {
	offsetof(struct event, host), offsetof(struct event, instance),
	offsetof(struct event, qid), offsetof(struct event, sender),
	offsetof(struct event, addr), offsetof(struct event, orig),
	offsetof(struct event, msgid), offsetof(struct event, relay),
	offsetof(struct event, dsn), offsetof(struct event, text),
	offsetof(struct event, hname), offsetof(struct event, hvalue),
	offsetof(struct event, link_qid),
};
#define NSTR	(sizeof(str_fields) / sizeof(str_fields[0]))

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static struct str *
field(struct event *ev, size_t k)
{
	return (struct str *)(void *)((char *)ev + str_fields[k]);
}

static size_t
rec_size(const struct event *ev)
{
	size_t n = sizeof(struct rec), k;

	for (k = 0; k < NSTR; k++)
		n += field((struct event *)ev, k)->len;
	if (ev->naddrs > 0) {
		n = align8(n) + ev->naddrs * sizeof(struct hdr_addr);
		for (k = 0; k < ev->naddrs; k++)
			n += ev->addrs[k].addr.len + ev->addrs[k].name.len;
	}
	return align8(n);
}

/* Copies s's bytes to *p; the copy's pointer becomes an offset. */
static void
put_str(struct str *s, char *base, char **p)
{
	if (s->len == 0) {
		s->p = "";
		return;
	}
	memcpy(*p, s->p, s->len);
	s->p = (const char *)(uintptr_t)(*p - base);
	*p += s->len;
}

static void
get_str(struct str *s, char *base)
{
	if (s->len > 0)
		s->p = base + (uintptr_t)s->p;
}

static void
rec_write(struct evqueue *q, char *at, size_t size, const struct event *ev)
{
	struct rec *r = (struct rec *)(void *)at;
	char *p = (char *)(r + 1);
	size_t k;

	r->size = size;
	r->ev = *ev;
	/* Strings only shrink: the record's size still holds. */
	if (q->lagging && q->prep != NULL)
		q->prep(q->ctx, &r->ev);
	for (k = 0; k < NSTR; k++)
		put_str(field(&r->ev, k), at, &p);
	if (ev->naddrs > 0) {
		struct hdr_addr *a;

		p = at + align8((size_t)(p - at));
		a = (struct hdr_addr *)(void *)p;
		memcpy(a, ev->addrs, ev->naddrs * sizeof(*a));
		r->ev.addrs = (const struct hdr_addr *)(uintptr_t)(p - at);
		p += ev->naddrs * sizeof(*a);
		for (k = 0; k < ev->naddrs; k++) {
			put_str(&a[k].addr, at, &p);
			put_str(&a[k].name, at, &p);
		}
	} else {
		r->ev.addrs = NULL;
	}
}

/* Turns the record's offsets back into pointers. */
static struct event *
rec_fixup(char *at)
{
	struct rec *r = (struct rec *)(void *)at;
	size_t k;

	for (k = 0; k < NSTR; k++)
		get_str(field(&r->ev, k), at);
	if (r->ev.naddrs > 0) {
		struct hdr_addr *a = (struct hdr_addr *)(void *)(at +
		    (uintptr_t)r->ev.addrs);

		for (k = 0; k < r->ev.naddrs; k++) {
			get_str(&a[k].addr, at);
			get_str(&a[k].name, at);
		}
		r->ev.addrs = a;
	}
	return &r->ev;
}

/* Hands a block's events to the sink, in order. */
static void
deliver_block(struct evqueue *q, struct block *b)
{
	struct event *ev, *next;
	size_t o, n;

	if (b->len == 0)
		return;
	next = rec_fixup(b->data);
	for (o = 0; o < b->len; o = n) {
		ev = next;
		n = o + ((struct rec *)(void *)(b->data + o))->size;
		if (n < b->len) {
			next = rec_fixup(b->data + n);
			if (q->ahead != NULL)
				q->ahead(q->ctx, next);
		}
		q->sink(q->ctx, ev);
	}
}

static void *
consume(void *arg)
{
	struct evqueue *q = arg;
	struct block *b;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->head == NULL && !q->stop)
			pthread_cond_wait(&q->more, &q->mu);
		if (q->head == NULL)
			break;
		b = q->head;
		if ((q->head = b->next) == NULL)
			q->tail = NULL;
		q->nqueued--;
		q->busy = true;
		pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->mu);

		deliver_block(q, b);

		pthread_mutex_lock(&q->mu);
		q->busy = false;
		if (b->cap == EVQ_BLOCK) {
			b->next = q->spare;
			q->spare = b;
		} else {
			free(b);
		}
		if (q->head == NULL)
			pthread_cond_broadcast(&q->idle);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static struct block *
block_get(struct evqueue *q, size_t need)
{
	struct block *b = NULL;
	size_t cap = need > EVQ_BLOCK ? need : EVQ_BLOCK;

	if (cap == EVQ_BLOCK) {
		pthread_mutex_lock(&q->mu);
		if ((b = q->spare) != NULL)
			q->spare = b->next;
		pthread_mutex_unlock(&q->mu);
	}
	if (b == NULL) {
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
	}
	b->next = NULL;
	b->len = 0;
	return b;
}

static void
block_submit(struct evqueue *q, struct block *b)
{
	pthread_mutex_lock(&q->mu);
	/* Full only at times: the sink's pace varies (lifetimes retire
	 * in bursts). Half full is behind. */
	q->lagging = q->nqueued >= EVQ_INFLIGHT / 2;
	while (q->nqueued >= EVQ_INFLIGHT)
		pthread_cond_wait(&q->room, &q->mu);
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->nqueued++;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->mu);
}

/* See evqueue.h. */
struct evqueue *
evqueue_new(event_sink_fn sink, event_prep_fn prep, event_ahead_fn ahead,
    void *ctx, bool threads)
{
	struct evqueue *q = xcalloc(1, sizeof(*q));

	q->sink = sink;
	q->prep = prep;
	q->ahead = ahead;
	q->ctx = ctx;
	if (!threads)
		return q;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	pthread_cond_init(&q->idle, NULL);
	q->threaded = pthread_create(&q->thread, NULL, consume, q) == 0;
	if (!q->threaded) {
		pthread_cond_destroy(&q->more);
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->idle);
		pthread_mutex_destroy(&q->mu);
	}
	return q;
}

/* See evqueue.h. */
void
evqueue_push(void *ctx, const struct event *ev)
{
	struct evqueue *q = ctx;
	size_t size;

	if (!q->threaded) {
		q->sink(q->ctx, ev);
		return;
	}
	size = rec_size(ev);
	if (q->cur != NULL && q->cur->len + size > q->cur->cap) {
		block_submit(q, q->cur);
		q->cur = NULL;
	}
	if (q->cur == NULL)
		q->cur = block_get(q, size);
	rec_write(q, q->cur->data + q->cur->len, size, ev);
	q->cur->len += size;
}

/* See evqueue.h. */
void
evqueue_drain(struct evqueue *q)
{
	if (!q->threaded)
		return;
	if (q->cur != NULL) {
		if (q->cur->len > 0) {
			block_submit(q, q->cur);
		} else {
			pthread_mutex_lock(&q->mu);
			q->cur->next = q->spare;
			q->spare = q->cur;
			pthread_mutex_unlock(&q->mu);
		}
		q->cur = NULL;
	}
	pthread_mutex_lock(&q->mu);
	while (q->head != NULL || q->busy)
		pthread_cond_wait(&q->idle, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

/* See evqueue.h. */
void
evqueue_free(struct evqueue *q)
{
	struct block *b;

	if (q == NULL)
		return;
	if (q->threaded) {
		evqueue_drain(q);
		pthread_mutex_lock(&q->mu);
		q->stop = true;
		pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
		while ((b = q->spare) != NULL) {
			q->spare = b->next;
			free(b);
		}
		pthread_cond_destroy(&q->more);
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->idle);
		pthread_mutex_destroy(&q->mu);
	}
	free(q);
}
