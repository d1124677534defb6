//! Fargate task sizes: the CPU and memory combinations Fargate supports, and nothing else.

use std::fmt;

use crate::error::Error;

/// The CPU of a Fargate task, in vCPUs (1 vCPU is 1024 CPU units).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cpu {
    /// 0.25 vCPU (256 units).
    Vcpu0_25,
    /// 0.5 vCPU (512 units).
    Vcpu0_5,
    /// 1 vCPU (1024 units).
    Vcpu1,
    /// 2 vCPU (2048 units).
    Vcpu2,
    /// 4 vCPU (4096 units).
    Vcpu4,
    /// 8 vCPU (8192 units).
    Vcpu8,
    /// 16 vCPU (16384 units).
    Vcpu16,
}

impl Cpu {
    /// Every Fargate CPU size, smallest first.
    pub const ALL: [Cpu; 7] = [
        Cpu::Vcpu0_25,
        Cpu::Vcpu0_5,
        Cpu::Vcpu1,
        Cpu::Vcpu2,
        Cpu::Vcpu4,
        Cpu::Vcpu8,
        Cpu::Vcpu16,
    ];

    /// CPU units (1024 per vCPU), as the task definition's `Cpu` property counts them.
    pub const fn units(self) -> u32 {
        match self {
            Cpu::Vcpu0_25 => 256,
            Cpu::Vcpu0_5 => 512,
            Cpu::Vcpu1 => 1024,
            Cpu::Vcpu2 => 2048,
            Cpu::Vcpu4 => 4096,
            Cpu::Vcpu8 => 8192,
            Cpu::Vcpu16 => 16384,
        }
    }

    /// The size with this many CPU units, if Fargate has one.
    pub const fn from_units(units: u32) -> Option<Cpu> {
        Some(match units {
            256 => Cpu::Vcpu0_25,
            512 => Cpu::Vcpu0_5,
            1024 => Cpu::Vcpu1,
            2048 => Cpu::Vcpu2,
            4096 => Cpu::Vcpu4,
            8192 => Cpu::Vcpu8,
            16384 => Cpu::Vcpu16,
            _ => return None,
        })
    }

    /// The memory range Fargate allows with this CPU: `(min, max, step)` in MiB. 0.25 vCPU is
    /// the exception: 512, 1024 or 2048 (see [`Cpu::supports`]).
    const fn memory_range(self) -> (u32, u32, u32) {
        match self {
            Cpu::Vcpu0_25 => (512, 2048, 512),
            Cpu::Vcpu0_5 => (1024, 4096, 1024),
            Cpu::Vcpu1 => (2048, 8192, 1024),
            Cpu::Vcpu2 => (4096, 16384, 1024),
            Cpu::Vcpu4 => (8192, 30720, 1024),
            Cpu::Vcpu8 => (16384, 61440, 4096),
            Cpu::Vcpu16 => (32768, 122880, 8192),
        }
    }

    /// Whether Fargate runs a task of this CPU with `memory_mib` of memory.
    pub const fn supports(self, memory_mib: u32) -> bool {
        if let Cpu::Vcpu0_25 = self {
            return matches!(memory_mib, 512 | 1024 | 2048);
        }
        let (min, max, step) = self.memory_range();
        memory_mib >= min && memory_mib <= max && (memory_mib - min).is_multiple_of(step)
    }

    /// The memory sizes (MiB) Fargate allows with this CPU, smallest first.
    pub fn memory_options(self) -> impl Iterator<Item = u32> {
        let (min, max, step) = self.memory_range();
        (min..=max)
            .step_by(step as usize)
            .filter(move |m| self.supports(*m))
    }
}

impl fmt::Display for Cpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = self.units();
        if units.is_multiple_of(1024) {
            write!(f, "{} vCPU", units / 1024)
        } else {
            write!(f, "{} vCPU", f64::from(units) / 1024.0)
        }
    }
}

