// A compact Raft in Go, standard library only, speaking raftsim's node
// protocol (docs/node-protocol.md): one JSON object per line on stdin (an
// input), answered on stdout by output lines and one `done` line. A port of
// examples/python/raft.py, with the same wire format (a JSON head, a
// newline, the raw command bytes), so the two can even share a cluster.
//
// The shape a Go lab solution takes under the protocol: one goroutine, no
// mutex, no time package, no global rand; a deadline instead of timers;
// calls as outputs and replies as inputs; peers walked in id order; maps
// only looked up, never ranged over where order would show.
//
// Usage: raft-node [--bug vote-twice]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

const (
	heartbeatUs    = 100_000
	electionMinUs  = 300_000
	electionSpanUs = 300_000
	maxEntries     = 64
)

// Input is any input line; each type uses some of the fields.
type Input struct {
	Type     string `json:"type"`
	Now      int64  `json:"now"`
	Me       int    `json:"me"`
	Peers    int    `json:"peers"`
	Seed     uint64 `json:"seed"`
	State    []byte `json:"state"`
	From     int    `json:"from"`
	Delivery string `json:"delivery"`
	Call     uint64 `json:"call"`
	Bytes    []byte `json:"bytes"`
	Command  []byte `json:"command"`
}

// Meta is the JSON head of every message and of the persisted state.
type Meta struct {
	Kind      string      `json:"kind,omitempty"`
	Term      uint64      `json:"term"`
	LastIndex int         `json:"last_index,omitempty"`
	LastTerm  uint64      `json:"last_term,omitempty"`
	Granted   bool        `json:"granted,omitempty"`
	PrevIndex int         `json:"prev_index,omitempty"`
	PrevTerm  uint64      `json:"prev_term,omitempty"`
	Entries   [][2]uint64 `json:"entries,omitempty"` // [term, length]
	Commit    int         `json:"commit,omitempty"`
	Success   bool        `json:"success,omitempty"`
	Match     int         `json:"match,omitempty"`
	Conflict  int         `json:"conflict,omitempty"`
	Vote      *int        `json:"vote,omitempty"`
	Log       [][2]uint64 `json:"log,omitempty"`
}

type entry struct {
	term    uint64
	command []byte
}

type sentCall struct {
	peer int
	term uint64
	prev int
}

// splitmix64: the node's only randomness, seeded by init.
type rng struct{ state uint64 }

func (r *rng) below(bound uint64) uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return (z ^ (z >> 31)) % bound
}

type raft struct {
	me, n      int
	bug        string
	rng        rng
	term       uint64
	vote       *int
	log        []entry // log[0] is the empty prefix
	role       string
	votes      map[int]bool
	commit     int
	applied    int
	nextIndex  []int
	matchIndex []int
	inFlight   []uint64
	calls      map[uint64]sentCall
	nextCall   uint64
	deadline   int64
	out        []map[string]any
	unsaved    bool
	dirtyFrom  int // 0: nothing changed
}

func pack(meta Meta, blobs [][]byte) []byte {
	head, err := json.Marshal(meta)
	if err != nil {
		panic(err)
	}
	return append(append(head, '\n'), bytes.Join(blobs, nil)...)
}

func unpack(data []byte) (Meta, []byte) {
	var meta Meta
	head, body, _ := bytes.Cut(data, []byte{'\n'})
	if err := json.Unmarshal(head, &meta); err != nil {
		panic(err)
	}
	return meta, body
}

func unpackEntries(pairs [][2]uint64, body []byte) []entry {
	var entries []entry
	at := uint64(0)
	for _, pair := range pairs {
		entries = append(entries, entry{pair[0], append([]byte{}, body[at:at+pair[1]]...)})
		at += pair[1]
	}
	return entries
}

func shape(entries []entry) ([][2]uint64, [][]byte) {
	pairs, blobs := [][2]uint64{}, [][]byte{}
	for _, e := range entries {
		pairs = append(pairs, [2]uint64{e.term, uint64(len(e.command))})
		blobs = append(blobs, e.command)
	}
	return pairs, blobs
}

func newRaft(in Input, bug string) *raft {
	rf := &raft{me: in.Me, n: in.Peers, bug: bug, rng: rng{in.Seed}, log: []entry{{}}, role: "follower",
		calls: map[uint64]sentCall{}, nextIndex: make([]int, in.Peers), matchIndex: make([]int, in.Peers),
		inFlight: make([]uint64, in.Peers), dirtyFrom: 1}
	if len(in.State) > 0 {
		meta, body := unpack(in.State)
		rf.term, rf.vote = meta.Term, meta.Vote
		rf.log = append(rf.log, unpackEntries(meta.Log, body)...)
	}
	rf.resetElection(in.Now)
	return rf
}

func (rf *raft) last() int { return len(rf.log) - 1 }

func (rf *raft) save() {
	if rf.unsaved {
		pairs, blobs := shape(rf.log[1:])
		rf.out = append(rf.out, map[string]any{"type": "persist",
			"state": pack(Meta{Term: rf.term, Vote: rf.vote, Log: pairs}, blobs)})
		rf.unsaved = false
	}
}

