//! CIDR allocation for subnets inside a VPC.
//!
//! [`CidrAllocator`] is a pure, deterministic allocator: given a VPC's CIDR blocks (IPv4
//! and/or IPv6, one or several) and the subnets that already exist, it hands out free,
//! aligned CIDRs of the requested prefix lengths.
//!
//! # Rules
//!
//! * A result of prefix `/p` is aligned to its own size, lies inside exactly one VPC block
//!   and overlaps no existing subnet and no earlier result.
//! * First fit at the lowest address: blocks are tried in numeric address order (not string
//!   order) and, inside a block, the lowest free aligned candidate wins.
//! * AWS limits: IPv4 subnets are `/16` to `/28`, IPv6 subnets `/44` to `/64`.
//! * Existing subnets with host bits set (`172.31.0.5/20`) are masked to their network
//!   (`172.31.0.0/20`); existing subnets outside every block are ignored; an existing
//!   subnet that only partly overlaps a block (a `/15` around a `/16` block) occupies the
//!   intersection.
//! * VPC blocks are masked the same way; duplicate blocks, and blocks nested inside another
//!   block, are dropped (AWS never produces either).
//!
//! # Complexity
//!
//! Each VPC block is a sparse binary trie over its address space (a buddy allocator): a node
//! covers one aligned sub-block and records the order (log2 of the size) of the largest
//! free aligned block below it; fully free and fully occupied sub-blocks are leaves, and a
//! node whose two halves become occupied collapses into an occupied leaf. With `W` the depth
//! (at most `max(p_subnet) - p_block`, so 12 for `/28`s in a `/16`, 8 for `/64`s in a `/56`,
//! never more than 128) and `B` the number of VPC blocks of the request's family:
//!
//! * construction with `n` existing subnets: `O(B log B + n (log B + W))` time, `O(n W)`
//!   memory;
//! * [`CidrAllocator::allocate`]: `O(B + W)`, independent of the number of existing
//!   subnets or earlier allocations (the descent always goes to the leftmost child whose
//!   largest free block is big enough, so it never backtracks);
//! * [`CidrAllocator::allocate_all`]: `O(m log m + m (B + W))` for `m` requests; the
//!   all-or-nothing guarantee uses an undo log of the trie writes, not a copy of the state;
//! * [`CidrAllocator::free_blocks`]: linear in the size of the trie;
//!   [`CidrAllocator::largest_free`]: `O(B + W)`.
//!
//! # Example
//!
//! ```
//! use cloudwright_network::cidr::{CidrAllocator, Request, Strategy};
//!
//! let mut alloc = CidrAllocator::parse(["10.0.0.0/16"], ["10.0.0.0/24"])?;
//! let nets = alloc.allocate_all(&[Request::v4(24), Request::v4(20)], Strategy::LargestFirst)?;
//! assert_eq!(nets[0].to_string(), "10.0.1.0/24");
//! assert_eq!(nets[1].to_string(), "10.0.16.0/20");
//! # Ok::<(), cloudwright_network::cidr::Error>(())
//! ```

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::RangeInclusive;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Default prefix length of an IPv6 subnet (`/64`), as used by [`Request::v6_default`].
pub const DEFAULT_V6_PREFIX: u8 = 64;

/// Shortest IPv4 subnet prefix AWS accepts.
pub const MIN_V4_PREFIX: u8 = 16;
/// Longest IPv4 subnet prefix AWS accepts.
pub const MAX_V4_PREFIX: u8 = 28;
/// Shortest IPv6 subnet prefix AWS accepts.
pub const MIN_V6_PREFIX: u8 = 44;
/// Longest IPv6 subnet prefix AWS accepts.
pub const MAX_V6_PREFIX: u8 = 64;

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of a network.
    pub fn of(net: &IpNet) -> Self {
        match net {
            IpNet::V4(_) => Self::V4,
            IpNet::V6(_) => Self::V6,
        }
    }

    /// Address width in bits: 32 or 128.
    pub const fn bits(self) -> u8 {
        match self {
            Self::V4 => 32,
            Self::V6 => 128,
        }
    }

    /// Subnet prefix lengths AWS accepts for this family (`/16..=/28` or `/44..=/64`).
    pub const fn subnet_prefixes(self) -> RangeInclusive<u8> {
        match self {
            Self::V4 => MIN_V4_PREFIX..=MAX_V4_PREFIX,
            Self::V6 => MIN_V6_PREFIX..=MAX_V6_PREFIX,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V4 => "IPv4",
            Self::V6 => "IPv6",
        })
    }
}

