// Uses the installed libraries: the codec (build a query, parse it back), the diagnosis (the expected
// Easy DKIM target) and the resolver (its built-in root hints and address policy). Sends nothing.
#include <asio/io_context.hpp>
#include <cstdio>

#include "diagnose/identity.hpp"
#include "resolver/resolver.hpp"
#include "wire/builder.hpp"
#include "wire/message.hpp"

int main() {
  using namespace dkimdoctor;
  auto name = wire::Name::parse("abc._domainkey.example.com");
  if (!name) return 1;
  auto query = wire::make_query(0x1234, *name, wire::RRType::CNAME, false, 1232);
  auto view = wire::MessageView::parse(query);
  if (!view || view->header().id != 0x1234) return 2;
  asio::io_context io;
  resolver::Resolver resolver(io.get_executor());
  const bool refuses_private = !resolver.options().policy.permits(asio::ip::make_address("10.1.2.3"));
  std::printf("%s %s %zu %s\n", (*view->questions().begin()).name().to_string().c_str(),
              diagnose::easy_dkim_target("abc", "eu-central-2").c_str(), resolver::builtin_root_hints().size(),
              refuses_private ? "refuses-private" : "queries-private");
  return 0;
}
