//! Property tests of the CIDR allocator against a brute-force oracle.
//!
//! The spaces are small (IPv4 blocks /20 to /24 with /20 to /28 requests, IPv6 blocks /54 to
//! /56 with /52 to /64 requests) so that the oracle can enumerate every aligned candidate.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use cloudwright_network::cidr::{CidrAllocator, Error, Family, Request, Strategy as Order};
use ipnet::IpNet;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// Helpers, written independently of the allocator's internals.

fn family(net: &IpNet) -> Family {
    match net {
        IpNet::V4(_) => Family::V4,
        IpNet::V6(_) => Family::V6,
    }
}

fn num(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Inclusive numeric range of a network (host bits ignored).
fn range(net: &IpNet) -> (u128, u128) {
    (num(net.network()), num(net.broadcast()))
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    family(a) == family(b) && {
        let ((a0, a1), (b0, b1)) = (range(a), range(b));
        a0 <= b1 && b0 <= a1
    }
}

fn inside(inner: &IpNet, outer: &IpNet) -> bool {
    family(inner) == family(outer) && {
        let ((i0, i1), (o0, o1)) = (range(inner), range(outer));
        o0 <= i0 && i1 <= o1
    }
}

fn size(net: &IpNet) -> u128 {
    let (a, b) = range(net);
    b - a + 1
}

/// The error a request gets regardless of free space, as the oracle sees it.
fn static_error(blocks: &[IpNet], req: Request) -> Option<&'static str> {
    let fam: Vec<&IpNet> = blocks.iter().filter(|b| family(b) == req.family).collect();
    if fam.is_empty() {
        Some("family")
    } else if fam.iter().all(|b| b.prefix_len() > req.prefix) {
        Some("small")
    } else {
        None
    }
}

/// Brute force: every aligned candidate of the requested size in every block, blocks in
/// numeric address order, candidates in address order; the first one disjoint from `taken`.
fn oracle(blocks: &[IpNet], taken: &[IpNet], req: Request) -> Option<IpNet> {
    let mut bs: Vec<IpNet> = blocks
        .iter()
        .filter(|b| family(b) == req.family && b.prefix_len() <= req.prefix)
        .map(IpNet::trunc)
        .collect();
    bs.sort_by_key(|b| num(b.network()));
    bs.iter()
        .flat_map(|b| match b.subnets(req.prefix) {
            Ok(subnets) => subnets,
            Err(e) => panic!("{b} has no /{} subnets: {e}", req.prefix),
        })
        .find(|c| taken.iter().all(|t| !overlaps(t, c)))
}

/// Runs the oracle over requests in the given order; `None` for a request that fails.
fn oracle_seq(blocks: &[IpNet], existing: &[IpNet], reqs: &[Request]) -> Vec<Option<IpNet>> {
    let mut taken = existing.to_vec();
    reqs.iter()
        .map(|r| {
            let got = oracle(blocks, &taken, *r);
            taken.extend(got);
            got
        })
        .collect()
}

fn kind(err: &Error) -> &'static str {
    match err {
        Error::InvalidCidr { .. } => "invalid",
        Error::PrefixOutOfRange { .. } => "range",
        Error::NoBlockForFamily { .. } => "family",
        Error::BlockTooSmall { .. } => "small",
        Error::NoRoom { .. } => "room",
    }
}

fn index_of(err: &Error) -> usize {
    match err {
        Error::InvalidCidr { .. } => usize::MAX,
        Error::PrefixOutOfRange { index, .. }
        | Error::NoBlockForFamily { index, .. }
        | Error::BlockTooSmall { index, .. }
        | Error::NoRoom { index, .. } => *index,
    }
}

/// The expected error of a whole batch (served in `order`), all requests checked statically
/// first in the caller's order.
fn expected_batch_error(
    blocks: &[IpNet],
    reqs: &[Request],
    order: &[usize],
    served: &[Option<IpNet>],
) -> Option<(usize, &'static str)> {
    if let Some((i, k)) = reqs
        .iter()
        .enumerate()
        .find_map(|(i, r)| static_error(blocks, *r).map(|k| (i, k)))
    {
        return Some((i, k));
    }
    order
        .iter()
        .zip(served)
        .find(|(_, s)| s.is_none())
        .map(|(&i, _)| (i, "room"))
}

// ---------------------------------------------------------------------------------------
// Generators.

