fn main() -> std::process::ExitCode {
    agentpack::run()
}