func (rf *raft) call(to int, name string, meta Meta, blobs [][]byte, prev int) {
	rf.save()
	rf.nextCall++
	rf.calls[rf.nextCall] = sentCall{to, rf.term, prev}
	rf.out = append(rf.out, map[string]any{"type": "call", "to": to, "call": rf.nextCall, "term": rf.term,
		"name": name, "bytes": pack(meta, blobs)})
}

func (rf *raft) reply(to int, call uint64, name string, meta Meta) {
	rf.save()
	rf.out = append(rf.out, map[string]any{"type": "reply", "to": to, "call": call, "term": rf.term,
		"name": name, "bytes": pack(meta, nil)})
}

func (rf *raft) applyCommitted() {
	rf.save()
	for rf.applied < rf.commit {
		rf.applied++
		e := rf.log[rf.applied]
		rf.out = append(rf.out, map[string]any{"type": "apply", "index": rf.applied, "term": e.term,
			"command": e.command})
	}
}

func (rf *raft) done(index int) []map[string]any {
	rf.save()
	line := map[string]any{"type": "done", "deadline": rf.deadline, "term": rf.term, "leader": rf.role == "leader",
		"inspect": map[string]any{"role": rf.role, "vote": rf.vote, "commit": rf.commit, "applied": rf.applied,
			"last_index": rf.last(), "last_term": rf.log[rf.last()].term, "snapshot_index": 0, "snapshot_term": 0}}
	if index > 0 {
		line["index"] = index
	}
	if rf.dirtyFrom > 0 {
		entries := []map[string]any{}
		for _, e := range rf.log[rf.dirtyFrom:] {
			entries = append(entries, map[string]any{"term": e.term, "command": e.command})
		}
		line["log"] = map[string]any{"from": rf.dirtyFrom, "entries": entries}
		rf.dirtyFrom = 0
	}
	out := append(rf.out, line)
	rf.out = nil
	return out
}

func (rf *raft) changedLogFrom(index int) {
	if rf.dirtyFrom == 0 || index < rf.dirtyFrom {
		rf.dirtyFrom = index
	}
	rf.unsaved = true
}

func (rf *raft) resetElection(now int64) {
	rf.deadline = now + electionMinUs + int64(rf.rng.below(electionSpanUs))
}

func (rf *raft) majority() int { return rf.n/2 + 1 }

func (rf *raft) onTimeout(now int64) {
	if now < rf.deadline {
		return // an earlier deadline that was moved on
	}
	if rf.role == "leader" {
		for p := 0; p < rf.n; p++ {
			if p != rf.me {
				rf.replicate(p)
			}
		}
		rf.deadline = now + heartbeatUs
		return
	}
	me := rf.me
	rf.term, rf.vote, rf.role, rf.votes, rf.unsaved = rf.term+1, &me, "candidate", map[int]bool{me: true}, true
	rf.resetElection(now)
	meta := Meta{Kind: "vote", Term: rf.term, LastIndex: rf.last(), LastTerm: rf.log[rf.last()].term}
	for p := 0; p < rf.n; p++ {
		if p != rf.me {
			rf.call(p, "RequestVote", meta, nil, 0)
		}
	}
}

func (rf *raft) onStart(command []byte) int {
	if rf.role != "leader" {
		return 0
	}
	rf.log = append(rf.log, entry{rf.term, command})
	rf.changedLogFrom(rf.last())
	for p := 0; p < rf.n; p++ {
		if p != rf.me && rf.inFlight[p] == 0 {
			rf.replicate(p)
		}
	}
	return rf.last()
}

func (rf *raft) forget(call uint64) sentCall {
	sent := rf.calls[call]
	delete(rf.calls, call)
	if rf.inFlight[sent.peer] == call {
		rf.inFlight[sent.peer] = 0
	}
	return sent
}

func (rf *raft) onMessage(now int64, from int, delivery string, call uint64, data []byte) {
	meta, body := unpack(data)
	if meta.Term > rf.term {
		rf.term, rf.vote, rf.role, rf.unsaved = meta.Term, nil, "follower", true
	}
	if delivery == "request" && meta.Kind == "vote" {
		rf.onRequestVote(now, from, call, meta)
	} else if delivery == "request" && meta.Kind == "append" {
		rf.onAppend(now, from, call, meta, body)
	} else if _, open := rf.calls[call]; delivery == "reply" && open {
		sent := rf.forget(call)
		if sent.term != rf.term || meta.Term != rf.term {
			return // an answer from an older term
		}
		if meta.Kind == "vote_reply" {
			rf.onVoteReply(now, from, meta)
		} else {
			rf.onAppendReply(from, meta, sent)
		}
	}
}

func (rf *raft) onRequestVote(now int64, from int, call uint64, meta Meta) {
	lastTerm := rf.log[rf.last()].term
	upToDate := meta.LastTerm > lastTerm || (meta.LastTerm == lastTerm && meta.LastIndex >= rf.last())
	free := rf.vote == nil || *rf.vote == from || rf.bug == "vote-twice"
	granted := meta.Term == rf.term && free && upToDate
	if granted {
		rf.vote, rf.unsaved = &from, true
		rf.resetElection(now)
	}
	rf.reply(from, call, "VoteReply", Meta{Kind: "vote_reply", Term: rf.term, Granted: granted})
}

