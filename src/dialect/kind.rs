//! The file dialects of the command-line contract.

/// What kind of configuration a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    /// Postfix `main.cf` (or `postconf -n` output).
    PostfixMain,
    /// Postfix `master.cf`.
    PostfixMaster,
    /// A Postfix lookup table source.
    PostfixTable,
    /// Sendmail `.mc`.
    SendmailMc,
    /// Sendmail `.cf`.
    SendmailCf,
    /// Sendmail `access`.
    SendmailAccess,
    /// `squid.conf`.
    Squid,
    /// Dante `sockd.conf` / `danted.conf`.
    Dante,
    /// An aliases file.
    Aliases,
}

impl Dialect {
    /// Every dialect, in contract order.
    pub const ALL: [Dialect; 9] = [
        Dialect::PostfixMain,
        Dialect::PostfixMaster,
        Dialect::PostfixTable,
        Dialect::SendmailMc,
        Dialect::SendmailCf,
        Dialect::SendmailAccess,
        Dialect::Squid,
        Dialect::Dante,
        Dialect::Aliases,
    ];

    /// The contract name (`postfix-main`, `squid`...).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::PostfixMain => "postfix-main",
            Dialect::PostfixMaster => "postfix-master",
            Dialect::PostfixTable => "postfix-table",
            Dialect::SendmailMc => "sendmail-mc",
            Dialect::SendmailCf => "sendmail-cf",
            Dialect::SendmailAccess => "sendmail-access",
            Dialect::Squid => "squid",
            Dialect::Dante => "dante",
            Dialect::Aliases => "aliases",
        }
    }

    /// Parses a contract name.
    pub fn from_name(s: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == s)
    }

    /// True for the dialects this version of relaylint analyses as units.
    pub fn is_analysed(self) -> bool {
        matches!(
            self,
            Dialect::PostfixMain
                | Dialect::PostfixMaster
                | Dialect::Squid
                | Dialect::Dante
                | Dialect::SendmailMc
                | Dialect::SendmailCf
                | Dialect::SendmailAccess
        )
    }
}
