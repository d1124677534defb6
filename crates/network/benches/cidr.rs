//! Benchmarks of the CIDR allocator.
//!
//! * `fill_16_with_4096_28s`: an empty /16 filled with /28s one request at a time;
//! * `five_16s_existing/{construct,batch_in_order,batch_largest_first}/N`: five /16 blocks
//!   (given out of order) with `N` existing /28s on every other /28 slot (the worst
//!   fragmentation for a gap walk, with host bits set on some), then a batch of 100
//!   requests (20 /24s, 20 /26s, 60 /28s); `N` in 1,000, 5,000 and 10,000 to show that the
//!   cost of a batch does not grow with the number of existing subnets;
//!   Each batch runs on a fresh clone of the prepared allocator (`BatchSize::PerIteration`,
//!   clone not timed). With many clones made ahead of time (`SmallInput`) the 10,000 case
//!   measured cache misses on cold clones, not the algorithm.
//! * `reference_case`: 172.31.0.0/16 with three /20s, four /24s, parsing included.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use cloudwright_network::cidr::{CidrAllocator, Request, Strategy};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use ipnet::IpNet;

fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> IpNet {
    IpNet::new(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), prefix)
        .unwrap_or_else(|e| panic!("bad prefix {prefix}: {e}"))
}

fn fill_16(c: &mut Criterion) {
    c.bench_function("fill_16_with_4096_28s", |b| {
        b.iter(|| {
            let mut alloc = CidrAllocator::new([v4(10, 0, 0, 0, 16)], []);
            for _ in 0..4096 {
                let net = alloc
                    .allocate(Request::v4(28))
                    .unwrap_or_else(|e| panic!("{e}"));
                black_box(net);
            }
            alloc
        });
    });
}

/// Five /16 blocks, out of address order.
fn five_blocks() -> Vec<IpNet> {
    [3u8, 0, 4, 1, 2]
        .iter()
        .map(|&i| v4(10, i, 0, 0, 16))
        .collect()
}

/// `n` existing /28s, spread over the five blocks, each on an odd /28 slot from the start of
/// its block; every third one has host bits set.
fn existing(n: usize) -> Vec<IpNet> {
    (0..n)
        .map(|i| {
            let block = (i % 5) as u32;
            let slot = 2 * (i / 5) as u32 + 1;
            let addr = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + (block << 16) + slot * 16;
            let host = if i % 3 == 0 { 5 } else { 0 };
            IpNet::new(IpAddr::V4(Ipv4Addr::from(addr + host)), 28)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn batch() -> Vec<Request> {
    [24u8, 26, 28, 28, 28]
        .iter()
        .cycle()
        .take(100)
        .map(|&p| Request::v4(p))
        .collect()
}

fn five_blocks_existing(c: &mut Criterion) {
    let mut group = c.benchmark_group("five_16s_existing");
    let reqs = batch();
    for n in [1_000usize, 5_000, 10_000] {
        let blocks = five_blocks();
        let existing = existing(n);
        group.bench_with_input(BenchmarkId::new("construct", n), &n, |b, _| {
            b.iter(|| {
                CidrAllocator::new(
                    black_box(&blocks).iter().copied(),
                    black_box(&existing).iter().copied(),
                )
            });
        });
        let base = CidrAllocator::new(blocks.iter().copied(), existing.iter().copied());
        for (name, strategy) in [
            ("batch_in_order", Strategy::InOrder),
            ("batch_largest_first", Strategy::LargestFirst),
        ] {
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter_batched(
                    || base.clone(),
                    |mut alloc| {
                        let nets = alloc
                            .allocate_all(black_box(&reqs), strategy)
                            .unwrap_or_else(|e| panic!("{e}"));
                        (alloc, nets)
                    },
                    BatchSize::PerIteration,
                );
            });
        }
    }
    group.finish();
}

fn reference_case(c: &mut Criterion) {
    c.bench_function("reference_case", |b| {
        b.iter(|| {
            let mut alloc = CidrAllocator::parse(
                black_box(["172.31.0.0/16"]),
                black_box(["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"]),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            alloc
                .allocate_all(&[Request::v4(24); 4], Strategy::InOrder)
                .unwrap_or_else(|e| panic!("{e}"))
        });
    });
}

criterion_group!(benches, fill_16, five_blocks_existing, reference_case);
criterion_main!(benches);
