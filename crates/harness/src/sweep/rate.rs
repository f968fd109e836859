//! Failure rates with a 95% confidence interval (the Wilson score interval):
//! "91/2000 = 4.6% (95% CI 3.7%–5.6%)". Unlike the normal approximation it
//! stays inside [0, 1] and is honest for rare failures and small samples
//! (0 of 10 runs still leaves up to 28%). Floating point is fine here: this
//! is reporting, never a simulation decision.

use std::fmt;

/// z for a two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// `failed` of `runs`, with its Wilson score interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub failed: u64,
    pub runs: u64,
    /// The interval's bounds, as fractions in [0, 1].
    pub low: f64,
    pub high: f64,
}

impl Rate {
    /// The rate of `failed` of `runs` (`runs` > 0, `failed` <= `runs`).
    pub fn new(failed: u64, runs: u64) -> Rate {
        assert!(runs > 0 && failed <= runs, "a rate needs runs, and no more failures than runs");
        let (low, high) = wilson(failed, runs, Z_95);
        Rate { failed, runs, low, high }
    }

    /// The observed fraction.
    pub fn fraction(&self) -> f64 {
        self.failed as f64 / self.runs as f64
    }
}

/// The Wilson score interval of `k` successes in `n` trials for this `z`.
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    // At 0 or n the bound is exactly 0 or 1; the closed form can miss it by a rounding error.
    let low = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if k == n { 1.0 } else { (centre + half).min(1.0) };
    (low, high)
}

/// A percentage with one decimal, or two below 1%.
fn percent(fraction: f64) -> String {
    let value = fraction * 100.0;
    if value > 0.0 && value < 1.0 {
        format!("{value:.2}%")
    } else {
        format!("{value:.1}%")
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} = {} (95% CI {}–{})",
            self.failed,
            self.runs,
            percent(self.fraction()),
            percent(self.low),
            percent(self.high)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: (f64, f64), expected: (f64, f64)) {
        assert!((actual.0 - expected.0).abs() < 1e-9 && (actual.1 - expected.1).abs() < 1e-9, "{actual:?}");
    }

    #[test]
    fn wilson_matches_known_values() {
        // Reference values from the closed form (e.g. statsmodels' proportion_confint(method="wilson")).
        close(wilson(91, 2000, Z_95), (0.037_205_271_350_201_45, 0.055_537_324_628_457_45));
        close(wilson(5, 10, Z_95), (0.236_593_090_512_564, 0.763_406_909_487_436_1));
        close(wilson(0, 10, Z_95), (0.0, 0.277_532_799_862_889_2));
        close(wilson(1, 1, Z_95), (0.206_549_314_377_237_45, 1.0));
        close(wilson(10, 10, Z_95), (0.722_467_200_137_110_7, 1.0));
    }

    #[test]
    fn rates_print_the_fraction_and_the_interval() {
        assert_eq!(Rate::new(91, 2000).to_string(), "91/2000 = 4.5% (95% CI 3.7%–5.6%)");
        assert_eq!(Rate::new(1, 1000).to_string(), "1/1000 = 0.10% (95% CI 0.02%–0.56%)");
        assert_eq!(Rate::new(3, 3).to_string(), "3/3 = 100.0% (95% CI 43.9%–100.0%)");
    }

    #[test]
    fn the_interval_holds_the_observed_rate() {
        for (k, n) in [(0, 1), (1, 7), (13, 13), (500, 100_000)] {
            let rate = Rate::new(k, n);
            assert!(rate.low <= rate.fraction() && rate.fraction() <= rate.high, "{rate}");
        }
    }
}