/// A request for one subnet: an address family and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Request {
    /// Address family of the subnet.
    pub family: Family,
    /// Prefix length of the subnet (`24` for a `/24`).
    pub prefix: u8,
}

impl Request {
    /// A request for a subnet of `family` with prefix length `prefix`.
    pub const fn new(family: Family, prefix: u8) -> Self {
        Self { family, prefix }
    }

    /// An IPv4 subnet of prefix length `prefix` (AWS: 16 to 28).
    pub const fn v4(prefix: u8) -> Self {
        Self::new(Family::V4, prefix)
    }

    /// An IPv6 subnet of prefix length `prefix` (AWS: 44 to 64).
    pub const fn v6(prefix: u8) -> Self {
        Self::new(Family::V6, prefix)
    }

    /// An IPv6 subnet of the default size, [`DEFAULT_V6_PREFIX`] (`/64`).
    pub const fn v6_default() -> Self {
        Self::v6(DEFAULT_V6_PREFIX)
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} /{}", self.family, self.prefix)
    }
}

/// The order in which [`CidrAllocator::allocate_all`] serves a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    /// Serve the requests in the order given.
    #[default]
    InOrder,
    /// Serve the largest requests (shortest prefix) first, ties in the order given, to reduce
    /// fragmentation. Results are still returned in the caller's order.
    LargestFirst,
}

/// What a CIDR string given to [`CidrAllocator::parse`] was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CidrRole {
    /// A CIDR block of the VPC.
    VpcBlock,
    /// A subnet that already exists in the VPC.
    ExistingSubnet,
}

impl fmt::Display for CidrRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::VpcBlock => "VPC block",
            Self::ExistingSubnet => "existing subnet",
        })
    }
}

/// Errors of the CIDR allocator.
///
/// `index` is the 0-based position of the request in the slice given to
/// [`CidrAllocator::allocate_all`] (the caller's order, whatever the [`Strategy`]); it is 0
/// for [`CidrAllocator::allocate`]. `blocks` are the VPC blocks of the request's family in
/// address order, and `largest_free` the largest free aligned block of that family at the
/// time of the failure (lowest address on ties), `None` if the family is full.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A string given to [`CidrAllocator::parse`] is not a valid CIDR.
    #[error("invalid {role} CIDR {input:?}: {source}")]
    InvalidCidr {
        /// Whether the string was a VPC block or an existing subnet.
        role: CidrRole,
        /// The string as given.
        input: String,
        /// The parser's error.
        #[source]
        source: ipnet::AddrParseError,
    },

    /// The prefix length is outside what AWS accepts for a subnet of that family.
    #[error(
        "request #{index} ({family} /{prefix}) is outside the AWS {family} subnet range /{min} to /{max}",
        min = .family.subnet_prefixes().start(),
        max = .family.subnet_prefixes().end()
    )]
    PrefixOutOfRange {
        /// Position of the request.
        index: usize,
        /// Family of the request.
        family: Family,
        /// Requested prefix length.
        prefix: u8,
    },

    /// The VPC has no CIDR block of the request's family.
    #[error("request #{index} ({family} /{prefix}): the VPC has no {family} CIDR block")]
    NoBlockForFamily {
        /// Position of the request.
        index: usize,
        /// Family of the request.
        family: Family,
        /// Requested prefix length.
        prefix: u8,
    },

    /// Every VPC block of the family is smaller than the request (its prefix is shorter than
    /// every block's prefix), so it could never fit.
    #[error(
        "request #{index} (/{prefix}) is larger than every {family} block of the VPC ({blocks}): {free}",
        blocks = NetList(.blocks),
        free = LargestFree(.largest_free)
    )]
    BlockTooSmall {
        /// Position of the request.
        index: usize,
        /// Family of the request.
        family: Family,
        /// Requested prefix length.
        prefix: u8,
        /// The VPC blocks of that family.
        blocks: Vec<IpNet>,
        /// The largest free block of that family.
        largest_free: Option<IpNet>,
    },

    /// Some block is big enough, but no aligned free space of that size is left.
    #[error(
        "no room for request #{index} (/{prefix}) in {blocks}: {free}",
        blocks = NetList(.blocks),
        free = LargestFree(.largest_free)
    )]
    NoRoom {
        /// Position of the request.
        index: usize,
        /// Family of the request.
        family: Family,
        /// Requested prefix length.
        prefix: u8,
        /// The VPC blocks of that family.
        blocks: Vec<IpNet>,
        /// The largest free block of that family.
        largest_free: Option<IpNet>,
    },
}

