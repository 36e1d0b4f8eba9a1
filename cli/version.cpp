#include "cli/version.hpp"

#include <CLI/CLI.hpp>
#include <asio/version.hpp>
#include <nlohmann/json.hpp>
#include <openssl/opensslv.h>

#include <cstdio>
#include <utility>

#ifndef DKIMDOCTOR_VERSION
#define DKIMDOCTOR_VERSION "unknown"
#endif

namespace dkimdoctor::cli {

void add_version_command(CLI::App& app, int& exit_status, std::string allocator) {
  auto* cmd = app.add_subcommand("version", "Print the version of dkimdoctor and of the libraries it uses");
  cmd->footer("Example:\n  dkimdoctor version");
  cmd->callback([&exit_status, allocator = std::move(allocator)] {
    std::printf("dkimdoctor %s\n", DKIMDOCTOR_VERSION);
    std::printf("asio %d.%d.%d, %s, nlohmann/json %d.%d.%d, CLI11 %s\n", ASIO_VERSION / 100000,
                ASIO_VERSION / 100 % 1000, ASIO_VERSION % 100, OPENSSL_VERSION_TEXT,
                NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH,
                CLI11_VERSION);
    std::printf("allocator: %s\n", allocator.c_str());
    exit_status = 0;
  });
}

}  // namespace dkimdoctor::cli
