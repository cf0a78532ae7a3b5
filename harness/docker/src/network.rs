//! A run's private network: the subnet its fixed addresses need, or a free
//! one.
//!
//! One engine cannot hold two networks whose subnets overlap, so two runs
//! of scenarios with the same fixed addresses (the runbook's
//! `192.168.56.114`) cannot run at once: the second waits until the first
//! has removed its network, and the runs serialize instead of failing.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::{Ipam, IpamConfig, NetworkCreateRequest};
use bollard::query_parameters::ListNetworksOptions;

/// An IPv4 subnet with the gateway the engine takes in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    /// First address.
    pub base: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
    /// The bridge's own address (not one of the machines').
    pub gateway: Ipv4Addr,
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    }
}

impl Subnet {
    /// Whether `ip` is in the subnet.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & mask(self.prefix) == u32::from(self.base)
    }

    /// Whether two subnets share an address.
    pub fn overlaps(&self, other_base: Ipv4Addr, other_prefix: u8) -> bool {
        let p = self.prefix.min(other_prefix);
        u32::from(self.base) & mask(p) == u32::from(other_base) & mask(p)
    }

    fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.base) | !mask(self.prefix))
    }
}

/// The subnet a scenario's fixed addresses need: the /24 holding them all,
/// or the smallest larger one down to a /16; `None` without addresses.
pub fn plan_subnet(fixed: &[(String, Ipv4Addr)]) -> Result<Option<Subnet>, String> {
    let Some((_, first)) = fixed.first() else {
        return Ok(None);
    };
    let first = u32::from(*first);
    let common = fixed
        .iter()
        .map(|(_, ip)| (u32::from(*ip) ^ first).leading_zeros() as u8)
        .min()
        .unwrap_or(32);
    let prefix = common.min(24);
    if prefix < 16 {
        let shown: Vec<String> = fixed.iter().map(|(m, ip)| format!("{m} {ip}")).collect();
        return Err(format!(
            "the scenario's fixed addresses ({}) do not fit in one network of at most 65536 addresses; \
             give the machines addresses in one subnet",
            shown.join(", ")
        ));
    }
    let base = Ipv4Addr::from(first & mask(prefix));
    let mut subnet = Subnet {
        base,
        prefix,
        gateway: base,
    };
    for (machine, ip) in fixed {
        if *ip == subnet.base || *ip == subnet.broadcast() {
            return Err(format!(
                "machine '{machine}': {ip} is the network or broadcast address of {subnet}"
            ));
        }
    }
    let taken = |ip: u32| fixed.iter().any(|(_, f)| u32::from(*f) == ip);
    let lo = u32::from(subnet.base) + 1;
    let hi = u32::from(subnet.broadcast()) - 1;
    // The usual gateway (.1), else the last address, else any free one.
    let gateway = [lo, hi].into_iter().chain(lo..=hi).find(|ip| !taken(*ip));
    match gateway {
        Some(g) => subnet.gateway = Ipv4Addr::from(g),
        None => {
            return Err(format!(
                "{subnet} has no address left for the network's gateway"
            ));
        }
    }
    Ok(Some(subnet))
}

/// Subnets tried for runs without fixed addresses: 10.213.0.0/24 to
/// 10.213.255.0/24, a private range the engine's default pools do not use.
fn free_candidates(start: u8) -> impl Iterator<Item = Subnet> {
    (0..=255u16).map(move |i| {
        let third = (start as u16 + i) % 256;
        let base = Ipv4Addr::new(10, 213, third as u8, 0);
        Subnet {
            base,
            prefix: 24,
            gateway: Ipv4Addr::new(10, 213, third as u8, 1),
        }
    })
}

/// Subnets of the engine's networks: `(network name, base, prefix)`.
async fn used_subnets(
    docker: &Docker,
) -> Result<Vec<(String, Ipv4Addr, u8)>, bollard::errors::Error> {
    let nets = docker.list_networks(None::<ListNetworksOptions>).await?;
    let mut used = Vec::new();
    for n in nets {
        let name = n.name.unwrap_or_default();
        for c in n.ipam.and_then(|i| i.config).unwrap_or_default() {
            if let Some((base, prefix)) = c.subnet.as_deref().and_then(|s| s.split_once('/'))
                && let (Ok(base), Ok(prefix)) = (base.parse::<Ipv4Addr>(), prefix.parse::<u8>())
            {
                used.push((name.clone(), base, prefix));
            }
        }
    }
    Ok(used)
}

fn is_overlap(e: &bollard::errors::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    text.contains("overlap") || text.contains("pool") && text.contains("use")
}

