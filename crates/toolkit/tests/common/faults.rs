//! A fault-injecting proxy on 127.0.0.1 in front of moto. Every request is forwarded as it is
//! unless a rule for its API call says otherwise; rules are chosen per operation (the
//! `X-Amz-Target` operation or the Query protocol's `Action=` field) and can delay a call,
//! answer it with an HTTP 5xx or a throttling error, accept it and never answer, forward it and
//! drop the reply (the request reached moto, the answer is lost), or send a signal to the CLI
//! when the call arrives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a rule does to a call.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Wait, then forward.
    Delay(Duration),
    /// Answer with this HTTP status (5xx) and an error body, without forwarding.
    Status(u16),
    /// Answer with a throttling error, without forwarding.
    Throttle,
    /// Read the request and never answer (the connection stays open).
    Hang,
    /// Forward the request, read moto's answer, and close the connection without it.
    DropReply,
    /// Send this signal (`INT`, `TERM`, `KILL`) to the target process, then forward.
    Signal(&'static str),
}

#[derive(Clone, Debug)]
struct Rule {
    operation: String,
    fault: Fault,
    /// Matching calls to let through first.
    skip: usize,
    /// How many matching calls to affect after those.
    times: usize,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    calls: Vec<String>,
    /// When each call in `calls` arrived.
    arrived: Vec<Instant>,
    target: Option<u32>,
}

/// The proxy; it stops accepting when the test process ends.
#[derive(Clone)]
pub struct Faults {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Faults {
    /// Starts a proxy to moto's port on 127.0.0.1.
    pub fn start(upstream_port: u16) -> Faults {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(client, upstream_port, &state);
                });
            }
        });
        Faults { port, state }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Applies `fault` to every call of `operation` from now on.
    pub fn always(&self, operation: &str, fault: Fault) {
        self.rule(operation, fault, 0, usize::MAX);
    }

    /// Applies `fault` to `times` calls of `operation` after letting `skip` through.
    pub fn rule(&self, operation: &str, fault: Fault, skip: usize, times: usize) {
        self.state.lock().unwrap().rules.push(Rule {
            operation: operation.to_owned(),
            fault,
            skip,
            times,
        });
    }

    /// Forwards every call again.
    pub fn clear(&self) {
        self.state.lock().unwrap().rules.clear();
    }

    /// The process [`Fault::Signal`] signals.
    pub fn target(&self, pid: u32) {
        self.state.lock().unwrap().target = Some(pid);
    }

    /// The operations called so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    /// When the first call of `operation` arrived, if one did.
    pub fn first(&self, operation: &str) -> Option<Instant> {
        let s = self.state.lock().unwrap();
        s.calls
            .iter()
            .zip(&s.arrived)
            .find(|(c, _)| *c == operation)
            .map(|(_, at)| *at)
    }
}

/// The operation a request calls.
fn operation_of(head: &str, body: &[u8]) -> String {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("x-amz-target")
                .then(|| v.trim().rsplit('.').next().unwrap_or_default().to_owned())
        })
        .or_else(|| {
            String::from_utf8_lossy(body)
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action=").map(str::to_owned))
        })
        .unwrap_or_else(|| head.lines().next().unwrap_or_default().to_owned())
}

/// The fault for this call, counting it against its rule.
fn fault_for(state: &Mutex<State>, operation: &str) -> Option<(Fault, Option<u32>)> {
    let mut s = state.lock().unwrap();
    s.calls.push(operation.to_owned());
    s.arrived.push(Instant::now());
    let target = s.target;
    for r in s.rules.iter_mut().filter(|r| r.operation == operation) {
        if r.skip > 0 {
            r.skip -= 1;
            continue;
        }
        if r.times > 0 {
            r.times -= 1;
            return Some((r.fault.clone(), target));
        }
    }
    None
}

fn serve(client: TcpStream, upstream_port: u16, state: &Mutex<State>) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
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
    let operation = operation_of(&head, &body);
    let json = head.to_ascii_lowercase().contains("x-amz-target");
    let mut drop_reply = false;
    match fault_for(state, &operation) {
        None => {}
        Some((Fault::Delay(d), _)) => std::thread::sleep(d),
        Some((Fault::Status(status), _)) => {
            let body = if json {
                r#"{"__type": "ServiceUnavailableException", "message": "injected server error"}"#
                    .to_owned()
            } else {
                "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>injected server error</Message></Error><RequestId>x</RequestId></ErrorResponse>".to_owned()
            };
            return answer(&mut client, status, json, &body);
        }
        Some((Fault::Throttle, _)) => {
            let body = if json {
                r#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#.to_owned()
            } else {
                "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>".to_owned()
            };
            return answer(&mut client, 400, json, &body);
        }
        Some((Fault::Hang, _)) => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        Some((Fault::DropReply, _)) => drop_reply = true,
        Some((Fault::Signal(signal), Some(pid))) => {
            let _ = std::process::Command::new("kill")
                .args([&format!("-{signal}"), &pid.to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(300));
        }
        Some((Fault::Signal(_), None)) => {}
    }
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
    if drop_reply {
        // the request reached moto; its answer is lost
        let _ = client.shutdown(std::net::Shutdown::Both);
        return Ok(());
    }
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
    client.flush()
}

fn answer(client: &mut TcpStream, status: u16, json: bool, body: &str) -> std::io::Result<()> {
    let content_type = if json {
        "application/x-amz-json-1.1"
    } else {
        "text/xml"
    };
    write!(
        client,
        "HTTP/1.1 {status} Injected\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    client.flush()
}
