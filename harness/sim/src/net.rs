//! The network a host sees: connecting to `host:port`, listening on a port.
//!
//! Two implementations share every line of server and client code above
//! them: [`SimNet`] runs over turmoil's simulated TCP inside one process
//! (with the simulator's own name resolution, partitions and firewall
//! rules, which decide *how* a connection fails), and [`RealNet`] over the
//! machine's sockets for the daemon in a container.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

/// A boxed future that need not be `Send` (everything runs on one thread).
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A byte stream in both directions.
pub trait Stream: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Stream for T {}

/// An open connection.
pub struct Conn {
    /// The stream.
    pub stream: Box<dyn Stream>,
    /// The other end's address.
    pub peer: SocketAddr,
}

/// Why a connection could not be made. Each renders as the operating
/// system's words for it, which p4 prints after `connect: host:port: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    /// The name does not resolve.
    HostUnknown(String),
    /// Nothing listens there (or a firewall answers with a reset).
    Refused(SocketAddr),
    /// A firewall rejects with host-unreachable, or no route exists.
    NoRoute(SocketAddr),
    /// Packets are dropped: the connection attempt times out.
    TimedOut(SocketAddr),
    /// Anything else.
    Other(String),
}

impl NetError {
    /// The address shown in p4's `connect: ADDR: reason` line.
    pub fn addr(&self) -> Option<SocketAddr> {
        match self {
            NetError::Refused(a) | NetError::NoRoute(a) | NetError::TimedOut(a) => Some(*a),
            _ => None,
        }
    }

    /// The operating system's words (`Connection refused`).
    pub fn reason(&self) -> String {
        match self {
            NetError::HostUnknown(_) => "host unknown".to_string(),
            NetError::Refused(_) => "Connection refused".to_string(),
            NetError::NoRoute(_) => "No route to host".to_string(),
            NetError::TimedOut(_) => "Connection timed out".to_string(),
            NetError::Other(s) => s.clone(),
        }
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr() {
            Some(a) => write!(f, "{a}: {}", self.reason()),
            None => f.write_str(&self.reason()),
        }
    }
}

/// A listening socket.
pub trait Listener {
    /// Waits for the next connection.
    fn accept(&mut self) -> LocalBoxFuture<'_, io::Result<Conn>>;
}

/// A host's view of the network.
pub trait Net {
    /// Connects to `addr` (`host:port`, `port`, or `ip:port`).
    fn connect<'a>(&'a self, addr: &'a str) -> LocalBoxFuture<'a, Result<Conn, NetError>>;
    /// Listens on `port` on every address of this host.
    fn listen(&self, port: u16) -> LocalBoxFuture<'_, io::Result<Box<dyn Listener>>>;
}

/// Splits a P4PORT-style address into host and port. `1666` alone means
/// `localhost:1666`; a leading `tcp:`/`tcp4:` is dropped.
pub fn split_port(addr: &str) -> Option<(String, u16)> {
    let a = addr.trim();
    let a = a
        .strip_prefix("tcp4:")
        .or_else(|| a.strip_prefix("tcp:"))
        .unwrap_or(a);
    match a.rsplit_once(':') {
        Some((host, port)) => {
            let port = port.parse().ok()?;
            let host = if host.is_empty() { "localhost" } else { host };
            Some((host.to_string(), port))
        }
        None => Some(("localhost".to_string(), a.parse().ok()?)),
    }
}

// ---------------------------------------------------------------------------
// Simulated network

/// How a blocked path fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlockMode {
    /// The peer's TCP stack answers with a reset: `Connection refused`.
    Refuse,
    /// Packets vanish: the attempt times out.
    Drop,
    /// A firewall answers host-prohibited: `No route to host`.
    Reject,
}

/// The simulated network's shared state: names, partitions, firewalls.
#[derive(Debug, Default)]
pub struct Fabric {
    /// Host names and their addresses (`/etc/hosts` of the whole network).
    pub names: BTreeMap<String, IpAddr>,
    /// Cut links between two hosts (unordered pair) and how they fail.
    pub partitions: BTreeMap<(IpAddr, IpAddr), BlockMode>,
    /// Firewall rules on a host's inbound port.
    pub firewalls: BTreeMap<(IpAddr, u16), BlockMode>,
}

