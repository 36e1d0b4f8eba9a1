// `dkimdoctor version`: the program's version and the libraries it was built with.
#pragma once

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

void add_version_command(CLI::App& app, int& exit_status);

}  // namespace dkimdoctor::cli