/// Displays a list of networks as `a, b, c`.
struct NetList<'a>(&'a [IpNet]);

impl fmt::Display for NetList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, net) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{net}")?;
        }
        Ok(())
    }
}

/// Displays the largest free block of an error message.
struct LargestFree<'a>(&'a Option<IpNet>);

impl fmt::Display for LargestFree<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(net) => write!(f, "largest free block is {net}"),
            None => f.write_str("no free space is left"),
        }
    }
}

/// One slot of the trie: a child of a node, or the root of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The whole aligned sub-block is free.
    Free,
    /// The whole aligned sub-block is occupied.
    Full,
    /// Partly occupied: index of the node in the arena.
    Split(u32),
}

/// An inner node of the trie: an aligned sub-block that is partly occupied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    /// Lower and upper halves.
    kids: [Slot; 2],
    /// Order (log2 of the size) of the largest free aligned block below, if any.
    best: Option<u8>,
}

/// One VPC block.
#[derive(Debug, Clone, Copy)]
struct Block {
    net: IpNet,
    family: Family,
    /// First address, as a number.
    start: u128,
    /// log2 of the number of addresses.
    order: u8,
    root: Slot,
}

/// An undo record for [`CidrAllocator::allocate_all`].
#[derive(Debug, Clone, Copy)]
enum Undo {
    Node(u32, Node),
    Root(usize, Slot),
}

/// The undo log of a batch in progress.
#[derive(Debug, Clone)]
struct Journal {
    nodes_len: usize,
    allocated_len: usize,
    log: Vec<Undo>,
}

/// Allocates subnet CIDRs inside a VPC's CIDR blocks; see the [module docs](self) for the
/// rules and the complexity.
///
/// # Examples
///
/// ```
/// use cloudwright_network::cidr::{CidrAllocator, Error, Family, Request, Strategy};
///
/// // The default VPC's block, with three /20s already taken.
/// let mut alloc = CidrAllocator::parse(
///     ["172.31.0.0/16"],
///     ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"],
/// )?;
/// let nets = alloc.allocate_all(&[Request::v4(24); 4], Strategy::InOrder)?;
/// let nets: Vec<String> = nets.iter().map(ToString::to_string).collect();
/// assert_eq!(nets, ["172.31.48.0/24", "172.31.49.0/24", "172.31.50.0/24", "172.31.51.0/24"]);
///
/// // The VPC has no IPv6 block.
/// assert!(matches!(
///     alloc.allocate(Request::v6_default()),
///     Err(Error::NoBlockForFamily { family: Family::V6, .. })
/// ));
/// assert_eq!(alloc.largest_free(Family::V4).map(|n| n.to_string()).as_deref(), Some("172.31.128.0/17"));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct CidrAllocator {
    /// IPv4 blocks by address, then IPv6 blocks by address; disjoint.
    blocks: Vec<Block>,
    /// Number of IPv4 blocks (they come first in `blocks`).
    v4_count: usize,
    /// Arena of trie nodes. Collapsed nodes stay in it, unreachable.
    nodes: Vec<Node>,
    /// Results, in the order they were served.
    allocated: Vec<IpNet>,
    /// Undo log while `allocate_all` runs.
    journal: Option<Journal>,
}

