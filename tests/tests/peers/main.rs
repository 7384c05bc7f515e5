//! Interoperability with real peers: the Cloud Storage client generated from the real
//! `storage.v1` Discovery document, over real TCP, against fake-gcs-server (an emulator that
//! others wrote), and compared with Google's own Python client (google-api-python-client)
//! against the same server.
//!
//! `tests/peers/run` installs both peers (pinned), starts the server and runs these tests with
//! their whereabouts in environment variables (see [`peer`]). Without them every test fails:
//! a missing peer is an error, never a skipped test.

mod storage_v1 {
    // The generated client is used in part only: the rest of the API is not dead code to fix.
    #![allow(dead_code)]
    include!(concat!(env!("OUT_DIR"), "/storage_v1.rs"));
}

mod peer;
mod plan;
mod proxy;

mod batches;
mod media;
mod names;
mod python;
