//! HTTP/1.1 on loopback: reads a request (its body whole, multipart parts split), asks the world, writes
//! the answer as Flink would (JSON, `application/json; charset=UTF-8`).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::answer::Answer;
use crate::world::{Incoming, Part, World};

/// Flink's default `rest.server.max-content-length` (100 MiB): past it, 413 and no body.
const MAX_BODY: usize = 104_857_600;

pub async fn serve(
    listener: TcpListener,
    world: Arc<Mutex<World>>,
    stopper: Arc<watch::Sender<bool>>,
) {
    let mut stop = stopper.subscribe();
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
        let world = world.clone();
        let mut stop = stop.clone();
        let stopper = stopper.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let (world, stopper) = (world.clone(), stopper.clone());
                async move { Ok::<_, Infallible>(respond(&world, &stopper, req).await) }
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

async fn respond(
    world: &Mutex<World>,
    stopper: &Arc<watch::Sender<bool>>,
    req: Request<Body>,
) -> Response<Full<Bytes>> {
    let answer = match read(req).await {
        Ok(incoming) => match world.lock() {
            Ok(mut world) => world.handle(&incoming),
            Err(_) => Answer::error(500, "Internal server error."),
        },
        Err(answer) => answer,
    };
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    if answer.shutdown {
        // Once this answer is on its way, as Flink's cluster shuts down after answering.
        let stopper = stopper.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let _ = stopper.send(true);
        });
    }
    write(answer)
}

/// The request as the world takes it, or the answer Flink gives to one it cannot read.
async fn read(req: Request<Body>) -> Result<Incoming, Answer> {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = crate::world::query_pairs(parts.uri.query().unwrap_or_default());
    let content_type = (parts.headers.get(hyper::header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(Answer::empty(413)),
    };
    let mut incoming = Incoming {
        method,
        path,
        query,
        ..Incoming::default()
    };
    if content_type.starts_with("multipart/form-data") {
        incoming.parts = multipart(&content_type, bytes).await?;
        let request = incoming.parts.iter().find(|p| p.name == "request");
        incoming.json = request.and_then(|p| p.json.clone());
    } else if !bytes.is_empty() {
        incoming.json = Some(
            std::str::from_utf8(&bytes)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_str(text).map_err(|e| e.to_string())),
        );
    }
    Ok(incoming)
}

async fn multipart(content_type: &str, bytes: Bytes) -> Result<Vec<Part>, Answer> {
    let bad = |e: multer::Error| Answer::error(400, format!("Bad multipart request: {e}"));
    let boundary = multer::parse_boundary(content_type).map_err(bad)?;
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(bad)?;
        let json = (file_name.is_none()).then(|| {
            std::str::from_utf8(&data)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str(t).map_err(|e| e.to_string()))
        });
        parts.push(Part {
            name,
            file_name,
            json,
        });
    }
    Ok(parts)
}

fn write(answer: Answer) -> Response<Full<Bytes>> {
    let (content_type, bytes) = match (&answer.body, &answer.text) {
        (Some(body), _) => (
            "application/json; charset=UTF-8",
            serde_json::to_vec(body).unwrap_or_default(),
        ),
        (None, Some(text)) => ("text/plain; charset=UTF-8", text.clone().into_bytes()),
        (None, None) => ("application/json; charset=UTF-8", Vec::new()),
    };
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, v);
    }
    response
}
