//! Base64 (RFC 4648): the LDIF reader decodes `attr:: value` lines with it, the redactor decodes
//! and re-encodes NTLM/Kerberos blobs and base64 LDIF values.

/// Standard base64 (RFC 4648) with padding.
pub(crate) fn encode(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 (RFC 4648), whitespace ignored. `None` on invalid input.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    }
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body_len = bytes.iter().rposition(|b| *b != b'=').map_or(0, |p| p + 1);
    let pad = bytes.len() - body_len;
    if pad > 2 || bytes[..body_len].contains(&b'=') || (pad > 0 && !bytes.len().is_multiple_of(4)) {
        return None;
    }
    let body = &bytes[..body_len];
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= val(*c)? << (18 - 6 * i as u32);
        }
        let n = chunk.len() - 1; // bytes in this chunk
        for i in 0..n {
            out.push((acc >> (16 - 8 * i as u32)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        assert_eq!(
            decode("dGVsOisxNDI1NTU1MDEyMw==").unwrap(),
            b"tel:+14255550123"
        );
        assert_eq!(decode("YWI=").unwrap(), b"ab");
        assert_eq!(decode("YWJj").unwrap(), b"abc");
        assert_eq!(decode("YQ").unwrap(), b"a");
        assert!(decode("Y").is_none());
        assert!(decode("Y===").is_none());
        assert!(decode("a$bc").is_none());
        assert_eq!(decode("").unwrap(), b"");
    }

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "tel:+14255550142;ext=142"] {
            let e = encode(s.as_bytes());
            assert_eq!(decode(&e).unwrap(), s.as_bytes());
        }
        assert_eq!(
            decode("dGVsOisxNDI1NTU1MDE0MjtleHQ9MTQy").unwrap(),
            b"tel:+14255550142;ext=142"
        );
    }
}