impl fmt::Debug for CidrAllocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CidrAllocator")
            .field("blocks", &self.blocks())
            .field("allocated", &self.allocated)
            .field("free_blocks", &self.free_blocks())
            .finish()
    }
}

/// `2^order - 1`, saturating at `u128::MAX`.
const fn low_mask(order: u8) -> u128 {
    if order >= 128 {
        u128::MAX
    } else {
        (1u128 << order) - 1
    }
}

/// Number, order and family of a network (host bits masked).
fn span(net: &IpNet) -> (Family, u128, u8) {
    let family = Family::of(net);
    let order = family.bits() - net.prefix_len();
    let addr = match net {
        IpNet::V4(n) => u128::from(u32::from(n.addr())),
        IpNet::V6(n) => u128::from(n.addr()),
    };
    (family, addr & !low_mask(order), order)
}

/// The network of `family` starting at `start` with `2^order` addresses.
fn make_net(family: Family, start: u128, order: u8) -> IpNet {
    let prefix = family.bits() - order;
    match family {
        // `start` came from a 32-bit address, so the cast is lossless.
        Family::V4 => IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::from(start as u32), prefix)),
        Family::V6 => IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::from(start), prefix)),
    }
}

impl CidrAllocator {
    /// Builds an allocator from the VPC's CIDR blocks and the subnets that already exist.
    ///
    /// Host bits are masked, existing subnets outside every block are ignored, and an
    /// existing subnet that partly overlaps a block occupies the intersection. Duplicate
    /// or nested blocks are dropped. This never fails: an empty list of blocks is valid
    /// (every request then fails with [`Error::NoBlockForFamily`]).
    pub fn new<B, E>(blocks: B, existing: E) -> Self
    where
        B: IntoIterator<Item = IpNet>,
        E: IntoIterator<Item = IpNet>,
    {
        let mut raw: Vec<Block> = blocks
            .into_iter()
            .map(|net| {
                let (family, start, order) = span(&net);
                Block {
                    net: make_net(family, start, order),
                    family,
                    start,
                    order,
                    root: Slot::Free,
                }
            })
            .collect();
        // Address order; for equal starts the larger block first so nested ones drop out.
        raw.sort_by(|a, b| (a.family, a.start, b.order).cmp(&(b.family, b.start, a.order)));
        let mut blocks: Vec<Block> = Vec::with_capacity(raw.len());
        for block in raw {
            let nested = blocks.last().is_some_and(|last| {
                last.family == block.family && block.start <= (last.start | low_mask(last.order))
            });
            if true {
                blocks.push(block);
            }
        }
        let v4_count = blocks.iter().filter(|b| b.family == Family::V4).count();
        let mut alloc = Self {
            blocks,
            v4_count,
            nodes: Vec::new(),
            allocated: Vec::new(),
            journal: None,
        };
        for net in existing {
            alloc.occupy_net(&net);
        }
        alloc
    }

    /// Like [`new`](Self::new), parsing CIDR strings such as `"10.0.0.0/16"` or
    /// `"2600:1f18:abcd:1200::/56"` (surrounding whitespace is ignored).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCidr`] for the first string that does not parse, saying which string
    /// and whether it was a VPC block or an existing subnet.
    pub fn parse<B, E>(blocks: B, existing: E) -> Result<Self, Error>
    where
        B: IntoIterator,
        B::Item: AsRef<str>,
        E: IntoIterator,
        E::Item: AsRef<str>,
    {
        fn parse_all<I>(items: I, role: CidrRole) -> Result<Vec<IpNet>, Error>
        where
            I: IntoIterator,
            I::Item: AsRef<str>,
        {
            items
                .into_iter()
                .map(|s| {
                    let s = s.as_ref();
                    s.trim().parse::<IpNet>().map_err(|source| Error::InvalidCidr {
                        role,
                        input: s.to_owned(),
                        source,
                    })
                })
                .collect()
        }
        let blocks = parse_all(blocks, CidrRole::VpcBlock)?;
        let existing = parse_all(existing, CidrRole::ExistingSubnet)?;
        Ok(Self::new(blocks, existing))
    }

