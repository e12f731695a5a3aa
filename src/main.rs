//! The `mir-leaderboard` binary: the server and the maintainers' command line.

fn main() -> std::process::ExitCode {
    mir_leaderboard::startup::init_tracing();
    mir_leaderboard::cli::main()
}
