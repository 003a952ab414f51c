//! The bounds on what kaohe reads and renders. Each has a default that no real file comes
//! near and a command-line option that raises it (or lowers it); every refusal names the
//! limit it hit and the option.
//!
//! The limits are set once, from the command line, before anything is read ([`set`]); until
//! then (in tests, in the library used on its own) they are the defaults.

use std::sync::OnceLock;

/// One of the limits, for messages: its option and how its value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    FileSize,
    Depth,
    YamlNodes,
    Aliases,
    Rows,
    Cells,
    Sheets,
    Inflated,
    TemplateFuel,
    TemplateOutput,
}

impl Limit {
    /// The option that sets it.
    pub fn option(self) -> &'static str {
        match self {
            Limit::FileSize => "--max-file-size",
            Limit::Depth => "--max-depth",
            Limit::YamlNodes => "--max-yaml-nodes",
            Limit::Aliases => "--max-aliases",
            Limit::Rows => "--max-rows",
            Limit::Cells => "--max-cells",
            Limit::Sheets => "--max-sheets",
            Limit::Inflated => "--max-inflated",
            Limit::TemplateFuel => "--template-fuel",
            Limit::TemplateOutput => "--max-template-output",
        }
    }

    /// Its value in force.
    fn in_force(self) -> u64 {
        let l = get();
        let n = |v: usize| v as u64;
        match self {
            Limit::FileSize => l.file_size,
            Limit::Depth => n(l.depth),
            Limit::YamlNodes => n(l.yaml_nodes),
            Limit::Aliases => n(l.aliases),
            Limit::Rows => n(l.rows),
            Limit::Cells => l.cells,
            Limit::Sheets => n(l.sheets),
            Limit::Inflated => l.inflated,
            Limit::TemplateFuel => l.template_fuel,
            Limit::TemplateOutput => n(l.template_output),
        }
    }

    /// What a refusal message ends with: `(the limit is 64; `--max-depth` raises it)`.
    pub fn hint(self) -> String {
        self.hint_for(self.in_force())
    }

    /// [`Limit::hint`] for a given value (`16 MiB` for a size, `1,000,000` for a count).
    pub fn hint_for(self, value: u64) -> String {
        let shown = match self {
            Limit::FileSize | Limit::Inflated | Limit::TemplateOutput => size(value),
            _ => count(value),
        };
        format!("(the limit is {shown}; `{}` raises it)", self.option())
    }
}

/// The limits in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes read from one file.
    pub file_size: u64,
    /// The deepest a YAML or JSON document may nest.
    pub depth: usize,
    /// The most nodes a YAML document may have, counting those its aliases repeat.
    pub yaml_nodes: usize,
    /// The most nodes a YAML document's aliases (`*name`) may repeat, all uses together.
    pub aliases: usize,
    /// The most rows one register may have.
    pub rows: usize,
    /// The most cells a workbook's sheets may span together (rows × columns of each).
    pub cells: u64,
    /// The most sheets a workbook may have.
    pub sheets: usize,
    /// The most bytes a workbook's parts may inflate to together.
    pub inflated: u64,
    /// The most instructions one rectification template may run.
    pub template_fuel: u64,
    /// The most bytes one rectification template may write.
    pub template_output: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_size: 16 * 1024 * 1024,
            depth: 64,
            yaml_nodes: 2 * 1024 * 1024,
            aliases: 100_000,
            rows: 1_000_000,
            cells: 10_000_000,
            sheets: 256,
            inflated: 256 * 1024 * 1024,
            template_fuel: 20_000,
            template_output: 1024 * 1024,
        }
    }
}

/// The deepest `--max-depth` goes: the JSON reader's own bound, and well within
/// [`WORKER_STACK`].
pub const MAX_DEPTH: usize = 128;

/// The stack of each worker thread: enough to read a document nested [`MAX_DEPTH`] deep
/// (the readers recurse once per level). It is address space; only what is used is memory.
pub const WORKER_STACK: usize = 32 * 1024 * 1024;

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// The limits in force: those [`set`], else the defaults.
pub fn get() -> &'static Limits {
    LIMITS.get_or_init(Limits::default)
}

/// Sets the limits for the rest of the process. Only the first call counts (the command
/// line sets them before anything is read); it says whether this one did.
pub fn set(limits: Limits) -> bool {
    LIMITS.set(limits).is_ok()
}

/// `16 MiB`, `1.5 GiB`, `512 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, scale) in UNITS {
        if bytes >= scale {
            let whole = bytes / scale;
            let tenths = (bytes % scale) * 10 / scale;
            return if tenths == 0 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenths} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

/// `1,000,000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Reads a size option: bytes, or a number with `K`, `M` or `G` (binary: `16M` is 16 MiB;
/// `KiB`, `MiB`, `GiB`, `KB`, `MB` and `GB` are read the same way).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let number: u64 = digits
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write bytes, or a number with K, M or G"))?;
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("`{text}` is not a size: the units are K, M and G")),
    };
    let bytes = number
        .checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Err("a limit of 0 would refuse everything".into());
    }
    Ok(bytes)
}

/// Reads a count option: digits, `_` or `,` between them allowed (`1_000_000`).
pub fn parse_count(text: &str) -> Result<u64, String> {
    let digits: String = text.trim().chars().filter(|c| !"_,".contains(*c)).collect();
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if n == 0 {
        return Err("a limit of 0 would refuse everything".into());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_write() {
        assert_eq!(parse_size("16M"), Ok(16 << 20));
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512 KB"), Ok(512 << 10));
        assert!(parse_size("16X").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999G").is_err());
        assert_eq!(size(16 << 20), "16 MiB");
        assert_eq!(size(3 << 29), "1.5 GiB");
        assert_eq!(size(100), "100 bytes");
    }

    #[test]
    fn counts_read_and_write() {
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("1,000"), Ok(1000));
        assert!(parse_count("1e6").is_err());
        assert!(parse_count("0").is_err());
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(64), "64");
        assert_eq!(count(1000), "1,000");
    }

    #[test]
    fn a_hint_names_the_option() {
        assert_eq!(
            Limit::Depth.hint(),
            "(the limit is 64; `--max-depth` raises it)"
        );
    }
}
