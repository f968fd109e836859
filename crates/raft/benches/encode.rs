//! Encoding the largest messages: a full AppendEntries batch of 5000-byte
//! commands (RPCBytes2B's payload) and a 2D-sized InstallSnapshot.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use raft::{AppendEntries, Entry, InstallSnapshot, LogIndex, Message, NodeId, Term};

fn append_entries(entries: usize, command_bytes: usize) -> Message {
    Message::AppendEntries(AppendEntries {
        term: Term(7),
        leader: NodeId(1),
        prev_log_index: LogIndex(100),
        prev_log_term: Term(6),
        entries: (0..entries).map(|i| Entry { term: Term(7), command: vec![i as u8; command_bytes].into() }).collect(),
        leader_commit: LogIndex(99),
    })
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    let mut buf = Vec::new();
    for (name, message) in [
        ("append_10x5000B", append_entries(10, 5000)),
        ("append_256x9B", append_entries(256, 9)),
        ("heartbeat", append_entries(0, 0)),
        (
            "install_snapshot_4KB",
            Message::InstallSnapshot(InstallSnapshot {
                term: Term(3),
                leader: NodeId(0),
                last_included_index: LogIndex(339),
                last_included_term: Term(3),
                data: vec![7; 4096],
            }),
        ),
    ] {
        message.encode_into(&mut buf);
        group.throughput(Throughput::Bytes(buf.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(&message).encode_into(&mut buf);
                black_box(buf.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
