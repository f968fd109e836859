//! 2D, log compaction (§7): to be written.

use tester::{Cluster, Failure};

macro_rules! todo_scenario {
    ($($name:ident),*) => {$(
        pub async fn $name(_c: Cluster) -> Result<(), Failure> {
            Err(Failure::new("todo", "scenario not written yet"))
        }
    )*};
}

todo_scenario!(snapshot_basic, snapshot_install, snapshot_install_unreliable, snapshot_install_crash, snapshot_install_uncrash, snapshot_all_crash, snapshot_init);
