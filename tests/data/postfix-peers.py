#!/usr/bin/env python3
"""Turn the Postfix lines of the peer corpus into syslog log files.

Usage: postfix-peers.py PEERS_DIR OUT_DIR

Writes one OUT_DIR/<peer>.log per peer source, ready for
`mailspill stats --unparsed`. Lines that are only the message text
(after "postfix/<service>[pid]: ") get a synthetic classic prefix with
the program the peer names. Fragments that are not whole lines (grok
sub-patterns such as POSTFIX_DELAYS) and Exim lines are left out. The
raw Lightmeter files are read as they are and need no conversion.
"""
import json
import os
import re
import sys

STAMP = re.compile(r'^(<\d+>)?([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d|'
                   r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)')
PREFIX = 'Jan  1 00:00:00 host %s[1]: '

# grok pattern name -> Postfix program; None: a fragment, not a line.
GROK_PROGRAM = {
    'POSTFIX_ANVIL': 'anvil', 'POSTFIX_BOUNCE': 'bounce',
    'POSTFIX_CLEANUP': 'cleanup', 'POSTFIX_COMMAND_COUNTER_DATA': None,
    'POSTFIX_DELAYS': None, 'POSTFIX_DISCARD': 'discard',
    'POSTFIX_DNSBLOG': 'dnsblog', 'POSTFIX_ERROR': 'error',
    'POSTFIX_LMTP': 'lmtp', 'POSTFIX_LOCAL': 'local',
    'POSTFIX_MASTER': 'master', 'POSTFIX_PICKUP': 'pickup',
    'POSTFIX_PIPE': 'pipe', 'POSTFIX_POSTMAP': 'postmap',
    'POSTFIX_POSTSCREEN': 'postscreen', 'POSTFIX_POSTSUPER': 'postsuper',
    'POSTFIX_QMGR': 'qmgr', 'POSTFIX_RELAY': None,
    'POSTFIX_SCACHE': 'scache', 'POSTFIX_SENDMAIL': 'sendmail',
    'POSTFIX_SMTP': 'smtp', 'POSTFIX_SMTPD': 'smtpd',
    'POSTFIX_TLSMGR': 'tlsmgr', 'POSTFIX_TLSPROXY': 'tlsproxy',
    'POSTFIX_TLS_FEATURES': None,
    'POSTFIX_TRIVIAL_REWRITE': 'trivial-rewrite',
    'POSTFIX_VERIFY': 'verify', 'POSTFIX_VIRTUAL': 'virtual',
}


def jsonl(path):
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def whole(line, program):
    """A full syslog line: as is when it has a stamp, else prefixed."""
    if STAMP.match(line):
        return line
    return PREFIX % program + line


def whyscream(d):
    for c in jsonl(os.path.join(d, 'cases.jsonl')):
        prog = GROK_PROGRAM.get(c['grok_pattern'])
        if prog is not None:
            yield whole(c['line'], 'postfix/' + prog)


def msimerson(d):
    for c in jsonl(os.path.join(d, 'cases.jsonl')):
        if not c['line']:
            continue
        prog = c.get('program') or ''
        if not prog.startswith('postfix/'):
            prog = 'postfix/smtpd'
        if c['set'] == 'syslogLines' or STAMP.match(c['line']) or \
                re.match(r'^[A-Z][a-z]{2} \d ', c['line']):
            # "Jan 6 08:39:06": a one-digit day, as the peer wrote it.
            yield re.sub(r'^([A-Z][a-z]{2}) (\d) ', r'\1  \2 ', c['line'])
        else:
            yield whole(c['line'], prog)


def testrefs(d, qid):
    # "./smtpd_check: <queue id>: ACTION: ..." -> smtpd with a queue ID
    # (or NOQUEUE): the test driver stands in for the daemon.
    for c in jsonl(os.path.join(d, 'smtpd_actions.jsonl')):
        m = re.match(r'^\S+: <queue id>: (.*)$', c['line'])
        if m:
            yield PREFIX % 'postfix/smtpd' + qid + ': ' + m.group(1)


def kumina(d):
    for c in jsonl(os.path.join(d, 'cases.jsonl')):
        for line in c['lines']:
            yield whole(line, 'postfix/smtpd')


def full_lines(paths):
    for p in paths:
        for c in jsonl(p):
            if 'postfix' in c['line']:
                yield c['line']


def main():
    peers, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    p = lambda *a: os.path.join(peers, *a)
    crowd = sorted(f for f in os.listdir(p('crowdsec-hub'))
                   if f.startswith('postfix-') and f.endswith('.jsonl'))
    sources = {
        'whyscream-postfix-grok-patterns':
            whyscream(p('whyscream-postfix-grok-patterns')),
        'msimerson-postfix-parser': msimerson(p('msimerson-postfix-parser')),
        'postfix-source-testrefs-noqueue':
            testrefs(p('postfix-source-testrefs'), 'NOQUEUE'),
        'postfix-source-testrefs-qid':
            testrefs(p('postfix-source-testrefs'), '4F3A2B1C0D'),
        'kumina-postfix_exporter': kumina(p('kumina-postfix_exporter')),
        'fail2ban': full_lines([p('fail2ban', 'postfix.jsonl')]),
        'crowdsec-hub': full_lines([p('crowdsec-hub', f) for f in crowd]),
        'logstash-patterns-core':
            full_lines([p('logstash-patterns-core', 'cases.jsonl')]),
    }
    for name, lines in sources.items():
        with open(os.path.join(out, name + '.log'), 'w',
                  encoding='utf-8') as f:
            for line in lines:
                f.write(line.replace('\n', ' ') + '\n')


if __name__ == '__main__':
    main()
