//! Deterministic corpus generator for the scale benchmark (`bench/run.sh`).
//!
//! ```text
//! cargo run --release --example gen_corpus -- OUT_DIR N_HOSTS [SEED]
//! ```
//!
//! Writes a dump of `N_HOSTS` machines, `OUT_DIR/host00001/...`, each shaped
//! like a copy of a mail server's `/etc`:
//!
//! - `etc/postfix/main.cf`: either the short Debian file (the shape of
//!   `fixtures/postfix/01-debian-default`) or the full-length commented file
//!   that RHEL/FreeBSD packages install (about 700 lines, every parameter
//!   explained), followed by the host's own settings;
//! - `etc/postfix/master.cf`: the full Debian file, with the submission
//!   block, postscreen, an amavis re-injection listener or a second port
//!   enabled on some hosts;
//! - lookup tables named by main.cf (`mynetworks` lists, `cidr:` client
//!   tables, `hash:` sender/recipient tables, `virtual`, `transport`,
//!   `header_checks`...), some with hundreds of entries, with the compiled
//!   `.db` (binary) beside the `hash:` sources;
//! - `etc/aliases` (+ `aliases.db`);
//! - files a dump of `/etc` holds that have nothing to do with mail:
//!   `passwd`, `group`, `hosts`, `fstab`, `sshd_config`, `sysctl.conf`,
//!   logrotate and cron snippets, a CA bundle, binary blobs
//!   (`ld.so.cache`), dangling and absolute symlinks, and on some hosts
//!   package-manager leftovers (`main.cf.dpkg-old`).
//!
//! - on about a third of the hosts, Squid: Debian 12's full-length
//!   commented `etc/squid/squid.conf` (about 9,000 lines, verbatim from
//!   `fixtures/squid/01-debian12-shipped`, a few with another `http_port`),
//!   which includes `conf.d/*.conf`: Debian's `debian.conf` and, on most,
//!   a `local.conf` with the site's acls and `http_access` lines, some
//!   reading their addresses or domains from acl files
//!   (`"/etc/squid/branch-nets.txt"`, hundreds of lines);
//! - on about one host in six, Dante: Debian's shipped `etc/danted.conf`
//!   (its long comment block, verbatim from
//!   `fixtures/dante/01-debian-shipped-default`) with `internal:`,
//!   `external:`, methods and `client`/`socks` rules appended;
//! - on about one host in twelve, Sendmail as well (a host moving between
//!   MTAs): Debian 12's sendmail.mc opened to every address and the
//!   2,000-line sendmail.cf its `make` built, the access map, aliases,
//!   `local-host-names` and m4 snippets (verbatim from
//!   `fixtures/sendmail/39-mc-and-cf-debian-make`), with site access
//!   entries appended.
//!
//! Most hosts are closed; a few per cent are open relays in the ways the
//! fixtures describe (mynetworks too wide, a permissive access table, a
//! forged local sender allowed, a second port that trusts everyone), some
//! refuse to start and some name a table that is missing. Squid and Dante
//! are open on a few per cent of the hosts that run them (`http_access
//! allow all` left in conf.d, `0.0.0.0/0` in an acl file, `socksmethod:
//! none` for `from: 0/0`), and refuse to start on a few (an acl name
//! misspelt, the shipped danted.conf without `internal:`). Sendmail relays
//! on a few per cent (`Connect:1 RELAY`, a public `Connect:203.0 RELAY`) and
//! refuses to start on a few (`local-host-names` missing). The number of
//! units built open is printed at the end (`open_by_construction`, per
//! daemon); with `GEN_CORPUS_MANIFEST=FILE` in the environment, FILE gets
//! one `hostNNNNN<TAB>DAEMON<TAB>open|closed|refuses` line per unit
//! (DAEMON: `postfix`, `squid`, `dante` or `sendmail`).
//!
//! Everything comes from a small SplitMix64 generator seeded with
//! `SEED ^ host number` (one stream per daemon, so adding Squid and Dante
//! left every Postfix file as it was), so host k is the same whatever
//! `N_HOSTS` is (the 1,000-host corpus is a prefix of the 10,000-host one)
//! and two runs with the same arguments write byte-identical trees. No
//! dependency beyond std.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Debian 12's squid.conf, verbatim (9,000 lines, nearly all comments; it
/// includes `/etc/squid/conf.d/*.conf`).
const DEBIAN_SQUID_CONF: &str =
    include_str!("../fixtures/squid/01-debian12-shipped/etc/squid/squid.conf");

/// Debian 12's `conf.d/debian.conf`.
const DEBIAN_SQUID_DEBIAN_CONF: &str =
    include_str!("../fixtures/squid/01-debian12-shipped/etc/squid/conf.d/debian.conf");

/// Debian 12's danted.conf, verbatim (comments, `logoutput` and the
/// `user.*` settings; no `internal:`, so danted refuses it as shipped).
const DEBIAN_DANTED_CONF: &str =
    include_str!("../fixtures/dante/01-debian-shipped-default/etc/danted.conf");

/// Debian 12's sendmail.mc made reachable on every address and the
/// sendmail.cf its `make` built (about 2,000 lines), with the access map,
/// aliases, local-host-names and the m4 snippets it includes, verbatim from
/// `fixtures/sendmail/39-mc-and-cf-debian-make`.
const SENDMAIL_FIXTURE: &[(&str, &str)] = &[
    (
        "etc/mail/sendmail.mc",
        include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/sendmail.mc"),
    ),
    (
        "etc/mail/sendmail.cf",
        include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/sendmail.cf"),
    ),
    (
        "etc/mail/aliases",
        include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/aliases"),
    ),
    (
        "etc/mail/local-host-names",
        include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/local-host-names"),
    ),
    (
        "etc/mail/m4/dialup.m4",
        include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/m4/dialup.m4"),
    ),
    (
        "etc/mail/m4/provider.m4",
        include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/m4/provider.m4"),
    ),
];

/// Its access map (loopback relays, greet-pause and rate settings).
const SENDMAIL_ACCESS: &str =
    include_str!("../fixtures/sendmail/39-mc-and-cf-debian-make/etc/mail/access");

/// The Debian master.cf, verbatim (the fixture is the file Debian 12 installs).
const DEBIAN_MASTER_CF: &str =
    include_str!("../fixtures/postfix/01-debian-default/etc/postfix/master.cf");

// ---------------------------------------------------------------------------
// PRNG

/// SplitMix64: tiny, fast, good enough for test data, stable forever.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5851_F42D_4C95_7F2D);
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(n + 8);
        while v.len() < n {
            v.extend_from_slice(&self.next().to_le_bytes());
        }
        v.truncate(n);
        v
    }
}

// ---------------------------------------------------------------------------
// Word lists

const WORDS: &[&str] = &[
    "alder", "birch", "cedar", "delta", "ember", "falcon", "granite", "harbor", "iris", "juniper",
    "kestrel", "lumen", "maple", "nimbus", "orchid", "pioneer", "quarry", "raven", "summit",
    "tundra", "umber", "vertex", "willow", "xenon", "yarrow", "zephyr", "atlas", "beacon",
    "canyon", "dune", "estuary", "fjord", "glacier", "heron", "island", "jasper", "kelp", "lagoon",
    "meadow", "north", "oasis", "prairie", "quartz", "ridge", "sierra", "timber", "upland",
    "valley", "westwind", "yukon",
];

const ORG_KINDS: &[&str] = &[
    "clinic",
    "law",
    "hosting",
    "school",
    "bakery",
    "consult",
    "logistics",
    "media",
    "labs",
    "dental",
    "hotel",
    "insurance",
    "print",
    "garage",
    "library",
    "council",
    "shop",
    "union",
];

const TLDS: &[&str] = &["example", "example.com", "example.net", "example.org"];

const FIRST_NAMES: &[&str] = &[
    "anna", "ben", "clara", "david", "eva", "felix", "greta", "hugo", "ines", "jonas", "karla",
    "leon", "mia", "noah", "olga", "paul", "rosa", "sven", "tara", "uwe", "vera", "walter",
];

const SPAM_TLDS: &[&str] = &["top", "xyz", "click", "loan", "work", "bid", "win", "party"];

// ---------------------------------------------------------------------------
// The long commented main.cf (RHEL/FreeBSD packages install this shape).
// Sections: (comment block, active lines that follow it).

