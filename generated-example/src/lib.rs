//! The Farm API client (generated; see the README).
