//! A small seeded pseudo-random generator: xoshiro256** seeded by SplitMix64.
//!
//! Draw `d` of a Monte-Carlo run with seed `s` starts from outputs `4d .. 4d + 3` of the
//! SplitMix64 stream that starts at `s`, so every draw has its own generator, whatever
//! thread computes it: results do not depend on the number of threads. `bench/analysis.py`
//! reimplements exactly this generator in numpy.

/// The increment of SplitMix64 (the golden ratio in 64 bits).
pub const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea, Flood 2014): a counter and a mixing function.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix64(self.state)
    }
}

/// xoshiro256** (Blackman, Vigna 2018).
#[derive(Debug, Clone)]
pub struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// The generator of draw `draw` of a run seeded with `seed`.
    pub fn for_draw(seed: u64, draw: u64) -> Xoshiro256 {
        let mut sm = SplitMix64::new(seed.wrapping_add(draw.wrapping_mul(4).wrapping_mul(GOLDEN)));
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        // SplitMix64 never gives four zeros in a row (mix64 is a bijection and 0 ↦ 0 only
        // for a zero counter); xoshiro's only forbidden state is all zeros.
        debug_assert!(s.iter().any(|&x| x != 0));
        Xoshiro256 { s }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1), 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform whole number in `-bound ..= bound` (modulo reduction: the bias is below 2⁻⁵⁰
    /// for the bounds used here, and numpy can reproduce it).
    pub fn next_symmetric(&mut self, bound: u64) -> i64 {
        if bound == 0 {
            return 0;
        }
        let width = 2 * bound + 1;
        (self.next_u64() % width) as i64 - bound as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_values() {
        // Reference outputs of SplitMix64 seeded with 1234567 (from the C reference code).
        let mut sm = SplitMix64::new(1_234_567);
        assert_eq!(sm.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(sm.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn xoshiro_matches_the_reference_algorithm() {
        // State 1, 2, 3, 4: the first outputs of the C reference implementation.
        let mut x = Xoshiro256 { s: [1, 2, 3, 4] };
        assert_eq!(x.next_u64(), 11_520);
        assert_eq!(x.next_u64(), 0);
        assert_eq!(x.next_u64(), 1_509_978_240);
        assert_eq!(x.next_u64(), 1_215_971_899_390_074_240);
    }

    #[test]
    fn draws_are_independent_of_their_neighbours_and_reproducible() {
        let a: Vec<u64> = (0..3).map(|d| Xoshiro256::for_draw(7, d).next_u64()).collect();
        let b: Vec<u64> = (0..3).map(|d| Xoshiro256::for_draw(7, d).next_u64()).collect();
        assert_eq!(a, b);
        assert!(a[0] != a[1] && a[1] != a[2]);
        let mut r = Xoshiro256::for_draw(7, 0);
        for _ in 0..1000 {
            let u = r.next_f64();
            assert!((0.0..1.0).contains(&u));
            assert!((-3..=3).contains(&r.next_symmetric(3)));
        }
    }
}
