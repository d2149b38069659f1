//! A tiny HTTP proxy for the retry check: one request per connection,
//! forwarded with reqwest; the first `POST /todo/tasks` is forwarded (so the
//! task is stored) but answered 503.

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// The proxy's address and the `Idempotency-Key` of each task POST it saw.
pub async fn start(upstream: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
    let addr = format!("http://{}", listener.local_addr().expect("proxy address"));
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&keys);
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        while let Ok((stream, _)) = listener.accept().await {
            let (http, upstream, seen) = (http.clone(), upstream.clone(), Arc::clone(&seen));
            tokio::spawn(async move {
                let _ = serve(stream, &http, &upstream, &seen).await;
            });
        }
    });
    (addr, keys)
}

async fn serve(
    mut stream: TcpStream,
    http: &reqwest::Client,
    upstream: &str,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, path) = (request_line.next().unwrap_or("GET").to_owned(), request_line.next().unwrap_or("/").to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while raw.len() < head_end + length {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body = raw[head_end..].to_vec();
    let mut forward = http.request(method.parse().unwrap_or(reqwest::Method::GET), format!("{upstream}{path}"));
    for (name, value) in &headers {
        if !["host", "connection", "content-length"].contains(&name.as_str()) {
            forward = forward.header(name, value);
        }
    }
    let answer = forward.body(body).send().await.map_err(std::io::Error::other)?;
    let task_post = method == "POST" && path == "/todo/tasks";
    let first = task_post && {
        let mut keys = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = headers.iter().find(|(k, _)| k == "idempotency-key").map(|(_, v)| v.clone());
        keys.push(key.unwrap_or_default());
        keys.len() == 1
    };
    let (status, content_type, extra, payload) = if first {
        let forced = br#"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"forced"}"#;
        (503, "application/problem+json".to_owned(), "retry-after: 0\r\n".to_owned(), forced.to_vec())
    } else {
        let status = answer.status().as_u16();
        let content_type = answer
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        let extra = answer
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok())
            .map_or(String::new(), |v| format!("idempotent-replayed: {v}\r\n"));
        (status, content_type, extra, answer.bytes().await.map_err(std::io::Error::other)?.to_vec())
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n",
        payload.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&payload).await?;
    stream.shutdown().await
}