#[derive(Debug, Clone)]
struct Scenario {
    /// In random (generated) order, pairwise disjoint.
    blocks: Vec<IpNet>,
    /// Possibly with host bits, possibly outside every block, possibly around a block.
    existing: Vec<IpNet>,
    reqs: Vec<Request>,
}

impl Scenario {
    fn allocator(&self) -> CidrAllocator {
        CidrAllocator::new(self.blocks.iter().copied(), self.existing.iter().copied())
    }
}

fn v4_block() -> impl Strategy<Value = IpNet> {
    // Few first/second octets and third octets crowded into x.y.0.0-x.y.63.255, so blocks
    // are often adjacent and often compare differently as strings and as numbers.
    (
        prop::sample::select(vec![9u8, 10, 100]),
        prop::sample::select(vec![0u8, 9, 10]),
        (0u8..16).prop_map(|x| x * 4),
        20u8..=24,
    )
        .prop_map(|(a, b, c, p)| {
            IpNet::new_assert(IpAddr::V4(Ipv4Addr::new(a, b, c, 0)), p).trunc()
        })
}

fn v6_block() -> impl Strategy<Value = IpNet> {
    (
        prop::sample::select(vec![0x2001u16, 0x2600]),
        prop::sample::select(vec![0x0db8u16, 0x1f18]),
        prop::sample::select(vec![0u16, 1, 2, 3, 4, 5, 8, 0x0a, 0x10, 0x20]),
        54u8..=56,
    )
        .prop_map(|(a, b, x, p)| {
            let addr = Ipv6Addr::new(a, b, 0, x << 8, 0, 0, 0, 0);
            IpNet::new_assert(IpAddr::V6(addr), p).trunc()
        })
}

/// (which block to anchor on, signed offset, prefix, extra host bits)
type RawExisting = (usize, i64, u8, u64);

fn raw_v4_existing() -> impl Strategy<Value = RawExisting> {
    (
        any::<usize>(),
        -1024i64..4608,
        prop_oneof![1 => 18u8..=21, 6 => 22u8..=30],
        Just(0u64),
    )
}

fn raw_v6_existing() -> impl Strategy<Value = RawExisting> {
    (
        any::<usize>(),
        -64i64..512,
        prop_oneof![1 => 50u8..=55, 6 => 56u8..=64],
        any::<u64>(),
    )
}

fn resolve(blocks: &[IpNet], fam: Family, raw: RawExisting) -> IpNet {
    let (sel, offset, prefix, low) = raw;
    let anchors: Vec<&IpNet> = blocks.iter().filter(|b| family(b) == fam).collect();
    match fam {
        Family::V4 => {
            let base = anchors
                .get(sel % anchors.len().max(1))
                .map_or(0x0a00_0000, |b| num(b.network()) as i64);
            let addr = (base + offset).clamp(0, i64::from(u32::MAX)) as u32;
            IpNet::new_assert(IpAddr::V4(Ipv4Addr::from(addr)), prefix)
        }
        Family::V6 => {
            let base = anchors
                .get(sel % anchors.len().max(1))
                .map_or(0x2001_0db8_u128 << 96, |b| num(b.network()));
            // `offset` counts /64s.
            let hi = (base as i128 + (i128::from(offset) << 64)) as u128;
            let addr = (hi & !u128::from(u64::MAX)) | u128::from(low);
            IpNet::new_assert(IpAddr::V6(Ipv6Addr::from(addr)), prefix)
        }
    }
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        1 => (20u8..=23).prop_map(Request::v4),
        8 => (24u8..=28).prop_map(Request::v4),
        1 => (52u8..=55).prop_map(Request::v6),
        3 => (58u8..=64).prop_map(Request::v6),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(v4_block(), 0..=4),
        prop::collection::vec(v6_block(), 0..=2),
        prop::collection::vec(raw_v4_existing(), 0..=12),
        prop::collection::vec(raw_v6_existing(), 0..=6),
        prop::collection::vec(request(), 1..=20),
    )
        .prop_map(|(b4, b6, e4, e6, reqs)| {
            // Keep the generated order, dropping blocks that overlap an earlier one (AWS
            // blocks never overlap).
            let mut blocks: Vec<IpNet> = Vec::new();
            for b in b4.into_iter().chain(b6) {
                if !blocks.iter().any(|k| overlaps(k, &b)) {
                    blocks.push(b);
                }
            }
            let mut existing: Vec<IpNet> = e4
                .into_iter()
                .map(|r| resolve(&blocks, Family::V4, r))
                .collect();
            existing.extend(e6.into_iter().map(|r| resolve(&blocks, Family::V6, r)));
            Scenario {
                blocks,
                existing,
                reqs,
            }
        })
}