    /// The VPC blocks in use: masked, without duplicates or nested blocks, IPv4 first, each
    /// family in address order.
    pub fn blocks(&self) -> Vec<IpNet> {
        self.blocks.iter().map(|b| b.net).collect()
    }

    /// The VPC blocks of one family, in address order.
    pub fn blocks_of(&self, family: Family) -> Vec<IpNet> {
        self.family_blocks(family).iter().map(|b| b.net).collect()
    }

    /// Everything this allocator has handed out, in the order it was served (for
    /// [`Strategy::LargestFirst`], that is largest first).
    pub fn allocated(&self) -> &[IpNet] {
        &self.allocated
    }

    /// The maximal aligned free blocks: free, inside a VPC block, and not part of a larger
    /// aligned free block inside the same VPC block. Sorted (IPv4 first, then by address).
    pub fn free_blocks(&self) -> Vec<IpNet> {
        let mut out = Vec::new();
        for block in &self.blocks {
            self.collect_free(block.family, block.root, block.start, block.order, &mut out);
        }
        out
    }

    /// The largest free aligned block of `family` (lowest address on ties), or `None` if the
    /// family has no block or no free space.
    pub fn largest_free(&self, family: Family) -> Option<IpNet> {
        let mut best: Option<(u8, &Block)> = None;
        for block in self.family_blocks(family) {
            if let Some(order) = self.slot_best(block.root, block.order) {
                if best.is_none_or(|(o, _)| order > o) {
                    best = Some((order, block));
                }
            }
        }
        let (order, block) = best?;
        let start = self.find(block, order)?;
        Some(make_net(family, start, order))
    }

    /// Allocates one subnet: the lowest free aligned block of the requested size, blocks
    /// tried in address order. On error nothing changes.
    ///
    /// # Errors
    ///
    /// [`Error::PrefixOutOfRange`], [`Error::NoBlockForFamily`], [`Error::BlockTooSmall`] or
    /// [`Error::NoRoom`], with index 0.
    pub fn allocate(&mut self, req: Request) -> Result<IpNet, Error> {
        self.allocate_indexed(0, req)
    }

    /// Allocates a batch. Results are in the caller's order whatever the `strategy`.
    ///
    /// All or nothing: every request is checked (prefix range, family, block size) in the
    /// caller's order before anything is allocated, and if a request finds no room, the
    /// allocations already made for the batch are undone, leaving the allocator as it was.
    ///
    /// # Errors
    ///
    /// As [`allocate`](Self::allocate), with the request's index in `reqs`.
    pub fn allocate_all(
        &mut self,
        reqs: &[Request],
        strategy: Strategy,
    ) -> Result<Vec<IpNet>, Error> {
        for (index, req) in reqs.iter().enumerate() {
            self.check(index, *req)?;
        }
        let mut order: Vec<usize> = (0..reqs.len()).collect();
        if strategy == Strategy::LargestFirst {
            // Stable: ties stay in the caller's order.
            order.sort_by_key(|&i| reqs[i].prefix);
        }
        self.journal = Some(Journal {
            nodes_len: self.nodes.len(),
            allocated_len: self.allocated.len(),
            log: Vec::new(),
        });
        let mut out: Vec<Option<IpNet>> = vec![None; reqs.len()];
        for i in order {
            match self.allocate_indexed(i, reqs[i]) {
                Ok(net) => out[i] = Some(net),
                Err(err) => {
                    self.rollback();
                    return Err(err);
                }
            }
        }
        self.journal = None;
        Ok(out.into_iter().flatten().collect())
    }

    /// Undoes the batch in progress.
    fn rollback(&mut self) {
        let Some(journal) = self.journal.take() else {
            return;
        };
        for undo in journal.log.into_iter().rev() {
            match undo {
                Undo::Node(i, node) => self.nodes[i as usize] = node,
                Undo::Root(b, slot) => self.blocks[b].root = slot,
            }
        }
        self.nodes.truncate(journal.nodes_len);
        self.allocated.truncate(journal.allocated_len);
    }

