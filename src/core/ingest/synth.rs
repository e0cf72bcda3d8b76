//! Deterministic synthetic logs (for benchmarks and the browser bench). Filled in later.
