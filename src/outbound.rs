//! The network side of `domain::outbound`: a webhook receiver's host is resolved and every
//! address it resolves to is checked, when a subscription is made or changed and again at
//! every delivery. Deliveries connect through [`GuardedResolver`], which hands the
//! connection only the addresses it checked, so a name that resolves to a public address
//! when it is checked and to an internal one a moment later (DNS rebinding) is refused too.

use std::net::SocketAddr;
use std::time::Duration;

use crate::domain::outbound::{AllowedHosts, Destination, Refusal, check_address, destination};

/// How long a name may take to resolve.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Refuses a receiver URL whose host is, or resolves to, an address that is not public,
/// unless the operator lists it. An address literal is judged without any network I/O.
pub async fn check(url: &url::Url, allowed: &AllowedHosts) -> Result<Destination, Refusal> {
    let to = destination(url, allowed);
    match &to {
        Destination::Allowed => {}
        Destination::Address(address) => check_address(url.host_str().unwrap_or(""), *address)?,
        Destination::Name(name) => {
            resolve(name, url.port_or_known_default().unwrap_or(0)).await?;
        }
    }
    Ok(to)
}

/// The addresses `host` resolves to, each of them public.
async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Refusal> {
    let unresolvable = || Refusal::Unresolvable { host: host.to_owned() };
    let found = tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| unresolvable())?
        .map_err(|_| unresolvable())?;
    let addresses: Vec<SocketAddr> = found.collect();
    if addresses.is_empty() {
        return Err(unresolvable());
    }
    for address in &addresses {
        check_address(host, address.ip())?;
    }
    Ok(addresses)
}

/// A resolver for reqwest that resolves as the system does and refuses a name any of whose
/// addresses is not public: what it checked is what the connection goes to.
pub struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses = resolve(&host, 0).await?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The refusal somewhere in an error's chain of causes, if that is why it failed.
pub fn refusal_in<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e Refusal> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(refusal) = error.downcast_ref::<Refusal>() {
            return Some(refusal);
        }
        cause = error.source();
    }
    None
}