fn masked(existing: &[IpNet]) -> Vec<IpNet> {
    existing.iter().map(IpNet::trunc).collect()
}

/// Every result aligned, inside a block, disjoint from existing subnets and earlier results.
fn check_result(
    s: &Scenario,
    earlier: &[IpNet],
    req: Request,
    net: &IpNet,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(family(net), req.family);
    prop_assert_eq!(net.prefix_len(), req.prefix);
    prop_assert_eq!(*net, net.trunc(), "not aligned");
    prop_assert!(
        s.blocks.iter().any(|b| inside(net, b)),
        "{} outside every block",
        net
    );
    prop_assert!(
        s.existing.iter().all(|e| !overlaps(e, net)),
        "{} overlaps existing",
        net
    );
    prop_assert!(
        earlier.iter().all(|e| !overlaps(e, net)),
        "{} overlaps an earlier result",
        net
    );
    Ok(())
}

/// `free_blocks` is exactly the complement of the occupied space, in maximal aligned blocks;
/// `largest_free` is the largest of them (lowest address on ties).
fn check_free(s: &Scenario, alloc: &CidrAllocator) -> Result<(), TestCaseError> {
    let free = alloc.free_blocks();
    let mut taken = masked(&s.existing);
    taken.extend_from_slice(alloc.allocated());
    let mut sorted = free.clone();
    sorted.sort();
    prop_assert_eq!(&sorted, &free, "free blocks not sorted");
    for (i, f) in free.iter().enumerate() {
        prop_assert_eq!(*f, f.trunc());
        let block = s.blocks.iter().find(|b| inside(f, b));
        prop_assert!(block.is_some(), "free {} outside every block", f);
        prop_assert!(
            taken.iter().all(|t| !overlaps(t, f)),
            "free {} is occupied",
            f
        );
        prop_assert!(free[i + 1..].iter().all(|g| !overlaps(f, g)));
        // Maximal: the aligned parent, if inside the block, is not entirely free.
        if let (Some(block), Some(parent)) = (block, f.supernet())
            && inside(&parent, block)
        {
            prop_assert!(
                taken.iter().any(|t| overlaps(t, &parent)),
                "{} is not maximal",
                f
            );
        }
    }
    // Coverage: per block, free + occupied = block.
    for block in &s.blocks {
        let (b0, b1) = range(block);
        let mut occ: Vec<(u128, u128)> = taken
            .iter()
            .filter(|t| overlaps(t, block))
            .map(|t| {
                let (t0, t1) = range(t);
                (t0.max(b0), t1.min(b1))
            })
            .collect();
        occ.sort();
        let mut occupied = 0u128;
        let mut cursor: Option<u128> = None; // next address not yet counted
        for (a, b) in occ {
            let a = cursor.map_or(a, |c| a.max(c));
            if a <= b {
                occupied += b - a + 1;
                cursor = b.checked_add(1);
            }
        }
        let free_size: u128 = free.iter().filter(|f| inside(f, block)).map(size).sum();
        prop_assert_eq!(free_size + occupied, size(block), "coverage of {}", block);
    }
    for fam in [Family::V4, Family::V6] {
        let of_fam: Vec<&IpNet> = free.iter().filter(|f| family(f) == fam).collect();
        let max = of_fam.iter().map(|f| f.prefix_len()).min();
        let expected = max.and_then(|p| of_fam.iter().find(|f| f.prefix_len() == p).map(|f| **f));
        prop_assert_eq!(alloc.largest_free(fam), expected);
    }
    Ok(())
}

fn snapshot(alloc: &CidrAllocator) -> (Vec<IpNet>, Vec<IpNet>) {
    (alloc.free_blocks(), alloc.allocated().to_vec())
}

