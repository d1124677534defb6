//! A minimal Lambda function for `provided.al2023`: the runtime loop over `std::net`, answering
//! each event with `{"echo": <event>, "greeting": "hello from Rust"}`. No dependencies, so it
//! builds in seconds for any target.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

/// A response: status, headers (lowercase names), body.
type Response = (u16, Vec<(String, String)>, Vec<u8>);

/// One HTTP/1.1 exchange with the runtime API.
fn exchange(api: &str, method: &str, path: &str, body: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(api)?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {api}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    let mut length = None;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
            if k == "content-length" {
                length = v.parse::<usize>().ok();
            }
            headers.push((k, v));
        }
    }
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        }
        None => {
            reader.read_to_end(&mut body)?;
        }
    }
    Ok((status, headers, body))
}

/// The answer to one event.
fn handle(event: &[u8]) -> Vec<u8> {
    let event = String::from_utf8_lossy(event);
    let event = if event.trim().is_empty() {
        "null"
    } else {
        event.trim()
    };
    format!("{{\"echo\":{event},\"greeting\":\"hello from Rust\"}}").into_bytes()
}

fn main() -> ExitCode {
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        eprintln!("AWS_LAMBDA_RUNTIME_API is not set: this binary runs inside Lambda");
        return ExitCode::FAILURE;
    };
    loop {
        let (status, headers, event) =
            match exchange(&api, "GET", "/2018-06-01/runtime/invocation/next", b"") {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("runtime API unreachable: {e}");
                    return ExitCode::FAILURE;
                }
            };
        if status != 200 {
            eprintln!("next invocation: HTTP {status}");
            return ExitCode::FAILURE;
        }
        let Some(id) = headers
            .iter()
            .find(|(k, _)| k == "lambda-runtime-aws-request-id")
            .map(|(_, v)| v.clone())
        else {
            eprintln!("next invocation without a request id");
            return ExitCode::FAILURE;
        };
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        if let Err(e) = exchange(&api, "POST", &path, &handle(&event)) {
            eprintln!("posting the response: {e}");
            return ExitCode::FAILURE;
        }
    }
}
