//! Item 6: slow clients are cut off after the header timeout, and past the
//! connection cap new connections are closed at once, while others are served.

use api_tests::TestApp;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Hang guard only: the behaviour asserted never depends on it.
const GUARD: std::time::Duration = std::time::Duration::from_secs(30);

fn addr(app: &TestApp) -> String {
    app.base_url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; what it sent.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(GUARD, stream.read(&mut buf)).await.expect("the server closes it") {
            Ok(0) | Err(_) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn partial_request_heads_are_closed_after_the_header_timeout_and_health_keeps_answering() {
    let app = TestApp::spawn_with(&[("HTTP_HEADER_TIMEOUT_MS", "500")]).await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: slow\r\nX-Slow: ").await.unwrap();
        slow.push(stream);
    }
    let health = app.http.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200, "answered while 50 partial heads are open");
    for mut stream in slow {
        let answer = until_closed(&mut stream).await;
        assert!(!answer.starts_with(b"HTTP/1.1 200"), "a partial head is never answered as a request");
    }
    // An idle kept-alive connection is closed the same way.
    let mut idle = TcpStream::connect(addr(&app)).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: idle\r\n\r\n").await.unwrap();
    let answer = until_closed(&mut idle).await;
    assert!(answer.starts_with(b"HTTP/1.1 200"), "answered, then closed when idle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn past_the_connection_cap_new_connections_are_closed_at_once() {
    let app = TestApp::spawn_with(&[("HTTP_MAX_CONNECTIONS", "20")]).await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(addr(&app)).await.unwrap());
    }
    let mut extra = TcpStream::connect(addr(&app)).await.unwrap();
    let _ = extra.write_all(b"GET /health HTTP/1.1\r\nHost: extra\r\n\r\n").await;
    assert!(until_closed(&mut extra).await.is_empty(), "closed without an answer");
    drop(held);
    let served = async {
        loop {
            if let Ok(response) = app.http.get(app.url("/health")).send().await {
                return response.status();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    assert_eq!(tokio::time::timeout(GUARD, served).await.unwrap(), 200, "served again once they left");
}