// ---------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// One request at a time: each result equals the oracle's lowest candidate and is valid;
    /// each failure is one the oracle agrees with, of the right kind, and changes nothing.
    #[test]
    fn allocate_matches_oracle(s in scenario()) {
        let mut alloc = s.allocator();
        let mut taken = masked(&s.existing);
        let mut results: Vec<IpNet> = Vec::new();
        for req in &s.reqs {
            let want = oracle(&s.blocks, &taken, *req);
            let before = snapshot(&alloc);
            match alloc.allocate(*req) {
                Ok(net) => {
                    check_result(&s, &results, *req, &net)?;
                    prop_assert_eq!(Some(net), want, "request {:?}", req);
                    results.push(net);
                    taken.push(net);
                }
                Err(err) => {
                    prop_assert_eq!(want, None, "allocator failed ({}) but oracle found a candidate", err);
                    prop_assert_eq!(kind(&err), static_error(&s.blocks, *req).unwrap_or("room"));
                    prop_assert_eq!(index_of(&err), 0);
                    prop_assert_eq!(snapshot(&alloc), before, "failed allocate changed state");
                }
            }
        }
        prop_assert_eq!(alloc.allocated(), &results[..]);
        check_free(&s, &alloc)?;
    }

    /// A batch in order: the oracle's results in the caller's order, or the first failing
    /// request's error with the allocator unchanged.
    #[test]
    fn allocate_all_in_order_matches_oracle(s in scenario()) {
        let mut alloc = s.allocator();
        let before = snapshot(&alloc);
        let served = oracle_seq(&s.blocks, &masked(&s.existing), &s.reqs);
        let order: Vec<usize> = (0..s.reqs.len()).collect();
        let got = alloc.allocate_all(&s.reqs, Order::InOrder);
        match expected_batch_error(&s.blocks, &s.reqs, &order, &served) {
            None => {
                let want: Vec<IpNet> = served.into_iter().flatten().collect();
                prop_assert_eq!(got.as_ref().ok(), Some(&want));
                prop_assert_eq!(alloc.allocated(), &want[..]);
            }
            Some((index, k)) => {
                let err = got.err();
                prop_assert!(err.is_some(), "expected an error at #{}", index);
                let err = err.unwrap();
                prop_assert_eq!((index_of(&err), kind(&err)), (index, k), "{}", err);
                prop_assert_eq!(snapshot(&alloc), before, "failed batch changed state");
            }
        }
        check_free(&s, &alloc)?;
    }

    /// LargestFirst: results in the caller's order, pairwise disjoint, equal to the oracle
    /// run on the requests stably sorted by prefix; all or nothing.
    #[test]
    fn allocate_all_largest_first_matches_oracle(s in scenario()) {
        let mut alloc = s.allocator();
        let before = snapshot(&alloc);
        let mut order: Vec<usize> = (0..s.reqs.len()).collect();
        order.sort_by_key(|&i| s.reqs[i].prefix);
        let sorted: Vec<Request> = order.iter().map(|&i| s.reqs[i]).collect();
        let served = oracle_seq(&s.blocks, &masked(&s.existing), &sorted);
        let got = alloc.allocate_all(&s.reqs, Order::LargestFirst);
        match expected_batch_error(&s.blocks, &s.reqs, &order, &served) {
            None => {
                let got = got.unwrap();
                prop_assert_eq!(got.len(), s.reqs.len());
                for (pos, &i) in order.iter().enumerate() {
                    prop_assert_eq!(Some(got[i]), served[pos]);
                }
                for (i, net) in got.iter().enumerate() {
                    check_result(&s, &got[..i], s.reqs[i], net)?;
                }
            }
            Some((index, k)) => {
                let err = got.err();
                prop_assert!(err.is_some(), "expected an error at #{}", index);
                let err = err.unwrap();
                prop_assert_eq!((index_of(&err), kind(&err)), (index, k), "{}", err);
                prop_assert_eq!(snapshot(&alloc), before, "failed batch changed state");
            }
        }
        check_free(&s, &alloc)?;
    }

    /// Same input, same output: twice over, and with the blocks and existing subnets given
    /// in another order.
    #[test]
    fn deterministic(s in scenario()) {
        let run = |s: &Scenario| {
            let mut a = s.allocator();
            let single: Vec<Result<IpNet, Error>> = s.reqs.iter().map(|r| a.allocate(*r)).collect();
            let mut b = s.allocator();
            let in_order = b.allocate_all(&s.reqs, Order::InOrder);
            let mut c = s.allocator();
            let largest = c.allocate_all(&s.reqs, Order::LargestFirst);
            (single, in_order, largest, a.free_blocks(), b.free_blocks(), c.free_blocks())
        };
        let first = run(&s);
        prop_assert_eq!(&first, &run(&s));
        let mut reversed = s.clone();
        reversed.blocks.reverse();
        reversed.existing.reverse();
        prop_assert_eq!(&first, &run(&reversed));
    }
}
