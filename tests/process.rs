//! The server as a process, over real sockets: graceful shutdown on SIGTERM,
//! slow clients (slowloris) cut off, clients that hang up mid-response.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;

/// A heavy map: every layer, reprojected, 4000 × 4000 pixels.
const HEAVY: &str = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=bdortho,ocsol,erp,adresses&STYLES=&CRS=EPSG:3857&BBOX=428000,5401000,433000,5406000&WIDTH=4000&HEIGHT=4000&FORMAT=image/png";

fn metric(port: u16, name: &str) -> f64 {
    let (_, text) = curl(&format!("http://127.0.0.1:{port}/metrics"));
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
        .trim()
        .parse()
        .unwrap()
}

/// (status, body) of a GET through curl, the body kept as bytes.
fn curl_bytes(url: &str) -> (u16, Vec<u8>) {
    let out = std::process::Command::new("curl")
        .args(["-s", "-m", "60", "-w", "%{http_code}", url])
        .output()
        .unwrap();
    let (body, code) = out.stdout.split_at(out.stdout.len() - 3);
    (std::str::from_utf8(code).unwrap().parse().unwrap(), body.to_vec())
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

#[test]
fn sigterm_lets_requests_in_flight_finish_refuses_new_ones_and_exits() {
    let port = free_port();
    let mut server = start(
        &repo().join("tuile.toml"),
        port,
        &[("TUILE_SERVER__LIMITS__SHUTDOWN_TIMEOUT_S", "20")],
    );
    let url = format!("http://127.0.0.1:{port}{HEAVY}");
    let request = std::thread::spawn(move || curl_bytes(&url));
    let waited = Instant::now();
    while metric(port, "tuile_renders_in_flight") < 1.0 {
        assert!(waited.elapsed() < Duration::from_secs(10), "the render never started");
        std::thread::sleep(Duration::from_millis(2));
    }
    let pid = server.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let stopped = Instant::now();

    // No new connection is served.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        curl(&format!("http://127.0.0.1:{port}/health")).0,
        0,
        "a new request was served"
    );

    // The one in flight completes, whole.
    let (status, body) = request.join().unwrap();
    assert_eq!(status, 200);
    let image = image::load_from_memory(&body).expect("a whole PNG");
    assert_eq!((image.width(), image.height()), (4000, 4000));

    // And the process exits on its own, cleanly, well within the timeout.
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(25),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn slow_clients_are_cut_off_and_the_others_served() {
    let port = free_port();
    let _server = start(
        &repo().join("tuile.toml"),
        port,
        &[("TUILE_SERVER__LIMITS__CLIENT_TIMEOUT_S", "1")],
    );
    // 100 connections that send a request line and then trickle headers.
    let mut slow: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = connect(port);
            s.write_all(b"GET /health HTTP/1.1\r\nHost: tuile\r\n").unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    for _ in 0..5 {
        for s in &mut slow {
            let _ = s.write_all(b"X-Slow: 1\r\n");
        }
        assert_eq!(
            curl(&format!("http://127.0.0.1:{port}/health")).0,
            200,
            "others are served meanwhile"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Past the timeout, every slow connection has been answered 408 and closed.
    std::thread::sleep(Duration::from_millis(1500).saturating_sub(started.elapsed()));
    for s in &mut slow {
        let mut answer = Vec::new();
        s.read_to_end(&mut answer)
            .expect("closed by the server, not left hanging");
        let text = String::from_utf8_lossy(&answer);
        assert!(answer.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(curl(&format!("http://127.0.0.1:{port}/health")).0, 200);
}

#[test]
fn clients_that_hang_up_mid_response_cost_nothing_afterwards() {
    let port = free_port();
    let _server = start(&repo().join("tuile.toml"), port, &[]);
    // One leaves while its map is being drawn.
    let mut s = connect(port);
    write!(s, "GET {HEAVY} HTTP/1.1\r\nHost: tuile\r\n\r\n").unwrap();
    drop(s);
    // Others while their features are being streamed.
    let requests = [
        "/collections/adresses/items?limit=10000",
        "/collections/ocsol/items?limit=10000&crs=http://www.opengis.net/def/crs/EPSG/0/3857",
    ];
    for _ in 0..5 {
        for path in requests {
            let mut s = connect(port);
            write!(s, "GET {path} HTTP/1.1\r\nHost: tuile\r\n\r\n").unwrap();
            let mut first = [0u8; 4096];
            let n = s.read(&mut first).unwrap();
            assert!(n > 0 && first.starts_with(b"HTTP/1.1 200"));
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
    // The streams stopped, their places among the renders came back.
    let waited = Instant::now();
    while metric(port, "tuile_renders_in_flight") > 0.0 {
        assert!(
            waited.elapsed() < Duration::from_secs(20),
            "renders still held after the clients left"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, body) = curl(&format!(
        "http://127.0.0.1:{port}/collections/adresses/items?limit=10000"
    ));
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(page["numberReturned"].as_u64().unwrap() > 1000);
    assert_eq!(metric(port, "tuile_panics_total"), 0.0);
}
