//! `WWW-Authenticate` parsing (RFC 7235 §4.1, RFC 9110 §11.6.1): one or more challenges, each a
//! case-insensitive scheme followed by `name=value` parameters, values being tokens or quoted
//! strings that may hold commas, `=` and backslash escapes. A challenge the registry got wrong is an
//! error naming the problem, not a silent anonymous request.

/// One challenge: scheme lower-cased, parameter names lower-cased, values as sent (unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse one header value into its challenges.
pub fn parse(header: &str) -> Result<Vec<Challenge>, String> {
    let mut p = Cursor {
        s: header.as_bytes(),
        i: 0,
    };
    let mut out: Vec<Challenge> = Vec::new();
    loop {
        p.skip_list_separators();
        if p.done() {
            break;
        }
        let scheme = p.token();
        if scheme.is_empty() {
            return Err(format!(
                "expected an authentication scheme at byte {} of the WWW-Authenticate header",
                p.i
            ));
        }
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        p.skip_ws();
        // Parameters until the end or until what follows a comma is the next challenge's scheme.
        loop {
            let save = p.i;
            p.skip_list_separators();
            if p.done() {
                break;
            }
            let name = p.token();
            p.skip_ws();
            if name.is_empty() || p.peek() != Some(b'=') {
                if name.is_empty() {
                    return Err(format!(
                        "unexpected {:?} at byte {} of the WWW-Authenticate header",
                        p.peek().map(char::from).unwrap_or(' '),
                        p.i
                    ));
                }
                // A token not followed by '=': a new challenge starts here (or a token68, which
                // no registry scheme uses; it is read as the next scheme and ignored).
                p.i = save;
                break;
            }
            p.i += 1;
            p.skip_ws();
            let value = if p.peek() == Some(b'"') {
                p.quoted()?
            } else {
                let v = p.token();
                if v.is_empty() {
                    return Err(format!(
                        "parameter {name:?} of the {scheme} challenge has no value"
                    ));
                }
                v
            };
            let name = name.to_ascii_lowercase();
            if challenge.params.iter().any(|(n, _)| *n == name) {
                return Err(format!(
                    "parameter {name:?} appears twice in the {scheme} challenge"
                ));
            }
            challenge.params.push((name, value));
            p.skip_ws();
            match p.peek() {
                None | Some(b',') => {}
                Some(c) => {
                    return Err(format!(
                        "unexpected {:?} after parameter {:?} at byte {} of the WWW-Authenticate header",
                        char::from(c),
                        challenge
                            .params
                            .last()
                            .map(|(n, _)| n.as_str())
                            .unwrap_or(""),
                        p.i
                    ));
                }
            }
        }
        out.push(challenge);
    }
    if out.is_empty() {
        return Err("the WWW-Authenticate header is empty".into());
    }
    Ok(out)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    /// RFC 9110 tchar+ (token68's '/' and '=' are not needed for registry schemes).
    fn token(&mut self) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            let tchar = c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/:".contains(&c);
            if !tchar {
                break;
            }
            self.i += 1;
        }
        // Only ASCII bytes were taken, so this is a char boundary.
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn quoted(&mut self) -> Result<String, String> {
        let start = self.i;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    return Err(format!(
                        "unterminated quoted string starting at byte {start} of the WWW-Authenticate header"
                    ));
                }
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c) => out.push(c),
                        None => {
                            return Err(format!(
                                "unterminated quoted string starting at byte {start} of the WWW-Authenticate header"
                            ));
                        }
                    }
                    self.i += 1;
                }
                Some(c) if (c < 0x20 && c != b'\t') || c == 0x7f => {
                    return Err(format!(
                        "control character in a quoted string at byte {} of the WWW-Authenticate header",
                        self.i
                    ));
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        String::from_utf8(out).map_err(|_| {
            format!("quoted string at byte {start} of the WWW-Authenticate header is not UTF-8")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_public_challenge() {
        let c = parse(
            r#"Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",scope="aws""#,
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("realm"), Some("https://public.ecr.aws/token/"));
        assert_eq!(c[0].param("service"), Some("public.ecr.aws"));
        assert_eq!(c[0].param("scope"), Some("aws"));
    }

    #[test]
    fn quoted_commas_escapes_case_and_spacing() {
        let c = parse(
            r#"BEARER  Realm = "https://a/t?x=1,2" , scope="repository:a/b:pull,push", error=invalid_token, q="a\"b\\c""#,
        )
        .unwrap();
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("realm"), Some("https://a/t?x=1,2"));
        assert_eq!(c[0].param("scope"), Some("repository:a/b:pull,push"));
        assert_eq!(c[0].param("error"), Some("invalid_token"));
        assert_eq!(c[0].param("q"), Some(r#"a"b\c"#));
    }

    #[test]
    fn several_challenges_in_one_header() {
        let c =
            parse(r#"Basic realm="Registry", Bearer realm="https://x/token",service=x"#).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].scheme, "basic");
        assert_eq!(c[0].param("realm"), Some("Registry"));
        assert_eq!(c[1].scheme, "bearer");
        assert_eq!(c[1].param("service"), Some("x"));
        let c = parse("Negotiate, Basic realm=x").unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].params.is_empty());
    }

    #[test]
    fn malformed_headers_are_errors() {
        for (h, want) in [
            ("", "empty"),
            (r#"Bearer realm="https://x"#, "unterminated"),
            (r#"Bearer realm="x\"#, "unterminated"),
            ("Bearer realm=", "no value"),
            (r#"Bearer realm="a" "b""#, "unexpected"),
            ("=x", "expected an authentication scheme"),
            (r#"Bearer realm="a",realm="b""#, "twice"),
            ("Bearer realm=\"a\u{1}\"", "control character"),
        ] {
            let e = parse(h).unwrap_err();
            assert!(e.contains(want), "{h:?}: {e}");
        }
    }
}
