//! Planted bugs by name, for `--bug` and `raftsim bugs`.

/// The planted bugs this build carries: (name, description). Empty without the feature.
pub fn catalogue() -> Vec<(&'static str, &'static str)> {
    #[cfg(feature = "planted-bugs")]
    {
        raft::Bug::ALL.iter().map(|bug| (bug.name(), bug.description())).collect()
    }
    #[cfg(not(feature = "planted-bugs"))]
    {
        Vec::new()
    }
}

/// The run options for our core with `bug` planted (a name [`lookup`] accepted), or correct.
pub fn options(bug: Option<&str>) -> tester::Options {
    sims::rafts::options_with_bug(bug).expect("bug names are checked by bugs::lookup first")
}

/// Checks a `--bug` name and returns it with a 'static lifetime.
pub fn lookup(name: &str) -> Result<&'static str, String> {
    if !cfg!(feature = "planted-bugs") {
        return Err("this raftsim was built without planted bugs; rebuild with `--features planted-bugs`".into());
    }
    catalogue()
        .into_iter()
        .map(|(known, _)| known)
        .find(|known| *known == name)
        .ok_or_else(|| format!("unknown planted bug '{name}'; `raftsim bugs` lists them"))
}