const LONG_MAIN_SECTIONS: &[(&str, &str)] = &[
    (
        "# Global Postfix configuration file. This file lists only a subset
# of all parameters. For the syntax, and for a complete parameter
# list, see the postconf(5) manual page (command: \"man 5 postconf\").
#
# For common configuration examples, see BASIC_CONFIGURATION_README
# and STANDARD_CONFIGURATION_README. To find these documents, use
# the command \"postconf html_directory readme_directory\", or go to
# http://www.postfix.org/BASIC_CONFIGURATION_README.html etc.
#
# For best results, change no more than 2-3 parameters at a time,
# and test if Postfix still works after every change.

# COMPATIBILITY
#
# The compatibility_level determines what default settings Postfix
# will use for main.cf and master.cf settings. These defaults will
# change over time.
#
# To avoid breaking things, Postfix will use backwards-compatible
# default settings and log where it uses those old backwards-compatible
# default settings, until the system administrator has determined
# if any backwards-compatible default settings need to be made
# permanent in main.cf or master.cf.
#
# When this review is complete, update the compatibility_level setting
# below as recommended in the RELEASE_NOTES file.
#
# The level below is what should be used with new (not upgrade) installs.
#",
        "",
    ),
    (
        "
# SOFT BOUNCE
#
# The soft_bounce parameter provides a limited safety net for
# testing.  When soft_bounce is enabled, mail will remain queued that
# would otherwise bounce. This parameter disables locally-generated
# bounces, and prevents the SMTP server from rejecting mail permanently
# (by changing 5xx replies into 4xx replies). However, soft_bounce
# is no cure for address rewriting mistakes or mail routing mistakes.
#
#soft_bounce = no

# LOCAL PATHNAME INFORMATION
#
# The queue_directory specifies the location of the Postfix queue.
# This is also the root directory of Postfix daemons that run chrooted.
# See the files in examples/chroot-setup for setting up Postfix chroot
# environments on different UNIX systems.
#",
        "queue_directory = /var/spool/postfix\n",
    ),
    (
        "
# The command_directory parameter specifies the location of all
# postXXX commands.
#",
        "command_directory = /usr/sbin\n",
    ),
    (
        "
# The daemon_directory parameter specifies the location of all Postfix
# daemon programs (i.e. programs listed in the master.cf file). This
# directory must be owned by root.
#",
        "daemon_directory = /usr/libexec/postfix\n",
    ),
    (
        "
# The data_directory parameter specifies the location of Postfix-writable
# data files (caches, random numbers). This directory must be owned
# by the mail_owner account (see below).
#",
        "data_directory = /var/lib/postfix\n",
    ),
    (
        "
# QUEUE AND PROCESS OWNERSHIP
#
# The mail_owner parameter specifies the owner of the Postfix queue
# and of most Postfix daemon processes.  Specify the name of a user
# account THAT DOES NOT SHARE ITS USER OR GROUP ID WITH OTHER ACCOUNTS
# AND THAT OWNS NO OTHER FILES OR PROCESSES ON THE SYSTEM.  In
# particular, don't specify nobody or daemon. PLEASE USE A DEDICATED
# USER.
#",
        "mail_owner = postfix\n",
    ),
    (
        "
# The default_privs parameter specifies the default rights used by
# the local delivery agent for delivery to external file or command.
# These rights are used in the absence of a recipient user context.
# DO NOT SPECIFY A PRIVILEGED USER OR THE POSTFIX OWNER.
#
#default_privs = nobody

# INTERNET HOST AND DOMAIN NAMES
#
# The myhostname parameter specifies the internet hostname of this
# mail system. The default is to use the fully-qualified domain name
# from gethostname(). $myhostname is used as a default value for many
# other configuration parameters.
#
#myhostname = host.domain.tld
#myhostname = virtual.domain.tld

# The mydomain parameter specifies the local internet domain name.
# The default is to use $myhostname minus the first component.
# $mydomain is used as a default value for many other configuration
# parameters.
#
#mydomain = domain.tld

# SENDING MAIL
#
# The myorigin parameter specifies the domain that locally-posted
# mail appears to come from. The default is to append $myhostname,
# which is fine for small sites.  If you run a domain with multiple
# machines, you should (1) change this to $mydomain and (2) set up
# a domain-wide alias database that aliases each user to
# user@that.users.mailhost.
#
# For the sake of consistency between sender and recipient addresses,
# myorigin also specifies the default domain name that is appended
# to recipient addresses that have no @domain part.
#
#myorigin = $myhostname
#myorigin = $mydomain

# RECEIVING MAIL

# The inet_interfaces parameter specifies the network interface
# addresses that this mail system receives mail on.  By default,
# the software claims all active interfaces on the machine. The
# parameter also controls delivery of mail to user@[ip.address].
#
# See also the proxy_interfaces parameter, for network addresses that
# are forwarded to us via a proxy or network address translator.
#
# Note: you need to stop/start Postfix when this parameter changes.
#
#inet_interfaces = all
#inet_interfaces = $myhostname
#inet_interfaces = $myhostname, localhost",
        "inet_interfaces = localhost\n",
    ),
    (
        "
# Enable IPv4, and IPv6 if supported",
        "inet_protocols = all\n",
    ),
    (
        "
# The proxy_interfaces parameter specifies the network interface
# addresses that this mail system receives mail on by way of a
# proxy or network address translation unit. This setting extends
# the address list specified with the inet_interfaces parameter.
#
# You must specify your proxy/NAT addresses when your system is a
# backup MX host for other domains, otherwise mail delivery loops
# will happen when the primary MX host is down.
#
#proxy_interfaces =
#proxy_interfaces = 1.2.3.4

# The mydestination parameter specifies the list of domains that this
# machine considers itself the final destination for.
#
# These domains are routed to the delivery agent specified with the
# local_transport parameter setting. By default, that is the UNIX
# compatible delivery agent that lookups all recipients in /etc/passwd
# and /etc/aliases or their equivalent.
#
# The default is $myhostname + localhost.$mydomain + localhost.  On
# a mail domain gateway, you should also include $mydomain.
#
# Do not specify the names of virtual domains - those domains are
# specified elsewhere (see VIRTUAL_README).
#
# Do not specify the names of domains that this machine is backup MX
# host for. Specify those names via the relay_domains settings for
# the SMTP server, or use permit_mx_backup if you are lazy (see
# STANDARD_CONFIGURATION_README).
#
# The local machine is always the final destination for mail addressed
# to user@[the.net.work.address] of an interface that the mail system
# receives mail on (see the inet_interfaces parameter).
#
# Specify a list of host or domain names, /file/name or type:table
# patterns, separated by commas and/or whitespace. A /file/name
# pattern is replaced by its contents; a type:table is matched when
# a name matches a lookup key (the right-hand side is ignored).
# Continue long lines by starting the next line with whitespace.
#
# See also below, section \"REJECTING MAIL FOR UNKNOWN LOCAL USERS\".
#",
        "mydestination = $myhostname, localhost.$mydomain, localhost\n",
    ),
    (
        "#mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain
#mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain,
#	mail.$mydomain, www.$mydomain, ftp.$mydomain

# REJECTING MAIL FOR UNKNOWN LOCAL USERS
#
# The local_recipient_maps parameter specifies optional lookup tables
# with all names or addresses of users that are local with respect
# to $mydestination, $inet_interfaces or $proxy_interfaces.
#
# If this parameter is defined, then the SMTP server will reject
# mail for unknown local users. This parameter is defined by default.
#
# To turn off local recipient checking in the SMTP server, specify
# local_recipient_maps = (i.e. empty).
#
# The default setting assumes that you use the default Postfix local
# delivery agent for local delivery. You need to update the
# local_recipient_maps setting if:
#
# - You define $mydestination domain recipients in files other than
#   /etc/passwd, /etc/aliases, or the $virtual_alias_maps files.
#   For example, you define $mydestination domain recipients in
#   the $virtual_mailbox_maps files.
#
# - You redefine the local delivery agent in master.cf.
#
# - You redefine the \"local_transport\" setting in main.cf.
#
# - You use the \"luser_relay\", \"mailbox_transport\", or \"fallback_transport\"
#   feature of the Postfix local delivery agent (see local(8)).
#
# Details are described in the LOCAL_RECIPIENT_README file.
#
# Beware: if the Postfix SMTP server runs chrooted, you probably have
# to access the passwd file via the proxymap service, in order to
# overcome chroot restrictions. The alternative, having a copy of
# the system passwd file in the chroot jail is just not practical.
#
# The right-hand side of the lookup tables is conveniently ignored.
# In the left-hand side, specify a bare username, an @domain.tld
# wild-card, or specify a user@domain.tld address.
#
#local_recipient_maps = unix:passwd.byname $alias_maps
#local_recipient_maps = proxy:unix:passwd.byname $alias_maps
#local_recipient_maps =

# The unknown_local_recipient_reject_code specifies the SMTP server
# response code when a recipient domain matches $mydestination or
# ${proxy,inet}_interfaces, while $local_recipient_maps is non-empty
# and the recipient address or address local-part is not found.
#
# The default setting is 550 (reject mail) but it is safer to start
# with 450 (try again later) until you are certain that your
# local_recipient_maps settings are OK.
#",
        "unknown_local_recipient_reject_code = 550\n",
    ),
    (
        "
# TRUST AND RELAY CONTROL

# The mynetworks parameter specifies the list of \"trusted\" SMTP
# clients that have more privileges than \"strangers\".
#
# In particular, \"trusted\" SMTP clients are allowed to relay mail
# through Postfix.  See the smtpd_recipient_restrictions parameter
# in postconf(5).
#
# You can specify the list of \"trusted\" network addresses by hand
# or you can let Postfix do it for you (which is the default).
#
# By default (mynetworks_style = subnet), Postfix \"trusts\" SMTP
# clients in the same IP subnetworks as the local machine.
# On Linux, this works correctly only with interfaces specified
# with the \"ifconfig\" command.
#
# Specify \"mynetworks_style = class\" when Postfix should \"trust\" SMTP
# clients in the same IP class A/B/C networks as the local machine.
# Don't do this with a dialup site - it would cause Postfix to \"trust\"
# your entire provider's network.  Instead, specify an explicit
# mynetworks list by hand, as described below.
#
# Specify \"mynetworks_style = host\" when Postfix should \"trust\"
# only the local machine.
#
#mynetworks_style = class
#mynetworks_style = subnet
#mynetworks_style = host

# Alternatively, you can specify the mynetworks list by hand, in
# which case Postfix ignores the mynetworks_style setting.
#
# Specify an explicit list of network/netmask patterns, where the
# mask specifies the number of bits in the network part of a host
# address.
#
# You can also specify the absolute pathname of a pattern file instead
# of listing the patterns here. Specify type:table for table-based lookups
# (the value on the table right-hand side is not used).
#
#mynetworks = 168.100.189.0/28, 127.0.0.0/8
#mynetworks = $config_directory/mynetworks
#mynetworks = hash:/etc/postfix/network_table

# The relay_domains parameter restricts what destinations this system will
# relay mail to.  See the smtpd_recipient_restrictions description in
# postconf(5) for detailed information.
#
# By default, Postfix relays mail
# - from \"trusted\" clients (IP address matches $mynetworks) to any destination,
# - from \"untrusted\" clients to destinations that match $relay_domains or
#   subdomains thereof, except addresses with sender-specified routing.
# The default relay_domains value is $mydestination.
#
# In addition to the above, the Postfix SMTP server by default accepts mail
# that Postfix is final destination for:
# - destinations that match $inet_interfaces or $proxy_interfaces,
# - destinations that match $mydestination
# - destinations that match $virtual_alias_domains,
# - destinations that match $virtual_mailbox_domains.
# These destinations do not need to be listed in $relay_domains.
#
# Specify a list of hosts or domains, /file/name patterns or type:name
# lookup tables, separated by commas and/or whitespace.  Continue
# long lines by starting the next line with whitespace. A file name
# is replaced by its contents; a type:name table is matched when a
# (parent) domain appears as lookup key.
#
# NOTE: Postfix will not automatically forward mail for domains that
# list this system as their primary or backup MX host. See the
# permit_mx_backup restriction description in postconf(5).
#
#relay_domains = $mydestination

# INTERNET OR INTRANET

# The relayhost parameter specifies the default host to send mail to
# when no entry is matched in the optional transport(5) table. When
# no relayhost is given, mail is routed directly to the destination.
#
# On an intranet, specify the organizational domain name. If your
# internal DNS uses no MX records, specify the name of the intranet
# gateway host instead.
#
# In the case of SMTP, specify a domain, host, host:port, [host]:port,
# [address] or [address]:port; the form [host] turns off MX lookups.
#
# If you're connected via UUCP, see also the default_transport parameter.
#
#relayhost = $mydomain
#relayhost = [gateway.my.domain]
#relayhost = [mailserver.isp.tld]
#relayhost = uucphost
#relayhost = [an.ip.add.ress]

# REJECTING UNKNOWN RELAY USERS
#
# The relay_recipient_maps parameter specifies optional lookup tables
# with all addresses in the domains that match $relay_domains.
#
# If this parameter is defined, then the SMTP server will reject
# mail for unknown relay users. This feature is off by default.
#
# The right-hand side of the lookup tables is conveniently ignored.
# In the left-hand side, specify an @domain.tld wild-card, or specify
# a user@domain.tld address.
#
#relay_recipient_maps = hash:/etc/postfix/relay_recipients

# INPUT RATE CONTROL
#
# The in_flow_delay configuration parameter implements mail input
# flow control. This feature is turned on by default, although it
# still needs further development (it's disabled on SCO UNIX due
# to an SCO bug).
#
# A Postfix process will pause for $in_flow_delay seconds before
# accepting a new message, when the message arrival rate exceeds the
# message delivery rate. With the default 100 SMTP server process
# limit, this limits the mail inflow to 100 messages a second more
# than the number of messages delivered per second.
#
# Specify 0 to disable the feature. Valid delays are 0..10.
#
#in_flow_delay = 1s

# ADDRESS REWRITING
#
# The ADDRESS_REWRITING_README document gives information about
# address masquerading or other forms of address rewriting including
# username->Firstname.Lastname mapping.

# ADDRESS REDIRECTION (VIRTUAL DOMAIN)
#
# The VIRTUAL_README document gives information about the many forms
# of domain hosting that Postfix supports.

# \"USER HAS MOVED\" BOUNCE MESSAGES
#
# See the discussion in the ADDRESS_REWRITING_README document.

# TRANSPORT MAP
#
# See the discussion in the ADDRESS_REWRITING_README document.

# ALIAS DATABASE
#
# The alias_maps parameter specifies the list of alias databases used
# by the local delivery agent. The default list is system dependent.
#
# On systems with NIS, the default is to search the local alias
# database, then the NIS alias database. See aliases(5) for syntax
# details.
#
# If you change the alias database, run \"postalias /etc/aliases\" (or
# wherever your system stores the mail alias file), or simply run
# \"newaliases\" to build the necessary DBM or DB file.
#
# It will take a minute or so before changes become visible.  Use
# \"postfix reload\" to eliminate the delay.
#
#alias_maps = dbm:/etc/aliases
#alias_maps = hash:/etc/aliases
#alias_maps = hash:/etc/aliases, nis:mail.aliases
#alias_maps = netinfo:/aliases",
        "alias_maps = hash:/etc/aliases\n",
    ),
    (
        "
# The alias_database parameter specifies the alias database(s) that
# are built with \"newaliases\" or \"sendmail -bi\".  This is a separate
# configuration parameter, because alias_maps (see above) may specify
# tables that are not necessarily all under control by Postfix.
#
#alias_database = dbm:/etc/aliases
#alias_database = dbm:/etc/mail/aliases",
        "alias_database = hash:/etc/aliases\n",
    ),
    (
        "#alias_database = hash:/etc/aliases, hash:/opt/majordomo/aliases

# ADDRESS EXTENSIONS (e.g., user+foo)
#
# The recipient_delimiter parameter specifies the separator between
# user names and address extensions (user+foo). See canonical(5),
# local(8), relocated(5) and virtual(5) for the effects this has on
# aliases, canonical, virtual, relocated and .forward file lookups.
# Basically, the software tries user+foo and .forward+foo before
# trying user and .forward.
#
#recipient_delimiter = +

# DELIVERY TO MAILBOX
#
# The home_mailbox parameter specifies the optional pathname of a
# mailbox file relative to a user's home directory. The default
# mailbox file is /var/spool/mail/user or /var/mail/user.  Specify
# \"Maildir/\" for qmail-style delivery (the / is required).
#
#home_mailbox = Mailbox
#home_mailbox = Maildir/

# The mail_spool_directory parameter specifies the directory where
# UNIX-style mailboxes are kept. The default setting depends on the
# system type.
#
#mail_spool_directory = /var/mail
#mail_spool_directory = /var/spool/mail

# The mailbox_command parameter specifies the optional external
# command to use instead of mailbox delivery. The command is run as
# the recipient with proper HOME, SHELL and LOGNAME environment settings.
# Exception:  delivery for root is done as $default_user.
#
# Other environment variables of interest: USER (recipient username),
# EXTENSION (address extension), DOMAIN (domain part of address),
# and LOCAL (the address localpart).
#
# Unlike other Postfix configuration parameters, the mailbox_command
# parameter is not subjected to $parameter substitutions. This is to
# make it easier to specify shell syntax (see example below).
#
# Avoid shell meta characters because they will force Postfix to run
# an expensive shell process. Procmail alone is expensive enough.
#
# IF YOU USE THIS TO DELIVER MAIL SYSTEM-WIDE, YOU MUST SET UP AN
# ALIAS THAT FORWARDS MAIL FOR ROOT TO A REAL USER.
#
#mailbox_command = /some/where/procmail
#mailbox_command = /some/where/procmail -a \"$EXTENSION\"

# The mailbox_transport specifies the optional transport in master.cf
# to use after processing aliases and .forward files. This parameter
# has precedence over the mailbox_command, fallback_transport and
# luser_relay parameters.
#
# Specify a string of the form transport:nexthop, where transport is
# the name of a mailer delivery transport defined in master.cf.  The
# :nexthop part is optional. For more details see the sample transport
# configuration file.
#
# NOTE: if you use this feature for accounts not in the UNIX password
# file, then you must update the \"local_recipient_maps\" setting in
# the main.cf file, otherwise the SMTP server will reject mail for
# non-UNIX accounts with \"User unknown in local recipient table\".
#
# Cyrus IMAP over LMTP. Specify ``lmtpunix      cmd=\"lmtpd\"
# listen=\"/var/imap/socket/lmtp\" prefork=0'' in cyrus.conf.
#mailbox_transport = lmtp:unix:/var/lib/imap/socket/lmtp
#
# Cyrus IMAP via command line. Uncomment the \"cyrus...pipe\" and
# subsequent line in master.cf.
#mailbox_transport = cyrus

# The fallback_transport specifies the optional transport in master.cf
# to use for recipients that are not found in the UNIX passwd database.
# This parameter has precedence over the luser_relay parameter.
#
# Specify a string of the form transport:nexthop, where transport is
# the name of a mailer delivery transport defined in master.cf.  The
# :nexthop part is optional. For more details see the sample transport
# configuration file.
#
# NOTE: if you use this feature for accounts not in the UNIX password
# file, then you must update the \"local_recipient_maps\" setting in
# the main.cf file, otherwise the SMTP server will reject mail for
# non-UNIX accounts with \"User unknown in local recipient table\".
#
#fallback_transport = lmtp:unix:/file/name
#fallback_transport = cyrus
#fallback_transport =

# The luser_relay parameter specifies an optional destination address
# for unknown recipients.  By default, mail for unknown@$mydestination,
# unknown@[$inet_interfaces] or unknown@[$proxy_interfaces] is returned
# as undeliverable.
#
# The following expansions are done on luser_relay: $user (recipient
# username), $shell (recipient shell), $home (recipient home directory),
# $recipient (full recipient address), $extension (recipient address
# extension), $domain (recipient domain), $local (entire recipient
# localpart), $recipient_delimiter. Specify ${name?value} or
# ${name:value} to expand value only when $name does (does not) exist.
#
# luser_relay works only for the default Postfix local delivery agent.
#
# NOTE: if you use this feature for accounts not in the UNIX password
# file, then you must specify \"local_recipient_maps =\" (i.e. empty) in
# the main.cf file, otherwise the SMTP server will reject mail for
# non-UNIX accounts with \"User unknown in local recipient table\".
#
#luser_relay = $user@other.host
#luser_relay = $local@other.host
#luser_relay = admin+$local

# JUNK MAIL CONTROLS
#
# The controls listed here are only a very small subset. The file
# SMTPD_ACCESS_README provides an overview.

# The header_checks parameter specifies an optional table with patterns
# that each logical message header is matched against, including
# headers that span multiple physical lines.
#
# By default, these patterns also apply to MIME headers and to the
# headers of attached messages. With older Postfix versions, MIME and
# attached message headers were treated as body text.
#
# For details, see \"man header_checks\".
#
#header_checks = regexp:/etc/postfix/header_checks

# FAST ETRN SERVICE
#
# Postfix maintains per-destination logfiles with information about
# deferred mail, so that mail can be flushed quickly with the SMTP
# \"ETRN domain.tld\" command, or by executing \"sendmail -qRdomain.tld\".
# See the ETRN_README document for a detailed description.
#
# The fast_flush_domains parameter controls what destinations are
# eligible for this service. By default, they are all domains that
# this server is willing to relay mail to.
#
#fast_flush_domains = $relay_domains

# SHOW SOFTWARE VERSION OR NOT
#
# The smtpd_banner parameter specifies the text that follows the 220
# code in the SMTP server's greeting banner. Some people like to see
# the mail version advertised. By default, Postfix shows no version.
#
# You MUST specify $myhostname at the start of the text. That is an
# RFC requirement. Postfix itself does not care.
#
#smtpd_banner = $myhostname ESMTP $mail_name
#smtpd_banner = $myhostname ESMTP $mail_name ($mail_version)

# PARALLEL DELIVERY TO THE SAME DESTINATION
#
# How many parallel deliveries to the same user or domain? With local
# delivery, it does not make sense to do massively parallel delivery
# to the same user, because mailbox updates must happen sequentially,
# and expensive pipelines in .forward files can cause disasters when
# too many are run at the same time. With SMTP deliveries, 10
# simultaneous connections to the same domain could be sufficient to
# raise eyebrows.
#
# Each message delivery transport has its XXX_destination_concurrency_limit
# parameter.  The default is $default_destination_concurrency_limit for
# most delivery transports. For the local delivery agent the default is 2.

#local_destination_concurrency_limit = 2
#default_destination_concurrency_limit = 20

# DEBUGGING CONTROL
#
# The debug_peer_level parameter specifies the increment in verbose
# logging level when an SMTP client or server host name or address
# matches a pattern in the debug_peer_list parameter.
#",
        "debug_peer_level = 2\n",
    ),
    (
        "
# The debug_peer_list parameter specifies an optional list of domain
# or network patterns, /file/name patterns or type:name tables. When
# an SMTP client or server host name or address matches a pattern,
# increase the verbose logging level by the amount specified in the
# debug_peer_level parameter.
#
#debug_peer_list = 127.0.0.1
#debug_peer_list = some.domain

# The debugger_command specifies the external command that is executed
# when a Postfix daemon program is run with the -D option.
#
# Use \"command .. & sleep 5\" so that the debugger can attach before
# the process marches on. If you use an X-based debugger, be sure to
# set up your XAUTHORITY environment variable before starting Postfix.
#",
        "debugger_command =
\t PATH=/bin:/usr/bin:/usr/local/bin:/usr/X11R6/bin
\t ddd $daemon_directory/$process_name $process_id & sleep 5
",
    ),
    (
        "
# If you can't use X, use this to capture the call stack when a
# daemon crashes. The result is in a file in the configuration
# directory, and is named after the process name and the process ID.
#
# debugger_command =
#\tPATH=/bin:/usr/bin:/usr/local/bin; export PATH; (echo cont;
#\techo where) | gdb $daemon_directory/$process_name $process_id 2>&1
#\t>$config_directory/$process_name.$process_id.log & sleep 5
#
# Another possibility is to run gdb under a detached screen session.
# To attach to the screen session, su root and run \"screen -r
# <id_string>\" where <id_string> uniquely matches one of the detached
# sessions (from \"screen -list\").
#
# debugger_command =
#\tPATH=/bin:/usr/bin:/sbin:/usr/sbin; export PATH; screen
#\t-dmS $process_name gdb $daemon_directory/$process_name
#\t$process_id & sleep 1

# INSTALL-TIME CONFIGURATION INFORMATION
#
# The following parameters are used when installing a new Postfix version.
#
# sendmail_path: The full pathname of the Postfix sendmail command.
# This is the Sendmail-compatible mail posting interface.
#",
        "sendmail_path = /usr/sbin/sendmail.postfix\n",
    ),
    (
        "
# newaliases_path: The full pathname of the Postfix newaliases command.
# This is the Sendmail-compatible command to build alias databases.
#",
        "newaliases_path = /usr/bin/newaliases.postfix\n",
    ),
    (
        "
# mailq_path: The full pathname of the Postfix mailq command.  This
# is the Sendmail-compatible mail queue listing command.
#",
        "mailq_path = /usr/bin/mailq.postfix\n",
    ),
    (
        "
# setgid_group: The group for mail submission and queue management
# commands.  This must be a group name with a numerical group ID that
# is not shared with other accounts, not even with the Postfix account.
#",
        "setgid_group = postdrop\n",
    ),
    (
        "
# html_directory: The location of the Postfix HTML documentation.
#",
        "html_directory = no\n",
    ),
    (
        "
# manpage_directory: The location of the Postfix on-line manual pages.
#",
        "manpage_directory = /usr/share/man\n",
    ),
    (
        "
# sample_directory: The location of the Postfix sample configuration files.
# This parameter is obsolete as of Postfix 2.1.
#",
        "sample_directory = /usr/share/doc/postfix/samples\n",
    ),
    (
        "
# readme_directory: The location of the Postfix README files.
#",
        "readme_directory = /usr/share/doc/postfix/README_FILES\n",
    ),
    (
        "
# TLS CONFIGURATION
#
# Basic Postfix TLS configuration by default with self-signed certificate
# for inbound SMTP and also opportunistic TLS for outbound SMTP.

# The full pathname of a file with the Postfix SMTP server RSA certificate
# in PEM format. Intermediate certificates should be included in general,
# the server certificate first, then the issuing CA(s) (bottom-up order).
#",
        "smtpd_tls_cert_file = /etc/pki/tls/certs/postfix.pem\n",
    ),
    (
        "
# The full pathname of a file with the Postfix SMTP server RSA private key
# in PEM format. The private key must be accessible without a pass-phrase,
# i.e. it must not be encrypted.
#",
        "smtpd_tls_key_file = /etc/pki/tls/private/postfix.key\n",
    ),
    (
        "
# Announce STARTTLS support to remote SMTP clients, but do not require that
# clients use TLS encryption (opportunistic TLS inbound).
#",
        "smtpd_tls_security_level = may\n",
    ),
    (
        "
# Directory with PEM format Certification Authority certificates that the
# Postfix SMTP client uses to verify a remote SMTP server certificate.
#",
        "smtp_tls_CApath = /etc/pki/tls/certs\n",
    ),
    (
        "
# The full pathname of a file containing CA certificates of root CAs
# trusted to sign either remote SMTP server certificates or intermediate CA
# certificates.
#",
        "smtp_tls_CAfile = /etc/pki/tls/certs/ca-bundle.crt\n",
    ),
    (
        "
# Use TLS if this is supported by the remote SMTP server, otherwise use
# plaintext (opportunistic TLS outbound).
#",
        "smtp_tls_security_level = may\nmeta_directory = /etc/postfix\nshlib_directory = /usr/lib64/postfix\n",
    ),
];