/// Creates the run's network. With a fixed subnet held by another
/// network, waits (telling `progress` once) until it is free or `wait`
/// has passed.
pub async fn create(
    docker: &Docker,
    name: &str,
    subnet: Option<Subnet>,
    labels: HashMap<String, String>,
    wait: Duration,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Subnet, String> {
    let request = |s: &Subnet| NetworkCreateRequest {
        name: name.to_string(),
        driver: Some("bridge".to_string()),
        // Nothing leaves the scenario's network: no route to the outside.
        internal: Some(true),
        ipam: Some(Ipam {
            driver: Some("default".to_string()),
            config: Some(vec![IpamConfig {
                subnet: Some(s.to_string()),
                gateway: Some(s.gateway.to_string()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        labels: Some(labels.clone()),
        ..Default::default()
    };
    match subnet {
        Some(s) => {
            let started = Instant::now();
            let mut told = false;
            loop {
                match docker.create_network(request(&s)).await {
                    Ok(_) => return Ok(s),
                    Err(e) if is_overlap(&e) => {
                        if started.elapsed() >= wait {
                            return Err(format!(
                                "the subnet {s} stayed in use for {}s; the scenario's fixed addresses need it ({e})",
                                wait.as_secs()
                            ));
                        }
                        if !told {
                            let holder = used_subnets(docker)
                                .await
                                .ok()
                                .and_then(|u| u.into_iter().find(|(_, b, p)| s.overlaps(*b, *p)))
                                .map(|(n, b, p)| format!(" (network {n}, {b}/{p})"))
                                .unwrap_or_default();
                            progress(&format!(
                                "waiting for the subnet {s}: another network holds it{holder}; runs with the same fixed addresses take turns"
                            ));
                            told = true;
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    Err(e) => return Err(format!("cannot create the network {name} ({s}): {e}")),
                }
            }
        }
        None => {
            let start = name
                .bytes()
                .fold(0u8, |a, b| a.wrapping_mul(31).wrapping_add(b));
            let used = used_subnets(docker).await.map_err(|e| e.to_string())?;
            for s in free_candidates(start) {
                if used.iter().any(|(_, b, p)| s.overlaps(*b, *p)) {
                    continue;
                }
                match docker.create_network(request(&s)).await {
                    Ok(_) => return Ok(s),
                    // Taken by a run that started at the same moment.
                    Err(e) if is_overlap(&e) => continue,
                    Err(e) => return Err(format!("cannot create the network {name} ({s}): {e}")),
                }
            }
            Err("no free /24 left in 10.213.0.0/16 for the scenario's network".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(ips: &[&str]) -> Vec<(String, Ipv4Addr)> {
        ips.iter()
            .enumerate()
            .map(|(i, ip)| (format!("m{i}"), ip.parse().unwrap()))
            .collect()
    }

    #[test]
    fn the_runbook_addresses_get_their_slash_24() {
        let s = plan_subnet(&fixed(&["192.168.56.114", "192.168.56.115"]))
            .unwrap()
            .unwrap();
        assert_eq!(s.to_string(), "192.168.56.0/24");
        assert_eq!(s.gateway, Ipv4Addr::new(192, 168, 56, 1));
        assert!(plan_subnet(&[]).unwrap().is_none());
    }

    #[test]
    fn the_gateway_avoids_machines() {
        let s = plan_subnet(&fixed(&["10.0.0.1", "10.0.0.2"]))
            .unwrap()
            .unwrap();
        assert_eq!(s.gateway, Ipv4Addr::new(10, 0, 0, 254));
    }

    #[test]
    fn addresses_across_slash_24s_widen_the_subnet_or_are_refused() {
        let s = plan_subnet(&fixed(&["10.56.0.10", "10.56.1.10"]))
            .unwrap()
            .unwrap();
        assert_eq!(s.to_string(), "10.56.0.0/23");
        let err = plan_subnet(&fixed(&["192.168.56.114", "10.56.0.10"])).unwrap_err();
        assert!(err.contains("do not fit in one network"), "{err}");
        let err = plan_subnet(&fixed(&["192.168.56.0", "192.168.56.9"])).unwrap_err();
        assert!(err.contains("network or broadcast"), "{err}");
    }

    #[test]
    fn overlap() {
        let s = Subnet {
            base: Ipv4Addr::new(192, 168, 56, 0),
            prefix: 24,
            gateway: Ipv4Addr::new(192, 168, 56, 1),
        };
        assert!(s.overlaps(Ipv4Addr::new(192, 168, 0, 0), 16));
        assert!(!s.overlaps(Ipv4Addr::new(192, 168, 57, 0), 24));
        assert!(s.contains(Ipv4Addr::new(192, 168, 56, 200)));
    }
}