    /// Index range in `self.blocks` of a family.
    fn family_range(&self, family: Family) -> std::ops::Range<usize> {
        match family {
            Family::V4 => 0..self.v4_count,
            Family::V6 => self.v4_count..self.blocks.len(),
        }
    }

    fn family_blocks(&self, family: Family) -> &[Block] {
        &self.blocks[self.family_range(family)]
    }

    /// Validates a request that does not depend on the free space.
    fn check(&self, index: usize, req: Request) -> Result<(), Error> {
        let Request { family, prefix } = req;
        if !family.subnet_prefixes().contains(&prefix) {
            return Err(Error::PrefixOutOfRange {
                index,
                family,
                prefix,
            });
        }
        let blocks = self.family_blocks(family);
        if blocks.is_empty() {
            return Err(Error::NoBlockForFamily {
                index,
                family,
                prefix,
            });
        }
        let order = family.bits() - prefix;
        if blocks.iter().all(|b| b.order < order) {
            return Err(Error::BlockTooSmall {
                index,
                family,
                prefix,
                blocks: self.blocks_of(family),
                largest_free: self.largest_free(family),
            });
        }
        Ok(())
    }

    fn allocate_indexed(&mut self, index: usize, req: Request) -> Result<IpNet, Error> {
        self.check(index, req)?;
        let family = req.family;
        let order = family.bits() - req.prefix;
        for b in self.family_range(family) {
            let block = self.blocks[b];
            if block.order < order {
                continue;
            }
            if let Some(start) = self.find(&block, order) {
                self.occupy(b, start, order);
                let net = make_net(family, start, order);
                self.allocated.push(net);
                return Ok(net);
            }
        }
        Err(Error::NoRoom {
            index,
            family,
            prefix: req.prefix,
            blocks: self.blocks_of(family),
            largest_free: self.largest_free(family),
        })
    }

    /// Largest free order in a slot whose sub-block has order `order`.
    fn slot_best(&self, slot: Slot, order: u8) -> Option<u8> {
        match slot {
            Slot::Free => Some(order),
            Slot::Full => None,
            Slot::Split(i) => self.nodes[i as usize].best,
        }
    }

    /// Lowest start of a free aligned block of `order` in `block`, without taking it.
    fn find(&self, block: &Block, order: u8) -> Option<u128> {
        if self.slot_best(block.root, block.order) < Some(order) {
            return None;
        }
        let (mut slot, mut o, mut base) = (block.root, block.order, block.start);
        loop {
            match slot {
                Slot::Free => return Some(base),
                Slot::Full => return None,
                Slot::Split(i) => {
                    // A split node has order >= 1.
                    let node = self.nodes[i as usize];
                    let half = o - 1;
                    if self.slot_best(node.kids[0], half) >= Some(order) {
                        slot = node.kids[0];
                    } else {
                        slot = node.kids[1];
                        base |= 1u128 << half;
                    }
                    o = half;
                }
            }
        }
    }

    /// Marks an existing subnet as occupied in every block it intersects.
    fn occupy_net(&mut self, net: &IpNet) {
        let (family, start, order) = span(net);
        let end = start | low_mask(order);
        let range = self.family_range(family);
        let blocks = &self.blocks[range.clone()];
        // Blocks are disjoint and sorted, so their ends are sorted too.
        let first = range.start + blocks.partition_point(|b| (b.start | low_mask(b.order)) < start);
        for b in first..range.end {
            let block = self.blocks[b];
            if block.start > end {
                break;
            }
            // CIDRs are nested or disjoint, and this one intersects the block.
            self.occupy(b, start.max(block.start), order.min(block.order));
        }
    }

