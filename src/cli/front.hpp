#pragma once
// The `paddock` program users run. `paddock rate` runs here, in a program linked with the
// rating and vote-log code only, so it starts in about a millisecond; the full program
// (`paddock-full`, every subcommand) loads FFmpeg's, PostgreSQL's and librsvg's shared
// libraries and theirs, some 175 of them, which takes 0.1-0.2 s before main. Every other
// command (and --help, --version) is handed to paddock-full beside this program, with the
// same arguments (execv), so it behaves exactly as before.

namespace paddock::cli {

int run_front(int argc, char** argv);

}  // namespace paddock::cli
