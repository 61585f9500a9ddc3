use crate::exact;
use rust_decimal::Decimal;

/// Standard competition ranking ("1, 2, 2, 4"): a unit's rank is one more than
/// the number of units with a strictly higher total.
pub fn competition_ranks(totals: &[Decimal]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..totals.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| exact::cmp(&totals[b as usize], &totals[a as usize]));
    let mut ranks = vec![0; totals.len()];
    for (k, &i) in order.iter().enumerate() {
        let tied = k > 0 && exact::cmp(&totals[i as usize], &totals[order[k - 1] as usize]).is_eq();
        ranks[i as usize] = if tied { ranks[order[k - 1] as usize] } else { k as u32 + 1 };
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn ties_share_a_rank_and_the_next_rank_is_skipped() {
        let totals = [dec!(40.1), dec!(39.7), dec!(45.2), dec!(39.7), dec!(38.7), dec!(45.20)];
        assert_eq!(competition_ranks(&totals), [3, 4, 1, 4, 6, 1]);
        assert_eq!(competition_ranks(&[]), Vec::<u32>::new());
        assert_eq!(competition_ranks(&[dec!(-1), dec!(0), dec!(-0.5), dec!(0.00)]), [4, 1, 3, 1]);
    }
}