/// Fargate task sizes: the CPU and memory combinations Fargate supports, and nothing else.
///
/// | CPU (units) | memory (MiB)                    |
/// |-------------|---------------------------------|
/// | 256         | 512, 1024, 2048                 |
/// | 512         | 1024 to 4096 in steps of 1024   |
/// | 1024        | 2048 to 8192 in steps of 1024   |
/// | 2048        | 4096 to 16384 in steps of 1024  |
/// | 4096        | 8192 to 30720 in steps of 1024  |
/// | 8192        | 16384 to 61440 in steps of 4096 |
/// | 16384       | 32768 to 122880 in steps of 8192|
///
/// A [`FargateSize`] can only hold a supported pair: [`FargateSize::new`] checks at run time,
/// [`FargateSize::fixed`] at compile time, and the named constants are common sizes.
///
/// ```
/// use cloudwright_compute::{Cpu, FargateSize};
///
/// let size = FargateSize::new(Cpu::Vcpu1, 2048)?;
/// assert_eq!(size, FargateSize::ONE_VCPU_2GB);
/// assert!(FargateSize::new(Cpu::Vcpu1, 1024).is_err());
/// const BIG: FargateSize = FargateSize::fixed::<4096, 16384>();
/// assert_eq!(BIG.memory_mib(), 16384);
/// # Ok::<(), cloudwright_compute::Error>(())
/// ```
///
/// An unsupported pair in [`FargateSize::fixed`] does not compile:
///
/// ```compile_fail,E0080
/// use cloudwright_compute::FargateSize;
/// let size = FargateSize::fixed::<1024, 1024>();
/// ```
///
/// A supported Fargate task size: CPU and memory together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FargateSize {
    cpu: Cpu,
    memory_mib: u32,
}

impl FargateSize {
    /// 0.25 vCPU, 0.5 GB: the smallest task.
    pub const QUARTER_VCPU_HALF_GB: FargateSize = FargateSize::fixed::<256, 512>();
    /// 0.25 vCPU, 1 GB.
    pub const QUARTER_VCPU_1GB: FargateSize = FargateSize::fixed::<256, 1024>();
    /// 0.5 vCPU, 1 GB.
    pub const HALF_VCPU_1GB: FargateSize = FargateSize::fixed::<512, 1024>();
    /// 0.5 vCPU, 2 GB.
    pub const HALF_VCPU_2GB: FargateSize = FargateSize::fixed::<512, 2048>();
    /// 1 vCPU, 2 GB.
    pub const ONE_VCPU_2GB: FargateSize = FargateSize::fixed::<1024, 2048>();
    /// 1 vCPU, 4 GB.
    pub const ONE_VCPU_4GB: FargateSize = FargateSize::fixed::<1024, 4096>();
    /// 2 vCPU, 4 GB.
    pub const TWO_VCPU_4GB: FargateSize = FargateSize::fixed::<2048, 4096>();
    /// 2 vCPU, 8 GB.
    pub const TWO_VCPU_8GB: FargateSize = FargateSize::fixed::<2048, 8192>();
    /// 4 vCPU, 8 GB.
    pub const FOUR_VCPU_8GB: FargateSize = FargateSize::fixed::<4096, 8192>();
    /// 4 vCPU, 16 GB.
    pub const FOUR_VCPU_16GB: FargateSize = FargateSize::fixed::<4096, 16384>();

    /// A size, if Fargate supports `memory_mib` with `cpu`; otherwise
    /// [`Error::UnsupportedFargateSize`] listing the memory sizes that `cpu` allows.
    pub fn new(cpu: Cpu, memory_mib: u32) -> Result<FargateSize, Error> {
        if cpu.supports(memory_mib) {
            Ok(FargateSize { cpu, memory_mib })
        } else {
            Err(Error::UnsupportedFargateSize {
                cpu: cpu.units(),
                memory_mib,
                allowed: describe_options(cpu),
            })
        }
    }

    /// A size from CPU units and memory, both as numbers (`"1024"`/`"2048"` in a template).
    pub fn from_units(cpu_units: u32, memory_mib: u32) -> Result<FargateSize, Error> {
        let cpu = Cpu::from_units(cpu_units).ok_or(Error::UnsupportedFargateCpu { cpu_units })?;
        FargateSize::new(cpu, memory_mib)
    }

    /// A size checked at compile time: `FargateSize::fixed::<1024, 3072>()`. An unsupported
    /// pair is a compile error (the check runs in a `const` block), never a run-time panic.
    pub const fn fixed<const CPU_UNITS: u32, const MEMORY_MIB: u32>() -> FargateSize {
        const {
            assert!(
                match Cpu::from_units(CPU_UNITS) {
                    Some(cpu) => cpu.supports(MEMORY_MIB),
                    None => false,
                },
                "Fargate does not support this CPU/memory pair"
            );
        }
        match Cpu::from_units(CPU_UNITS) {
            Some(cpu) => FargateSize {
                cpu,
                memory_mib: MEMORY_MIB,
            },
            // unreachable: the const block above rejects every other value at compile time
            None => FargateSize {
                cpu: Cpu::Vcpu0_25,
                memory_mib: 512,
            },
        }
    }

    /// The CPU.
    pub const fn cpu(self) -> Cpu {
        self.cpu
    }

    /// CPU units (1024 per vCPU).
    pub const fn cpu_units(self) -> u32 {
        self.cpu.units()
    }

    /// Memory in MiB.
    pub const fn memory_mib(self) -> u32 {
        self.memory_mib
    }

