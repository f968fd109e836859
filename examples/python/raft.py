#!/usr/bin/env python3
"""A compact Raft in Python, standard library only, speaking raftsim's node
protocol (docs/node-protocol.md): one JSON object per line on stdin (an
input), answered on stdout by output lines and one `done` line.

What it implements: Figure 2 of the Raft paper -- elections (5.2), log
replication with a fast backup on conflicts (5.3), the election restriction
and the commit rule (5.4), persistence of term, vote and log (5.1, 2C).
No snapshots (2D).

How it stays deterministic, as raftsim requires: time only from the inputs'
`now` (microseconds), randomness only from the init `seed` (splitmix64, so
the same on every Python), no threads, peers walked in id order, dicts only
looked up. The same seed gives the same run, byte for byte.

Usage: python3 raft.py [--bug vote-twice]
  --bug vote-twice   a planted bug: grant a vote even after voting for
                     another candidate in the same term (raftsim's
                     invariants catch it: a vote changed within a term,
                     or two leaders in one)
"""

import base64
import json
import sys

HEARTBEAT_US = 100_000
ELECTION_MIN_US = 300_000
ELECTION_SPAN_US = 300_000
MAX_ENTRIES = 64
MASK = (1 << 64) - 1
BUGS = ("vote-twice",)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def pack(meta, blobs=()):
    """A message or the persisted state: a JSON head, a newline, raw bytes."""
    return json.dumps(meta, separators=(",", ":")).encode() + b"\n" + b"".join(blobs)


def unpack_entries(pairs, body):
    """[(term, command)] from the head's [[term, length]] and the raw bytes."""
    entries, at = [], 0
    for term, length in pairs:
        entries.append((term, body[at : at + length]))
        at += length
    return entries


def unpack(data):
    head, _, body = data.partition(b"\n")
    return json.loads(head), body


def summary(name, m):
    """A one-line description for raftsim's replays (optional in the protocol)."""
    if name == "RequestVote":
        return "RequestVote(t%d last=%d/t%d)" % (m["term"], m["last_index"], m["last_term"])
    if name == "VoteReply":
        return "VoteReply(t%d %s)" % (m["term"], "granted" if m["granted"] else "denied")
    if name == "AppendEntries":
        shape = (m["term"], m["prev_index"], m["prev_term"], len(m["entries"]), m["commit"])
        return "AppendEntries(t%d prev=%d/t%d n=%d commit=%d)" % shape
    if m["success"]:
        return "AppendReply(t%d ok match=%d)" % (m["term"], m["match"])
    return "AppendReply(t%d reject conflict=%s)" % (m["term"], m.get("conflict", "-"))


class Rng:
    """splitmix64: the node's only randomness, seeded by init."""

    def __init__(self, seed):
        self.state = seed & MASK

    def below(self, bound):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return (z ^ (z >> 31)) % bound


