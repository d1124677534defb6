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

impl Error {
    /// The position of the request the error is about, when it is about one.
    pub fn request_index(&self) -> Option<usize> {
        match self {
            Error::PrefixOutOfRange { index, .. }
            | Error::NoBlockForFamily { index, .. }
            | Error::BlockTooSmall { index, .. }
            | Error::NoRoom { index, .. } => Some(*index),
            _ => None,
        }
    }
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
            if !nested {
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
                    s.trim()
                        .parse::<IpNet>()
                        .map_err(|source| Error::InvalidCidr {
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
            if let Some(order) = self.slot_best(block.root, block.order)
                && best.is_none_or(|(o, _)| order > o)
            {
                best = Some((order, block));
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

    fn collect_free(
        &self,
        family: Family,
        slot: Slot,
        start: u128,
        order: u8,
        out: &mut Vec<IpNet>,
    ) {
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
        let got = a
            .allocate_all(&[Request::v4(24); 4], Strategy::InOrder)
            .unwrap();
        assert_eq!(
            nets(&got),
            [
                "172.31.48.0/24",
                "172.31.49.0/24",
                "172.31.50.0/24",
                "172.31.51.0/24"
            ]
        );
        assert_eq!(nets(a.allocated()), nets(&got));
        assert_eq!(
            nets(&a.free_blocks()),
            [
                "172.31.52.0/22",
                "172.31.56.0/21",
                "172.31.64.0/18",
                "172.31.128.0/17"
            ]
        );
    }

    fn alloc(blocks: &[&str], existing: &[&str]) -> CidrAllocator {
        CidrAllocator::parse(blocks, existing).unwrap()
    }

    #[test]
    fn collapse_and_refill() {
        let mut a = alloc(&["10.0.0.0/24"], &[]);
        for i in 0..16 {
            let n = a.allocate(Request::v4(28)).unwrap();
            assert_eq!(n.to_string(), format!("10.0.0.{}/28", i * 16));
        }
        assert!(a.free_blocks().is_empty());
        assert_eq!(a.blocks[0].root, Slot::Full);
        assert!(matches!(
            a.allocate(Request::v4(28)),
            Err(Error::NoRoom {
                largest_free: None,
                ..
            })
        ));
    }

    #[test]
    fn fill_a_16_with_28s_keeps_the_trie_small() {
        let mut a = alloc(&["10.0.0.0/16"], &[]);
        for i in 0..4096u32 {
            let n = a.allocate(Request::v4(28)).unwrap();
            let start = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + i * 16;
            assert_eq!(n, make_net(Family::V4, u128::from(start), 4));
        }
        assert!(a.free_blocks().is_empty());
        // One node per inner node of the complete trie, at most.
        assert!(a.nodes.len() < 4096, "{} nodes", a.nodes.len());
    }

    #[test]
    fn no_room_message() {
        // Everything taken but 172.31.255.0/26 and 172.31.255.128/25.
        let mut a = alloc(
            &["172.31.0.0/16"],
            &[
                "172.31.0.0/17",
                "172.31.128.0/18",
                "172.31.192.0/19",
                "172.31.224.0/20",
                "172.31.240.0/21",
                "172.31.248.0/22",
                "172.31.252.0/23",
                "172.31.254.0/24",
                "172.31.255.64/26",
            ],
        );
        let before = (a.free_blocks(), a.allocated().to_vec());
        let reqs = [
            Request::v4(28),
            Request::v4(28),
            Request::v4(28),
            Request::v4(24),
        ];
        let err = a.allocate_all(&reqs, Strategy::InOrder).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no room for request #3 (/24) in 172.31.0.0/16: largest free block is 172.31.255.128/25"
        );
        assert_eq!(
            err,
            Error::NoRoom {
                index: 3,
                family: Family::V4,
                prefix: 24,
                blocks: vec!["172.31.0.0/16".parse().unwrap()],
                largest_free: Some("172.31.255.128/25".parse().unwrap()),
            }
        );
        // All or nothing: the three /28s were undone.
        assert_eq!((a.free_blocks(), a.allocated().to_vec()), before);
        assert_eq!(
            nets(&a.free_blocks()),
            ["172.31.255.0/26", "172.31.255.128/25"]
        );
        // And the allocator still works from the original state.
        let got = a.allocate_all(&reqs[..3], Strategy::InOrder).unwrap();
        assert_eq!(
            nets(&got),
            ["172.31.255.0/28", "172.31.255.16/28", "172.31.255.32/28"]
        );
    }

    #[test]
    fn no_room_lists_every_block_and_says_when_full() {
        let mut a = alloc(
            &["10.1.0.0/24", "10.0.0.0/24"],
            &["10.0.0.0/16", "10.1.0.0/25"],
        );
        let err = a.allocate(Request::v4(24)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no room for request #0 (/24) in 10.0.0.0/24, 10.1.0.0/24: largest free block is 10.1.0.128/25"
        );
        assert_eq!(
            a.allocate(Request::v4(25)).unwrap().to_string(),
            "10.1.0.128/25"
        );
        let err = a.allocate(Request::v4(28)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no room for request #0 (/28) in 10.0.0.0/24, 10.1.0.0/24: no free space is left"
        );
    }

    #[test]
    fn block_too_small_message() {
        let mut a = alloc(&["10.0.0.0/20"], &["10.0.0.0/24"]);
        let err = a.allocate(Request::v4(16)).unwrap_err();
        assert!(matches!(
            err,
            Error::BlockTooSmall {
                index: 0,
                family: Family::V4,
                prefix: 16,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "request #0 (/16) is larger than every IPv4 block of the VPC (10.0.0.0/20): \
             largest free block is 10.0.8.0/21"
        );
        // A /20 fits a /20 block exactly; here it is partly used, so that is "no room".
        assert!(matches!(
            a.allocate(Request::v4(20)),
            Err(Error::NoRoom { .. })
        ));
    }

    #[test]
    fn prefix_out_of_range_messages() {
        let mut a = alloc(&["10.0.0.0/16", "2600:1f18:abcd:1200::/56"], &[]);
        let err = a
            .allocate_all(&[Request::v4(24), Request::v4(29)], Strategy::InOrder)
            .unwrap_err();
        assert_eq!(
            err,
            Error::PrefixOutOfRange {
                index: 1,
                family: Family::V4,
                prefix: 29
            }
        );
        assert_eq!(
            err.to_string(),
            "request #1 (IPv4 /29) is outside the AWS IPv4 subnet range /16 to /28"
        );
        assert!(a.allocated().is_empty());
        for req in [
            Request::v4(15),
            Request::v4(33),
            Request::v6(43),
            Request::v6(65),
        ] {
            assert!(matches!(
                a.allocate(req),
                Err(Error::PrefixOutOfRange { .. })
            ));
        }
        assert_eq!(
            a.allocate(Request::v6(128)).unwrap_err().to_string(),
            "request #0 (IPv6 /128) is outside the AWS IPv6 subnet range /44 to /64"
        );
        // The edges are accepted.
        assert_eq!(
            a.allocate(Request::v4(16)).unwrap().to_string(),
            "10.0.0.0/16"
        );
        assert_eq!(
            a.allocate(Request::v6(44)).unwrap_err(),
            Error::BlockTooSmall {
                index: 0,
                family: Family::V6,
                prefix: 44,
                blocks: vec!["2600:1f18:abcd:1200::/56".parse().unwrap()],
                largest_free: Some("2600:1f18:abcd:1200::/56".parse().unwrap()),
            }
        );
    }

    #[test]
    fn no_block_for_family_message() {
        let mut a = alloc(&["10.0.0.0/16"], &[]);
        let err = a
            .allocate_all(
                &[Request::v4(24), Request::v6_default()],
                Strategy::LargestFirst,
            )
            .unwrap_err();
        assert_eq!(
            err,
            Error::NoBlockForFamily {
                index: 1,
                family: Family::V6,
                prefix: 64
            }
        );
        assert_eq!(
            err.to_string(),
            "request #1 (IPv6 /64): the VPC has no IPv6 CIDR block"
        );
        assert!(a.allocated().is_empty());
        let mut v6_only = alloc(&["2600:1f18:abcd:1200::/56"], &[]);
        assert!(matches!(
            v6_only.allocate(Request::v4(24)),
            Err(Error::NoBlockForFamily {
                family: Family::V4,
                ..
            })
        ));
        let mut empty = CidrAllocator::new([], []);
        assert!(matches!(
            empty.allocate(Request::v4(24)),
            Err(Error::NoBlockForFamily { .. })
        ));
        assert_eq!(empty.largest_free(Family::V4), None);
    }

    #[test]
    fn invalid_cidr_messages() {
        let err = CidrAllocator::parse(["10.0.0.0/33"], ["10.0.0.0/24"]).unwrap_err();
        assert!(matches!(
            &err,
            Error::InvalidCidr { role: CidrRole::VpcBlock, input, .. } if input == "10.0.0.0/33"
        ));
        assert_eq!(
            err.to_string(),
            "invalid VPC block CIDR \"10.0.0.0/33\": invalid IP address syntax"
        );
        let err = CidrAllocator::parse(["10.0.0.0/16"], ["10.0.1.0/24", "10.0.0/24"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid existing subnet CIDR \"10.0.0/24\": invalid IP address syntax"
        );
        for bad in [
            "",
            "10.0.0.0",
            "banana",
            "10.0.0.0/",
            "2600::/129",
            "10.0.0.256/24",
        ] {
            assert!(
                CidrAllocator::parse([bad], Vec::<String>::new()).is_err(),
                "{bad:?}"
            );
        }
        // Whitespace around a CIDR is fine.
        assert!(CidrAllocator::parse([" 10.0.0.0/16\n"], Vec::<String>::new()).is_ok());
        // std::error::Error::source is the parser's error.
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn ipv6_56_with_64s() {
        let mut a = alloc(
            &["2600:1f18:abcd:1200::/56"],
            &["2600:1f18:abcd:1200::/64", "2600:1f18:abcd:1201::1/64"],
        );
        let got = a
            .allocate_all(
                &[Request::v6_default(), Request::v6(64), Request::v6(60)],
                Strategy::InOrder,
            )
            .unwrap();
        assert_eq!(
            nets(&got),
            [
                "2600:1f18:abcd:1202::/64",
                "2600:1f18:abcd:1203::/64",
                "2600:1f18:abcd:1210::/60"
            ]
        );
        // 256 /64s in a /56: 2 existing + 2 + 16 (the /60) taken.
        let rest = a
            .allocate_all(&vec![Request::v6(64); 236], Strategy::InOrder)
            .unwrap();
        assert_eq!(rest.last().unwrap().to_string(), "2600:1f18:abcd:12ff::/64");
        assert!(matches!(
            a.allocate(Request::v6(64)),
            Err(Error::NoRoom {
                family: Family::V6,
                largest_free: None,
                ..
            })
        ));
    }

    #[test]
    fn mixed_families_in_one_batch() {
        let mut a = alloc(
            &["2600:1f18:abcd:1200::/56", "10.0.0.0/16"],
            &["10.0.0.0/24"],
        );
        let got = a
            .allocate_all(
                &[
                    Request::v6(64),
                    Request::v4(24),
                    Request::v6(60),
                    Request::v4(20),
                ],
                Strategy::LargestFirst,
            )
            .unwrap();
        assert_eq!(
            nets(&got),
            [
                "2600:1f18:abcd:1210::/64",
                "10.0.1.0/24",
                "2600:1f18:abcd:1200::/60",
                "10.0.16.0/20"
            ]
        );
        assert_eq!(
            nets(&a.blocks()),
            ["10.0.0.0/16", "2600:1f18:abcd:1200::/56"]
        );
    }

    #[test]
    fn blocks_in_numeric_not_string_order() {
        let mut a = alloc(&["10.10.0.0/16", "10.9.0.0/16"], &[]);
        assert_eq!(
            a.allocate(Request::v4(24)).unwrap().to_string(),
            "10.9.0.0/24"
        );
        let mut a = alloc(&["10.0.0.0/16", "9.0.0.0/16"], &["9.0.0.0/17"]);
        assert_eq!(
            a.allocate(Request::v4(17)).unwrap().to_string(),
            "9.0.128.0/17"
        );
        // 9.0.0.0/16 is now full: the next one spills into 10.0.0.0/16.
        assert_eq!(
            a.allocate(Request::v4(24)).unwrap().to_string(),
            "10.0.0.0/24"
        );
        let mut a = alloc(&["2600:1f18:a::/56", "2600:1f18:9::/56"], &[]);
        assert_eq!(
            a.allocate(Request::v6(64)).unwrap().to_string(),
            "2600:1f18:9::/64"
        );
        assert_eq!(nets(&a.blocks()), ["2600:1f18:9::/56", "2600:1f18:a::/56"]);
    }

    #[test]
    fn first_fit_picks_the_lowest_aligned_hole() {
        // Holes: 10.0.0.16/28 (too small for a /27), 10.0.0.64/26.
        let mut a = alloc(
            &["10.0.0.0/24"],
            &["10.0.0.0/28", "10.0.0.32/27", "10.0.0.128/25"],
        );
        assert_eq!(
            a.allocate(Request::v4(27)).unwrap().to_string(),
            "10.0.0.64/27"
        );
        assert_eq!(
            a.allocate(Request::v4(28)).unwrap().to_string(),
            "10.0.0.16/28"
        );
        assert_eq!(
            a.allocate(Request::v4(28)).unwrap().to_string(),
            "10.0.0.96/28"
        );
    }

    #[test]
    fn existing_subnets_masked_ignored_and_clipped() {
        // Host bits set: 172.31.0.5/20 is 172.31.0.0/20.
        let mut a = alloc(&["172.31.0.0/16"], &["172.31.0.5/20"]);
        assert_eq!(
            a.allocate(Request::v4(20)).unwrap().to_string(),
            "172.31.16.0/20"
        );
        // Outside every block: ignored.
        let a = alloc(
            &["10.0.0.0/16"],
            &["192.168.0.0/24", "10.1.0.0/16", "2600::/64"],
        );
        assert_eq!(nets(&a.free_blocks()), ["10.0.0.0/16"]);
        // A /15 around the /16 block occupies all of it; around one of two blocks, that one.
        let mut a = alloc(&["10.1.0.0/16", "10.2.0.0/16"], &["10.0.0.0/15"]);
        assert_eq!(nets(&a.free_blocks()), ["10.2.0.0/16"]);
        assert_eq!(
            a.allocate(Request::v4(24)).unwrap().to_string(),
            "10.2.0.0/24"
        );
        // One existing subnet spanning several blocks.
        let a = alloc(
            &["10.1.0.0/16", "10.3.0.0/16", "10.4.0.0/16"],
            &["10.0.0.0/14"],
        );
        assert_eq!(nets(&a.free_blocks()), ["10.4.0.0/16"]);
        // Duplicates and nested existing subnets are harmless.
        let a = alloc(
            &["10.0.0.0/24"],
            &["10.0.0.0/25", "10.0.0.0/25", "10.0.0.0/26", "10.0.0.0/24"],
        );
        assert!(a.free_blocks().is_empty());
    }

    #[test]
    fn blocks_masked_deduplicated_and_unnested() {
        let a = alloc(
            &["10.0.0.7/16", "10.0.0.0/16", "10.0.128.0/17", "10.1.0.0/16"],
            &[],
        );
        assert_eq!(nets(&a.blocks()), ["10.0.0.0/16", "10.1.0.0/16"]);
        assert_eq!(nets(&a.free_blocks()), ["10.0.0.0/16", "10.1.0.0/16"]);
        assert_eq!(a.blocks_of(Family::V6), []);
        // Adjacent blocks are not merged: a /15 never straddles two /16 blocks.
        let mut a = alloc(&["10.0.0.0/16", "10.1.0.0/16"], &[]);
        assert!(matches!(
            a.allocate(Request::v4(15)),
            Err(Error::PrefixOutOfRange { .. })
        ));
        let mut a = alloc(&["10.0.0.0/17", "10.0.128.0/17"], &[]);
        assert!(matches!(
            a.allocate(Request::v4(16)),
            Err(Error::BlockTooSmall { .. })
        ));
    }

    #[test]
    fn largest_first_returns_in_caller_order() {
        let reqs = [
            Request::v4(28),
            Request::v4(24),
            Request::v4(26),
            Request::v4(28),
        ];
        let mut a = alloc(&["10.0.0.0/16"], &[]);
        let got = a.allocate_all(&reqs, Strategy::LargestFirst).unwrap();
        assert_eq!(
            nets(&got),
            ["10.0.1.64/28", "10.0.0.0/24", "10.0.1.0/26", "10.0.1.80/28"]
        );
        // allocated() is in serving order.
        assert_eq!(
            nets(a.allocated()),
            ["10.0.0.0/24", "10.0.1.0/26", "10.0.1.64/28", "10.0.1.80/28"]
        );
        let mut a = alloc(&["10.0.0.0/16"], &[]);
        let got = a.allocate_all(&reqs, Strategy::default()).unwrap();
        assert_eq!(
            nets(&got),
            ["10.0.0.0/28", "10.0.1.0/24", "10.0.0.64/26", "10.0.0.16/28"]
        );
    }

    #[test]
    fn largest_free_prefers_size_then_address() {
        let a = alloc(
            &["10.1.0.0/16", "10.0.0.0/20"],
            &["10.1.0.0/17", "10.1.128.0/18"],
        );
        assert_eq!(
            a.largest_free(Family::V4).unwrap().to_string(),
            "10.1.192.0/18"
        );
        let a = alloc(&["10.1.0.0/20", "10.0.0.0/20"], &[]);
        assert_eq!(
            a.largest_free(Family::V4).unwrap().to_string(),
            "10.0.0.0/20"
        );
        assert_eq!(a.largest_free(Family::V6), None);
    }

    #[test]
    fn whole_ipv6_space_does_not_overflow() {
        let mut a = CidrAllocator::new(["::/0".parse().unwrap()], ["::/1".parse().unwrap()]);
        assert_eq!(
            a.allocate(Request::v6(64)).unwrap().to_string(),
            "8000::/64"
        );
        assert_eq!(a.free_blocks().len(), 63);
        assert_eq!(a.largest_free(Family::V6).unwrap().to_string(), "c000::/2");
        let a = CidrAllocator::new(["::/0".parse().unwrap(), "0.0.0.0/0".parse().unwrap()], []);
        assert_eq!(nets(&a.free_blocks()), ["0.0.0.0/0", "::/0"]);
    }

    #[test]
    fn debug_is_readable() {
        let a = alloc(&["10.0.0.0/24"], &["10.0.0.0/25"]);
        assert_eq!(
            format!("{a:?}"),
            "CidrAllocator { blocks: [10.0.0.0/24], allocated: [], free_blocks: [10.0.0.128/25] }"
        );
    }
}
