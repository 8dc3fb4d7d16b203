//! HTTP/1.1 on loopback: reads a request (its path under `/` or `/v1`, as Flink's router serves
//! both; a multipart body's files streamed to disk, as Flink's upload handler does, under any part
//! name), asks the cluster, writes the answer as Flink would (JSON, `application/json;
//! charset=UTF-8`; every answer with `access-control-allow-origin: *`).

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::TryStreamExt;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::{Request, Response};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::answer::{Answer, Rendered};
use crate::cluster::Cluster;
use crate::request::{query_pairs, Incoming, Part};

/// Flink's default `rest.server.max-content-length` (100 MiB): a body past it (not a file upload,
/// which goes to disk) gets 413 and no body.
const MAX_BODY: usize = 104_857_600;

/// What every connection shares.
pub(crate) struct Shared {
    pub cluster: Mutex<Cluster>,
    /// Where uploaded files go (removed when the emulator stops).
    pub uploads: PathBuf,
    pub stop: watch::Sender<bool>,
    uploaded: AtomicU64,
}

impl Shared {
    pub fn new(cluster: Cluster, uploads: PathBuf) -> Shared {
        Shared {
            cluster: Mutex::new(cluster),
            uploads,
            stop: watch::channel(false).0,
            uploaded: AtomicU64::new(0),
        }
    }
}

/// `n` listeners on loopback, one port (`0`: any free one): the first binds it, the others share
/// it (`SO_REUSEPORT`: the kernel spreads connections over them).
pub fn listeners(port: u16, n: usize) -> std::io::Result<Vec<std::net::TcpListener>> {
    let mut listeners: Vec<std::net::TcpListener> = Vec::with_capacity(n);
    for _ in 0..n {
        let port = match listeners.first() {
            Some(first) => first.local_addr()?.port(),
            None => port,
        };
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        if n > 1 {
            socket.set_reuse_port(true)?;
        }
        socket.set_nonblocking(true)?;
        socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
        socket.listen(1024)?;
        listeners.push(socket.into());
    }
    Ok(listeners)
}

/// Serves on the caller's runtime.
pub fn spawn(listeners: Vec<std::net::TcpListener>, shared: &Arc<Shared>) -> std::io::Result<()> {
    for listener in listeners {
        tokio::spawn(serve(TcpListener::from_std(listener)?, shared.clone()));
    }
    Ok(())
}

/// Serves each listener on a thread of its own: one single-threaded event loop each.
pub fn spawn_threads(
    listeners: Vec<std::net::TcpListener>,
    shared: &Arc<Shared>,
) -> std::io::Result<()> {
    for (i, listener) in listeners.into_iter().enumerate() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = shared.clone();
        std::thread::Builder::new()
            .name(format!("flink-rest-emulator-{i}"))
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = TcpListener::from_std(listener) {
                        serve(listener, shared).await;
                    }
                })
            })?;
    }
    Ok(())
}

pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut stop = shared.stop.subscribe();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors, say: give the connections open a moment to close.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(respond(&shared, req).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

async fn respond(shared: &Arc<Shared>, req: Request<Body>) -> Response<Full<Bytes>> {
    let answer = match read(shared, req).await {
        Ok(incoming) => match shared.cluster.lock() {
            Ok(mut cluster) => cluster.respond(&incoming),
            Err(_) => Rendered::of(Answer::error(500, "Internal server error.")),
        },
        Err(answer) => Rendered::of(answer),
    };
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    if answer.shutdown {
        // Once this answer is on its way, as Flink's cluster shuts down after answering.
        let shared = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let _ = shared.stop.send(true);
        });
    }
    write(answer)
}

