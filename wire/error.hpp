// The wire layer's one error enum. Every failure names what went wrong and where (a byte offset into
// the message or the text being parsed), so a caller can print "compression pointer loop at offset 45".
#pragma once

#include <cstddef>
#include <string>

#include "wire/result.hpp"

namespace dkimdoctor::wire {

enum class Errc {
  truncated,              // input ended inside a header, name, field or record
  label_too_long,         // a label longer than 63 octets (RFC 1035 §2.3.4)
  name_too_long,          // a name longer than 255 octets in wire form
  bad_label_type,         // label type 0b01/0b10 (RFC 6891 §5 deprecated extended labels)
  pointer_forward,        // compression pointer not strictly backwards
  pointer_loop,           // compression pointer revisits a position
  too_many_pointers,      // more compression hops than any valid name needs
  pointer_into_header,    // compression pointer to an offset < 12
  count_too_large,        // a section count that cannot fit in the message (count > size / 11)
  rdata_length_mismatch,  // RDATA of a known type does not consume exactly RDLENGTH
  bad_rdata,              // RDATA content invalid for its type
  multiple_opt,           // more than one OPT record (RFC 6891 §6.1.1)
  opt_not_in_additional,  // OPT outside the additional section
  opt_bad_owner,          // OPT owner is not the root
  bad_escape,             // bad \ escape in presentation text
  bad_text,               // presentation text that does not parse
  empty_label,            // empty label inside a presentation name ("a..b")
  unknown_type,           // type mnemonic not recognised
  message_too_large,      // builder: the message would exceed its size limit
  message_truncated,      // builder: record not added, the message was truncated and TC set
  section_order,          // builder: records added out of section order
  too_many_records,       // builder: a section count would exceed 65535
  rcode_needs_edns,       // builder: an RCODE above 15 without an OPT record
  builder_finished,       // builder: used after finish()
};

struct Error {
  Errc code;
  std::size_t offset = 0;
  bool operator==(const Error&) const = default;
};

// Short human text for the code, e.g. "compression pointer loop".
const char* describe(Errc code);
// "<describe(code)> at offset <offset>".
std::string to_string(const Error& error);

template <class T>
using WireResult = dkimdoctor::Result<T, Error>;

inline Unexpected<Error> fail(Errc code, std::size_t offset) { return Unexpected<Error>{Error{code, offset}}; }

}  // namespace dkimdoctor::wire
