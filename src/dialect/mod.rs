//! Dialects: one folder per daemon, each turning a unit's files into
//! diagnostics. Only Postfix is analysed in this version.

pub mod kind;
pub mod postfix;