class Raft:
    def __init__(self, init, bug):
        self.me, self.n, self.bug = init["me"], init["peers"], bug
        self.others = [p for p in range(self.n) if p != self.me]
        self.rng = Rng(init["seed"])
        self.term, self.vote = 0, None
        self.log = [(0, b"")]  # index 0: the empty prefix
        state = base64.b64decode(init["state"])
        if state:
            meta, body = unpack(state)
            self.term, self.vote = meta["term"], meta["vote"]
            self.log += unpack_entries(meta["log"], body)
        self.role, self.votes = "follower", set()
        self.commit = self.applied = 0
        self.next_index, self.match_index, self.in_flight = {}, {}, {}
        self.calls, self.next_call = {}, 0  # call id -> (peer, term, what it sent)
        self.out, self.unsaved, self.dirty_from = [], False, 1
        self.reset_election(init["now"])

    # ---- outputs ---------------------------------------------------------------

    def save(self):
        """Persist before speaking: flushed before any message, apply or done."""
        if self.unsaved:
            meta = {"term": self.term, "vote": self.vote, "log": [[t, len(c)] for t, c in self.log[1:]]}
            self.out.append({"type": "persist", "state": b64(pack(meta, [c for _, c in self.log[1:]]))})
            self.unsaved = False

    def call(self, to, name, meta, blobs=(), sent=None):
        self.save()
        self.next_call += 1
        self.calls[self.next_call] = (to, self.term, sent)
        line = {"type": "call", "to": to, "call": self.next_call, "term": self.term, "name": name}
        line.update(bytes=b64(pack(meta, blobs)), summary=summary(name, meta))
        self.out.append(line)

    def reply(self, to, call, name, meta):
        self.save()
        line = {"type": "reply", "to": to, "call": call, "term": self.term, "name": name}
        line.update(bytes=b64(pack(meta)), summary=summary(name, meta))
        self.out.append(line)

    def apply_committed(self):
        self.save()
        while self.applied < self.commit:
            self.applied += 1
            term, command = self.log[self.applied]
            self.out.append({"type": "apply", "index": self.applied, "term": term, "command": b64(command)})

    def done(self, index=None):
        self.save()
        last = len(self.log) - 1
        line = {
            "type": "done",
            "deadline": self.deadline,
            "term": self.term,
            "leader": self.role == "leader",
            "inspect": {
                "role": self.role,
                "vote": self.vote,
                "commit": self.commit,
                "applied": self.applied,
                "last_index": last,
                "last_term": self.log[last][0],
                "snapshot_index": 0,
                "snapshot_term": 0,
            },
        }
        if index is not None:
            line["index"] = index
        if self.dirty_from is not None:
            entries = [{"term": t, "command": b64(c)} for t, c in self.log[self.dirty_from :]]
            line["log"] = {"from": self.dirty_from, "entries": entries}
            self.dirty_from = None
        out, self.out = self.out, []
        out.append(line)
        return out

    # ---- state -----------------------------------------------------------------

    def changed_log_from(self, index):
        self.dirty_from = index if self.dirty_from is None else min(self.dirty_from, index)
        self.unsaved = True

    def reset_election(self, now):
        self.deadline = now + ELECTION_MIN_US + self.rng.below(ELECTION_SPAN_US)

    def adopt_term(self, term):
        """Figure 2: a message with a higher term makes any node a follower of that term."""
        self.term, self.vote, self.role, self.unsaved = term, None, "follower", True

    def majority(self):
        return self.n // 2 + 1

    # ---- inputs ----------------------------------------------------------------

    def on_timeout(self, now):
        if now < self.deadline:
            return  # an earlier deadline that was moved on
        if self.role == "leader":
            for peer in self.others:
                self.replicate(peer)
            self.deadline = now + HEARTBEAT_US
            return
        self.term, self.vote, self.role, self.votes = self.term + 1, self.me, "candidate", {self.me}
        self.unsaved = True
        self.reset_election(now)
        last = len(self.log) - 1
        meta = {"kind": "vote", "term": self.term, "last_index": last, "last_term": self.log[last][0]}
        for peer in self.others:
            self.call(peer, "RequestVote", meta)

    def on_start(self, now, command):
        if self.role != "leader":
            return None
        self.log.append((self.term, command))
        self.changed_log_from(len(self.log) - 1)
        for peer in self.others:
            if self.in_flight.get(peer) is None:  # else the reply sends the rest
                self.replicate(peer)
        return len(self.log) - 1

    def on_message(self, now, frm, delivery, call, data):
        meta, body = unpack(data)
        if meta["term"] > self.term:
            self.adopt_term(meta["term"])
        if delivery == "request" and meta["kind"] == "vote":
            self.on_request_vote(now, frm, call, meta)
        elif delivery == "request" and meta["kind"] == "append":
            self.on_append(now, frm, call, meta, body)
        elif delivery == "reply" and call in self.calls:
            peer, term, sent = self.forget_call(call)
            if term != self.term or meta["term"] != self.term:
                return  # an answer from an older term
            if meta["kind"] == "vote_reply":
                self.on_vote_reply(now, frm, meta)
            else:
                self.on_append_reply(frm, meta, sent)

    def forget_call(self, call):
        peer, term, sent = self.calls.pop(call)
        if self.in_flight.get(peer) == call:
            self.in_flight[peer] = None
        return peer, term, sent

    def on_call_failed(self, call):
        if call in self.calls:
            self.forget_call(call)  # heartbeats resend: no retry loop at one instant

    def on_request_vote(self, now, frm, call, meta):
        last = len(self.log) - 1
        up_to_date = (meta["last_term"], meta["last_index"]) >= (self.log[last][0], last)
        free = self.vote in (None, frm) or self.bug == "vote-twice"
        granted = meta["term"] == self.term and free and up_to_date
        if granted:
            self.vote, self.unsaved = frm, True
            self.reset_election(now)
        self.reply(frm, call, "VoteReply", {"kind": "vote_reply", "term": self.term, "granted": granted})

    def on_vote_reply(self, now, frm, meta):
        if self.role != "candidate" or not meta["granted"]:
            return
        self.votes.add(frm)
        if len(self.votes) >= self.majority():
            self.role = "leader"
            for peer in self.others:
                self.next_index[peer], self.match_index[peer], self.in_flight[peer] = len(self.log), 0, None
                self.replicate(peer)
            self.deadline = now + HEARTBEAT_US

    def replicate(self, peer):
        prev = self.next_index[peer] - 1
        entries = self.log[prev + 1 : prev + 1 + MAX_ENTRIES]
        meta = {
            "kind": "append",
            "term": self.term,
            "prev_index": prev,
            "prev_term": self.log[prev][0],
            "entries": [[t, len(c)] for t, c in entries],
            "commit": self.commit,
        }
        self.call(peer, "AppendEntries", meta, [c for _, c in entries], sent=(prev, len(entries)))
        self.in_flight[peer] = self.next_call

    def on_append(self, now, frm, call, meta, body):
        answer = {"kind": "append_reply", "term": self.term, "success": False}
        if meta["term"] < self.term:
            return self.reply(frm, call, "AppendReply", answer)
        self.role = "follower"
        self.reset_election(now)
        prev, last = meta["prev_index"], len(self.log) - 1
        if prev > last:
            answer["conflict"] = last + 1
        elif self.log[prev][0] != meta["prev_term"]:
            first = prev
            while first > 1 and self.log[first - 1][0] == self.log[prev][0]:
                first -= 1
            answer["conflict"] = first
        else:
            entries = unpack_entries(meta["entries"], body)
            for k, entry in enumerate(entries):
                index = prev + 1 + k
                if index < len(self.log) and self.log[index][0] == entry[0]:
                    continue
                del self.log[index:]
                self.log += entries[k:]
                self.changed_log_from(index)
                break
            matched = prev + len(entries)
            if meta["commit"] > self.commit:
                self.commit = max(self.commit, min(meta["commit"], matched))
                self.apply_committed()
            answer.update(success=True, match=matched)
        self.reply(frm, call, "AppendReply", answer)

    def on_append_reply(self, frm, meta, sent):
        if self.role != "leader":
            return
        if meta["success"]:
            if meta["match"] > self.match_index[frm]:
                self.match_index[frm] = meta["match"]
                self.advance_commit()
            self.next_index[frm] = max(self.next_index[frm], meta["match"] + 1)
            if self.next_index[frm] < len(self.log):
                self.replicate(frm)
        elif "conflict" in meta:
            prev, _ = sent
            backed = max(self.match_index[frm] + 1, min(meta["conflict"], prev))
            if backed < self.next_index[frm]:
                self.next_index[frm] = backed
                self.replicate(frm)

    def advance_commit(self):
        for index in range(len(self.log) - 1, self.commit, -1):
            if self.log[index][0] != self.term:
                break  # 5.4.2: only entries of the current term commit by counting
            if 1 + sum(1 for p in self.others if self.match_index[p] >= index) >= self.majority():
                self.commit = index
                self.apply_committed()
                return


def main():
    args = sys.argv[1:]
    bug = None
    if args[:1] == ["--bug"] and len(args) == 2 and args[1] in BUGS:
        bug = args[1]
    elif args:
        sys.stderr.write("usage: raft.py [--bug %s]\n" % "|".join(BUGS))
        sys.exit(2)
    node = None
    for text in sys.stdin:
        line = json.loads(text)
        kind, index = line["type"], None
        if kind == "init":
            node = Raft(line, bug)
        elif kind == "message":
            node.on_message(line["now"], line["from"], line["delivery"], line.get("call"), base64.b64decode(line["bytes"]))
        elif kind == "timeout":
            node.on_timeout(line["now"])
        elif kind == "start":
            index = node.on_start(line["now"], base64.b64decode(line["command"]))
        elif kind == "call_failed":
            node.on_call_failed(line["call"])
        # "snapshot" (2D) is not supported: the log is kept whole.
        out = node.done(index)
        sys.stdout.write("".join(json.dumps(o, separators=(",", ":")) + "\n" for o in out))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
