// `dkimdoctor version`: the program's version and the libraries it was built with.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

// `allocator`: the memory allocator the binary runs on, as main() knows it ("mimalloc 2.0.9" or
// "glibc malloc"): figures taken with one binary are not figures of the other.
void add_version_command(CLI::App& app, int& exit_status, std::string allocator);

}  // namespace dkimdoctor::cli
