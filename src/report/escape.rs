//! Submitted text made safe to show: for a terminal, control characters (C0, DEL, C1) and
//! bidirectional overrides are written as `\x1b`, `\u{202e}`; for Markdown, everything that
//! could make markup (`|`, newlines, `<`, `>`, `&`, `#`, backticks, `*`, `_`, `[`, `]`, `\`,
//! `~`, and a list marker, number or space that begins the text) is escaped as well; for a
//! spreadsheet, a cell that would run as a formula is made text.

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

/// For Markdown: text that stays text in a table cell, a heading or a list item, wherever
/// it is put on a line (first on it too: a leading list marker, `1.` or space is escaped,
/// so it starts no list, rule or code block).
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '#' | '`' | '*' | '_' | '[' | ']' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if unsafe_char(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    escape_block_start(&mut out);
    out
}

/// Escapes what would start a block if the text began a line or followed a list marker: a
/// space (indentation), `-` or `+` not followed by a digit (a list item, a rule; a negative
/// or signed number stays as it is), and the `.` or `)` after a leading number (an ordered
/// list item, `1. `). `#`, `>`, `*`, backticks and `~` are escaped wherever they are.
fn escape_block_start(out: &mut String) {
    let mut chars = out.chars();
    match (chars.next(), chars.next()) {
        (Some(' '), _) => out.replace_range(..1, "&#32;"),
        (Some('-' | '+'), next) if !next.is_some_and(|c| c.is_ascii_digit()) => {
            out.insert(0, '\\');
        }
        _ => {
            let digits = out.bytes().take_while(u8::is_ascii_digit).count();
            let marker = out[digits..].starts_with(['.', ')']);
            let then = out[digits..].chars().nth(1);
            if (1..=9).contains(&digits) && marker && then.is_none_or(|c| c == ' ' || c == '\t') {
                out.insert(digits, '\\');
            }
        }
    }
}

/// For a spreadsheet cell (CSV, XLSX): a value that a spreadsheet would read as a formula
/// gets a leading `'`, so opening the file never runs it: one that starts with `=`, `+`,
/// `-`, `@`, their full-width forms (`＝`, `＋`, `－`, `＠`, which an East Asian input
/// method or import may turn into them), or white space (a tab, a carriage return, a line
/// break or a space before one of those).
pub fn spreadsheet(s: &str) -> String {
    const STARTS: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];
    if s.starts_with(STARTS)
        || s.starts_with(['\t', '\r', '\n'])
        || s.trim_start().starts_with(STARTS)
    {
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
    fn markdown_escapes_what_would_start_a_block() {
        assert_eq!(markdown("- a"), "\\- a");
        assert_eq!(markdown("+"), "\\+");
        assert_eq!(markdown("---"), "\\---");
        assert_eq!(markdown("1. a"), "1\\. a");
        assert_eq!(markdown("12)"), "12\\)");
        assert_eq!(markdown("    code"), "&#32;   code");
        assert_eq!(markdown("~~~"), "\\~\\~\\~");
        // Numbers stay as they are.
        for n in ["-0.5", "+1.5", "1.5", "2023-03-01", "2024年"] {
            assert_eq!(markdown(n), n);
        }
    }

    #[test]
    fn spreadsheet_neutralises_formulas() {
        for f in [
            "=cmd|' /C calc'!A0",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "\n=1",
            " =1+1",
            "\u{3000}=1",
            "＝SUM(1)",
            "＋1",
            "－1",
            "＠A1",
        ] {
            assert_eq!(spreadsheet(f), format!("'{f}"));
        }
        assert_eq!(spreadsheet("城关一小"), "城关一小");
    }
}