impl Fabric {
    fn pair(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
        if a <= b { (a, b) } else { (b, a) }
    }

    /// Cuts the link between two hosts.
    pub fn partition(&mut self, a: IpAddr, b: IpAddr, mode: BlockMode) {
        self.partitions.insert(Self::pair(a, b), mode);
    }

    /// Restores the link between two hosts.
    pub fn heal(&mut self, a: IpAddr, b: IpAddr) {
        self.partitions.remove(&Self::pair(a, b));
    }

    /// How a connection from `src` to `dst` is blocked, if it is.
    pub fn blocked(&self, src: IpAddr, dst: SocketAddr) -> Option<BlockMode> {
        if src == dst.ip() {
            return None;
        }
        self.partitions
            .get(&Self::pair(src, dst.ip()))
            .or_else(|| self.firewalls.get(&(dst.ip(), dst.port())))
            .copied()
    }

    /// Resolves a host name or address literal.
    pub fn resolve(&self, host: &str, me: IpAddr) -> Option<IpAddr> {
        if host == "localhost" || host == "127.0.0.1" {
            return Some(me);
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Some(ip);
        }
        self.names
            .get(host)
            .or_else(|| self.names.get(&host.to_ascii_lowercase()))
            .copied()
    }
}

/// How long a dropped connection attempt waits before failing, as Linux's
/// default SYN retries do (about two minutes).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(127);

/// One host's access to the simulated network.
#[derive(Clone)]
pub struct SimNet {
    /// The shared fabric.
    pub fabric: Rc<RefCell<Fabric>>,
    /// This host's address.
    pub me: IpAddr,
}

impl SimNet {
    fn target(&self, addr: &str) -> Result<SocketAddr, NetError> {
        let (host, port) =
            split_port(addr).ok_or_else(|| NetError::Other(format!("bad address '{addr}'")))?;
        let ip = self
            .fabric
            .borrow()
            .resolve(&host, self.me)
            .ok_or(NetError::HostUnknown(host.clone()))?;
        Ok(SocketAddr::new(ip, port))
    }
}

impl Net for SimNet {
    fn connect<'a>(&'a self, addr: &'a str) -> LocalBoxFuture<'a, Result<Conn, NetError>> {
        Box::pin(async move {
            let dst = self.target(addr)?;
            let blocked = self.fabric.borrow().blocked(self.me, dst);
            match blocked {
                Some(BlockMode::Refuse) => return Err(NetError::Refused(dst)),
                Some(BlockMode::Reject) => return Err(NetError::NoRoute(dst)),
                Some(BlockMode::Drop) => {
                    tokio::time::sleep(CONNECT_TIMEOUT).await;
                    return Err(NetError::TimedOut(dst));
                }
                None => {}
            }
            // Loopback connections stay on this host.
            let real_dst = if dst.ip() == self.me {
                SocketAddr::new(self.me, dst.port())
            } else {
                dst
            };
            match turmoil::net::TcpStream::connect(real_dst).await {
                Ok(s) => Ok(Conn {
                    stream: Box::new(s),
                    peer: dst,
                }),
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    Err(NetError::Refused(dst))
                }
                Err(e) => Err(NetError::Other(e.to_string())),
            }
        })
    }

    fn listen(&self, port: u16) -> LocalBoxFuture<'_, io::Result<Box<dyn Listener>>> {
        Box::pin(async move {
            let unspecified = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
            let l = turmoil::net::TcpListener::bind(SocketAddr::new(unspecified, port)).await?;
            Ok(Box::new(SimListener(l)) as Box<dyn Listener>)
        })
    }
}

struct SimListener(turmoil::net::TcpListener);

impl Listener for SimListener {
    fn accept(&mut self) -> LocalBoxFuture<'_, io::Result<Conn>> {
        Box::pin(async move {
            let (s, peer) = self.0.accept().await?;
            Ok(Conn {
                stream: Box::new(s),
                peer,
            })
        })
    }
}