    /// Every supported size, by CPU then memory.
    pub fn all() -> impl Iterator<Item = FargateSize> {
        Cpu::ALL.into_iter().flat_map(|cpu| {
            cpu.memory_options()
                .map(move |memory_mib| FargateSize { cpu, memory_mib })
        })
    }
}

impl fmt::Display for FargateSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} units) with {} MiB",
            self.cpu,
            self.cpu.units(),
            self.memory_mib
        )
    }
}

fn describe_options(cpu: Cpu) -> String {
    if cpu == Cpu::Vcpu0_25 {
        return "512, 1024 or 2048".into();
    }
    let (min, max, step) = cpu.memory_range();
    format!("{min} to {max} in steps of {step}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Fargate table written out independently of the implementation: (cpu, memory list).
    fn oracle() -> Vec<(u32, Vec<u32>)> {
        let gb = |from: u32, to: u32, step_gb: u32| -> Vec<u32> {
            (from..=to)
                .filter(|g| (g - from).is_multiple_of(step_gb))
                .map(|g| g * 1024)
                .collect()
        };
        vec![
            (256, vec![512, 1024, 2048]),
            (512, gb(1, 4, 1)),
            (1024, gb(2, 8, 1)),
            (2048, gb(4, 16, 1)),
            (4096, gb(8, 30, 1)),
            (8192, gb(16, 60, 4)),
            (16384, gb(32, 120, 8)),
        ]
    }

    #[test]
    fn every_pair_in_the_whole_range_is_valid_exactly_when_the_table_lists_it() {
        let oracle = oracle();
        let mut valid = 0;
        for (cpu_units, allowed) in &oracle {
            let cpu = Cpu::from_units(*cpu_units).unwrap();
            for memory in (512..=122_880).step_by(512) {
                let result = FargateSize::new(cpu, memory);
                let expected = allowed.contains(&memory);
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "{cpu_units} CPU with {memory} MiB"
                );
                assert_eq!(
                    FargateSize::from_units(*cpu_units, memory).is_ok(),
                    expected
                );
                match result {
                    Ok(size) => {
                        valid += 1;
                        assert_eq!(size.cpu_units(), *cpu_units);
                        assert_eq!(size.memory_mib(), memory);
                    }
                    Err(Error::UnsupportedFargateSize {
                        cpu,
                        memory_mib,
                        allowed,
                    }) => {
                        assert_eq!((cpu, memory_mib), (*cpu_units, memory));
                        assert!(!allowed.is_empty());
                    }
                    Err(e) => panic!("unexpected error {e}"),
                }
            }
            // and memory that is not a multiple of 512 is never valid
            for odd in [1, 511, 1000, 2047, 2049, 8191] {
                assert!(FargateSize::new(cpu, odd).is_err());
            }
        }
        let total: usize = oracle.iter().map(|(_, m)| m.len()).sum();
        assert_eq!(valid, total);
        assert_eq!(FargateSize::all().count(), total);
        assert!(FargateSize::all().all(|s| FargateSize::new(s.cpu(), s.memory_mib()).is_ok()));
    }

    #[test]
    fn cpu_values_outside_the_table_are_rejected() {
        for units in [0, 1, 128, 255, 257, 768, 1000, 3072, 32768] {
            assert!(Cpu::from_units(units).is_none(), "{units}");
            assert!(matches!(
                FargateSize::from_units(units, 2048),
                Err(Error::UnsupportedFargateCpu { cpu_units }) if cpu_units == units
            ));
        }
        for cpu in Cpu::ALL {
            assert_eq!(Cpu::from_units(cpu.units()), Some(cpu));
        }
    }

    #[test]
    fn the_error_says_what_is_allowed() {
        let e = FargateSize::new(Cpu::Vcpu1, 1024).unwrap_err().to_string();
        assert!(e.contains("1024") && e.contains("2048 to 8192"), "{e}");
        let e = FargateSize::new(Cpu::Vcpu0_25, 4096)
            .unwrap_err()
            .to_string();
        assert!(e.contains("512, 1024 or 2048"), "{e}");
    }

    #[test]
    fn named_sizes_are_what_they_say() {
        assert_eq!(
            (
                FargateSize::ONE_VCPU_2GB.cpu(),
                FargateSize::ONE_VCPU_2GB.memory_mib()
            ),
            (Cpu::Vcpu1, 2048)
        );
        assert_eq!(FargateSize::QUARTER_VCPU_HALF_GB.cpu_units(), 256);
        assert_eq!(FargateSize::FOUR_VCPU_16GB.memory_mib(), 16384);
        assert_eq!(Cpu::Vcpu0_25.to_string(), "0.25 vCPU");
        assert_eq!(Cpu::Vcpu2.to_string(), "2 vCPU");
    }
}
