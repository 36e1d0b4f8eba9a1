#include "tests/replay/unbound_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/ip/udp.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dnssec/status.hpp"
#include "wire/message.hpp"

namespace dkimdoctor::replay {

using namespace std::chrono_literals;

std::string UnboundProcess::start(const Scenario& s, int instance) {
  stop();
  dropped_.clear();
  char tmpl[] = "/tmp/replay-unbound-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return std::string("mkdtemp: ") + std::strerror(errno);
  dir_ = tmpl;
  address_ = asio::ip::make_address_v4("127.127.0." + std::to_string(instance));
  std::vector<std::string> lines = s.config;
  const std::string file = dir_ + "/unbound.conf";
  // Options of newer Unbound versions (max-global-quota, ...) are dropped, as unbound-checkconf names
  // them; the rest of the scenario's config is Unbound's own syntax and goes in as written.
  const std::string checkconf = std::filesystem::path(path_).parent_path() / "unbound-checkconf";
  for (int round = 0; round < 8; ++round) {
    if (!write_config(file, lines)) return "cannot write " + file;
    std::string out;
    if (FILE* p = popen((checkconf + " " + file + " 2>&1").c_str(), "r")) {
      char buf[512];
      while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
      if (pclose(p) == 0) break;
    } else {
      return "cannot run " + checkconf;
    }
    const auto at = out.find("unknown keyword '");
    if (at == std::string::npos) return "unbound-checkconf: " + out.substr(0, 300);
    const std::string key = out.substr(at + 17, out.find('\'', at + 17) - at - 17);
    dropped_.push_back(key);
    std::erase_if(lines, [&](const std::string& l) { return l.rfind(key + ":", 0) == 0; });
  }
  const std::string log = dir_ + "/log";
  pid_ = fork();
  if (pid_ < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the scenario's process
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl(path_.c_str(), path_.c_str(), "-d", "-c", file.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return {};
}

std::string UnboundProcess::ready() {
  int status = 0;
  if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return "unbound exited at start: " + log_tail();
  }
  const auto b = address_.to_bytes();
  char want[32];
  std::snprintf(want, sizeof want, "%02X%02X%02X%02X:0035", b[3], b[2], b[1], b[0]);
  std::ifstream udp("/proc/net/udp");
  for (std::string line; std::getline(udp, line);) {
    if (line.find(want) != std::string::npos) return {};
  }
  return "starting";
}

void UnboundProcess::stop() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (verbose_ && !dir_.empty()) {
    std::cerr << "  unbound " << address_.to_string() << " log:\n" << log_tail(20000);
    for (const auto& d : dropped_) std::cerr << "  (config option not in this Unbound, dropped: " << d << ")\n";
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

bool UnboundProcess::write_config(const std::string& file, const std::vector<std::string>& lines) const {
  std::ofstream out(file);
  // discard-timeout: 0: Unbound drops the reply to a client whose query took more than 1.9 s (the
  // client has retried by then); in its own harness time is virtual, here the scripted timeouts
  // take real time, and our client asks once. A scenario's own value still wins (it comes later).
  out << "server:\n\tverbosity: " << (verbose_ ? 4 : 0) << "\n\tdo-not-query-localhost: yes\n\tdiscard-timeout: 0\n";
  for (const auto& l : lines) out << (l.back() == ':' && l.find(' ') == std::string::npos ? "" : "\t") << l << "\n";
  out << "server:\n"
      << "\tinterface: " << address_.to_string() << "\n\tport: 53\n"
      << "\tdo-daemonize: no\n\tchroot: \"\"\n\tusername: \"\"\n\tpidfile: \"\"\n"
      << "\tdirectory: \"" << dir_ << "\"\n\tlogfile: \"\"\n\tuse-syslog: no\n"
      << "\tmodule-config: \"" << (validator_ ? "validator iterator" : "iterator") << "\"\n"
      << "\taccess-control: 127.0.0.0/8 allow\n"
      << "\tnum-threads: 1\n\tso-reuseport: no\n\toutgoing-range: 64\n\tnum-queries-per-thread: 32\n"
      << "remote-control:\n\tcontrol-enable: no\n";
  return static_cast<bool>(out);
}

std::string UnboundProcess::log_tail(std::size_t max) const {
  std::ifstream in(dir_ + "/log");
  std::stringstream text;
  text << in.rdbuf();
  std::string t = text.str();
  return t.size() > max ? t.substr(t.size() - max) : t;
}

asio::awaitable<resolver::Resolution> ask_unbound(resolver::Transport& transport, asio::ip::address_v4 at,
                                                  wire::Question q) {
  resolver::Resolution out;
  out.question = q;
  resolver::ExchangeRequest req;
  req.server = asio::ip::udp::endpoint(at, 53);
  req.qname = q.name;
  req.qtype = q.type;
  req.rd = true;
  req.use_0x20 = false;
  req.timeout = 30000ms;
  const resolver::ExchangeResult x = co_await transport.exchange(req);
  if (x.error != resolver::TransportError::none) {
    out.failure_detail = std::string("no reply from Unbound: ") + resolver::to_string(x.error);
    co_return out;
  }
  auto m = wire::MessageView::parse(x.reply);
  if (!m) {
    out.failure_detail = "Unbound's reply does not parse";
    co_return out;
  }
  out.rcode = m->rcode();
  out.outcome = out.rcode == wire::Rcode::ServFail ? resolver::Outcome::failed : resolver::Outcome::answer;
  // The RRSIGs are the answer when they were asked for.
  for (const auto& r : m->answers())
    (r.type() == wire::RRType::RRSIG && q.type != wire::RRType::RRSIG ? out.signatures : out.answer).push_back(r.to_record());
  for (const auto& view : m->authority()) {
    const wire::Record r = view.to_record();
    const auto sig = r.rdata.as_rrsig();
    const auto covered = sig ? sig->type_covered : r.type;
    // A negative answer's SOA, also at the end of a CNAME chain.
    if (r.type == wire::RRType::SOA) out.negative_soa = r;
    if (covered == wire::RRType::SOA && sig) out.signatures.push_back(r);
    if (covered == wire::RRType::NSEC || covered == wire::RRType::NSEC3) out.denial.push_back(r);
  }
  out.validation.checked = true;
  out.validation.status = m->header().ad ? dnssec::Status::secure : dnssec::Status::insecure;
  co_return out;
}

}  // namespace dkimdoctor::replay
