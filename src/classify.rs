//! Telling a file's dialect: by its name first, then by its content.
//!
//! Content sniffing only looks at the first few KiB and at line shapes that
//! are specific to one daemon, so that a flat dump (`host1-main.cf`,
//! `postconf-n.txt`, `mx1.conf`) is still recognised.

use crate::dialect::kind::Dialect;

/// The dialect a file name alone implies.
pub fn by_name(file_name: &str) -> Option<Dialect> {
    let lower = file_name.to_ascii_lowercase();
    let n = lower.as_str();
    if n == "main.cf"
        || n.ends_with("-main.cf")
        || n.ends_with("_main.cf")
        || n.ends_with(".main.cf")
    {
        return Some(Dialect::PostfixMain);
    }
    if n == "master.cf"
        || n.ends_with("-master.cf")
        || n.ends_with("_master.cf")
        || n.ends_with(".master.cf")
    {
        return Some(Dialect::PostfixMaster);
    }
    if n == "squid.conf" || n.ends_with(".squid.conf") || n.ends_with("-squid.conf") {
        return Some(Dialect::Squid);
    }
    if n == "sockd.conf"
        || n == "danted.conf"
        || n.ends_with(".sockd.conf")
        || n.ends_with("-sockd.conf")
        || n.ends_with("-danted.conf")
    {
        return Some(Dialect::Dante);
    }
    // Other `.mc` files (Windows message compiler sources, ...) are told by
    // their content.
    if n == "sendmail.mc"
        || n == "submit.mc"
        || n.ends_with("-sendmail.mc")
        || n.ends_with("_sendmail.mc")
        || n.ends_with(".sendmail.mc")
    {
        return Some(Dialect::SendmailMc);
    }
    if n == "sendmail.cf"
        || n == "submit.cf"
        || n.ends_with("-sendmail.cf")
        || n.ends_with("_sendmail.cf")
        || n.ends_with(".sendmail.cf")
    {
        return Some(Dialect::SendmailCf);
    }
    None
}

/// True for files of a system tree that are never a mail or proxy daemon's
/// configuration: the well-known files of other software, compiled lookup
/// maps, keys, certificates and archives. A folder scan does not open them
/// to sniff their content (most of a real `/etc` is such files); naming
/// one explicitly, or in `[dialects]`, still reads it.
pub fn is_other_software(file_name: &str) -> bool {
    const NAMES: &[&str] = &[
        "passwd",
        "passwd-",
        "group",
        "group-",
        "shadow",
        "shadow-",
        "gshadow",
        "gshadow-",
        "fstab",
        "mtab",
        "crypttab",
        "hosts",
        "hosts.allow",
        "hosts.deny",
        "hostname",
        "mailname",
        "resolv.conf",
        "nsswitch.conf",
        "timezone",
        "localtime",
        "adjtime",
        "machine-id",
        "debian_version",
        "os-release",
        "lsb-release",
        "issue",
        "issue.net",
        "motd",
        "shells",
        "services",
        "protocols",
        "ethers",
        "locale",
        "locale.gen",
        "environment",
        "ld.so.cache",
        "ld.so.conf",
        "sources.list",
        "sudoers",
        "login.defs",
        "sshd_config",
        "ssh_config",
        "sysctl.conf",
        "inputrc",
        "bash.bashrc",
        "profile",
        "crontab",
        "anacrontab",
        "mime.types",
        "subuid",
        "subgid",
    ];
    const ENDINGS: &[&str] = &[
        ".db", ".cdb", ".lmdb", ".dir", ".pag", ".crt", ".pem", ".key", ".der", ".csr", ".p12",
        ".pfx", ".pub", ".gz", ".xz", ".bz2", ".zst", ".zip", ".tar", ".so", ".cache", ".bin",
        ".png", ".jpg", ".gif", ".ico", ".pyc",
    ];
    let n = file_name.to_ascii_lowercase();
    NAMES.contains(&n.as_str()) || ENDINGS.iter().any(|e| n.ends_with(e))
}

