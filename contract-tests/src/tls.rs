//! Certificates for a Flink whose REST endpoint speaks TLS: a throwaway CA, the server's key store
//! (PKCS #12, what Flink's `security.ssl.rest.keystore` reads), a trust store holding the CA (what
//! Flink checks client certificates against under mutual TLS) and a client identity (PEM: certificate
//! and key, what `ClientBuilder::identity_pem` takes). Made once per directory with the `openssl` and
//! `keytool` (the JDK's) command-line tools; nothing here is secret beyond a test run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

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
