//! [`RetentionDays`]: how long CloudWatch Logs keeps a log group's events, as the one type
//! every construct that makes a log group takes (hand-written, not generated).

/// How long CloudWatch Logs keeps events: exactly the periods it offers, so an unsupported
/// number of days cannot be written.
///
/// ```
/// use cloudwright_resources::RetentionDays;
/// assert_eq!(RetentionDays::OneMonth.days(), 30);
/// assert_eq!(RetentionDays::from_days(400), Some(RetentionDays::ThirteenMonths));
/// assert_eq!(RetentionDays::from_days(31), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RetentionDays {
    /// 1 day.
    OneDay,
    /// 3 days.
    ThreeDays,
    /// 5 days.
    FiveDays,
    /// 7 days.
    OneWeek,
    /// 14 days.
    TwoWeeks,
    /// 30 days (the default).
    #[default]
    OneMonth,
    /// 60 days.
    TwoMonths,
    /// 90 days.
    ThreeMonths,
    /// 120 days.
    FourMonths,
    /// 150 days.
    FiveMonths,
    /// 180 days.
    SixMonths,
    /// 365 days.
    OneYear,
    /// 400 days.
    ThirteenMonths,
    /// 545 days.
    EighteenMonths,
    /// 731 days.
    TwoYears,
    /// 1096 days.
    ThreeYears,
    /// 1827 days.
    FiveYears,
    /// 2192 days.
    SixYears,
    /// 2557 days.
    SevenYears,
    /// 2922 days.
    EightYears,
    /// 3288 days.
    NineYears,
    /// 3653 days.
    TenYears,
}

impl RetentionDays {
    /// Every period, shortest first.
    pub const ALL: [RetentionDays; 22] = [
        RetentionDays::OneDay,
        RetentionDays::ThreeDays,
        RetentionDays::FiveDays,
        RetentionDays::OneWeek,
        RetentionDays::TwoWeeks,
        RetentionDays::OneMonth,
        RetentionDays::TwoMonths,
        RetentionDays::ThreeMonths,
        RetentionDays::FourMonths,
        RetentionDays::FiveMonths,
        RetentionDays::SixMonths,
        RetentionDays::OneYear,
        RetentionDays::ThirteenMonths,
        RetentionDays::EighteenMonths,
        RetentionDays::TwoYears,
        RetentionDays::ThreeYears,
        RetentionDays::FiveYears,
        RetentionDays::SixYears,
        RetentionDays::SevenYears,
        RetentionDays::EightYears,
        RetentionDays::NineYears,
        RetentionDays::TenYears,
    ];

    /// The number of days (`RetentionInDays`).
    pub const fn days(self) -> u32 {
        match self {
            RetentionDays::OneDay => 1,
            RetentionDays::ThreeDays => 3,
            RetentionDays::FiveDays => 5,
            RetentionDays::OneWeek => 7,
            RetentionDays::TwoWeeks => 14,
            RetentionDays::OneMonth => 30,
            RetentionDays::TwoMonths => 60,
            RetentionDays::ThreeMonths => 90,
            RetentionDays::FourMonths => 120,
            RetentionDays::FiveMonths => 150,
            RetentionDays::SixMonths => 180,
            RetentionDays::OneYear => 365,
            RetentionDays::ThirteenMonths => 400,
            RetentionDays::EighteenMonths => 545,
            RetentionDays::TwoYears => 731,
            RetentionDays::ThreeYears => 1096,
            RetentionDays::FiveYears => 1827,
            RetentionDays::SixYears => 2192,
            RetentionDays::SevenYears => 2557,
            RetentionDays::EightYears => 2922,
            RetentionDays::NineYears => 3288,
            RetentionDays::TenYears => 3653,
        }
    }

    /// The period of exactly `days`, if CloudWatch Logs offers it.
    pub fn from_days(days: u32) -> Option<RetentionDays> {
        RetentionDays::ALL.into_iter().find(|r| r.days() == days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_the_ones_cloudwatch_logs_offers_in_order() {
        let days: Vec<u32> = RetentionDays::ALL.iter().map(|r| r.days()).collect();
        assert_eq!(
            days,
            [
                1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                2557, 2922, 3288, 3653
            ]
        );
        for r in RetentionDays::ALL {
            assert_eq!(RetentionDays::from_days(r.days()), Some(r));
        }
    }
}
