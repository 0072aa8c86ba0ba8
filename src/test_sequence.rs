//! A fixed pseudo-random sequence for unit tests that compare a fast
//! structure with the plain walk it replaces on many generated inputs.

/// The same sequence of numbers for the same `seed`, every run.
pub fn sequence(seed: u64) -> impl FnMut() -> u32 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as u32
    }
}

/// `count` pieces drawn from `parts` with `next`, joined: the generated
/// text the equivalence tests feed both sides.
pub fn text_of(next: &mut impl FnMut() -> u32, parts: &[&str], count: u32) -> String {
    (0..count)
        .map(|_| parts[next() as usize % parts.len()])
        .collect()
}
