//! 2C, persistence (Figure 2 "persistent state", §5.4): to be written.

use tester::{Cluster, Failure};

macro_rules! todo_scenario {
    ($($name:ident),*) => {$(
        pub async fn $name(_c: Cluster) -> Result<(), Failure> {
            Err(Failure::new("todo", "scenario not written yet"))
        }
    )*};
}

todo_scenario!(persist1, persist2, persist3, figure8, unreliable_agree, figure8_unreliable, reliable_churn, unreliable_churn);
