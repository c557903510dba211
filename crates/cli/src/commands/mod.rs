//! One module per subcommand.

pub mod audit;
pub mod demo;
pub mod drift;
pub mod gate;
pub mod hash;
pub mod init;
pub mod integrity;
pub mod keygen;
pub mod lineage;
pub mod log;
pub mod manifest;
pub mod model;
pub mod pii;
pub mod profile;
pub mod redteam;
pub mod schema;
pub mod sign;
pub mod suite;
pub mod validate;
pub mod verify;
pub mod watch;
