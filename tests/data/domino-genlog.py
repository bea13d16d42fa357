#!/usr/bin/env python3
"""Writes a large Domino console log for throughput runs (not a test
fixture): N inbound SMTP messages, each with a session, one or two
recipients, local deliveries and an occasional SMTP transfer, in the
US 12-hour layout with thread prefixes. Usage: domino-genlog.py N >out"""
import random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
rnd = random.Random(8)
t = 1773648000  # 2026-03-16 08:00 UTC
out = sys.stdout
names = ["Ann Lee/Ops/Fenwick", "Kim Osei/Finance/Fenwick",
	 "Raj Patel/Field/Fenwick", "Helen Ward/Admin/Fenwick"]
def stamp(t):
	import time
	g = time.gmtime(t)
	h = g.tm_hour % 12 or 12
	return "%02d/%02d/%04d %02d:%02d:%02d %s" % (g.tm_mon, g.tm_mday,
	    g.tm_year, h, g.tm_min, g.tm_sec, "AM" if g.tm_hour < 12 else "PM")
for i in range(n):
	t += rnd.randint(0, 2)
	s = stamp(t)
	th = "[004512:%06d-00007F3A2C1D8700]" % rnd.randint(1, 40)
	note = "%08X" % (0x00100000 + i % 500000)
	w = out.write
	w("%s %s  SMTP Server: 10.1.0.5 connected\n" % (th, s))
	w("%s %s  SMTP Server: Originator: <u%d@ext%d.example>\n" % (th, s, i, i % 97))
	k = 1 + (i % 3 == 0)
	for j in range(k):
		w("%s %s  SMTP Server: Recipient: <r%d@fenwick-water.example>\n" % (th, s, (i + j) % 4))
	w("%s %s  SMTP Server: Message %s (MessageID: <%d.%d@ext%d.example>) received from 10.1.0.5 size %d bytes\n"
	  % (th, s, note, i, t, i % 97, rnd.randint(900, 90000)))
	w("%s %s  SMTP Server: 10.1.0.5 disconnected. 1 message[s] received\n" % (th, s))
	for j in range(k):
		w("%s %s  Router: Message %s delivered to %s from u%d@ext%d.example OF%08X:%08X ON80258D3F:%08X Size: %dK Time: 00:00:00 Hop Count: 2\n"
		  % (th, s, note, names[(i + j) % 4], i, i % 97, i, t, i, rnd.randint(1, 90)))
	if i % 10 == 0:
		w("%s %s  Router: Message %s transferred to gw1.fenwick-water.example for x%d@outlook.example via SMTP\n" % (th, s, note, i))
