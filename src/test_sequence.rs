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
