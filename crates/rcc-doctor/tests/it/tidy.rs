//! Tidiness the compiler does not check: no function of the core outside its tests is longer
//! than [`MAX_LINES`] lines (signature to closing brace), so that each reads as one step with
//! named parts. Cut a long one along its own phases rather than raising the limit.
//!
//! The scanner is deliberately small: it blanks out comments, strings and character literals,
//! then matches braces. It skips any item marked `#[cfg(test)]` (the `tests` modules), and it
//! is tested on synthetic sources below, so a broken scanner fails instead of passing quietly.

use crate::support::ROOT;
use std::path::{Path, PathBuf};

/// The longest a core function may be, in lines.
const MAX_LINES: usize = 200;

/// A function longer than allowed.
#[derive(Debug, PartialEq, Eq)]
struct LongFn {
    /// The line of its `fn` keyword (from 1).
    line: usize,
    name: String,
    lines: usize,
}

/// The source with comments, string literals and character literals replaced by spaces (line
/// breaks kept), so that only code braces remain. Lifetimes (`'a`) are left alone.
fn code_only(src: &str) -> Vec<u8> {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        let prev_ident = i > 0 && ident(b[i - 1]);
        if b[i..].starts_with(b"//") {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |e| i + e);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (0usize, i);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if !prev_ident
            && [&b"r#"[..], b"r\"", b"br#", b"br\""]
                .iter()
                .any(|p| b[i..].starts_with(p))
        {
            // Raw strings: r"…", r#"…"#, br"…".
            let start = if b[i] == b'b' { i + 2 } else { i + 1 };
            let hashes = b[start..].iter().take_while(|&&c| c == b'#').count();
            if b.get(start + hashes) != Some(&b'"') {
                i += 1; // `r#ident`, not a string
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = start + hashes + 1;
            let end = b[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |e| body + e + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A character literal ('x', '\n', '\u{7d}', '}'), else a lifetime or a label.
            let rest = &src[i + 1..];
            let len = if rest.starts_with('\\') {
                rest.find('\'').map(|e| e + 2)
            } else {
                rest.chars()
                    .next()
                    .filter(|c| rest[c.len_utf8()..].starts_with('\''))
                    .map(|c| c.len_utf8() + 2)
            };
            match len {
                Some(len) => {
                    blank(&mut out, i, i + len);
                    i += len;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The index just past the brace that closes the one at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &c) in code.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Where an item's body starts: the first `{` outside parentheses and brackets, or `None`
/// when a `;` ends the item first (a declaration without a body).
fn body_start(code: &[u8], from: usize) -> Option<usize> {
    let mut nesting = 0i32;
    for (k, &c) in code.iter().enumerate().skip(from) {
        match c {
            b'(' | b'[' => nesting += 1,
            b')' | b']' => nesting -= 1,
            b'{' if nesting == 0 => return Some(k),
            b';' if nesting == 0 => return None,
            _ => {}
        }
    }
    None
}

/// Every function of `src` outside `#[cfg(test)]` items: its line, name and length in lines.
fn functions(src: &str) -> Vec<LongFn> {
    let code = code_only(src);
    let line_at = |at: usize| 1 + code[..at].iter().filter(|&&c| c == b'\n').count();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut found = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if code[i..].starts_with(b"#[cfg(test)]") {
            // Skip the item it marks (a tests module, a test-only helper).
            i += b"#[cfg(test)]".len();
            if let Some(open) = body_start(&code, i) {
                i = matching_brace(&code, open);
            }
            continue;
        }
        let at_word = i == 0 || !ident(code[i - 1]);
        if at_word && code[i..].starts_with(b"fn") && code.get(i + 2).is_some_and(|c| *c == b' ') {
            let name_at = i + 2 + code[i + 2..].iter().take_while(|c| **c == b' ').count();
            let name: String = code[name_at..]
                .iter()
                .take_while(|&&c| ident(c))
                .map(|&c| c as char)
                .collect();
            if !name.is_empty() {
                if let Some(open) = body_start(&code, name_at) {
                    let close = matching_brace(&code, open);
                    let (first, last) = (line_at(i), line_at(close - 1));
                    found.push(LongFn {
                        line: first,
                        name,
                        lines: last - first + 1,
                    });
                }
            }
            // Go on inside the body: a nested function is checked on its own too.
            i = name_at;
            continue;
        }
        i += 1;
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_function_of_the_core_or_the_ui_is_longer_than_the_limit() {
    let mut long = Vec::new();
    for (krate, min_files, min_fns) in [
        ("crates/rcc-read/src", 10, 200),
        ("crates/rcc-core/src", 20, 300),
        ("crates/rcc-web/src", 20, 150),
    ] {
        let mut files = Vec::new();
        rust_files(&Path::new(ROOT).join(krate), &mut files);
        let mut scanned = 0;
        for file in &files {
            let src = std::fs::read_to_string(file).unwrap();
            let fns = functions(&src);
            scanned += fns.len();
            for f in fns.into_iter().filter(|f| f.lines > MAX_LINES) {
                let rel = file
                    .strip_prefix(ROOT)
                    .unwrap_or(file)
                    .display()
                    .to_string();
                long.push(format!(
                    "{}:{}: fn {} is {} lines",
                    rel.trim_start_matches('/'),
                    f.line,
                    f.name,
                    f.lines
                ));
            }
        }
        // A scanner that finds nothing would pass anything.
        assert!(
            files.len() > min_files,
            "only {} files in {krate}",
            files.len()
        );
        assert!(scanned > min_fns, "only {scanned} functions in {krate}");
    }
    assert!(
        long.is_empty(),
        "functions longer than {MAX_LINES} lines (cut them along their phases):\n{}",
        long.join("\n")
    );
}

/// A function of `lines` lines (signature and closing brace included) whose body holds
/// braces in every disguise the scanner must see through.
fn synthetic(name: &str, lines: usize) -> String {
    let mut s = format!("pub(crate) fn {name}(a: [u8; 2]) -> usize {{\n");
    let tricky = [
        "    let s = \"}}\"; // }",
        "    let c = '}'; /* } /* nested } */ */",
        "    let r = r#\"}\"#;",
        "    let e = '\\'';",
        "    let l: &'static str = \"{\";",
    ];
    for k in 0..lines - 2 {
        s.push_str(tricky[k % tricky.len()]);
        s.push('\n');
    }
    s.push_str("}\n");
    s
}

#[test]
fn the_scanner_flags_a_function_one_line_over() {
    let src = format!(
        "//! doc {{\nuse x;\n\n{}\n{}",
        synthetic("long_one", MAX_LINES + 1),
        synthetic("just_fits", MAX_LINES)
    );
    let fns = functions(&src);
    let long: Vec<&LongFn> = fns.iter().filter(|f| f.lines > MAX_LINES).collect();
    assert_eq!(
        long,
        vec![&LongFn {
            line: 4,
            name: "long_one".into(),
            lines: MAX_LINES + 1,
        }]
    );
    let fits = fns.iter().find(|f| f.name == "just_fits").expect("found");
    assert_eq!(fits.lines, MAX_LINES);
}

#[test]
fn the_scanner_skips_test_items_and_bodiless_declarations() {
    let src = format!(
        "trait T {{\n    fn declared(&self);\n}}\n#[cfg(test)]\nmod tests {{\n{}}}\n#[cfg(test)]\n{}fn after() {{}}\n",
        synthetic("in_tests", MAX_LINES + 5),
        synthetic("helper", MAX_LINES + 5)
    );
    let names: Vec<String> = functions(&src).into_iter().map(|f| f.name).collect();
    assert_eq!(names, vec!["after".to_string()]);
}

/// Each top-level module of `src` (a file or a folder) and the top-level modules its code names
/// through `crate::` paths (`use crate::a::b;`, `crate::a::f()`, `use crate::{a, b::c};`),
/// outside comments, strings and the `#[cfg(test)]` part at a file's end.
fn module_edges(src: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut edges = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        if top == "lib" || top == "main" || top == "bin" {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        let text = String::from_utf8_lossy(&code).into_owned();
        let text = &text[..text.find("#[cfg(test)]").unwrap_or(text.len())];
        let b = text.as_bytes();
        let mut at = 0;
        while let Some(i) = text[at..].find("crate::") {
            let start = at + i + "crate::".len();
            at = start;
            if at > "crate::".len() && ident(b[start - "crate::".len() - 1]) {
                continue; // `rcc_crate::`, not `crate::`
            }
            let names: Vec<&str> = if b.get(start) == Some(&b'{') {
                let end = start + text[start..].find('}').unwrap_or(0);
                text[start + 1..end].split(',').collect()
            } else {
                vec![&text[start..]]
            };
            for n in names {
                let n = n.trim_start();
                let len = n.bytes().take_while(|&c| ident(c)).count();
                let to = &n[..len];
                if !to.is_empty() && to != top && to != "self" {
                    edges.push((top.clone(), to.to_string()));
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    edges
}

/// A cycle among the modules, as `a -> b -> a`, if there is one.
fn a_cycle(edges: &[(String, String)]) -> Option<String> {
    fn visit<'a>(
        m: &'a str,
        edges: &'a [(String, String)],
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<String> {
        if let Some(k) = path.iter().position(|&p| p == m) {
            let mut cycle = path[k..].to_vec();
            cycle.push(m);
            return Some(cycle.join(" -> "));
        }
        if done.contains(&m) {
            return None;
        }
        path.push(m);
        for (_, to) in edges.iter().filter(|(from, _)| from == m) {
            if let Some(c) = visit(to, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.push(m);
        None
    }
    let mut done = Vec::new();
    edges
        .iter()
        .find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}

/// No import cycles between the modules of the core or of the UI: each layer reads the ones
/// below it, so a module can be understood (and moved) without the ones above.
#[test]
fn no_module_imports_form_a_cycle() {
    for (krate, min_imports) in [
        ("crates/rcc-read/src", 5),
        ("crates/rcc-core/src", 20),
        ("crates/rcc-web/src", 20),
    ] {
        let edges = module_edges(&Path::new(ROOT).join(krate));
        assert!(
            edges.len() > min_imports,
            "{krate}: only {} imports found",
            edges.len()
        );
        if let Some(cycle) = a_cycle(&edges) {
            panic!("{krate}: modules import each other in a cycle: {cycle}");
        }
    }
}

#[test]
fn the_cycle_finder_finds_one() {
    let e = |a: &str, b: &str| (a.to_string(), b.to_string());
    let edges = vec![e("a", "b"), e("b", "c"), e("c", "a"), e("c", "d")];
    assert_eq!(a_cycle(&edges).as_deref(), Some("a -> b -> c -> a"));
    assert_eq!(a_cycle(&[e("a", "b"), e("b", "c")]), None);
}