const DEBIAN_HEADER: &str =
    "# See /usr/share/postfix/main.cf.dist for a commented, more complete version


# Debian specific:  Specifying a file name will cause the first
# line of that file to be used as the name.  The Debian default
# is /etc/mailname.
#myorigin = /etc/mailname

smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no

# appending .domain is the MUA's job.
append_dot_mydomain = no

# Uncomment the next line to generate \"delayed mail\" warnings
#delay_warning_time = 4h

readme_directory = no

# See http://www.postfix.org/COMPATIBILITY_README.html -- default to 3.6 on
# fresh installs.
";

const DEBIAN_TLS: &str = "


# TLS parameters
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may

smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache


";

// ---------------------------------------------------------------------------
// Non-mail files of a dump of /etc

const SSHD_CONFIG: &str = "
# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

# This sshd was compiled with PATH=/usr/local/bin:/usr/bin:/bin:/usr/games

# The strategy used for options in the default sshd_config shipped with
# OpenSSH is to specify options with their default value where
# possible, but leave them commented.  Uncommented options override the
# default value.

Include /etc/ssh/sshd_config.d/*.conf

#Port 22
#AddressFamily any
#ListenAddress 0.0.0.0
#ListenAddress ::

#HostKey /etc/ssh/ssh_host_rsa_key
#HostKey /etc/ssh/ssh_host_ecdsa_key
#HostKey /etc/ssh/ssh_host_ed25519_key

# Ciphers and keying
#RekeyLimit default none

# Logging
#SyslogFacility AUTH
#LogLevel INFO

# Authentication:

#LoginGraceTime 2m
PermitRootLogin prohibit-password
#StrictModes yes
#MaxAuthTries 6
#MaxSessions 10

#PubkeyAuthentication yes

# Expect .ssh/authorized_keys2 to be disregarded by default in future.
#AuthorizedKeysFile\t.ssh/authorized_keys .ssh/authorized_keys2

#AuthorizedPrincipalsFile none

#AuthorizedKeysCommand none
#AuthorizedKeysCommandUser nobody

# For this to work you will also need host keys in /etc/ssh/ssh_known_hosts
#HostbasedAuthentication no
# Change to yes if you don't trust ~/.ssh/known_hosts for
# HostbasedAuthentication
#IgnoreUserKnownHosts no
# Don't read the user's ~/.rhosts and ~/.shosts files
#IgnoreRhosts yes

# To disable tunneled clear text passwords, change to no here!
PasswordAuthentication no
#PermitEmptyPasswords no

# Change to yes to enable challenge-response passwords (beware issues with
# some PAM modules and threads)
KbdInteractiveAuthentication no

# Kerberos options
#KerberosAuthentication no
#KerberosOrLocalPasswd yes
#KerberosTicketCleanup yes
#KerberosGetAFSToken no

# GSSAPI options
#GSSAPIAuthentication no
#GSSAPICleanupCredentials yes
#GSSAPIStrictAcceptorCheck yes
#GSSAPIKeyExchange no

# Set this to 'yes' to enable PAM authentication, account processing,
# and session processing. If this is enabled, PAM authentication will
# be allowed through the KbdInteractiveAuthentication and
# PasswordAuthentication.  Depending on your PAM configuration,
# PAM authentication via KbdInteractiveAuthentication may bypass
# the setting of \"PermitRootLogin prohibit-password\".
# If you just want the PAM account and session checks to run without
# PAM authentication, then enable this but set PasswordAuthentication
# and KbdInteractiveAuthentication to 'no'.
UsePAM yes

#AllowAgentForwarding yes
#AllowTcpForwarding yes
#GatewayPorts no
X11Forwarding yes
#X11DisplayOffset 10
#X11UseLocalhost yes
#PermitTTY yes
PrintMotd no
#PrintLastLog yes
#TCPKeepAlive yes
#PermitUserEnvironment no
#Compression delayed
#ClientAliveInterval 0
#ClientAliveCountMax 3
#UseDNS no
#PidFile /run/sshd.pid
#MaxStartups 10:30:100
#PermitTunnel no
#ChrootDirectory none
#VersionAddendum none

# no default banner path
#Banner none

# Allow client to pass locale environment variables
AcceptEnv LANG LC_*

# override default of no subsystems
Subsystem\tsftp\t/usr/lib/openssh/sftp-server
";

const SYSCTL_CONF: &str = "#
# /etc/sysctl.conf - Configuration file for setting system variables
# See /etc/sysctl.d/ for additional system variables.
# See sysctl.conf (5) for information.
#

#kernel.domainname = example.com

# Uncomment the following to stop low-level messages on console
#kernel.printk = 3 4 1 3

###################################################################
# Functions previously found in netbase
#

# Uncomment the next two lines to enable Spoof protection (reverse-path filter)
# Turn on Source Address Verification in all interfaces to
# prevent some spoofing attacks
#net.ipv4.conf.default.rp_filter=1
#net.ipv4.conf.all.rp_filter=1

# Uncomment the next line to enable TCP/IP SYN cookies
# See http://lwn.net/Articles/277146/
# Note: This may impact IPv6 TCP sessions too
#net.ipv4.tcp_syncookies=1

# Uncomment the next line to enable packet forwarding for IPv4
#net.ipv4.ip_forward=1

# Uncomment the next line to enable packet forwarding for IPv6
#  Enabling this option disables Stateless Address Autoconfiguration
#  based on Router Advertisements for this host
#net.ipv6.conf.all.forwarding=1


###################################################################
# Additional settings - these settings can improve the network
# security of the host and prevent against some network attacks
# including spoofing attacks and man in the middle attacks through
# redirection. Some network environments, however, require that these
# settings are disabled so review and enable them as needed.
#
# Do not accept ICMP redirects (prevent MITM attacks)
#net.ipv4.conf.all.accept_redirects = 0
#net.ipv6.conf.all.accept_redirects = 0
# _or_
# Accept ICMP redirects only for gateways listed in our default
# gateway list (enabled by default)
# net.ipv4.conf.all.secure_redirects = 1
#
# Do not send ICMP redirects (we are not a router)
#net.ipv4.conf.all.send_redirects = 0
#
# Do not accept IP source route packets (we are not a router)
#net.ipv4.conf.all.accept_source_route = 0
#net.ipv6.conf.all.accept_source_route = 0
#
# Log Martian Packets
#net.ipv4.conf.all.log_martians = 1
#

###################################################################
# Magic system request Key
# 0=disable, 1=enable all, >1 bitmask of sysrq functions
# See https://www.kernel.org/doc/html/latest/admin-guide/sysrq.html
# for what other values do
#kernel.sysrq=438
";

const SYSTEM_USERS: &[(&str, u32, &str, &str)] = &[
    ("root", 0, "/root", "/bin/bash"),
    ("daemon", 1, "/usr/sbin", "/usr/sbin/nologin"),
    ("bin", 2, "/bin", "/usr/sbin/nologin"),
    ("sys", 3, "/dev", "/usr/sbin/nologin"),
    ("sync", 4, "/bin", "/bin/sync"),
    ("games", 5, "/usr/games", "/usr/sbin/nologin"),
    ("man", 6, "/var/cache/man", "/usr/sbin/nologin"),
    ("lp", 7, "/var/spool/lpd", "/usr/sbin/nologin"),
    ("mail", 8, "/var/mail", "/usr/sbin/nologin"),
    ("news", 9, "/var/spool/news", "/usr/sbin/nologin"),
    ("uucp", 10, "/var/spool/uucp", "/usr/sbin/nologin"),
    ("proxy", 13, "/bin", "/usr/sbin/nologin"),
    ("www-data", 33, "/var/www", "/usr/sbin/nologin"),
    ("backup", 34, "/var/backups", "/usr/sbin/nologin"),
    ("list", 38, "/var/list", "/usr/sbin/nologin"),
    ("irc", 39, "/run/ircd", "/usr/sbin/nologin"),
    ("_apt", 42, "/nonexistent", "/usr/sbin/nologin"),
    ("nobody", 65534, "/nonexistent", "/usr/sbin/nologin"),
    ("systemd-network", 998, "/", "/usr/sbin/nologin"),
    ("messagebus", 100, "/nonexistent", "/usr/sbin/nologin"),
    ("sshd", 101, "/run/sshd", "/usr/sbin/nologin"),
    ("postfix", 102, "/var/spool/postfix", "/usr/sbin/nologin"),
    ("opendkim", 103, "/run/opendkim", "/usr/sbin/nologin"),
];

// ---------------------------------------------------------------------------
// Hosts

/// A generated file: path relative to the host folder, and content.
enum Entry {
    File(String, Vec<u8>),
    Symlink(String, String),
}

struct Host {
    entries: Vec<Entry>,
    open: bool,
    /// `(daemon, verdict)` of every unit the host was built with.
    units: Vec<(&'static str, Verdict)>,
}

/// What the host was built to be, per unit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Open,
    Closed,
    Refuses,
}

impl Verdict {
    fn name(self) -> &'static str {
        match self {
            Verdict::Open => "open",
            Verdict::Closed => "closed",
            Verdict::Refuses => "refuses",
        }
    }
}

struct Ctx {
    rng: Rng,
    domain: String,
    hostname: String,
    entries: Vec<Entry>,
}

impl Ctx {
    fn file(&mut self, path: &str, text: String) {
        self.entries
            .push(Entry::File(path.to_string(), text.into_bytes()));
    }

    fn blob(&mut self, path: &str, bytes: Vec<u8>) {
        self.entries.push(Entry::File(path.to_string(), bytes));
    }

    fn word(&mut self) -> &'static str {
        self.rng.pick::<&'static str>(WORDS)
    }

    fn private_net(&mut self) -> String {
        match self.rng.below(3) {
            0 => format!("10.{}.{}.0/24", self.rng.below(256), self.rng.below(256)),
            1 => format!(
                "172.{}.{}.0/24",
                self.rng.range(16, 31),
                self.rng.below(256)
            ),
            _ => format!("192.168.{}.0/24", self.rng.below(256)),
        }
    }

    /// A public address in documentation or otherwise unassigned-looking
    /// ranges (never loopback or private).
    fn public_addr(&mut self) -> String {
        let a = *self.rng.pick(&[
            23u64, 31, 37, 45, 46, 62, 77, 78, 80, 81, 85, 89, 91, 93, 94, 95, 103, 109, 116, 117,
            138, 141, 151, 176, 178, 185, 188, 193, 194, 195, 198, 203, 212, 213, 217,
        ]);
        format!(
            "{}.{}.{}.{}",
            a,
            self.rng.below(256),
            self.rng.below(256),
            self.rng.range(1, 254)
        )
    }

    /// A binary file shaped like a Berkeley DB hash file (header, pages of
    /// noise with NULs), `len` bytes.
    fn db_blob(&mut self, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; 4096];
        v[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes()); // DB hash magic
        v[16..20].copy_from_slice(&9u32.to_le_bytes());
        v[20..24].copy_from_slice(&4096u32.to_le_bytes());
        while v.len() < len {
            let mut page = self.rng.bytes(4096);
            for b in page.iter_mut().step_by(7) {
                *b = 0;
            }
            v.extend_from_slice(&page);
        }
        v.truncate(len.max(4096));
        v
    }
}

/// What one host's Postfix looks like; decided first, written after.
struct Plan {
    long_main: bool,
    compat: Option<&'static str>,
    mynetworks: String,
    mynetworks_file: Option<(String, String)>,
    relay_restrictions: Option<String>,
    recipient_restrictions: Option<String>,
    sender_restrictions: Option<String>,
    client_restrictions: Option<String>,
    helo_restrictions: Option<String>,
    extra: Vec<String>,
    tables: Vec<(String, String)>,
    missing_table: bool,
    master_extra: String,
    master_submission: bool,
    master_postscreen: bool,
    inet_interfaces: &'static str,
    open: bool,
}

fn gen_host(seed: u64, index: u64) -> Host {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let org = format!("{}-{}", rng.pick(WORDS), rng.pick(ORG_KINDS));
    let domain = format!("{}.{}", org, rng.pick(TLDS));
    let hostname = format!(
        "{}{}.{}",
        rng.pick(&["mx", "mail", "smtp", "relay"]),
        rng.range(1, 4),
        domain
    );
    let mut c = Ctx {
        rng,
        domain,
        hostname,
        entries: Vec::new(),
    };
    let plan = plan_postfix(&mut c);
    let open = plan.open;
    write_postfix(&mut c, &plan);
    write_aliases(&mut c);
    write_etc_noise(&mut c, index);
    let mut units = vec![(
        "postfix",
        if open { Verdict::Open } else { Verdict::Closed },
    )];
    // Squid and Dante draw from streams of their own, so that the Postfix
    // files of host k are the same as before they existed.
    let mut proxy_rng = Rng::new(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x0051_551D);
    if proxy_rng.chance(340) {
        c.rng = Rng::new(proxy_rng.next());
        units.push(("squid", write_squid(&mut c)));
    }
    if proxy_rng.chance(160) {
        c.rng = Rng::new(proxy_rng.next());
        units.push(("dante", write_dante(&mut c)));
    }
    // Sendmail from a stream of its own too, so that every file above stays
    // as it was.
    let mut sendmail_rng = Rng::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ 0x5E4D_3A11);
    if sendmail_rng.chance(80) {
        c.rng = Rng::new(sendmail_rng.next());
        units.push(("sendmail", write_sendmail(&mut c)));
    }
    Host {
        entries: c.entries,
        open,
        units,
    }
}

// ---------------------------------------------------------------------------
// Sendmail

/// Writes the host's Sendmail (a host moving between MTAs keeps both): the
/// Debian tree with the site's own access entries. A few relay for one
/// octet or two of the address space (`Connect:1` meant for one branch,
/// `Connect:203.0` for a customer range), a few lost `local-host-names`,
/// which `FEATURE(use_cw_file)` needs: sendmail then refuses to start.
fn write_sendmail(c: &mut Ctx) -> Verdict {
    let roll = c.rng.below(1000);
    for (path, text) in SENDMAIL_FIXTURE {
        if roll >= 970 && path.ends_with("local-host-names") {
            continue;
        }
        c.file(path, text.to_string());
    }
    let mut access = SENDMAIL_ACCESS.to_string();
    let _ = writeln!(access, "\n# {} site entries", c.domain);
    for _ in 0..c.rng.range(2, 40) {
        let net = c.private_net();
        let prefix: Vec<&str> = net
            .split('/')
            .next()
            .unwrap_or("10.0.0.0")
            .split('.')
            .take(3)
            .collect();
        let _ = writeln!(access, "Connect:{}\t\t\tRELAY", prefix.join("."));
    }
    let _ = writeln!(access, "To:{}\t\t\tRELAY", c.domain);
    let verdict = if roll < 930 {
        Verdict::Closed
    } else if roll < 950 {
        let _ = writeln!(access, "Connect:{}\t\t\tRELAY", c.rng.range(1, 9));
        Verdict::Open
    } else if roll < 970 {
        let _ = writeln!(
            access,
            "Connect:{}.{}\t\t\tRELAY",
            *c.rng.pick(&[203u64, 198, 185, 91]),
            c.rng.below(256)
        );
        Verdict::Open
    } else {
        Verdict::Refuses
    };
    c.file("etc/mail/access", access);
    verdict
}

// ---------------------------------------------------------------------------
// Squid

/// Writes the host's Squid: the shipped squid.conf, conf.d and acl files.
fn write_squid(c: &mut Ctx) -> Verdict {
    let mut conf = DEBIAN_SQUID_CONF.to_string();
    if c.rng.chance(150) {
        // A second listener, as sites add for browsers set to 8080.
        conf.push_str("\n# Second port for the old PAC file (ticket OPS-");
        let _ = writeln!(
            conf,
            "{})\nhttp_port {}",
            c.rng.range(100, 9999),
            *c.rng.pick(&[8080u64, 3129, 8000])
        );
    }
    c.file("etc/squid/squid.conf", conf);
    c.file(
        "etc/squid/conf.d/debian.conf",
        DEBIAN_SQUID_DEBIAN_CONF.to_string(),
    );
    let roll = c.rng.below(1000);
    let mut local = format!(
        "# Site policy for {} (managed by hand; see the wiki page \"proxy\")\n",
        c.domain
    );
    let verdict = if roll < 350 {
        // Shipped as is: localhost only.
        if c.rng.chance(500) {
            return Verdict::Closed;
        }
        local.push_str("# nothing local yet; localhost only\n");
        Verdict::Closed
    } else if roll < 700 {
        // The office networks, inline.
        for _ in 0..c.rng.range(1, 4) {
            let net = c.private_net();
            let _ = writeln!(local, "acl office src {net}\t# {} floor", c.word());
        }
        if c.rng.chance(400) {
            local.push_str("acl blocked_sites dstdomain .doubleclick.net .facebook.com .tiktok.com\nhttp_access deny blocked_sites\n");
        }
        local.push_str("http_access allow office\n");
        Verdict::Closed
    } else if roll < 900 {
        // Branch networks and a block list from acl files.
        let mut nets = String::from("# branch office networks, one per line\n");
        for i in 0..c.rng.range(40, 300) {
            if i % 25 == 0 {
                let _ = writeln!(nets, "# region {}", c.word());
            }
            let net = c.private_net();
            nets.push_str(&net);
            nets.push('\n');
        }
        c.file("etc/squid/branch-nets.txt", nets);
        let mut blocked = String::new();
        for _ in 0..c.rng.range(100, 600) {
            let _ = writeln!(
                blocked,
                ".{}-{}.{}",
                c.word(),
                c.rng.below(10000),
                *c.rng.pick(SPAM_TLDS)
            );
        }
        c.file("etc/squid/blocked-domains.txt", blocked);
        local.push_str("acl branches src \"/etc/squid/branch-nets.txt\"\nacl blocked dstdomain \"/etc/squid/blocked-domains.txt\"\nhttp_access deny blocked\nhttp_access allow branches\n");
        Verdict::Closed
    } else if roll < 940 {
        // Left over from a migration: everybody.
        local.push_str("# Until the new VLAN ranges are known the firewall restricts 3128.\nhttp_access allow all\n");
        Verdict::Open
    } else if roll < 975 {
        // An acl file with a catch-all line. It comes first: Squid 5
        // drops a value that overlaps an earlier one, so a catch-all after
        // narrower ranges would be dropped and the proxy stay closed.
        let mut nets =
            String::from("# temporary, vendor support session\n0.0.0.0/0\n# partner networks\n");
        for _ in 0..c.rng.range(5, 40) {
            let net = c.private_net();
            nets.push_str(&net);
            nets.push('\n');
        }
        c.file("etc/squid/partner-nets.txt", nets);
        local.push_str(
            "acl partners src \"/etc/squid/partner-nets.txt\"\nhttp_access allow partners\n",
        );
        Verdict::Open
    } else {
        // A misspelt acl name: Squid refuses to start.
        let net = c.private_net();
        let _ = writeln!(local, "acl office src {net}\nhttp_access allow offcie");
        Verdict::Refuses
    };
    c.file("etc/squid/conf.d/local.conf", local);
    verdict
}

// ---------------------------------------------------------------------------
// Dante

/// Writes the host's Dante: the shipped danted.conf with the site's
/// settings and rules appended.
fn write_dante(c: &mut Ctx) -> Verdict {
    let mut conf = DEBIAN_DANTED_CONF.to_string();
    let roll = c.rng.below(1000);
    if roll < 30 {
        // Installed, never configured.
        c.file("etc/danted.conf", conf);
        return Verdict::Refuses;
    }
    let internal = if c.rng.chance(500) {
        "eth0".to_string()
    } else {
        "0.0.0.0".to_string()
    };
    let _ = write!(
        conf,
        "\n# --- {} ---\ninternal: {internal} port = {}\nexternal: {}\n",
        c.hostname,
        *c.rng.pick(&[1080u64, 1080, 1081, 9050]),
        *c.rng.pick(&["eth0", "eth1", "ens3"])
    );
    let verdict = if roll < 600 {
        // The LAN only, no passwords.
        conf.push_str("socksmethod: none\nclientmethod: none\n\n");
        let nets: Vec<String> = (0..c.rng.range(1, 3)).map(|_| c.private_net()).collect();
        for n in &nets {
            let _ = writeln!(
                conf,
                "client pass {{\n        from: {n} to: 0.0.0.0/0\n        log: error\n}}"
            );
        }
        conf.push_str("client block {\n        from: 0.0.0.0/0 to: 0.0.0.0/0\n        log: connect error\n}\n");
        for n in &nets {
            let _ = writeln!(conf, "socks pass {{\n        from: {n} to: 0.0.0.0/0\n        log: connect disconnect\n}}");
        }
        Verdict::Closed
    } else if roll < 950 {
        // Anyone, with a user name and password.
        conf.push_str("socksmethod: username\nclientmethod: none\n\nclient pass {\n        from: 0.0.0.0/0 to: 0.0.0.0/0\n        log: error\n}\nsocks block {\n        from: 0.0.0.0/0 to: 0.0.0.0/0 port = 25\n        log: connect error\n}\nsocks pass {\n        from: 0.0.0.0/0 to: 0.0.0.0/0\n        command: connect\n        socksmethod: username\n        log: connect disconnect error\n}\n");
        Verdict::Closed
    } else {
        // Anyone, without a password.
        conf.push_str("socksmethod: none\nclientmethod: none\n\nclient pass {\n        from: 0.0.0.0/0 to: 0.0.0.0/0\n        log: error\n}\nsocks pass {\n        from: 0.0.0.0/0 to: 0.0.0.0/0\n        log: connect disconnect error\n}\n");
        Verdict::Open
    };
    c.file("etc/danted.conf", conf);
    verdict
}

fn plan_postfix(c: &mut Ctx) -> Plan {
    let long_main = c.rng.chance(600);
    let compat = if long_main {
        if c.rng.chance(850) {
            Some("2")
        } else {
            Some("3.6")
        }
    } else {
        match c.rng.below(100) {
            0..=84 => Some("3.6"),
            85..=94 => Some("2"),
            _ => None,
        }
    };
    let mut p = Plan {
        long_main,
        compat,
        mynetworks: "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128".into(),
        mynetworks_file: None,
        relay_restrictions: Some(
            "permit_mynetworks permit_sasl_authenticated defer_unauth_destination".into(),
        ),
        recipient_restrictions: None,
        sender_restrictions: None,
        client_restrictions: None,
        helo_restrictions: None,
        extra: Vec::new(),
        tables: Vec::new(),
        missing_table: false,
        master_extra: String::new(),
        master_submission: c.rng.chance(400),
        master_postscreen: false,
        inet_interfaces: "all",
        open: false,
    };

    // mynetworks
    match c.rng.below(100) {
        0..=39 => {}
        40..=64 => {
            let n = c.rng.range(1, 3);
            for _ in 0..n {
                let net = c.private_net();
                p.mynetworks.push(' ');
                p.mynetworks.push_str(&net);
            }
        }
        65..=84 => {
            // A file list, sometimes long (every branch office, every printer).
            let n = if c.rng.chance(300) {
                c.rng.range(100, 400)
            } else {
                c.rng.range(3, 30)
            };
            let mut t = format!(
                "# Managed by configuration management: clients that may relay through {}\n# one pattern per line (see postconf(5), \"mynetworks\")\n127.0.0.0/8\n[::1]/128\n\n",
                c.hostname
            );
            for i in 0..n {
                if i % 10 == 0 {
                    let _ = writeln!(t, "# site {}", c.word());
                }
                if c.rng.chance(200) {
                    let _ = writeln!(t, "192.168.{}.{}", c.rng.below(256), c.rng.range(1, 254));
                } else {
                    let net = c.private_net();
                    t.push_str(&net);
                    t.push('\n');
                }
            }
            p.mynetworks = "/etc/postfix/mynetworks".into();
            p.mynetworks_file = Some(("etc/postfix/mynetworks".into(), t));
        }
        85..=94 => {
            let n = c.rng.range(5, 200);
            let mut t = String::from("# cidr table used as mynetworks; the right-hand side is ignored\n127.0.0.0/8 loopback\n");
            for _ in 0..n {
                let net = c.private_net();
                let _ = writeln!(t, "{:<20} {}", net, c.word());
            }
            p.mynetworks = "127.0.0.0/8 [::1]/128 cidr:/etc/postfix/mynetworks.cidr".into();
            p.tables.push(("etc/postfix/mynetworks.cidr".into(), t));
        }
        _ => {
            p.mynetworks = String::new();
            p.extra.push("mynetworks_style = host".into());
        }
    }

    // Restriction lists (the closed, everyday shapes).
    let blocklist_clients = c.rng.chance(350);
    let blocklist_senders = c.rng.chance(300);
    if blocklist_clients {
        let n = if c.rng.chance(400) {
            c.rng.range(200, 900)
        } else {
            c.rng.range(10, 80)
        };
        let mut t = String::from(
            "# Client blocklist, first match wins. Rebuilt from the abuse desk's tickets.\n# network/prefix   action\n",
        );
        for i in 0..n {
            if i % 25 == 0 {
                let _ = writeln!(t, "# ticket batch {}", c.rng.range(1000, 9999));
            }
            let addr = c.public_addr();
            let _ = writeln!(
                t,
                "{}/32\t\tREJECT {}",
                addr,
                c.rng.pick(&[
                    "spam source",
                    "dictionary attack",
                    "blocked, contact postmaster",
                    "compromised host",
                ])
            );
        }
        let lan = c.private_net();
        let _ = writeln!(t, "{lan}\t\tOK");
        p.tables.push(("etc/postfix/client_access.cidr".into(), t));
        p.client_restrictions = Some(
            "permit_mynetworks,\n    check_client_access cidr:/etc/postfix/client_access.cidr,\n    reject_unknown_reverse_client_hostname".into(),
        );
    }
    if blocklist_senders {
        let n = if c.rng.chance(400) {
            c.rng.range(200, 700)
        } else {
            c.rng.range(5, 60)
        };
        let mut t =
            String::from("# Sender blocklist (postmap /etc/postfix/sender_access after editing)\n");
        for _ in 0..n {
            let _ = writeln!(
                t,
                "{}{}.{}\t\t{}",
                c.word(),
                c.rng.range(1, 999),
                c.rng.pick(SPAM_TLDS),
                c.rng
                    .pick(&["REJECT", "DISCARD", "550 5.7.1 No thanks", "REJECT spam"])
            );
        }
        let idx = c.rng.range(0, 1000);
        let _ = writeln!(
            t,
            "{}@{}\tREJECT",
            c.rng.pick(FIRST_NAMES),
            format_args!("{}{}.example.net", c.word(), idx)
        );
        p.tables.push(("etc/postfix/sender_access".into(), t));
        p.sender_restrictions = Some(
            "reject_non_fqdn_sender,\n    reject_unknown_sender_domain,\n    check_sender_access hash:/etc/postfix/sender_access".into(),
        );
    }
    match c.rng.below(100) {
        0..=49 => {}
        50..=79 => {
            p.recipient_restrictions = Some(
                "reject_unauth_pipelining,\n    reject_non_fqdn_recipient,\n    reject_unknown_recipient_domain,\n    permit_mynetworks,\n    permit_sasl_authenticated,\n    reject_unauth_destination,\n    reject_rbl_client zen.spamhaus.org,\n    reject_rhsbl_sender dbl.spamhaus.org,\n    check_policy_service unix:private/policyd-spf".into(),
            );
        }
        _ => {
            p.relay_restrictions = Some(
                "permit_mynetworks,\n    permit_sasl_authenticated,\n    reject_unauth_destination"
                    .into(),
            );
            p.helo_restrictions = Some(
                "permit_mynetworks,\n    reject_invalid_helo_hostname,\n    reject_non_fqdn_helo_hostname".into(),
            );
            p.extra.push("smtpd_helo_required = yes".into());
        }
    }
    if compat.is_none() {
        // Old file: no relay list; the recipient list decides.
        p.relay_restrictions = None;
        p.recipient_restrictions =
            Some("permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination".into());
    }

    // Virtual domains, transport, header checks, SASL client.
    if c.rng.chance(250) {
        let n = if c.rng.chance(300) {
            c.rng.range(150, 500)
        } else {
            c.rng.range(5, 50)
        };
        let vdom = format!("{}-{}.{}", c.word(), c.word(), c.rng.pick(TLDS));
        let mut t = format!("# virtual aliases for {vdom}\n");
        for _ in 0..n {
            let _ = writeln!(
                t,
                "{}.{}{}@{}\t{}",
                c.rng.pick(FIRST_NAMES),
                c.word(),
                c.rng.below(100),
                vdom,
                c.rng.pick(FIRST_NAMES)
            );
        }
        let _ = writeln!(t, "postmaster@{vdom}\troot\nabuse@{vdom}\troot");
        p.extra.push(format!("virtual_alias_domains = {vdom}"));
        p.extra
            .push("virtual_alias_maps = hash:/etc/postfix/virtual".into());
        p.tables.push(("etc/postfix/virtual".into(), t));
    }
    if c.rng.chance(200) {
        let mut t = String::from("# transport(5) map\n");
        for _ in 0..c.rng.range(2, 40) {
            let _ = writeln!(
                t,
                "{}.{}\tsmtp:[{}.{}]:25",
                c.word(),
                c.rng.pick(TLDS),
                c.word(),
                c.domain
            );
        }
        p.extra
            .push("transport_maps = hash:/etc/postfix/transport".into());
        p.tables.push(("etc/postfix/transport".into(), t));
    }
    if c.rng.chance(300) {
        let mut t = String::from("# header_checks(5)\n");
        for _ in 0..c.rng.range(3, 60) {
            let _ = writeln!(
                t,
                "/^Subject:.*{}{}/\tREJECT {}",
                c.word(),
                c.rng.below(1000),
                c.rng.pick(&["spam", "no thanks", "policy"])
            );
        }
        t.push_str("/^Received:.*with ESMTPSA/\tIGNORE\n/^X-Originating-IP:/\tIGNORE\n");
        p.extra
            .push("header_checks = regexp:/etc/postfix/header_checks".into());
        p.tables.push(("etc/postfix/header_checks".into(), t));
    }
    if c.rng.chance(250) {
        let relay = format!("[smtp.{}-provider.example]:587", c.word());
        p.extra.push(format!("relayhost = {relay}"));
        p.extra.push("smtp_sasl_auth_enable = yes".into());
        p.extra
            .push("smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd".into());
        p.extra
            .push("smtp_sasl_security_options = noanonymous".into());
        let t = format!(
            "{relay}    {}@{}:{:016x}\n",
            c.rng.pick(FIRST_NAMES),
            c.domain,
            c.rng.next()
        );
        p.tables.push(("etc/postfix/sasl_passwd".into(), t));
    }
    if c.rng.chance(150) {
        p.master_postscreen = true;
        p.extra
            .push("postscreen_access_list = permit_mynetworks".into());
        p.extra.push("postscreen_greet_action = enforce".into());
        p.extra.push("postscreen_dnsbl_action = enforce".into());
        p.extra.push(
            "postscreen_dnsbl_sites = zen.spamhaus.org*2, bl.spamcop.net*1, b.barracudacentral.org*1"
                .into(),
        );
        p.extra.push("postscreen_dnsbl_threshold = 2".into());
    }
    if c.rng.chance(150) {
        p.extra
            .push("content_filter = smtp-amavis:[127.0.0.1]:10024".into());
        p.extra
            .push("receive_override_options = no_address_mappings".into());
        p.master_extra.push_str(AMAVIS_MASTER);
    }
    if c.rng.chance(50) {
        // A null client that only sends.
        p.inet_interfaces = "loopback-only";
    }
    if c.rng.chance(20) {
        p.extra.push(
            "smtpd_banner = $myhostname ESMTP $mail_name $mail_version (monitoring check)".into(),
        );
    }

    // Failure modes: a missing table, a list that makes smtpd exit.
    if c.rng.chance(15) {
        p.missing_table = true;
        let list = p
            .relay_restrictions
            .take()
            .unwrap_or_else(|| "permit_mynetworks, reject_unauth_destination".into());
        p.relay_restrictions = Some(list.replacen(
            "permit_mynetworks",
            "permit_mynetworks,\n    check_client_access hash:/etc/postfix/client_whitelist",
            1,
        ));
    } else if c.rng.chance(10) && compat == Some("3.6") {
        p.relay_restrictions = Some("permit_mynetworks, permit_sasl_authenticated".into());
        p.recipient_restrictions = None;
    }

    // About one host in twelve is an open relay, in one of the fixture ways.
    if p.inet_interfaces == "all" && c.rng.chance(80) {
        p.open = true;
        match c.rng.below(6) {
            0 => p.mynetworks = "0.0.0.0/0".into(),
            1 => {
                p.mynetworks = format!(
                    "127.0.0.0/8 [::1]/128 {}.0.0.0/8",
                    c.rng.pick(&[203u64, 198, 185, 93])
                )
            }
            2 => {
                // A client table that ends with a catch-all meant as "continue".
                let mut t =
                    String::from("# Clients that may send through this relay without SASL.\n");
                for _ in 0..c.rng.range(3, 300) {
                    let net = c.private_net();
                    let _ = writeln!(t, "{net:<20} OK");
                }
                t.push_str("# everyone else: continue with the normal checks\n0.0.0.0/0           PERMIT\n");
                p.tables.push(("etc/postfix/relay_clients.cidr".into(), t));
                p.relay_restrictions = Some(
                    "permit_mynetworks,\n    permit_sasl_authenticated,\n    check_client_access cidr:/etc/postfix/relay_clients.cidr,\n    reject_unauth_destination".into(),
                );
                p.recipient_restrictions = None;
            }
            3 => {
                // Forged local senders relay.
                let mut t = String::from("# senders allowed to relay (postmap after editing)\n");
                for _ in 0..c.rng.range(0, 200) {
                    let _ = writeln!(
                        t,
                        "{}@{}.{}\tOK",
                        c.rng.pick(FIRST_NAMES),
                        c.word(),
                        c.rng.pick(TLDS)
                    );
                }
                let _ = writeln!(t, "{}\tOK", c.domain);
                p.tables.push(("etc/postfix/relay_senders".into(), t));
                p.relay_restrictions = Some(
                    "permit_mynetworks,\n    permit_sasl_authenticated,\n    check_sender_access hash:/etc/postfix/relay_senders,\n    reject_unauth_destination".into(),
                );
                p.recipient_restrictions = None;
            }
            4 => {
                // A second port for the technicians that trusts everyone.
                p.master_extra.push_str(
                    "2525      inet  n       -       y       -       -       smtpd\n  -o syslog_name=postfix/2525\n  -o mynetworks=0.0.0.0/0\n",
                );
            }
            _ => {
                // mynetworks file with the shared colo range in it.
                let t = format!(
                    "# clients that may relay through {}\n127.0.0.0/8\n[::1]/128\n# management VLAN\n10.40.0.0/16\n# customer web servers, colo\n203.0.{}.0/20\n",
                    c.hostname,
                    c.rng.below(16) * 16
                );
                p.mynetworks = "/etc/postfix/mynetworks".into();
                p.mynetworks_file = Some(("etc/postfix/mynetworks".into(), t));
            }
        }
        // The opening must not be undone by a list that makes smtpd exit
        // or by a fail-closed missing table.
        if p.missing_table {
            p.missing_table = false;
            if let Some(r) = &p.relay_restrictions {
                p.relay_restrictions = Some(r.replace(
                    "permit_mynetworks,\n    check_client_access hash:/etc/postfix/client_whitelist",
                    "permit_mynetworks",
                ));
            }
        }
        if p.relay_restrictions
            .as_deref()
            .is_some_and(|r| !r.contains("_unauth_destination"))
        {
            p.relay_restrictions =
                Some("permit_mynetworks permit_sasl_authenticated defer_unauth_destination".into());
        }
        if p.mynetworks.is_empty() {
            p.mynetworks = "0.0.0.0/0".into();
            p.extra.retain(|e| !e.starts_with("mynetworks_style"));
        }
    }
    p
}

const AMAVIS_MASTER: &str = "
smtp-amavis unix -      -       n       -       2       smtp
  -o smtp_data_done_timeout=1200
  -o smtp_send_xforward_command=yes
  -o disable_dns_lookups=yes
  -o max_use=20

127.0.0.1:10025 inet n  -       n       -       -       smtpd
  -o content_filter=
  -o local_recipient_maps=
  -o relay_recipient_maps=
  -o smtpd_restriction_classes=
  -o smtpd_delay_reject=no
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
  -o smtpd_data_restrictions=reject_unauth_pipelining
  -o smtpd_end_of_data_restrictions=
  -o mynetworks=127.0.0.0/8
  -o smtpd_error_sleep_time=0
  -o smtpd_soft_error_limit=1001
  -o smtpd_hard_error_limit=1000
  -o smtpd_client_connection_count_limit=0
  -o smtpd_client_connection_rate_limit=0
  -o receive_override_options=no_header_body_checks,no_unknown_recipient_checks,no_milters
";

fn host_settings(c: &mut Ctx, p: &Plan, out: &mut String) {
    let mut kv = |k: &str, v: &str| {
        if v.contains('\n') {
            let _ = writeln!(out, "{k} =\n    {v}");
        } else {
            let _ = writeln!(out, "{k} = {v}");
        }
    };
    kv("myhostname", &c.hostname.clone());
    if p.long_main {
        kv("mydomain", &c.domain.clone());
    }
    kv("alias_maps", "hash:/etc/aliases");
    kv("alias_database", "hash:/etc/aliases");
    kv("myorigin", "$mydomain");
    kv(
        "mydestination",
        &format!(
            "$myhostname, {}, localhost.{}, localhost",
            c.domain, c.domain
        ),
    );
    if !p.extra.iter().any(|e| e.starts_with("relayhost")) {
        kv("relayhost", "");
    }
    if !p.mynetworks.is_empty() {
        kv("mynetworks", &p.mynetworks);
    }
    kv("mailbox_size_limit", "0");
    kv("recipient_delimiter", "+");
    kv("inet_interfaces", p.inet_interfaces);
    kv(
        "inet_protocols",
        if c.rng.chance(300) { "ipv4" } else { "all" },
    );
    for (name, v) in [
        ("smtpd_client_restrictions", &p.client_restrictions),
        ("smtpd_helo_restrictions", &p.helo_restrictions),
        ("smtpd_sender_restrictions", &p.sender_restrictions),
        ("smtpd_relay_restrictions", &p.relay_restrictions),
        ("smtpd_recipient_restrictions", &p.recipient_restrictions),
    ] {
        if let Some(v) = v {
            kv(name, v);
        }
    }
    for e in &p.extra {
        out.push_str(e);
        out.push('\n');
    }
    if c.rng.chance(30) {
        // The classic mistake: a comment after a value (PF012).
        out.push_str("message_size_limit = 52428800 # 50 MB, asked for by accounting\n");
    } else if c.rng.chance(400) {
        let _ = writeln!(
            out,
            "message_size_limit = {}",
            c.rng.range(10, 100) * 1_048_576
        );
    }
}

fn write_postfix(c: &mut Ctx, p: &Plan) {
    let mut main = String::with_capacity(32 * 1024);
    if p.long_main {
        for (i, (comment, active)) in LONG_MAIN_SECTIONS.iter().enumerate() {
            main.push_str(comment);
            main.push('\n');
            if i == 0 {
                if let Some(level) = p.compat {
                    let _ = writeln!(main, "compatibility_level = {level}");
                }
            }
            main.push_str(active);
        }
        let _ = writeln!(
            main,
            "\n# ------------------------------------------------------------------\n# Local settings for {} (managed by ansible, role mail-relay, do not edit)\n# ------------------------------------------------------------------",
            c.hostname
        );
        host_settings(c, p, &mut main);
    } else {
        main.push_str(DEBIAN_HEADER);
        if let Some(level) = p.compat {
            let _ = writeln!(main, "compatibility_level = {level}");
        }
        main.push_str(DEBIAN_TLS);
        host_settings(c, p, &mut main);
    }
    c.file("etc/postfix/main.cf", main);

    // master.cf
    let mut master = DEBIAN_MASTER_CF.to_string();
    if p.master_submission {
        master = master.replacen(
            "#submission inet n       -       y       -       -       smtpd\n#  -o syslog_name=postfix/submission\n#  -o smtpd_tls_security_level=encrypt\n#  -o smtpd_sasl_auth_enable=yes\n#  -o smtpd_tls_auth_only=yes",
            "submission inet n       -       y       -       -       smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_tls_auth_only=yes",
            1,
        );
        master = master.replacen(
            "#  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n",
            "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n",
            1,
        );
    }
    if p.master_postscreen {
        master = master.replacen(
            "smtp      inet  n       -       y       -       -       smtpd\n#smtp      inet  n       -       y       -       1       postscreen\n#smtpd     pass  -       -       y       -       -       smtpd\n#dnsblog   unix  -       -       y       -       0       dnsblog\n#tlsproxy  unix  -       -       y       -       0       tlsproxy",
            "#smtp      inet  n       -       y       -       -       smtpd\nsmtp      inet  n       -       y       -       1       postscreen\nsmtpd     pass  -       -       y       -       -       smtpd\ndnsblog   unix  -       -       y       -       0       dnsblog\ntlsproxy  unix  -       -       y       -       0       tlsproxy",
            1,
        );
    }
    master.push_str(&p.master_extra);
    c.file("etc/postfix/master.cf", master);

    if let Some((path, text)) = &p.mynetworks_file {
        c.file(path, text.clone());
    }
    for (path, text) in &p.tables {
        let size = text.len();
        c.file(path, text.clone());
        // postmap leaves the compiled map beside hash: sources.
        if !path.ends_with(".cidr") && !path.ends_with("header_checks") {
            let blob = c.db_blob(12 * 1024 + size * 2);
            c.blob(&format!("{path}.db"), blob);
        }
    }
    // Files every Postfix package installs in /etc/postfix.
    c.file(
        "etc/postfix/dynamicmaps.cf",
        "# Postfix dynamic maps configuration file.\n#\n# The first match found is the one that is used.  Wildcards are not supported\n# as of postfix 2.0.2\n#\n#type\tlocation of .so file\t\t\topen function\t(mkmap func)\n#====\t================================\t=============\t============\ncdb\tpostfix-cdb.so\tdict_cdb_open\tmkmap_cdb_open\nldap\tpostfix-ldap.so\tdict_ldap_open\nlmdb\tpostfix-lmdb.so\tdict_lmdb_open\tmkmap_lmdb_open\npcre\tpostfix-pcre.so\tdict_pcre_open\n".into(),
    );
    c.file(
        "etc/postfix/sasl/README",
        "Place SASL configuration files (smtpd.conf) for the Postfix SMTP server here.\n".into(),
    );
    if c.rng.chance(60) {
        // A dpkg leftover from the last upgrade: never read by Postfix.
        c.file(
            "etc/postfix/main.cf.dpkg-old",
            "compatibility_level = 2\nmynetworks = 0.0.0.0/0\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n".into(),
        );
    }
    if c.rng.chance(40) {
        c.file(
            "etc/postfix/master.cf~",
            DEBIAN_MASTER_CF.replacen("smtp      inet", "#smtp      inet", 1),
        );
    }
}

fn write_aliases(c: &mut Ctx) {
    let mut t = String::from("# See man 5 aliases for format\npostmaster:    root\n");
    if c.rng.chance(600) {
        t.push_str("abuse:         postmaster\n");
    }
    for name in [
        "mailer-daemon",
        "hostmaster",
        "webmaster",
        "www",
        "noc",
        "security",
    ] {
        if c.rng.chance(500) {
            let _ = writeln!(t, "{name}:{:>width$}root", "", width = 15 - name.len());
        }
    }
    let _ = writeln!(t, "root:          {}@{}", c.rng.pick(FIRST_NAMES), c.domain);
    let len = t.len();
    c.file("etc/aliases", t);
    let blob = c.db_blob(12 * 1024 + len);
    c.blob("etc/aliases.db", blob);
}

fn write_etc_noise(c: &mut Ctx, index: u64) {
    let short = c.hostname.split('.').next().unwrap_or("mx").to_string();
    c.file("etc/hostname", format!("{short}\n"));
    c.file("etc/mailname", format!("{}\n", c.hostname));
    let lan = format!(
        "10.{}.{}.{}",
        c.rng.below(256),
        c.rng.below(256),
        c.rng.range(2, 254)
    );
    c.file(
        "etc/hosts",
        format!(
            "127.0.0.1\tlocalhost\n127.0.1.1\t{} {short}\n{lan}\t{} {short}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n",
            c.hostname, c.hostname
        ),
    );
    let resolv = format!(
        "# Generated by NetworkManager\nsearch {}\nnameserver 10.{}.0.53\nnameserver 10.{}.1.53\noptions edns0 trust-ad\n",
        c.domain,
        c.rng.below(256),
        c.rng.below(256)
    );
    c.file("etc/resolv.conf", resolv);
    let uuid = |r: &mut Rng| {
        let a = r.next();
        let b = r.next();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    };
    let root_uuid = uuid(&mut c.rng);
    let boot_uuid = uuid(&mut c.rng);
    c.file(
        "etc/fstab",
        format!(
            "# /etc/fstab: static file system information.\n#\n# Use 'blkid' to print the universally unique identifier for a\n# device; this may be used with UUID= as a more robust way to name devices\n# that works even if disks are added and removed. See fstab(5).\n#\n# <file system> <mount point>   <type>  <options>       <dump>  <pass>\nUUID={root_uuid} /               ext4    errors=remount-ro 0       1\nUUID={boot_uuid} /boot           ext4    defaults        0       2\n/dev/mapper/vg0-swap none            swap    sw              0       0\n"
        ),
    );
    // passwd / group / shadow-like text.
    let mut passwd = String::new();
    let mut group = String::new();
    for (name, id, home, shell) in SYSTEM_USERS {
        let _ = writeln!(passwd, "{name}:x:{id}:{id}:{name}:{home}:{shell}");
        let _ = writeln!(group, "{name}:x:{id}:");
    }
    for i in 0..c.rng.range(2, 40) {
        let user = format!("{}{}", c.rng.pick(FIRST_NAMES), i);
        let _ = writeln!(
            passwd,
            "{user}:x:{}:{}:{},,,:/home/{user}:/bin/bash",
            1000 + i,
            1000 + i,
            user
        );
        let _ = writeln!(group, "{user}:x:{}:", 1000 + i);
    }
    c.file("etc/passwd", passwd);
    c.file("etc/group", group);
    c.file("etc/debian_version", "12.8\n".into());
    c.file("etc/issue.net", "Debian GNU/Linux 12\n".into());
    c.file(
        "etc/motd",
        "\nThe programs included with the Debian GNU/Linux system are free software;\nthe exact distribution terms for each program are described in the\nindividual files in /usr/share/doc/*/copyright.\n\nDebian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent\npermitted by applicable law.\n".into(),
    );
    c.file("etc/ssh/sshd_config", SSHD_CONFIG.to_string());
    c.file("etc/sysctl.conf", SYSCTL_CONF.to_string());
    c.file(
        "etc/logrotate.d/rsyslog",
        "/var/log/syslog\n/var/log/mail.info\n/var/log/mail.warn\n/var/log/mail.err\n/var/log/mail.log\n/var/log/daemon.log\n/var/log/kern.log\n/var/log/auth.log\n{\n\trotate 4\n\tweekly\n\tmissingok\n\tnotifempty\n\tcompress\n\tdelaycompress\n\tsharedscripts\n\tpostrotate\n\t\t/usr/lib/rsyslog/rsyslog-rotate\n\tendscript\n}\n".into(),
    );
    let cron = format!(
        "# rebuild the maps nightly\nSHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n{} {} * * * root cd /etc/postfix && for m in sender_access virtual transport; do [ -f $m ] && postmap $m; done\n",
        c.rng.below(60),
        c.rng.below(6)
    );
    c.file("etc/cron.d/postfix-maps", cron);
    c.file("etc/default/locale", "LANG=en_US.UTF-8\n".into());
    c.file("etc/timezone", "Europe/Berlin\n".into());
    c.file(
        "etc/apt/sources.list",
        "deb http://deb.debian.org/debian bookworm main contrib non-free-firmware\ndeb http://deb.debian.org/debian bookworm-updates main contrib non-free-firmware\ndeb http://security.debian.org/debian-security bookworm-security main contrib non-free-firmware\n".into(),
    );
    // A CA bundle: long base64 text.
    let mut bundle = String::new();
    for _ in 0..c.rng.range(8, 24) {
        let _ = writeln!(bundle, "# {} Root CA {}", c.word(), c.rng.range(1, 9));
        bundle.push_str("-----BEGIN CERTIFICATE-----\n");
        for _ in 0..c.rng.range(18, 30) {
            let bytes = c.rng.bytes(48);
            bundle.push_str(&base64(&bytes));
            bundle.push('\n');
        }
        bundle.push_str("-----END CERTIFICATE-----\n");
    }
    c.file("etc/ssl/certs/ca-certificates.crt", bundle);
    // Binary blobs.
    let n = c.rng.range(16, 48) as usize * 1024;
    let mut cache = b"glibc-ld.so.cache1.1".to_vec();
    let body = c.db_blob(n);
    cache.extend_from_slice(&body);
    c.blob("etc/ld.so.cache", cache);
    let key = c.rng.bytes(1200);
    c.blob("etc/ssh/ssh_host_ed25519_key.bin", key);
    // Symlinks a copy of /etc keeps: absolute ones that leave the dump and
    // relative ones that dangle.
    c.entries.push(Entry::Symlink(
        "etc/localtime".into(),
        "/usr/share/zoneinfo/Europe/Berlin".into(),
    ));
    c.entries.push(Entry::Symlink(
        "etc/mtab".into(),
        "../proc/self/mounts".into(),
    ));
    c.entries.push(Entry::Symlink(
        "etc/os-release".into(),
        "../usr/lib/os-release".into(),
    ));
    if index % 97 == 0 {
        // Now and then a bigger unrelated text file (a saved mail log).
        let mut log = String::new();
        for i in 0..c.rng.range(2000, 6000) {
            let _ = writeln!(
                log,
                "Jan {:2} {:02}:{:02}:{:02} {short} postfix/smtpd[{}]: connect from unknown[{}]",
                1 + i % 28,
                i / 3600 % 24,
                i / 60 % 60,
                i % 60,
                1000 + c.rng.below(60000),
                c.public_addr()
            );
        }
        c.file("etc/postfix/mail.log.save", log);
    }
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for ch in bytes.chunks(3) {
        let b = [ch[0], *ch.get(1).unwrap_or(&0), *ch.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= ch.len() {
                s.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------

fn usage() -> ! {
    eprintln!("usage: gen_corpus OUT_DIR N_HOSTS [SEED]");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.len() > 3 {
        usage();
    }
    let out = PathBuf::from(&args[0]);
    let n: u64 = args[1].parse().unwrap_or_else(|_| usage());
    let seed: u64 = match args.get(2) {
        Some(s) => s.parse().unwrap_or_else(|_| usage()),
        None => 1,
    };
    let manifest = std::env::var_os("GEN_CORPUS_MANIFEST").map(PathBuf::from);
    match generate(&out, n, seed, manifest.as_deref()) {
        Ok(s) => {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(
                stdout,
                "hosts={n} files={} bytes={} open_by_construction=postfix:{},squid:{}/{},dante:{}/{},sendmail:{}/{} seed={seed}",
                s.files, s.bytes, s.open, s.squid.1, s.squid.0, s.dante.1, s.dante.0, s.sendmail.1, s.sendmail.0
            );
        }
        Err(e) => {
            eprintln!("gen_corpus: {}: {e}", out.display());
            std::process::exit(1);
        }
    }
}

/// What [`generate`] wrote.
pub struct Summary {
    /// Regular files written.
    pub files: u64,
    /// Their total size.
    pub bytes: u64,
    /// Hosts built as open relays.
    pub open: u64,
    /// Hosts with Squid, and those built as open proxies.
    pub squid: (u64, u64),
    /// Hosts with Dante, and those built as open proxies.
    pub dante: (u64, u64),
    /// Hosts with Sendmail, and those built as open relays.
    pub sendmail: (u64, u64),
}

/// Writes hosts `1..=n` under `out`; with `manifest`, one
/// `hostNNNNN<TAB>DAEMON<TAB>open|closed|refuses` line per unit goes there (keep it outside
/// `out` so that it is not scanned). Also used by `tests/hostile.rs`.
pub fn generate(
    out: &Path,
    n: u64,
    seed: u64,
    manifest: Option<&Path>,
) -> std::io::Result<Summary> {
    fs::create_dir_all(out)?;
    let mut list = String::new();
    let mut s = Summary {
        files: 0,
        bytes: 0,
        open: 0,
        squid: (0, 0),
        dante: (0, 0),
        sendmail: (0, 0),
    };
    for i in 1..=n {
        let host = gen_host(seed, i);
        if host.open {
            s.open += 1;
        }
        for &(daemon, verdict) in &host.units {
            let _ = writeln!(list, "host{i:05}\t{daemon}\t{}", verdict.name());
            let count = match daemon {
                "squid" => &mut s.squid,
                "dante" => &mut s.dante,
                "sendmail" => &mut s.sendmail,
                _ => continue,
            };
            count.0 += 1;
            count.1 += u64::from(verdict == Verdict::Open);
        }
        let dir = out.join(format!("host{i:05}"));
        for e in &host.entries {
            match e {
                Entry::File(rel, data) => {
                    s.files += 1;
                    s.bytes += data.len() as u64;
                    write_file(&dir.join(rel), data)?;
                }
                Entry::Symlink(rel, target) => make_symlink(&dir.join(rel), target)?,
            }
        }
    }
    if let Some(path) = manifest {
        fs::write(path, list)?;
    }
    Ok(s)
}

fn write_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, data)
}

fn make_symlink(path: &Path, target: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::symlink_metadata(path) {
        Ok(_) => fs::remove_file(path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, path)
    }
    #[cfg(not(unix))]
    {
        let _ = target;
        Ok(())
    }
}
