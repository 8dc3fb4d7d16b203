//! How every example connects: `Client::from_env()`, from the environment (`flink_rest::ENV_VARS`):
//!
//! - `FLINK_REST_URL`: the REST endpoint (default `http://localhost:8081`);
//! - `FLINK_REST_CA`: a PEM file with the CA certificate of a Flink that serves HTTPS with its own CA;
//! - `FLINK_REST_IDENTITY`: a PEM file with a client certificate and its key (Flink's mutual TLS);
//! - `FLINK_REST_TOKEN`: a bearer token for a proxy in front of Flink;
//! - `FLINK_REST_VERSION`: the server's Flink version, where the client is to know it.

use flink_rest::Client;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn client() -> Result<Client> {
    Ok(Client::from_env()?)
}

/// The `n`th command-line argument, or a usage error.
#[allow(dead_code)] // `watch_jobs` takes none it needs
pub fn arg(n: usize, usage: &str) -> Result<String> {
    std::env::args()
        .nth(n)
        .ok_or_else(|| format!("usage: {usage}").into())
}
