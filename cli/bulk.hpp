// `dkimdoctor bulk`: diagnose many SES identities, streaming JSON Lines in and out.
#pragma once

#include <cstddef>

namespace CLI {
class App;
}

namespace dkimdoctor::cli {

// Domains in flight at once by default: enough to hide network latency, few enough that a cold cache
// does not send a burst that looks like an attack to small providers.
inline constexpr std::size_t kDefaultBulkConcurrency = 200;

void add_bulk_command(CLI::App& app, int& exit_status);

}  // namespace dkimdoctor::cli
