// dig-like text of a message: header, flags and section titles as ';' comment lines, the OPT record
// as a pseudosection, questions as ";owner CLASS TYPE", records as "owner TTL CLASS TYPE RDATA".
#pragma once

#include <string>

#include "wire/message.hpp"

namespace dkimdoctor::wire {

std::string print_message(const MessageView& message);

}  // namespace dkimdoctor::wire
