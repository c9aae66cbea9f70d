#include "cli/front.hpp"

int main(int argc, char** argv) {
  return paddock::cli::run_front(argc, argv);
}
