//! Files compiled into the binary by `build.rs`: `static/` and the message catalogues, so a
//! workshop laptop needs nothing but the executable.

include!(concat!(env!("OUT_DIR"), "/assets.rs"));