// ---------------------------------------------------------------------------
// Network faults of a real machine without a firewall

/// Where [`RealNet`] reads the network faults injected into its machine.
///
/// Containers of the simulator's image have no firewall to program, so the
/// harness writes the cuts and port blocks of a scenario into this file of
/// every machine they affect, and the simulator's programs consult it
/// before each outgoing connection. Connections that are allowed still go
/// over real sockets; a blocked one fails the way the firewall rule would
/// make it fail (see [`BlockMode`]).
///
/// The format, one rule a line (`#` starts a comment):
///
/// ```text
/// cut 192.168.56.115 reject        # every connection to that machine
/// block 192.168.56.114:1666 refuse # connections to that port only
/// ```
///
/// Modes: `refuse` (`Connection refused`), `reject` (`No route to host`),
/// `drop` (the attempt times out after [`CONNECT_TIMEOUT`]).
pub const FAULTS_FILE: &str = "/etc/p4ha/net-faults";

/// The rules of a [`FAULTS_FILE`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetFaults {
    /// Machines every connection to which fails.
    pub cuts: BTreeMap<IpAddr, BlockMode>,
    /// Ports connections to which fail.
    pub blocks: BTreeMap<SocketAddr, BlockMode>,
}

impl BlockMode {
    /// The word used in a [`FAULTS_FILE`].
    pub fn word(self) -> &'static str {
        match self {
            BlockMode::Refuse => "refuse",
            BlockMode::Drop => "drop",
            BlockMode::Reject => "reject",
        }
    }

    fn from_word(w: &str) -> Option<BlockMode> {
        match w {
            "refuse" => Some(BlockMode::Refuse),
            "drop" => Some(BlockMode::Drop),
            "reject" => Some(BlockMode::Reject),
            _ => None,
        }
    }
}

impl NetFaults {
    /// Reads the rules; errors name the line.
    pub fn parse(text: &str) -> Result<NetFaults, String> {
        let mut rules = NetFaults::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let bad = || {
                format!(
                    "line {}: expected 'cut ADDRESS MODE' or 'block ADDRESS:PORT MODE': {line}",
                    n + 1
                )
            };
            let [kind, target, mode] = words[..] else {
                return Err(bad());
            };
            let mode = BlockMode::from_word(mode).ok_or_else(bad)?;
            match kind {
                "cut" => {
                    rules.cuts.insert(target.parse().map_err(|_| bad())?, mode);
                }
                "block" => {
                    rules
                        .blocks
                        .insert(target.parse().map_err(|_| bad())?, mode);
                }
                _ => return Err(bad()),
            }
        }
        Ok(rules)
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out =
            String::from("# p4ha network faults: consulted before every outgoing connection\n");
        for (ip, mode) in &self.cuts {
            out.push_str(&format!("cut {ip} {}\n", mode.word()));
        }
        for (addr, mode) in &self.blocks {
            out.push_str(&format!("block {addr} {}\n", mode.word()));
        }
        out
    }

    /// How a connection to `dst` fails, if it does.
    pub fn blocked(&self, dst: SocketAddr) -> Option<BlockMode> {
        self.cuts
            .get(&dst.ip())
            .or_else(|| self.blocks.get(&dst))
            .copied()
    }

    /// The rules in [`FAULTS_FILE`]; none when it is missing. A file that
    /// cannot be read is reported once on stderr and treated as empty, so
    /// that a damaged rules file never takes the network down with it.
    fn load() -> NetFaults {
        match std::fs::read_to_string(FAULTS_FILE) {
            Ok(text) => NetFaults::parse(&text).unwrap_or_else(|e| {
                eprintln!("{FAULTS_FILE}: {e}");
                NetFaults::default()
            }),
            Err(_) => NetFaults::default(),
        }
    }
}

// ---------------------------------------------------------------------------
// Real network

/// The machine's own network (daemon mode), with the faults of
/// [`FAULTS_FILE`] applied to outgoing connections.
#[derive(Clone, Copy, Default)]
pub struct RealNet;

