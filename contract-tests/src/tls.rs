//! How to reach a REST endpoint over TLS ([`Connection`]: a CA, a client identity, headers), and
//! certificates for a Flink whose REST endpoint speaks TLS: a throwaway CA, the server's key store
//! (PKCS #12, what Flink's `security.ssl.rest.keystore` reads), a trust store holding the CA (what
//! Flink checks client certificates against under mutual TLS) and a client identity (PEM: certificate
//! and key, what `ClientBuilder::identity_pem` takes). Made once per directory with the `openssl` and
//! `keytool` (the JDK's) command-line tools; nothing here is secret beyond a test run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// How to reach a cluster's REST endpoint: CA certificates to trust (PEM) besides the system's, a
/// client identity (PEM certificate and key, for mutual TLS) and headers for every request (a proxy's
/// token). The default reaches a plain HTTP endpoint or one with a publicly trusted certificate.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub ca_pem: Option<Vec<u8>>,
    pub identity_pem: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
}

impl Connection {
    /// From files, as a command line gives them: a CA certificate, a client certificate and its key
    /// (PEM; the two may be one file), and `Name: value` headers. Every problem at once.
    pub fn from_files(
        ca: Option<&Path>,
        cert: Option<&Path>,
        key: Option<&Path>,
        headers: &[String],
    ) -> Result<Connection> {
        let mut problems = Vec::new();
        let mut read = |path: &Path, what: &str| match fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                problems.push(format!("{what} {}: {e}", path.display()));
                None
            }
        };
        let ca_pem = ca.and_then(|p| read(p, "CA certificate"));
        let identity_pem = match (cert, key) {
            (Some(c), Some(k)) if c == k => read(c, "client certificate"),
            (Some(c), Some(k)) => {
                let (c, k) = (read(c, "client certificate"), read(k, "client key"));
                c.zip(k).map(|(c, k)| [c, b"\n".to_vec(), k].concat())
            }
            (Some(c), None) => read(c, "client certificate (with its key)"),
            (None, Some(_)) => {
                problems.push("a client key needs its certificate (--client-cert)".into());
                None
            }
            (None, None) => None,
        };
        let mut parsed = Vec::new();
        for h in headers {
            match h.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    parsed.push((name.trim().to_string(), value.trim().to_string()))
                }
                _ => problems.push(format!("header {h:?} is not `Name: value`")),
            }
        }
        if !problems.is_empty() {
            bail!("{}", problems.join("; "));
        }
        Ok(Connection {
            ca_pem,
            identity_pem,
            headers: parsed,
        })
    }

    /// An HTTP client that connects so, each request limited to `timeout`.
    pub fn http(&self, timeout: Duration) -> Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder().timeout(timeout);
        if let Some(pem) = &self.ca_pem {
            builder = builder.add_root_certificate(
                reqwest::Certificate::from_pem(pem).context("reading the CA certificate")?,
            );
        }
        if let Some(pem) = &self.identity_pem {
            builder = builder.identity(
                reqwest::Identity::from_pem(pem)
                    .context("reading the client certificate and key")?,
            );
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            let name = reqwest::header::HeaderName::try_from(name.as_str())
                .with_context(|| format!("header name {name:?}"))?;
            let mut value = reqwest::header::HeaderValue::try_from(value.as_str())
                .with_context(|| format!("value of header {name}"))?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        Ok(builder.default_headers(headers).build()?)
    }

    /// The crate's client of `url`, connecting so.
    pub fn client(&self, url: &str, timeout: Duration) -> Result<flink_rest::Client> {
        let http = self.http(timeout)?;
        Ok(flink_rest::Client::builder(url).http_client(http).build()?)
    }
}

/// The password of both stores and of the server key in its store.
pub const PASSWORD: &str = "flink-rest-test";

/// The files one `Certs::ensure` leaves in its directory.
#[derive(Debug, Clone)]
pub struct Certs {
    dir: PathBuf,
}

impl Certs {
    /// The certificates in `dir`, made first where any is missing.
    pub fn ensure(dir: &Path) -> Result<Certs> {
        let certs = Certs {
            dir: dir.to_path_buf(),
        };
        let all = [
            certs.ca_pem(),
            certs.keystore(),
            certs.truststore(),
            certs.client_identity_pem(),
        ];
        if all.iter().all(|f| f.is_file()) {
            return Ok(certs);
        }
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        certs
            .make()
            .with_context(|| format!("making TLS test certificates in {}", dir.display()))?;
        Ok(certs)
    }

