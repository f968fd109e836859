//! `--network PROFILE`: how message latencies are drawn (labrpc's timing
//! model, see [`tester::Profile`]): `loopback` (the default, seeded µs
//! latency with jitter and a tail) or `labrpc-exact` (zero latency, in order,
//! as labrpc's code; replays the hashes raftsim pinned before message timing).

use tester::Profile;

/// The profile a name names, or a one-line error listing the known ones.
pub fn parse(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Profile::ALL.iter().map(|profile| profile.name()).collect();
        format!("unknown network profile '{name}' (known: {})", known.join(", "))
    })
}

/// The run's options for a profile: the planted bug's options, with its network.
pub fn options(bug: Option<&str>, network: Profile) -> tester::Options {
    tester::Options { network, ..crate::bugs::options(bug) }
}

/// The swarm line a nemesis run prints (as TigerBeetle's VOPR prints its options), if any.
pub fn swarm_line(report: &tester::Report) -> Option<String> {
    (!report.swarm.is_empty()).then(|| format!("swarm: {}", report.swarm.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_typos_say_what_is_known() {
        assert_eq!(parse("loopback"), Ok(Profile::Loopback));
        assert_eq!(parse("labrpc-exact"), Ok(Profile::LabrpcExact));
        assert_eq!(parse("exact").unwrap_err(), "unknown network profile 'exact' (known: loopback, labrpc-exact)");
    }
}
