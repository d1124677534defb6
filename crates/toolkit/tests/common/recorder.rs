//! A recording proxy on 127.0.0.1 in front of moto: every request is forwarded as it is and
//! its API call recorded as `service:Operation` (the SigV4 credential scope's service, and the
//! `X-Amz-Target` operation or the Query protocol's `Action`), so a test can assert which calls
//! a command made, and which it did not. A call can also be answered by the proxy itself
//! instead of moto ([`Recorder::answer`]), to inject a fault.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The proxy; it stops accepting when the test process ends.
pub struct Recorder {
    port: u16,
    calls: Arc<Mutex<Vec<String>>>,
    answers: Answers,
}

/// Canned responses by call (`ecs:RegisterTaskDefinition`): HTTP status and JSON body.
type Answers = Arc<Mutex<Vec<(String, u16, String)>>>;

impl Recorder {
    /// Starts a proxy to `upstream_port` on 127.0.0.1.
    pub fn start(upstream_port: u16) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let answers: Answers = Arc::new(Mutex::new(Vec::new()));
        let (shared, canned) = (calls.clone(), answers.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (calls, answers) = (shared.clone(), canned.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, upstream_port, &calls, &answers);
                });
            }
        });
        Recorder {
            port,
            calls,
            answers,
        }
    }

    /// Forwards every call again.
    pub fn forget_answers(&self) {
        self.answers.lock().unwrap().clear();
    }

    /// Answers every later `call` (`service:Operation`) with this status and JSON body
    /// instead of forwarding it.
    pub fn answer(&self, call: &str, status: u16, body: &str) {
        self.answers
            .lock()
            .unwrap()
            .push((call.to_owned(), status, body.to_owned()));
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The calls recorded since the last `take`, in order.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

/// The call a request makes: `service:Operation`.
fn call_of(head: &str, body: &[u8]) -> String {
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    // Credential=AKID/20260101/eu-west-1/ecs/aws4_request
    let service = header("authorization")
        .and_then(|a| {
            let scope = a.split("Credential=").nth(1)?.split(',').next()?.to_owned();
            scope.split('/').nth(3).map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into());
    let operation = header("x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .or_else(|| {
            String::from_utf8_lossy(body)
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action=").map(str::to_owned))
        })
        .unwrap_or_else(|| {
            let line = head.lines().next().unwrap_or_default();
            line.split(' ').take(2).collect::<Vec<_>>().join(" ")
        });
    format!("{service}:{operation}")
}

fn serve(
    client: TcpStream,
    upstream_port: u16,
    calls: &Mutex<Vec<String>>,
    answers: &Mutex<Vec<(String, u16, String)>>,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    // one request per connection: the response says the connection closes
    {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let end = line == "\r\n";
            head.push_str(&line);
            if end {
                break;
            }
        }
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let call = call_of(&head, &body);
        calls.lock().unwrap().push(call.clone());
        let canned = answers
            .lock()
            .unwrap()
            .iter()
            .find(|(c, _, _)| *c == call)
            .map(|(_, status, body)| (*status, body.clone()));
        if let Some((status, body)) = canned {
            write!(
                client,
                "HTTP/1.1 {status} Injected\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
            client.flush()?;
            return Ok(());
        }
        // one upstream connection per request, closed after the response
        let forwarded: String = head
            .lines()
            .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
        upstream.set_read_timeout(Some(Duration::from_secs(120)))?;
        upstream.write_all(forwarded.as_bytes())?;
        upstream.write_all(b"Connection: close\r\n\r\n")?;
        upstream.write_all(&body)?;
        let mut response = Vec::new();
        upstream.read_to_end(&mut response)?;
        // the client gets the response, told that this connection closes
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(response.len());
        let response_head = String::from_utf8_lossy(&response[..split]).into_owned();
        let mut out: String = response_head
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        out.push_str("Connection: close\r\n");
        client.write_all(out.as_bytes())?;
        client.write_all(response.get(split + 2..).unwrap_or_default())?;
        client.flush()?;
    }
    Ok(())
}
