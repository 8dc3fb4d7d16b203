//! How every example connects, from the environment:
//!
//! - `FLINK_REST_URL`: the REST endpoint (default `http://localhost:8081`);
//! - `FLINK_REST_CA`: a PEM file with the CA certificate of a Flink that serves HTTPS with its own CA;
//! - `FLINK_REST_IDENTITY`: a PEM file with a client certificate and its key (Flink's mutual TLS);
//! - `FLINK_REST_TOKEN`: a bearer token for a proxy in front of Flink.

use flink_rest::Client;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn client() -> Result<Client> {
    let url = std::env::var("FLINK_REST_URL").unwrap_or_else(|_| "http://localhost:8081".into());
    let mut builder = Client::builder(&url);
    if let Ok(ca) = std::env::var("FLINK_REST_CA") {
        builder = builder.ca_certificate_pem(&std::fs::read(ca)?);
    }
    if let Ok(identity) = std::env::var("FLINK_REST_IDENTITY") {
        builder = builder.identity_pem(&std::fs::read(identity)?);
    }
    if let Ok(token) = std::env::var("FLINK_REST_TOKEN") {
        builder = builder.bearer_token(&token);
    }
    Ok(builder.build()?)
}

/// The `n`th command-line argument, or a usage error.
#[allow(dead_code)] // `watch_jobs` takes none it needs
pub fn arg(n: usize, usage: &str) -> Result<String> {
    std::env::args()
        .nth(n)
        .ok_or_else(|| format!("usage: {usage}").into())
}
