//! A small, stable 64-bit hash for content digests. Stable across processes
//! and builds (unlike `std`'s hasher), so every replica computes the same ETag
//! for the same data.

/// FNV-1a over bytes, for strings.
pub fn bytes(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// splitmix64's finaliser: mixes a word so that XOR-ing digests of many
/// items does not cancel structure out.
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Combines words in order.
pub fn combine(words: &[u64]) -> u64 {
    words.iter().fold(0x9e37_79b9_7f4a_7c15, |h, w| mix(h ^ w))
}
