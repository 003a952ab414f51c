use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kaohe::cmd::{self, CliError, Outcome};

/// kaohe (考核): score an organisation's submitted data against a YAML rule pack.
#[derive(Parser)]
#[command(name = "kaohe", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    limits: cmd::LimitArgs,
}

#[derive(Subcommand)]
enum Command {
    Check(cmd::check::Args),
    Test(cmd::test::Args),
    Assess(cmd::assess::Args),
    Rectify(cmd::rectify::Args),
    Followup(cmd::followup::Args),
    Compare(cmd::compare::Args),
    Schema(cmd::schema::Args),
    Template(cmd::template::Args),
}

/// Assessing allocates and frees small values per row, from every worker at once; mimalloc
/// does that in about half the time glibc's allocator takes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    kaohe::limits::set(cli.limits.limits());
    // Workers read whole documents, which recurse once per level of nesting.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(kaohe::limits::WORKER_STACK)
        .build_global();
    let stdout_color = cmd::use_color(std::io::stdout().is_terminal());
    let stderr_color = cmd::use_color(std::io::stderr().is_terminal());
    // Each command renders its output; writing it (to stdout or `-o PATH`) is done here.
    let text = |r: Result<(Outcome, String), CliError>| r.map(|(o, t)| (o, t.into_bytes()));
    let (result, output) = match cli.command {
        Command::Check(args) => (text(cmd::check::run(&args, stdout_color)), None),
        Command::Test(args) => (text(cmd::test::run(&args, stdout_color)), args.output),
        Command::Assess(args) => {
            // A round writes its own files; only a single report goes to `-o FILE`.
            let output = args.round_dir().is_none().then_some(args.output.clone());
            (
                text(cmd::assess::run(&args, stderr_color)),
                output.flatten(),
            )
        }
        Command::Rectify(args) => (cmd::rectify::run(&args, stderr_color), args.output),
        Command::Followup(args) => (cmd::followup::run(&args, stderr_color), args.output),
        Command::Compare(args) => (text(cmd::compare::run(&args, stderr_color)), args.output),
        Command::Schema(args) => (text(cmd::schema::run(&args, stderr_color)), args.output),
        Command::Template(args) => (cmd::template::run(&args, stderr_color), args.output),
    };
    let written = result.and_then(|(outcome, bytes)| {
        match output {
            Some(path) => cmd::write_output(&path, &bytes)?,
            None => {
                let mut stdout = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth reporting.
                let _ = stdout.write_all(&bytes).and_then(|_| stdout.flush());
            }
        }
        Ok(outcome)
    });
    match written {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Ok(Outcome::Unmet(reasons)) => {
            for reason in reasons {
                eprintln!("error: {reason}");
            }
            ExitCode::from(1)
        }
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
