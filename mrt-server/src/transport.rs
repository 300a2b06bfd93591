//! Reading LSP messages from standard input without dying on a bad one. `lsp-server`'s own stdio
//! transport ends its reader thread at the first message that is not valid JSON-RPC, which would
//! leave the editor without a server; here a malformed message is logged to standard error and
//! skipped, and only the end of the input (or an I/O error) ends the reader.

use std::io::{self, BufRead, Write as _};
use std::thread;

use lsp_server::{Connection, Message};

/// The connection and the threads that serve it; join them after the main loop returns.
#[derive(Debug)]
pub(crate) struct Threads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl Threads {
    /// Waits for the writer to flush what the main loop sent. The reader is not waited for: it
    /// may be blocked on standard input that the client keeps open after `exit`.
    pub(crate) fn join(self) {
        let _ = self.writer.join();
        drop(self.reader);
    }
}

/// A connection over standard input and output.
pub(crate) fn stdio() -> io::Result<(Connection, Threads)> {
    let (to_writer, writer_receiver) = crossbeam_channel::unbounded::<Message>();
    let (reader_sender, from_reader) = crossbeam_channel::unbounded::<Message>();
    let writer = thread::Builder::new()
        .name("mrt-server-writer".to_owned())
        .spawn(move || {
            let mut stdout = io::stdout().lock();
            for message in writer_receiver {
                if let Err(error) = message.write(&mut stdout).and_then(|()| stdout.flush()) {
                    log(&format!("cannot write to the client: {error}"));
                    return;
                }
            }
        })?;
    let reader = thread::Builder::new()
        .name("mrt-server-reader".to_owned())
        .spawn(move || {
            let mut stdin = io::stdin().lock();
            loop {
                match read_message(&mut stdin) {
                    Ok(Some(Ok(message))) => {
                        let exit =
                            matches!(&message, Message::Notification(n) if n.method == "exit");
                        if reader_sender.send(message).is_err() || exit {
                            return;
                        }
                    }
                    Ok(Some(Err(error))) => log(&format!("skipped a malformed message: {error}")),
                    Ok(None) => return,
                    Err(error) => {
                        log(&format!("cannot read from the client: {error}"));
                        return;
                    }
                }
            }
        })?;
    let connection = Connection {
        sender: to_writer,
        receiver: from_reader,
    };
    Ok((connection, Threads { reader, writer }))
}

/// One message: `Ok(None)` at the end of the input, `Ok(Some(Err(why)))` for a message that was
/// framed but is no JSON-RPC message (or a header line that makes no sense), to be skipped.
pub(crate) fn read_message(
    input: &mut impl BufRead,
) -> io::Result<Option<Result<Message, String>>> {
    let mut length: Option<usize> = None;
    let mut problem = None;
    let mut headers = 0;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if headers > 0 {
                break;
            }
            // Blank lines between messages carry nothing.
            continue;
        }
        headers += 1;
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse() {
                    Ok(value) => length = Some(value),
                    Err(_) => problem = Some(format!("bad Content-Length header {header:?}")),
                }
            }
            Some(_) => {}
            None => problem = Some(format!("malformed header line {header:?}")),
        }
    }
    let Some(length) = length else {
        return Ok(Some(Err(
            problem.unwrap_or_else(|| "no Content-Length header".to_owned())
        )));
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    if let Some(problem) = problem {
        return Ok(Some(Err(problem)));
    }
    let message = std::str::from_utf8(&body)
        .map_err(|error| format!("the body is not UTF-8: {error}"))
        .and_then(|text| serde_json::from_str::<Message>(text).map_err(|error| format!("{error}")));
    Ok(Some(message))
}

/// Standard error is the server's log (standard output is the protocol).
pub(crate) fn log(message: &str) {
    let _ = writeln!(io::stderr().lock(), "mrt server: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_malformed_message_is_skipped_and_the_next_one_read() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = framed("{not json") + &framed(r#"{"jsonrpc":"2.0"}"#) + &framed(good);
        let mut input = io::Cursor::new(input.into_bytes());
        assert!(matches!(read_message(&mut input), Ok(Some(Err(_)))));
        assert!(matches!(read_message(&mut input), Ok(Some(Err(_)))));
        let Ok(Some(Ok(Message::Notification(notification)))) = read_message(&mut input) else {
            panic!("the third message is read");
        };
        assert_eq!(notification.method, "initialized");
        assert!(matches!(read_message(&mut input), Ok(None)));
    }

    #[test]
    fn a_header_without_length_is_reported() {
        let mut input = io::Cursor::new(b"Content-Type: x\r\n\r\n".to_vec());
        assert!(matches!(read_message(&mut input), Ok(Some(Err(_)))));
    }
}
