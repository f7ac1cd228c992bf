//! Slot loads in whole micro-units, so that reachable loads are counted
//! exactly.

/// Slot loads are counted in millionths when enumerating reachable loads.
pub(super) const MICRO: f64 = 1e6;
/// `x` in micro-units.
pub(super) fn micro(x: f64) -> i64 {
    (x * MICRO).round() as i64
}