/// True for the folders of other software in a system's `etc` (`ssl`,
/// `ssh`, `apt`, `systemd`, `cron.d`...): no mail or proxy daemon reads its
/// configuration there, and a real `/etc` is mostly such folders. A folder
/// scan does not walk them (when `etc` is the folder above); naming one, or
/// a file in it, still reads it. Mail and proxy folders (`mail`, `postfix*`,
/// `squid*`, `dante*`...) are never in the list.
pub fn is_other_software_folder(folder_name: &str) -> bool {
    const NAMES: &[&str] = &[
        "alternatives",
        "apparmor",
        "apparmor.d",
        "apt",
        "bash_completion.d",
        "binfmt.d",
        "ca-certificates",
        "cloud",
        "console-setup",
        "cron.d",
        "cron.daily",
        "cron.hourly",
        "cron.monthly",
        "cron.weekly",
        "cron.yearly",
        "dbus-1",
        "default",
        "dpkg",
        "fonts",
        "groff",
        "init",
        "init.d",
        "initramfs-tools",
        "iproute2",
        "kernel",
        "ld.so.conf.d",
        "logcheck",
        "logrotate.d",
        "modprobe.d",
        "modules-load.d",
        "netplan",
        "pam.d",
        "polkit-1",
        "profile.d",
        "rc0.d",
        "rc1.d",
        "rc2.d",
        "rc3.d",
        "rc4.d",
        "rc5.d",
        "rc6.d",
        "rcS.d",
        "rsyslog.d",
        "security",
        "selinux",
        "skel",
        "ssh",
        "ssl",
        "sudoers.d",
        "sysctl.d",
        "systemd",
        "terminfo",
        "tmpfiles.d",
        "udev",
        "update-motd.d",
        "X11",
        "xdg",
    ];
    NAMES.contains(&folder_name)
}

/// True for copies a daemon never reads: package-manager leftovers,
/// editor backups, prototypes (`main.cf.dpkg-old`, `main.cf.proto`,
/// `squid.conf~`...). Folder scans skip them; naming one explicitly still
/// analyses it.
pub fn is_inactive_copy(file_name: &str) -> bool {
    let n = file_name.to_ascii_lowercase();
    n.ends_with('~')
        || n.starts_with(".#")
        || [
            ".proto", ".dist", ".orig", ".bak", ".old", ".save", ".swp", ".rej", ".rpmnew",
            ".rpmsave", ".default", ".sample", ".example",
        ]
        .iter()
        .any(|s| n.ends_with(s))
        // `.dpkg-`, `.ucf-` or `.rpm` anywhere: one pass over the dots.
        || n.match_indices('.').any(|(i, _)| {
            let rest = n.get(i + 1..).unwrap_or("");
            rest.starts_with("dpkg-") || rest.starts_with("ucf-") || rest.starts_with("rpm")
        })
}

/// How many bytes of a file content sniffing looks at.
pub const SNIFF_BYTES: usize = 16 * 1024;

const POSTFIX_PARAMS: &[&str] = &[
    "mynetworks",
    "mynetworks_style",
    "myhostname",
    "mydomain",
    "myorigin",
    "mydestination",
    "relay_domains",
    "relayhost",
    "inet_interfaces",
    "inet_protocols",
    "compatibility_level",
    "alias_maps",
    "alias_database",
    "smtpd_banner",
    "smtpd_relay_restrictions",
    "smtpd_recipient_restrictions",
    "smtpd_client_restrictions",
    "smtpd_helo_restrictions",
    "smtpd_sender_restrictions",
    "smtpd_sasl_auth_enable",
    "smtpd_tls_cert_file",
    "smtpd_tls_security_level",
    "virtual_alias_maps",
    "virtual_mailbox_domains",
    "mail_version",
    "queue_directory",
    "command_directory",
    "daemon_directory",
    "mailbox_size_limit",
    "recipient_delimiter",
    "append_dot_mydomain",
    "biff",
    "readme_directory",
];

/// A line only a sendmail.cf has: the version macro (`DZ8.17.1`), the
/// configuration level (`V10/Berkeley`), the access map declaration or a
/// daemon's options. Each needs a character base64 never has (`.`, a blank,
/// `=`) or the whole short line, so the lines of a PEM bundle that happen to
/// start with `DZ` or `V10/` are not taken for one.
fn is_sendmail_cf_line(t: &str) -> bool {
    let version_macro = t.strip_prefix("DZ").is_some_and(|v| {
        let digits = v.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && v.as_bytes().get(digits) == Some(&b'.')
    });
    let level = t.strip_prefix('V').is_some_and(|v| {
        let digits = v.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0
            && v.as_bytes().get(digits) == Some(&b'/')
            && v.len() < 24
            && v[digits + 1..].bytes().all(|b| b.is_ascii_alphabetic())
    });
    version_macro || level || t.starts_with("Kaccess ") || t.starts_with("O DaemonPortOptions=")
}

/// The lines of `text` as `str::lines` gives them, found faster.
fn lines(text: &str) -> impl Iterator<Item = &str> + '_ {
    crate::source::line_ranges(text).map(|r| text.get(r).unwrap_or(""))
}

