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
    let result = match cli.command {
        Command::Check { packs, format } => {
            cmd::check::run(&packs, format, cmd::use_color(std::io::stdout().is_terminal()))
        }
    };
    match result {
        Ok((outcome, text)) => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
                return ExitCode::from(2);
            }
            match outcome {
                Outcome::Success => ExitCode::SUCCESS,
                Outcome::Problems => ExitCode::from(1),
            }
        }
        Err(e) => {
            report(&e);
            ExitCode::from(2)
        }
    }
}

fn report(e: &CliError) {
    eprintln!("error: {e}");
}