/// The path Flink's router routes: without the `/v1` of its versioned URLs.
fn unversioned(path: &str) -> &str {
    match path.strip_prefix("/v1") {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// The request as the cluster takes it, or the answer Flink gives one it cannot read.
async fn read(shared: &Shared, req: Request<Body>) -> Result<Incoming, Answer> {
    let (parts, body) = req.into_parts();
    let content_type = (parts.headers.get(hyper::header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut incoming = Incoming {
        method: parts.method.as_str().to_string(),
        path: unversioned(parts.uri.path()).to_string(),
        query: query_pairs(parts.uri.query().unwrap_or_default()),
        ..Incoming::default()
    };
    if content_type.starts_with("multipart/form-data") {
        incoming.parts = multipart(shared, &content_type, body).await?;
        let json_part = (incoming.parts.iter().find(|p| p.name == "request"))
            .or_else(|| incoming.parts.iter().find(|p| p.json.is_some()));
        incoming.json = json_part.and_then(|p| p.json.clone());
        return Ok(incoming);
    }
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(Answer::empty(413)),
    };
    if !bytes.is_empty() {
        incoming.json = Some(json(&bytes));
    }
    Ok(incoming)
}

fn json(bytes: &[u8]) -> Result<serde_json::Value, String> {
    std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(text).map_err(|e| e.to_string()))
}

/// A multipart body's parts: files streamed to the upload directory, other parts read as JSON.
async fn multipart(shared: &Shared, content_type: &str, body: Body) -> Result<Vec<Part>, Answer> {
    let bad = |e: multer::Error| Answer::error(400, format!("Bad multipart request: {e}"));
    let boundary = multer::parse_boundary(content_type).map_err(bad)?;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let mut form = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let mut part = Part {
            name,
            file_name: file_name.clone(),
            json: None,
            stored: None,
        };
        match file_name {
            Some(file_name) => {
                let n = shared.uploaded.fetch_add(1, Ordering::Relaxed);
                let path = shared.uploads.join(format!("{n}-{}", safe(&file_name)));
                let written = store(&path, &mut field).await;
                part.stored = Some((path, written.map_err(|e| bad_io(&e))?));
            }
            None => {
                let data = field.bytes().await.map_err(bad)?;
                part.json = Some(json(&data));
            }
        }
        parts.push(part);
    }
    Ok(parts)
}

/// Writes a part's bytes to `path` as they arrive; how many there were.
async fn store(path: &Path, field: &mut multer::Field<'_>) -> Result<u64, StoreError> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(StoreError::Io)?;
    let mut written = 0;
    while let Some(chunk) = field.chunk().await.map_err(StoreError::Multipart)? {
        file.write_all(&chunk).await.map_err(StoreError::Io)?;
        written += chunk.len() as u64;
    }
    file.flush().await.map_err(StoreError::Io)?;
    Ok(written)
}

enum StoreError {
    Io(std::io::Error),
    Multipart(multer::Error),
}

fn bad_io(e: &StoreError) -> Answer {
    match e {
        StoreError::Io(e) => Answer::error(500, format!("Could not store the uploaded file: {e}")),
        StoreError::Multipart(e) => Answer::error(400, format!("Bad multipart request: {e}")),
    }
}

/// A file name as one path segment on disk.
fn safe(name: &str) -> String {
    let name: String = (name.chars())
        .map(|c| match c.is_ascii_alphanumeric() || "._-".contains(c) {
            true => c,
            false => '_',
        })
        .take(100)
        .collect();
    name.trim_start_matches('.').to_string()
}

fn write(answer: Rendered) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(answer.bytes));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(answer.content_type),
    );
    headers.insert(
        hyper::header::ACCESS_CONTROL_ALLOW_ORIGIN,
        hyper::header::HeaderValue::from_static("*"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v1_prefix_is_taken_off_as_flinks_router_does() {
        assert_eq!(unversioned("/v1/jobs/overview"), "/jobs/overview");
        assert_eq!(unversioned("/v1"), "/");
        assert_eq!(unversioned("/v1x/jobs"), "/v1x/jobs");
        assert_eq!(unversioned("/jobs"), "/jobs");
    }

    #[test]
    fn uploaded_file_names_stay_one_segment() {
        assert_eq!(safe("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe("job.jar"), "job.jar");
        assert_eq!(safe("a b\r\n.jar"), "a_b__.jar");
    }
}