/// The words of a line as `str::split_whitespace` gives them; an ASCII line
/// (nearly every line sniffed) is split on bytes, without decoding chars.
enum Words<'a> {
    Ascii { line: &'a str, at: usize },
    Other(std::str::SplitWhitespace<'a>),
}

impl<'a> Words<'a> {
    fn of(line: &'a str) -> Self {
        if line.is_ascii() {
            Words::Ascii { line, at: 0 }
        } else {
            Words::Other(line.split_whitespace())
        }
    }
}

/// The ASCII characters `char::is_whitespace` accepts (vertical tab too,
/// which `u8::is_ascii_whitespace` leaves out).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Words::Other(words) => words.next(),
            Words::Ascii { line, at } => {
                let bytes = line.as_bytes();
                let start = *at + bytes.get(*at..)?.iter().position(|&b| !is_ascii_space(b))?;
                let end = bytes
                    .get(start..)?
                    .iter()
                    .position(|&b| is_ascii_space(b))
                    .map_or(bytes.len(), |n| start + n);
                *at = end;
                line.get(start..end)
            }
        }
    }
}

/// The dialect a file's content implies (`text` may be a prefix of the file).
pub fn by_content(text: &str) -> Option<Dialect> {
    let mut postfix_params = 0usize;
    let mut master_lines = 0usize;
    let mut squid = 0usize;
    let mut dante = 0usize;
    let mut sendmail_mc = 0usize;
    let mut sendmail_cf = 0usize;
    for line in lines(text).take(2000) {
        let t = line.trim_start();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if let Some((name, _)) = line.split_once('=') {
            if POSTFIX_PARAMS.contains(&name.trim()) && !line.starts_with([' ', '\t']) {
                postfix_params += 1;
            }
        }
        // Most lines are decided by their first two words: the rest of a
        // line is only split when it may be a master.cf service.
        let mut words = Words::of(line);
        let first = words.next();
        let second = words.next();
        let mut has_third = None;
        if !line.starts_with([' ', '\t'])
            && matches!(
                second,
                Some("inet" | "unix" | "unix-dgram" | "fifo" | "pass")
            )
        {
            // Fields 3 to 8: five flags, and the command must exist.
            let mut rest: [&str; 6] = [""; 6];
            let mut count = 0;
            for (slot, word) in rest.iter_mut().zip(words.by_ref()) {
                *slot = word;
                count += 1;
            }
            if count == 6
                && rest[..5].iter().all(|f| {
                    matches!(*f, "-" | "y" | "n")
                        || f.trim_end_matches('?').chars().all(|c| c.is_ascii_digit())
                })
            {
                master_lines += 1;
            }
            has_third = Some(count > 0);
        }
        match first {
            Some("http_port" | "http_access" | "cache_peer" | "https_port" | "cache_dir") => {
                squid += 1
            }
            Some("acl")
                if second.is_some() && has_third.unwrap_or_else(|| words.next().is_some()) =>
            {
                squid += 1
            }
            Some(w)
                if w.starts_with("internal:")
                    || w.starts_with("external:")
                    || w == "socksmethod:"
                    || w == "clientmethod:" =>
            {
                dante += 1
            }
            Some("client" | "socks") if line.contains('{') => dante += 1,
            _ => {}
        }
        if t.starts_with("FEATURE(")
            || t.starts_with("OSTYPE(")
            || t.starts_with("DOMAIN(")
            || t.starts_with("MAILER(")
            || t.starts_with("VERSIONID(")
        {
            sendmail_mc += 1;
        }
        if is_sendmail_cf_line(t) {
            sendmail_cf += 1;
        }
    }
    let best = [
        (postfix_params, Dialect::PostfixMain),
        (master_lines, Dialect::PostfixMaster),
        (squid, Dialect::Squid),
        (dante, Dialect::Dante),
        (sendmail_mc, Dialect::SendmailMc),
        (sendmail_cf, Dialect::SendmailCf),
    ]
    .into_iter()
    .max_by_key(|(n, _)| *n)?;
    (best.0 >= 2).then_some(best.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte splitter gives the words `split_whitespace` gives, on lines
    /// mixing every ASCII whitespace (vertical tab included), Unicode
    /// spaces and other characters.
    #[test]
    fn words_split_as_split_whitespace() {
        let alphabet = [
            "a", "b", "=", "#", " ", "\t", "\u{b}", "\u{c}", "\r", "\u{a0}", "\u{2003}", "é", "{",
        ];
        let mut next = crate::test_sequence::sequence(7);
        for _ in 0..5000 {
            let len = next() % 12;
            let line = crate::test_sequence::text_of(&mut next, &alphabet, len);
            let fast: Vec<&str> = Words::of(&line).collect();
            let plain: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fast, plain, "{line:?}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(by_name("main.cf"), Some(Dialect::PostfixMain));
        assert_eq!(by_name("host1-main.cf"), Some(Dialect::PostfixMain));
        assert_eq!(by_name("master.cf"), Some(Dialect::PostfixMaster));
        assert_eq!(by_name("access"), None);
        assert_eq!(by_name("squid.conf"), Some(Dialect::Squid));
        assert_eq!(by_name("sendmail.mc"), Some(Dialect::SendmailMc));
        assert_eq!(by_name("mx1-sendmail.cf"), Some(Dialect::SendmailCf));
        assert_eq!(by_name("messages.mc"), None, "told by content");
    }

    #[test]
    fn sendmail_mc_by_content() {
        let mc = "divert(0)dnl\nOSTYPE(`linux')dnl\nFEATURE(`access_db')dnl\nMAILER(`smtp')dnl\n";
        assert_eq!(by_content(mc), Some(Dialect::SendmailMc));
        assert_eq!(
            by_content("MessageId=1\nSymbolicName=X\nLanguage=English\n"),
            None
        );
    }

    #[test]
    fn other_software_is_not_sniffed() {
        for n in [
            "passwd",
            "aliases.db",
            "ca-certificates.crt",
            "ld.so.cache",
            "sshd_config",
        ] {
            assert!(is_other_software(n), "{n}");
        }
        for n in [
            "main.cf",
            "postconf-n.txt",
            "mx1.conf",
            "aliases",
            "access",
            "squid.conf",
        ] {
            assert!(!is_other_software(n), "{n}");
        }
    }

    #[test]
    fn inactive_copies() {
        assert!(is_inactive_copy("main.cf.dpkg-old"));
        assert!(is_inactive_copy("main.cf.proto"));
        assert!(is_inactive_copy("master.cf~"));
        assert!(!is_inactive_copy("main.cf"));
        assert!(!is_inactive_copy("postconf-n.txt"));
        assert!(is_inactive_copy("squid.conf.ucf-dist"));
        assert!(is_inactive_copy("sendmail.mc.rpmnew.2"));
        assert!(is_inactive_copy("danted.conf.RPM-old"));
        assert!(!is_inactive_copy("dpkg-main.cf"));
        assert!(!is_inactive_copy("rpm.cf"));
    }

    #[test]
    fn postconf_dump_is_postfix_main() {
        let dump =
            "alias_maps = hash:/etc/aliases\ncompatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n";
        assert_eq!(by_content(dump), Some(Dialect::PostfixMain));
    }

    #[test]
    fn certificate_bundles_are_not_sendmail_cf() {
        let pem = "-----BEGIN CERTIFICATE-----\nDZCCA0GgAwIBAgIRAIIQz7DSQONZRGPgu2OCiwAwDQYJKoZIhvcNAQELBQAw\nV10/ZzELMAkGA1UEBhMCVVMxKTAnBgNVBAoTIEludGVybmV0IFNlY3VyaXR5\nDZIBAQC6ueTn7ArJ4sLfHb5fGQUpSsrO3JQgiW1nIs9xSKF1QKkmEBjqVUW+\n-----END CERTIFICATE-----\n";
        assert_eq!(by_content(pem), None);
        let cf = "V10/Berkeley\nDZ8.17.1.9\nKaccess hash -T<TMPF> -o /etc/mail/access\n";
        assert_eq!(by_content(cf), Some(Dialect::SendmailCf));
    }

    #[test]
    fn squid_acl_lines_need_three_fields() {
        assert_eq!(by_content("acl a\nacl b\n"), None);
        assert_eq!(
            by_content("acl a src 10.0.0.0/8\nacl b dstdomain .example\n"),
            Some(Dialect::Squid)
        );
        // A line shaped like a master.cf service but too short is neither.
        assert_eq!(by_content("acl inet n\nacl unix -\n"), Some(Dialect::Squid));
        assert_eq!(by_content("x inet n - y\nz unix - - y\n"), None);
    }

    #[test]
    fn master_cf_by_shape() {
        let m = "smtp      inet  n       -       y       -       -       smtpd\npickup    unix  n       -       y       60      1       pickup\n";
        assert_eq!(by_content(m), Some(Dialect::PostfixMaster));
        assert_eq!(by_content("hello world\n"), None);
    }
}
