//! `--time 60s`: a sweep's wall-clock budget. It only decides how many runs
//! are handed out (the engine stops handing out runs once it is spent); it
//! never changes what a run does.

use std::time::Duration;

/// Parses `90s`, `2m`, `1h`, `500ms` (a whole number and a unit; bare numbers are seconds).
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || format!("--time: bad duration '{text}' (expected e.g. 60s, 5m, 1h or 500ms)");
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let millis_per_unit = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad()),
    };
    let millis = number.checked_mul(millis_per_unit).ok_or_else(bad)?;
    if millis == 0 {
        return Err(format!("--time: the budget must be more than zero ('{text}')"));
    }
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_take_a_unit() {
        assert_eq!(parse("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        for bad in ["", "s", "1.5s", "-3s", "10 parsecs", "0s"] {
            assert!(parse(bad).unwrap_err().starts_with("--time: "), "{bad}");
        }
    }
}
