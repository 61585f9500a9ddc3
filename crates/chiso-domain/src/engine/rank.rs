use rust_decimal::Decimal;

/// Standard competition ranking ("1, 2, 2, 4"): a unit's rank is one more than
/// the number of units with a strictly higher total.
pub fn competition_ranks(totals: &[Decimal]) -> Vec<u32> {
    let mut sorted: Vec<Decimal> = totals.to_vec();
    sorted.sort_by(|a, b| b.cmp(a));
    totals.iter().map(|t| sorted.partition_point(|s| s > t) as u32 + 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_is_skipped() {
        let totals = [dec!(40.1), dec!(39.7), dec!(45.2), dec!(39.7), dec!(38.7), dec!(45.20)];
        assert_eq!(competition_ranks(&totals), [3, 4, 1, 4, 6, 1]);
    }
}