func (rf *raft) onVoteReply(now int64, from int, meta Meta) {
	if rf.role != "candidate" || !meta.Granted {
		return
	}
	rf.votes[from] = true
	if len(rf.votes) >= rf.majority() {
		rf.role = "leader"
		for p := 0; p < rf.n; p++ {
			if p != rf.me {
				rf.nextIndex[p], rf.matchIndex[p], rf.inFlight[p] = len(rf.log), 0, 0
				rf.replicate(p)
			}
		}
		rf.deadline = now + heartbeatUs
	}
}

func (rf *raft) replicate(peer int) {
	prev := rf.nextIndex[peer] - 1
	end := prev + 1 + maxEntries
	if end > len(rf.log) {
		end = len(rf.log)
	}
	pairs, blobs := shape(rf.log[prev+1 : end])
	meta := Meta{Kind: "append", Term: rf.term, PrevIndex: prev, PrevTerm: rf.log[prev].term, Entries: pairs,
		Commit: rf.commit}
	rf.call(peer, "AppendEntries", meta, blobs, prev)
	rf.inFlight[peer] = rf.nextCall
}

func (rf *raft) onAppend(now int64, from int, call uint64, meta Meta, body []byte) {
	answer := Meta{Kind: "append_reply", Term: rf.term}
	if meta.Term < rf.term {
		rf.reply(from, call, "AppendReply", answer)
		return
	}
	rf.role = "follower"
	rf.resetElection(now)
	prev := meta.PrevIndex
	if prev > rf.last() {
		answer.Conflict = rf.last() + 1
	} else if rf.log[prev].term != meta.PrevTerm {
		first := prev
		for first > 1 && rf.log[first-1].term == rf.log[prev].term {
			first--
		}
		answer.Conflict = first
	} else {
		entries := unpackEntries(meta.Entries, body)
		for k, e := range entries {
			index := prev + 1 + k
			if index < len(rf.log) && rf.log[index].term == e.term {
				continue
			}
			rf.log = append(rf.log[:index], entries[k:]...)
			rf.changedLogFrom(index)
			break
		}
		matched := prev + len(entries)
		if meta.Commit > rf.commit {
			rf.commit = max(rf.commit, min(meta.Commit, matched))
			rf.applyCommitted()
		}
		answer.Success, answer.Match = true, matched
	}
	rf.reply(from, call, "AppendReply", answer)
}

func (rf *raft) onAppendReply(from int, meta Meta, sent sentCall) {
	if rf.role != "leader" {
		return
	}
	if meta.Success {
		if meta.Match > rf.matchIndex[from] {
			rf.matchIndex[from] = meta.Match
			rf.advanceCommit()
		}
		rf.nextIndex[from] = max(rf.nextIndex[from], meta.Match+1)
		if rf.nextIndex[from] < len(rf.log) {
			rf.replicate(from)
		}
	} else if meta.Conflict > 0 {
		backed := max(rf.matchIndex[from]+1, min(meta.Conflict, sent.prev))
		if backed < rf.nextIndex[from] {
			rf.nextIndex[from] = backed
			rf.replicate(from)
		}
	}
}

func (rf *raft) advanceCommit() {
	for index := rf.last(); index > rf.commit; index-- {
		if rf.log[index].term != rf.term {
			return // 5.4.2: only entries of the current term commit by counting
		}
		count := 1
		for p := 0; p < rf.n; p++ {
			if p != rf.me && rf.matchIndex[p] >= index {
				count++
			}
		}
		if count >= rf.majority() {
			rf.commit = index
			rf.applyCommitted()
			return
		}
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func main() {
	bug := ""
	if len(os.Args) == 3 && os.Args[1] == "--bug" && os.Args[2] == "vote-twice" {
		bug = os.Args[2]
	} else if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: raft-node [--bug vote-twice]")
		os.Exit(2)
	}
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 256<<20)
	writer := bufio.NewWriterSize(os.Stdout, 1<<16)
	encoder := json.NewEncoder(writer)
	var rf *raft
	for scanner.Scan() {
		var in Input
		if err := json.Unmarshal(scanner.Bytes(), &in); err != nil {
			fmt.Fprintln(os.Stderr, "bad input:", err)
			os.Exit(1)
		}
		index := 0
		switch in.Type {
		case "init":
			rf = newRaft(in, bug)
		case "message":
			rf.onMessage(in.Now, in.From, in.Delivery, in.Call, in.Bytes)
		case "timeout":
			rf.onTimeout(in.Now)
		case "start":
			index = rf.onStart(in.Command)
		case "call_failed":
			if _, open := rf.calls[in.Call]; open {
				rf.forget(in.Call) // heartbeats resend: no retry loop at one instant
			}
		} // "snapshot" (2D) is not supported: the log is kept whole.
		for _, line := range rf.done(index) {
			if err := encoder.Encode(line); err != nil {
				panic(err)
			}
		}
		if err := writer.Flush(); err != nil {
			os.Exit(1)
		}
	}
}
