//! Doc comments from Discovery descriptions (Markdown written for the web), made safe for
//! rustdoc and clippy: no doc-tests, no intra-doc links, no HTML tags, no bare URLs, no lazy
//! list continuations.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "…"]` attributes for `text`, one per line; nothing for blank text.
pub fn doc_attrs(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    for line in escape(text) {
        let line = if line.is_empty() {
            line
        } else {
            format!(" {line}")
        };
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// The lines of a doc comment for `text`.
pub fn escape(text: &str) -> Vec<String> {
    let clean = without_controls(&text.replace("\r\n", "\n"), true);
    let mut lines: Vec<String> = Vec::new();
    let mut paragraph: Vec<String> = Vec::new();
    // The opening fence (its backticks or tildes) while inside a code block.
    let mut fence: Option<String> = None;
    for raw in clean.lines() {
        let trimmed = raw.trim();
        if let Some(open) = &fence {
            if is_closing_fence(trimmed, open) {
                lines.push(open.clone());
                fence = None;
            } else {
                lines.push(raw.trim_end().to_owned());
            }
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            flush(&mut paragraph, &mut lines);
            // Always `text`: a description must never become a compiled doc-test.
            lines.push(format!("{marker}text"));
            fence = Some(marker);
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut paragraph, &mut lines);
            if lines.last().is_some_and(|last| !last.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        // A line that starts a block begins a new logical line; any other line continues the
        // one before (what Markdown does lazily, and clippy::doc_lazy_continuation dislikes).
        if starts_block(trimmed) || paragraph.is_empty() {
            paragraph.push(trimmed.to_owned());
        } else if let Some(last) = paragraph.last_mut() {
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    flush(&mut paragraph, &mut lines);
    if let Some(open) = fence {
        lines.push(open);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// `text` (a name or id from the document) as an inline code span on one line, whatever it
/// holds: line breaks and other controls become spaces, bidirectional controls go, and the
/// fence is one backtick longer than the longest run inside (with a space of padding when the
/// text starts or ends with a backtick), so the span can neither end early, nor run into the
/// next line, nor let a `[link]` through.
pub fn code_span(text: &str) -> String {
    let text = plain_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` as Markdown that stays on one line: [`escape`]'s lines joined with spaces.
pub fn one_line(text: &str) -> String {
    escape(text).join(" ")
}

/// `text` for a plain `//` comment line: controls (CR and LF among them) become spaces and
/// bidirectional controls go, so the text cannot end the comment's line.
pub fn plain_line(text: &str) -> String {
    without_controls(text, false)
}

/// `text` with bidirectional controls removed and other controls made spaces, line feeds
/// included unless `keep_lines`.
fn without_controls(text: &str, keep_lines: bool) -> String {
    text.chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| {
            if c.is_control() && !(keep_lines && c == '\n') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Bidirectional-text controls: rustc denies them in comments (they can make code read
/// differently from how it compiles).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn flush(paragraph: &mut Vec<String>, lines: &mut Vec<String>) {
    lines.extend(paragraph.drain(..).map(|line| inline(&line)));
}

/// ```` ``` ```` or `~~~` (three or more) at the start of a line.
fn fence_marker(line: &str) -> Option<String> {
    let first = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = line.chars().take_while(|c| *c == first).count();
    (length >= 3).then(|| first.to_string().repeat(length))
}

fn is_closing_fence(line: &str, open: &str) -> bool {
    fence_marker(line).is_some_and(|marker| {
        marker.starts_with(&open[..1])
            && marker.len() >= open.len()
            && line[marker.len()..].trim().is_empty()
    })
}

/// List items, headings, tables and quotes start a Markdown block.
fn starts_block(line: &str) -> bool {
    if line.starts_with(['#', '|', '>'])
        || line.starts_with("- ")
        || line.starts_with("* ")
        || line.starts_with("+ ")
    {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// Escapes one logical line outside code blocks; inline code spans are kept as they are.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        match c {
            '`' => {
                let ticks = rest.chars().take_while(|c| *c == '`').count();
                // A code span runs to the next run of exactly as many backticks.
                let close = find_run(&rest[ticks..], ticks).map(|at| ticks + at + ticks);
                let end = close.unwrap_or(ticks);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            '[' => {
                if let Some((text, url, length)) = markdown_link(rest) {
                    out.push('[');
                    out.push_str(&inline(text));
                    out.push_str("](");
                    out.push_str(url);
                    out.push(')');
                    rest = &rest[length..];
                    continue;
                }
                out.push_str("\\[");
            }
            ']' => out.push_str("\\]"),
            '\\' => out.push_str("\\\\"),
            '<' => {
                if let Some(length) = autolink(rest) {
                    out.push_str(&rest[..length]);
                    rest = &rest[length..];
                    continue;
                }
                out.push_str("&lt;");
            }
            'h' if rest.starts_with("http://") || rest.starts_with("https://") => {
                let length = url_length(rest);
                out.push('<');
                out.push_str(&rest[..length]);
                out.push('>');
                rest = &rest[length..];
                continue;
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Where a run of exactly `ticks` backticks starts in `text`.
fn find_run(text: &str, ticks: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            let run = bytes[at..].iter().take_while(|b| **b == b'`').count();
            if run == ticks {
                return Some(at);
            }
            at += run;
        } else {
            at += 1;
        }
    }
    None
}

/// `[text](https://…)` at the start of `text`: (text, url, length).
fn markdown_link(text: &str) -> Option<(&str, &str, usize)> {
    let close = text.find(']')?;
    let label = &text[1..close];
    if label.contains(['[', '`']) || label.is_empty() {
        return None;
    }
    let after = text[close + 1..].strip_prefix('(')?;
    if !(after.starts_with("http://") || after.starts_with("https://")) {
        return None;
    }
    let end = after.find(')')?;
    let url = &after[..end];
    if url.contains(|c: char| c.is_whitespace() || "<>\"`".contains(c)) {
        return None;
    }
    Some((label, url, close + 2 + end + 1))
}

/// `<https://…>` at the start of `text`: its length.
fn autolink(text: &str) -> Option<usize> {
    let inner = &text[1..];
    if !(inner.starts_with("http://") || inner.starts_with("https://")) {
        return None;
    }
    let end = inner.find(|c: char| c == '>' || c == '<' || c.is_whitespace())?;
    (inner.as_bytes()[end] == b'>').then_some(end + 2)
}

/// The length of the URL at the start of `text`, trailing punctuation left out.
fn url_length(text: &str) -> usize {
    let end = text
        .find(|c: char| c.is_whitespace() || "<>\"'`[]{}|\\^".contains(c))
        .unwrap_or(text.len());
    let mut url = &text[..end];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
        // A `)` closes the URL unless the URL opened one.
        let trimmed = if trimmed.ends_with(')')
            && trimmed.matches('(').count() < trimmed.matches(')').count()
        {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            break;
        }
        url = trimmed;
    }
    url.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        escape(text).join("\n")
    }

    #[test]
    fn brackets_and_html_are_escaped() {
        assert_eq!(
            one("Use [Foo] or <b>bold</b>."),
            "Use \\[Foo\\] or &lt;b>bold&lt;/b>."
        );
        assert_eq!(one("A path\\to [x]"), "A path\\\\to \\[x\\]");
        assert_eq!(one("Footnote[^1]"), "Footnote\\[^1\\]");
    }

    #[test]
    fn inline_code_is_kept() {
        assert_eq!(one("Set `a[0] = <b>` now"), "Set `a[0] = <b>` now");
        assert_eq!(one("``a ` b`` and `c`"), "``a ` b`` and `c`");
        assert_eq!(
            one("an unmatched ` tick [x]"),
            "an unmatched ` tick \\[x\\]"
        );
    }

    #[test]
    fn bare_urls_are_wrapped() {
        assert_eq!(
            one("See https://cloud.google.com/x."),
            "See <https://cloud.google.com/x>."
        );
        assert_eq!(
            one("(see http://a.example/b_(c))"),
            "(see <http://a.example/b_(c)>)"
        );
        assert_eq!(
            one("Already <https://a.example/>"),
            "Already <https://a.example/>"
        );
        assert_eq!(
            one("In code `https://a.example/`"),
            "In code `https://a.example/`"
        );
    }

    #[test]
    fn http_links_are_kept_and_other_links_escaped() {
        assert_eq!(
            one("[docs](https://a.example/d) here"),
            "[docs](https://a.example/d) here"
        );
        assert_eq!(one("[docs](/storage/docs)"), "\\[docs\\](/storage/docs)");
        assert_eq!(
            one("[a <b>](https://x.example/)"),
            "[a &lt;b>](https://x.example/)"
        );
    }

    #[test]
    fn code_blocks_never_become_doc_tests() {
        assert_eq!(
            one("Example:\n```\nfn main() {}\n```"),
            "Example:\n```text\nfn main() {}\n```"
        );
        assert_eq!(
            one("```rust\nlet x = [1];\n```"),
            "```text\nlet x = [1];\n```"
        );
        assert_eq!(
            one("~~~~json\n{\"a\": \"~~~\"}\n~~~~"),
            "~~~~text\n{\"a\": \"~~~\"}\n~~~~"
        );
        // Unclosed fences are closed.
        assert_eq!(one("```\ncode"), "```text\ncode\n```");
        // Indented blocks lose their indentation, so they are no code blocks either.
        assert_eq!(one("Text\n\n    fn main() {}"), "Text\n\nfn main() {}");
    }

    #[test]
    fn lazy_continuations_are_joined() {
        assert_eq!(
            one("Values:\n- a\n  continued\n- b\n\nEnd."),
            "Values:\n- a continued\n- b\n\nEnd."
        );
        assert_eq!(one("1. one\ntwo\n2) three"), "1. one two\n2) three");
        assert_eq!(one("> quote\nlazy"), "> quote lazy");
    }

    #[test]
    fn hostile_text_stays_in_the_comment() {
        assert_eq!(one("ends */ and /* starts"), "ends */ and /* starts");
        assert_eq!(
            one("#[derive(Debug)] struct X;"),
            "#\\[derive(Debug)\\] struct X;"
        );
        assert_eq!(one("a\rb\u{0}c\td"), "a b c d");
        assert_eq!(one("  \n\n  "), "");
        assert!(escape("").is_empty());
        let attrs = doc_attrs("!not inner\n\n/not a comment").to_string();
        assert!(attrs.contains("\" !not inner\""), "{attrs}");
        assert!(attrs.contains("\" /not a comment\""), "{attrs}");
    }
}
