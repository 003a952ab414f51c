use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kaohe::cmd::{self, CliError, Outcome};

/// kaohe (考核): score an organisation's submitted data against a YAML rule pack.
#[derive(Parser)]
#[command(name = "kaohe", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate rule packs (schema and semantics). Exit 0 when valid, 1 with problems.
    Check {
        /// Pack directories (each holds a `pack.yaml`).
        #[arg(required = true)]
        packs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::check::Format,
    },
    /// Run each pack's test cases (`tests/*.yaml`). Exit 0 when all pass, 1 otherwise.
    Test {
        /// Pack directories.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::test::Format,
        /// Write the output to PATH instead of stdout (a file is replaced whole or not at all).
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Score submissions against a pack and print the gap report.
    Assess {
        /// The pack directory.
        pack: PathBuf,
        /// Submission files (YAML or JSON), one bureau each.
        #[arg(required = true)]
        submissions: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: cmd::assess::Format,
        /// A waivers file (豁免): items or rows exempted until a date.
        #[arg(long)]
        waivers: Option<PathBuf>,
        /// Print how this item's verdict and points were computed, row by row, instead of
        /// the report.
        #[arg(long, value_name = "ITEM")]
        explain: Option<String>,
        /// Exit 1 when a score is below SCORE.
        #[arg(long, value_name = "SCORE")]
        fail_under: Option<f64>,
        /// Exit 1 when a veto item failed.
        #[arg(long)]
        fail_on_veto: bool,
        /// Write the output to PATH instead of stdout (a file is replaced whole or not at all).
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of a submission to a pack.
    Schema {
        /// The pack directory.
        pack: PathBuf,
        /// Write the schema to PATH instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let stdout_color = cmd::use_color(std::io::stdout().is_terminal());
    let stderr_color = cmd::use_color(std::io::stderr().is_terminal());
    let (result, output) = match cli.command {
        Command::Check { packs, format } => (cmd::check::run(&packs, format, stdout_color), None),
        Command::Assess {
            pack,
            submissions,
            format,
            waivers,
            explain,
            fail_under,
            fail_on_veto,
            output,
        } => {
            let request = cmd::assess::Request {
                pack: &pack,
                submissions: &submissions,
                format,
                waivers: waivers.as_deref(),
                explain: explain.as_deref(),
                fail_under,
                fail_on_veto,
                color: stderr_color,
            };
            (cmd::assess::run(&request), output)
        }
        Command::Test {
            packs,
            format,
            output,
        } => (cmd::test::run(&packs, format, stdout_color), output),
        Command::Schema { pack, output } => (cmd::schema::run(&pack, stderr_color), output),
    };
    let written = result.and_then(|(outcome, text)| {
        match output {
            Some(path) => cmd::write_output(&path, &text)?,
            None => {
                let mut stdout = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth reporting.
                let _ = stdout
                    .write_all(text.as_bytes())
                    .and_then(|_| stdout.flush());
            }
        }
        Ok(outcome)
    });
    match written {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(CliError::Input(text)) => {
            eprint!("{text}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
