#include "cli/commands.hpp"

int main(int argc, char** argv) { return paddock::cli::run(argc, argv); }
