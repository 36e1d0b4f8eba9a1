// Master-file text (RFC 1035 §5.1) as far as root hints and small test zones need: `$TTL`, `$ORIGIN`,
// comments, parentheses, quoted strings, `owner [TTL] [CLASS] TYPE RDATA` with TTL/CLASS in either
// order, blank owner = previous owner, '@' = origin, relative names completed by origin. `$INCLUDE`
// and `$GENERATE` are refused. The text is untrusted: every read is bounds-checked; errors carry the
// byte offset into `text`.
#pragma once

#include <string_view>
#include <vector>

#include "wire/error.hpp"
#include "wire/message.hpp"
#include "wire/name.hpp"

namespace dkimdoctor::wire {

WireResult<std::vector<Record>> parse_zone_text(std::string_view text, const Name& origin = Name());

}  // namespace dkimdoctor::wire
