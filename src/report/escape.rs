//! Submitted text made safe to show: for a terminal, control characters (C0, DEL, C1) and
//! bidirectional overrides are written as `\x1b`, `\u{202e}`; for Markdown, everything that
//! could make markup (`|`, newlines, `<`, `>`, `&`, `#`, backticks, `*`, `_`, `[`, `]`, `\`)
//! is escaped as well.

/// Whether a character may change how a terminal or an editor shows the text around it.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn push_escaped(out: &mut String, c: char) {
    if (c as u32) < 0x100 {
        out.push_str(&format!("\\x{:02x}", c as u32));
    } else {
        out.push_str(&format!("\\u{{{:04x}}}", c as u32));
    }
}

/// For a terminal, one value: every control character escaped, newlines too.
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// For a terminal, a whole report: every control character escaped but the line breaks.
pub fn terminal_lines(s: &str) -> String {
    s.split('\n').map(terminal).collect::<Vec<_>>().join("\n")
}

/// For Markdown: text that stays text in a table cell, a heading or a list item.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '#' | '`' | '*' | '_' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if unsafe_char(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// For a spreadsheet cell (CSV, XLSX): a value that a spreadsheet would read as a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets a leading `'`, so opening the
/// file never runs it.
pub fn spreadsheet(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_control_and_bidi() {
        assert_eq!(
            terminal("a\u{1b}[2Jb\u{7f}\u{9b}\u{202e}\n"),
            "a\\x1b[2Jb\\x7f\\x9b\\u{202e}\\x0a"
        );
        assert_eq!(terminal_lines("a\u{7}\nb"), "a\\x07\nb");
        assert_eq!(terminal("学校“五落实”≥80%"), "学校“五落实”≥80%");
    }

    #[test]
    fn markdown_escapes_markup() {
        assert_eq!(
            markdown("a|b\n# c <s>&`*_[x]\u{1b}"),
            "a\\|b \\# c &lt;s&gt;&amp;\\`\\*\\_\\[x\\]\\x1b"
        );
    }

    #[test]
    fn spreadsheet_neutralises_formulas() {
        for f in ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet(f), format!("'{f}"));
        }
        assert_eq!(spreadsheet("城关一小"), "城关一小");
    }
}