impl Net for RealNet {
    fn connect<'a>(&'a self, addr: &'a str) -> LocalBoxFuture<'a, Result<Conn, NetError>> {
        Box::pin(async move {
            let (host, port) =
                split_port(addr).ok_or_else(|| NetError::Other(format!("bad address '{addr}'")))?;
            let mut addrs = tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|_| NetError::HostUnknown(host.clone()))?;
            let dst = addrs
                .find(|a| a.is_ipv4())
                .ok_or(NetError::HostUnknown(host.clone()))?;
            match NetFaults::load().blocked(dst) {
                Some(BlockMode::Refuse) => return Err(NetError::Refused(dst)),
                Some(BlockMode::Reject) => return Err(NetError::NoRoute(dst)),
                Some(BlockMode::Drop) => {
                    tokio::time::sleep(CONNECT_TIMEOUT).await;
                    return Err(NetError::TimedOut(dst));
                }
                None => {}
            }
            match tokio::net::TcpStream::connect(dst).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    Ok(Conn {
                        stream: Box::new(s),
                        peer: dst,
                    })
                }
                Err(e) => Err(match e.raw_os_error() {
                    Some(111) => NetError::Refused(dst),
                    Some(113) | Some(101) => NetError::NoRoute(dst),
                    Some(110) => NetError::TimedOut(dst),
                    _ => match e.kind() {
                        io::ErrorKind::ConnectionRefused => NetError::Refused(dst),
                        io::ErrorKind::TimedOut => NetError::TimedOut(dst),
                        _ => NetError::Other(e.to_string()),
                    },
                }),
            }
        })
    }

    fn listen(&self, port: u16) -> LocalBoxFuture<'_, io::Result<Box<dyn Listener>>> {
        Box::pin(async move {
            let l = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
            Ok(Box::new(RealListener(l)) as Box<dyn Listener>)
        })
    }
}

struct RealListener(tokio::net::TcpListener);

impl Listener for RealListener {
    fn accept(&mut self) -> LocalBoxFuture<'_, io::Result<Conn>> {
        Box::pin(async move {
            let (s, peer) = self.0.accept().await?;
            let _ = s.set_nodelay(true);
            Ok(Conn {
                stream: Box::new(s),
                peer,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_p4ports() {
        assert_eq!(split_port("1666"), Some(("localhost".into(), 1666)));
        assert_eq!(split_port("master:1666"), Some(("master".into(), 1666)));
        assert_eq!(
            split_port("tcp:192.168.56.114:1666"),
            Some(("192.168.56.114".into(), 1666))
        );
        assert_eq!(split_port("master:x"), None);
    }

    #[test]
    fn fault_rules_file_round_trips_and_names_bad_lines() {
        let text =
            "# comment\ncut 10.56.0.11 reject\nblock 192.168.56.114:1666 refuse # a port\n\n";
        let rules = NetFaults::parse(text).unwrap();
        let standby: SocketAddr = "10.56.0.11:1666".parse().unwrap();
        let master: SocketAddr = "192.168.56.114:1666".parse().unwrap();
        assert_eq!(rules.blocked(standby), Some(BlockMode::Reject));
        assert_eq!(rules.blocked(master), Some(BlockMode::Refuse));
        assert_eq!(rules.blocked("192.168.56.114:1667".parse().unwrap()), None);
        assert_eq!(NetFaults::parse(&rules.render()).unwrap(), rules);
        let err = NetFaults::parse("cut 10.0.0.1 reject\ncut 10.0.0.2 maybe\n").unwrap_err();
        assert!(err.starts_with("line 2: "), "{err}");
    }

    #[test]
    fn partitions_are_symmetric_and_loopback_is_never_cut() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let mut f = Fabric::default();
        f.partition(b, a, BlockMode::Reject);
        assert_eq!(
            f.blocked(a, SocketAddr::new(b, 1666)),
            Some(BlockMode::Reject)
        );
        assert_eq!(f.blocked(a, SocketAddr::new(a, 1666)), None);
        f.heal(a, b);
        assert_eq!(f.blocked(b, SocketAddr::new(a, 1666)), None);
    }
}