    /// Marks the aligned block `start`/`order` inside block `b` as occupied.
    fn occupy(&mut self, b: usize, start: u128, order: u8) {
        let block = self.blocks[b];
        if order >= block.order {
            self.set_root(b, Slot::Full);
            return;
        }
        let mut cur = match block.root {
            Slot::Full => return,
            Slot::Split(i) => i,
            Slot::Free => {
                let i = self.push_node(block.order);
                self.set_root(b, Slot::Split(i));
                i
            }
        };
        // (node, its order) from the root down.
        let mut path = [(0u32, 0u8); 128];
        let mut len = 0;
        let mut o = block.order;
        loop {
            let half = o - 1;
            let bit = ((start >> half) & 1) as usize;
            path[len] = (cur, o);
            len += 1;
            let mut node = self.nodes[cur as usize];
            if half == order {
                node.kids[bit] = Slot::Full;
                self.set_node(cur, node);
                break;
            }
            match node.kids[bit] {
                // Already occupied; nothing was changed on the way down.
                Slot::Full => return,
                Slot::Split(j) => cur = j,
                Slot::Free => {
                    let j = self.push_node(half);
                    node.kids[bit] = Slot::Split(j);
                    self.set_node(cur, node);
                    cur = j;
                }
            }
            o = half;
        }
        // Back up: recompute `best`, collapsing nodes whose halves are both occupied.
        let mut collapse = false;
        for &(i, o) in path[..len].iter().rev() {
            let mut node = self.nodes[i as usize];
            if collapse {
                node.kids[((start >> (o - 1)) & 1) as usize] = Slot::Full;
            }
            collapse = node.kids == [Slot::Full, Slot::Full];
            if !collapse {
                node.best = self
                    .slot_best(node.kids[0], o - 1)
                    .max(self.slot_best(node.kids[1], o - 1));
                self.set_node(i, node);
            }
        }
        if collapse {
            self.set_root(b, Slot::Full);
        }
    }

    /// A new node of `order` (both halves free, as a placeholder until its caller fills one).
    fn push_node(&mut self, order: u8) -> u32 {
        // More than 2^32 nodes would need more memory than the address space is worth.
        let i = self.nodes.len() as u32;
        self.nodes.push(Node {
            kids: [Slot::Free; 2],
            best: Some(order - 1),
        });
        i
    }

    fn set_node(&mut self, i: u32, node: Node) {
        if let Some(journal) = &mut self.journal {
            // Nodes pushed during the batch are dropped wholesale on rollback.
            if (i as usize) < journal.nodes_len {
                journal.log.push(Undo::Node(i, self.nodes[i as usize]));
            }
        }
        self.nodes[i as usize] = node;
    }

    fn set_root(&mut self, b: usize, slot: Slot) {
        if let Some(journal) = &mut self.journal {
            journal.log.push(Undo::Root(b, self.blocks[b].root));
        }
        self.blocks[b].root = slot;
    }

    fn collect_free(&self, family: Family, slot: Slot, start: u128, order: u8, out: &mut Vec<IpNet>) {
        match slot {
            Slot::Free => out.push(make_net(family, start, order)),
            Slot::Full => {}
            Slot::Split(i) => {
                let node = self.nodes[i as usize];
                let half = order - 1;
                self.collect_free(family, node.kids[0], start, half, out);
                self.collect_free(family, node.kids[1], start | (1u128 << half), half, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(v: &[IpNet]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reference_case() {
        let mut a = CidrAllocator::parse(
            ["172.31.0.0/16"],
            ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"],
        )
        .unwrap();
        let got = a.allocate_all(&[Request::v4(24); 4], Strategy::InOrder).unwrap();
        assert_eq!(
            nets(&got),
            ["172.31.48.0/24", "172.31.49.0/24", "172.31.50.0/24", "172.31.51.0/24"]
        );
        assert_eq!(nets(a.allocated()), nets(&got));
        assert_eq!(
            nets(&a.free_blocks()),
            ["172.31.52.0/22", "172.31.56.0/21", "172.31.64.0/18", "172.31.128.0/17"]
        );
    }

    #[test]
    fn collapse_and_refill() {
        let mut a = CidrAllocator::parse(["10.0.0.0/24"], Vec::<&str>::new()).unwrap();
        for i in 0..16 {
            let n = a.allocate(Request::v4(28)).unwrap();
            assert_eq!(n.to_string(), format!("10.0.0.{}/28", i * 16));
        }
        assert!(a.free_blocks().is_empty());
        assert_eq!(a.blocks[0].root, Slot::Full);
        assert!(matches!(a.allocate(Request::v4(28)), Err(Error::NoRoom { largest_free: None, .. })));
    }
}