    /// The CA certificate (PEM) every certificate here is signed by.
    pub fn ca_pem(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The server's key and certificate chain for `127.0.0.1` and `localhost` (PKCS #12).
    pub fn keystore(&self) -> PathBuf {
        self.dir.join("server.p12")
    }

    /// The CA as a trusted certificate (PKCS #12).
    pub fn truststore(&self) -> PathBuf {
        self.dir.join("truststore.p12")
    }

    /// The client's certificate and key in one PEM file.
    pub fn client_identity_pem(&self) -> PathBuf {
        self.dir.join("client-identity.pem")
    }

    fn make(&self) -> Result<()> {
        let d = |name: &str| self.dir.join(name).display().to_string();
        let pass = format!("pass:{PASSWORD}");
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        run(
            "openssl",
            &[
                &["req", "-x509"],
                &ec[..],
                &[
                    "-keyout",
                    &d("ca.key"),
                    "-out",
                    &d("ca.pem"),
                    "-days",
                    "3650",
                    "-subj",
                    "/CN=flink-rest test CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            ]
            .concat(),
        )?;
        for (who, usage, san) in [
            (
                "server",
                "serverAuth",
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
            ),
            ("client", "clientAuth", ""),
        ] {
            let ext = d(&format!("{who}.ext"));
            fs::write(&ext, format!("{san}extendedKeyUsage={usage}\n"))?;
            run(
                "openssl",
                &[
                    &["req"],
                    &ec[..],
                    &[
                        "-keyout",
                        &d(&format!("{who}.key")),
                        "-out",
                        &d(&format!("{who}.csr")),
                        "-subj",
                        &format!("/CN=flink-rest test {who}"),
                    ],
                ]
                .concat(),
            )?;
            run(
                "openssl",
                &[
                    "x509",
                    "-req",
                    "-in",
                    &d(&format!("{who}.csr")),
                    "-CA",
                    &d("ca.pem"),
                    "-CAkey",
                    &d("ca.key"),
                    "-CAcreateserial",
                    "-out",
                    &d(&format!("{who}.pem")),
                    "-days",
                    "3650",
                    "-extfile",
                    &ext,
                ],
            )?;
        }
        run(
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-in",
                &d("server.pem"),
                "-inkey",
                &d("server.key"),
                "-certfile",
                &d("ca.pem"),
                "-name",
                "flink-rest",
                "-out",
                &d("server.p12"),
                "-passout",
                &pass,
            ],
        )?;
        let _ = fs::remove_file(self.truststore());
        run(
            "keytool",
            &[
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                &d("ca.pem"),
                "-keystore",
                &d("truststore.p12"),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
            ],
        )?;
        let identity = [
            fs::read(self.dir.join("client.pem"))?,
            fs::read(self.dir.join("client.key"))?,
        ]
        .concat();
        fs::write(self.client_identity_pem(), identity)?;
        Ok(())
    }
}

fn run(program: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program} (is it installed?)"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.first().unwrap_or(&""),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_from_files_reports_every_problem_at_once() {
        let missing = Path::new("/nonexistent/flink-rest/ca.pem");
        let err = Connection::from_files(
            Some(missing),
            None,
            Some(Path::new("key.pem")),
            &["X-Good: 1".into(), "no colon".into()],
        )
        .unwrap_err()
        .to_string();
        for expected in [
            "CA certificate /nonexistent/flink-rest/ca.pem",
            "a client key needs its certificate",
            "header \"no colon\" is not `Name: value`",
        ] {
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn headers_are_trimmed_and_a_certificate_and_key_become_one_identity() {
        let dir = std::env::temp_dir().join(format!("flink-rest-tls-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("c.pem"), dir.join("k.pem"));
        fs::write(&cert, "CERT").unwrap();
        fs::write(&key, "KEY").unwrap();
        let c =
            Connection::from_files(None, Some(&cert), Some(&key), &["X-A :  b ".into()]).unwrap();
        assert_eq!(c.identity_pem.as_deref(), Some(&b"CERT\nKEY"[..]));
        assert_eq!(c.headers, vec![("X-A".to_string(), "b".to_string())]);
        assert!(c.ca_pem.is_none());
        let _ = fs::remove_dir_all(dir);
    }
}
